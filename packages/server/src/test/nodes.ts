/**
 * @module test/nodes
 * What the tests of several nodes (or workers) share: a free port, polling until something holds,
 * a person's cookies carried to another node, and a session whose two sides sit on two nodes.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer } from 'node:net';
import type { ServerMessage } from '@remote-help/protocol';
import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { TestSocket } from './harness.js';
import { Client, sessionIn } from './harness.js';

/** A port nothing listens on right now (on 127.0.0.1). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/** Polls `check` until it holds (the deadline only ends a test that would otherwise hang). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Deletes every key under a test's Redis prefix; returns how many there were. */
export async function deleteRedisKeys(admin: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await admin.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Deletes every key under a test's Redis prefix and closes the connection (when it was opened). */
export async function forgetRedisPrefix(admin: Redis, prefix: string): Promise<void> {
  if (admin.status !== 'ready') return;
  await deleteRedisKeys(admin, prefix);
  await admin.quit();
}

/** The same person's cookies and CSRF token, talking to another node. */
export function on(base: string, client: Client): Client {
  const copy = new Client(base);
  for (const [name, value] of client.cookies) copy.cookies.set(name, value);
  copy.csrf = client.csrf;
  return copy;
}

export type SessionFrame = Extract<ServerMessage, { type: 'session' }>;
export const isSession = (m: ServerMessage): m is SessionFrame => m.type === 'session';
/** A session frame with the other side online (or not), and in `state` when one is named. */
export const peer = (online: boolean, state?: string) => (m: ServerMessage) =>
  isSession(m) && m.session.peerOnline === online && (!state || m.session.state === state);
export const signalWith = (sdp: string) => (m: ServerMessage) =>
  m.type === 'signal' && m.payload.kind === 'sdp' && m.payload.description.sdp === sdp;
export const offer = (id: string, sdp: string) => ({
  type: 'signal',
  sessionId: id,
  payload: { kind: 'sdp', description: { type: 'offer', sdp } },
});

export async function attach(socket: TestSocket, sessionId: string, state: string): Promise<void> {
  socket.send({ type: 'attach', sessionId });
  await socket.next(sessionIn(state), 10_000);
}

/** A helper on A and a sharer on B of organization `domain`, an active session, a chat line from each. */
export async function crossNodeSession(urlA: string, urlB: string, domain: string) {
  const helper = new Client(urlA);
  await helper.signIn(`helper@${domain}`);
  const sharerOnA = new Client(urlA);
  await sharerOnA.signIn(`sharer@${domain}`);
  const sharer = on(urlB, sharerOnA);
  const created = await helper.post('/api/v1/sessions');
  expect(created.status).toBe(201);
  const { code, session } = created.body as { code: string; session: { id: string } };
  const id = session.id;
  const hws = await helper.socket();
  await attach(hws, id, 'waiting');
  expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
  await hws.next(sessionIn('joined'), 10_000);
  const sws = await sharer.socket();
  await attach(sws, id, 'joined');
  expect((await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' })).status).toBe(200);
  await sws.next(sessionIn('requested'), 10_000);
  expect((await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true })).status).toBe(200);
  await hws.next(sessionIn('active'), 10_000);
  await sws.next(sessionIn('active'), 10_000);
  await hws.next(peer(true), 10_000);
  // One line each way, each seen by the other side (so stored, and relayed across the nodes).
  const lines = [`from the helper on A (${domain})`, `from the sharer on B (${domain})`];
  hws.send({ type: 'chat.send', sessionId: id, clientId: randomUUID(), text: lines[0] });
  await sws.next((m) => m.type === 'chat.message' && m.message.text === lines[0], 10_000);
  sws.send({ type: 'chat.send', sessionId: id, clientId: randomUUID(), text: lines[1] });
  await hws.next((m) => m.type === 'chat.message' && m.message.text === lines[1], 10_000);
  return { helper, sharer, hws, sws, id, lines };
}
