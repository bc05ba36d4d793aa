/**
 * Integration: `ice.servers` over the real WebSocket with TURN configured. Each participant
 * gets a credential minted for the session and for them (`<expiry>:<session>:<user>`, the
 * HMAC of exactly that under `TURN_SECRET`, expiring `TURN_TTL_SECONDS` from now); someone
 * of the same organization who is not in the session, another organization's helper, and
 * anyone after the session ended get no credential at all.
 */
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer, TestSocket } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { turnPassword } from './credentials.js';

const SECRET = 'session-ice-shared-secret-0123456789';
const TTL = 600;
type IceAnswer = Extract<ServerMessage, { type: 'ice.servers' }>;
type ErrorFrame = Extract<ServerMessage, { type: 'error' }>;

let t: TestServer;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestServer({
    TURN_URLS: 'turn:turn.example.test:3478?transport=udp,turn:turn.example.test:443?transport=tcp',
    TURN_SECRET: SECRET,
    TURN_TTL_SECONDS: String(TTL),
    ICE_SERVERS: '[{"urls":"stun:stun.example.test:3478"}]',
  });
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

async function signedIn(email: string): Promise<{ client: Client; socket: TestSocket; userId: string }> {
  const client = new Client(t.url);
  await client.signIn(email);
  const socket = await client.socket();
  sockets.push(socket);
  const hello = socket.received.find((m) => m.type === 'hello') as Extract<ServerMessage, { type: 'hello' }>;
  return { client, socket, userId: hello.userId };
}

let n = 0;
/** Sends `message` with an id; resolves with the `ice.servers` answer or the error frame for it. */
async function ask(socket: TestSocket, message: Record<string, unknown>): Promise<IceAnswer | ErrorFrame> {
  const id = `i${++n}`;
  const since = socket.received.length;
  socket.send({ ...message, id });
  return socket.next<IceAnswer | ErrorFrame>(
    (m) => m.type === 'ice.servers' || (m.type === 'error' && m.replyTo === id),
    5000,
    since,
  );
}

async function attach(socket: TestSocket, sessionId: string): Promise<ServerMessage> {
  const since = socket.received.length;
  socket.send({ type: 'attach', sessionId });
  return socket.next((m) => (m.type === 'attached' || m.type === 'error') && true, 5000, since);
}

it('mints per session and participant, and refuses anyone else', async () => {
  const helper = await signedIn('helper@contoso.example');
  const sharer = await signedIn('sharer@contoso.example');
  const created = await helper.client.post('/api/v1/sessions', {});
  const sessionId = (created.body.session as { id: string }).id;
  expect((await sharer.client.post('/api/v1/sessions/redeem', { code: created.body.code })).status).toBe(200);

  // Not attached yet: refused.
  expect(await ask(helper.socket, { type: 'ice.servers', sessionId })).toMatchObject({ error: 'bad_request' });

  const answers: IceAnswer[] = [];
  for (const side of [helper, sharer]) {
    expect(await attach(side.socket, sessionId)).toMatchObject({ type: 'attached' });
    const before = Math.floor(Date.now() / 1000);
    const answer = await ask(side.socket, { type: 'ice.servers', sessionId });
    const after = Math.floor(Date.now() / 1000);
    expect(answer.type).toBe('ice.servers');
    const ice = answer as IceAnswer;
    expect(ice.sessionId).toBe(sessionId);
    expect(ice.ttlSeconds).toBe(TTL);
    // The static entries first, then one TURN entry for both URLs.
    expect(ice.iceServers[0]).toEqual({ urls: 'stun:stun.example.test:3478' });
    const turn = ice.iceServers[1]!;
    expect(turn.urls).toEqual([
      'turn:turn.example.test:3478?transport=udp',
      'turn:turn.example.test:443?transport=tcp',
    ]);
    const [expiry, namedSession, namedUser, ...rest] = turn.username!.split(':');
    expect(rest).toEqual([]);
    expect(namedSession).toBe(sessionId);
    expect(namedUser).toBe(side.userId);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + TTL);
    expect(Number(expiry)).toBeLessThanOrEqual(after + TTL);
    expect(turn.credential).toBe(turnPassword(SECRET, turn.username!));
    answers.push(ice);
  }
  // Two people, two credentials; the hello's per-user one stays as it was (no session in it).
  expect(answers[0]!.iceServers[1]!.username).not.toBe(answers[1]!.iceServers[1]!.username);
  const hello = helper.socket.received.find((m) => m.type === 'hello') as Extract<ServerMessage, { type: 'hello' }>;
  expect(hello.iceServers[1]!.username).toMatch(new RegExp(`^\\d+:${helper.userId}$`));

  // Someone of the same organization who is not in it, and another organization's helper.
  for (const email of ['admin@contoso.example', 'helper@fabrikam.example']) {
    const intruder = await signedIn(email);
    const attached = await attach(intruder.socket, sessionId);
    expect(attached.type, email).toBe('error');
    const answer = await ask(intruder.socket, { type: 'ice.servers', sessionId });
    expect(answer, email).toMatchObject({ type: 'error', error: 'bad_request' });
    expect(intruder.socket.received.some((m) => m.type === 'ice.servers')).toBe(false);
  }

  // A malformed request changes nothing and says why.
  expect(await ask(helper.socket, { type: 'ice.servers', sessionId, userId: sharer.userId })).toMatchObject({
    error: 'validation_failed',
  });

  // Ended: no more credentials for it.
  expect((await helper.client.post(`/api/v1/sessions/${sessionId}/leave`, {})).status).toBe(200);
  await helper.socket.next((m) => m.type === 'session' && m.session.state === 'ended');
  expect(await ask(helper.socket, { type: 'ice.servers', sessionId })).toMatchObject({ error: 'session_ended' });
}, 60_000);

it('gives no TURN credential in hello to the people of an organization that turned Remote Help off', async () => {
  const admin = new Client(t.url);
  await admin.signIn('admin@contoso.example');
  const settings = await admin.json('/api/v1/tenant/settings', 'GET');
  expect(settings.status).toBe(200);
  const put = async (remoteHelpEnabled: boolean) => {
    const r = await admin.json('/api/v1/tenant/settings', 'PUT', {
      ...(settings.body.settings as object),
      remoteHelpEnabled,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const helloOf = async (email: string) => {
    const { socket } = await signedIn(email);
    return (socket.received.find((m) => m.type === 'hello') as Extract<ServerMessage, { type: 'hello' }>).iceServers;
  };
  await put(false);
  try {
    // The static servers only: nothing to relay through for an organization without sessions.
    expect(await helloOf('helper@contoso.example')).toEqual([{ urls: 'stun:stun.example.test:3478' }]);
    // Another organization is not affected.
    expect((await helloOf('helper@fabrikam.example'))[1]?.credential).toEqual(expect.any(String));
  } finally {
    await put(true);
  }
  const again = await helloOf('helper@contoso.example');
  expect(again[1]?.username).toMatch(/^\d+:[^:]+$/);
}, 60_000);
