/**
 * Integration, scale-out: two real server nodes in this process on one SQLite file (WAL),
 * sharing a real Redis (127.0.0.1:6379) under a prefix of their own. A helper on node A and
 * a sharer on node B run a whole session (code, trust screen, signaling both ways, chat,
 * leave); a helper on A launches a session on a device connected to B; node A dies
 * mid-session and the sharer on B is told, the helper resumes on B; Redis drops every
 * connection of the nodes and forgets their keys, and delivery and presence come back;
 * wrong codes on both nodes count against one limit.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@remote-help/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteHelpServer, ServerOptions } from '../app.js';
import { createServer } from '../app.js';
import { loadConfig } from '../config.js';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestSocket } from '../test/harness.js';
import { Client, DEMO_PASSWORD, sessionIn } from '../test/harness.js';
import { DeviceSocket, enrollDevice } from '../test/testDevice.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
type SessionFrame = Extract<ServerMessage, { type: 'session' }>;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** Two nodes behind one public URL (a load balancer's), one database file, one Redis prefix. */
interface Cluster {
  prefix: string;
  a: RemoteHelpServer;
  b: RemoteHelpServer;
  urlA: string;
  urlB: string;
  stop(): Promise<void>;
}

async function startCluster(options: ServerOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-scale-'));
  const prefix = `rh:test:${randomUUID().slice(0, 8)}:`;
  const [portA, portB] = [await freePort(), await freePort()];
  const env = (port: number) => ({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${portA}`,
    DATABASE_URL: `sqlite:${join(dir, 'shared.db')}`,
    DEMO_PASSWORD,
    WEB_DIST: join(dir, 'no-web'),
    REDIS_URL,
    REDIS_PREFIX: prefix,
  });
  // One after the other: the first migrates and seeds, the second finds it done.
  const a = await createServer(loadConfig(env(portA)), { logger: false, ...options });
  const b = await createServer(loadConfig(env(portB)), { logger: false, ...options });
  const urlA = await a.listen();
  const urlB = await b.listen();
  let stopped = false;
  return {
    prefix,
    a,
    b,
    urlA,
    urlB,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled([a.close(), b.close()]);
      await deleteKeys(prefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let admin: Redis;
beforeAll(() => {
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
});
afterAll(async () => {
  await admin?.quit();
});

async function deleteKeys(prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await admin.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** The same person's cookies and CSRF token, talking to another node. */
function on(base: string, client: Client): Client {
  const copy = new Client(base);
  for (const [name, value] of client.cookies) copy.cookies.set(name, value);
  copy.csrf = client.csrf;
  return copy;
}

async function signedIn(cluster: Cluster, email: string): Promise<Client> {
  const client = new Client(cluster.urlA);
  await client.signIn(email);
  return client;
}

const isSession = (m: ServerMessage): m is SessionFrame => m.type === 'session';
const peer = (online: boolean, state?: string) => (m: ServerMessage) =>
  isSession(m) && m.session.peerOnline === online && (!state || m.session.state === state);

async function attach(socket: TestSocket, sessionId: string, state: string): Promise<void> {
  socket.send({ type: 'attach', sessionId });
  await socket.next(sessionIn(state));
}

/** A helper on A, a sharer on B, an active session between them. */
async function crossNodeSession(cluster: Cluster) {
  const helper = await signedIn(cluster, 'helper@contoso.example');
  const sharer = on(cluster.urlB, await signedIn(cluster, 'sharer@contoso.example'));
  const created = await helper.post('/api/v1/sessions');
  expect(created.status).toBe(201);
  const { code, session } = created.body as { code: string; session: { id: string } };
  const id = session.id;
  const hws = await helper.socket();
  await attach(hws, id, 'waiting');
  expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
  // The redemption happened on B; the helper's feed on A hears of it through Redis.
  const joined = await hws.next<SessionFrame>(sessionIn('joined'));
  expect(joined.session.sharer?.displayName).toBe('Lena Fischer');
  const sws = await sharer.socket();
  await attach(sws, id, 'joined');
  // Each side sees the other online although its connection is on the other node.
  await hws.next(peer(true, 'joined'));
  await sws.next(peer(true, 'joined'));
  expect((await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' })).status).toBe(200);
  await sws.next(sessionIn('requested'));
  expect((await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true })).status).toBe(200);
  await hws.next(sessionIn('active'));
  await sws.next(sessionIn('active'));
  return { helper, sharer, hws, sws, id };
}

const offer = (id: string, sdp: string) => ({
  type: 'signal',
  sessionId: id,
  payload: { kind: 'sdp', description: { type: 'offer', sdp } },
});
const signalWith = (sdp: string) => (m: ServerMessage) =>
  m.type === 'signal' && m.payload.kind === 'sdp' && m.payload.description.sdp === sdp;

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('two nodes and Redis', () => {
  it('runs a whole session with the helper on node A and the sharer on node B', async () => {
    cluster = await startCluster();
    const { helper, hws, sws, id } = await crossNodeSession(cluster);

    sws.send(offer(id, 'v=0 from the sharer on B'));
    expect(await hws.next(signalWith('v=0 from the sharer on B'))).toMatchObject({ from: 'sharer' });
    hws.send({ type: 'signal', sessionId: id, payload: { kind: 'ice', candidate: null } });
    expect(await sws.next((m) => m.type === 'signal')).toMatchObject({ from: 'helper', payload: { kind: 'ice' } });

    hws.send({ type: 'chat.send', sessionId: id, clientId: randomUUID(), text: 'Hello from node A' });
    const chat = await sws.next((m) => m.type === 'chat.message');
    expect(chat).toMatchObject({ message: { text: 'Hello from node A', from: 'helper' } });
    sws.send({ type: 'chat.send', sessionId: id, clientId: randomUUID(), text: 'Hi from node B' });
    expect(await hws.next((m) => m.type === 'chat.message' && m.message.text === 'Hi from node B')).toBeTruthy();

    expect((await helper.post(`/api/v1/sessions/${id}/leave`)).status).toBe(200);
    const ended = await sws.next<SessionFrame>(sessionIn('ended'));
    expect(ended.session.endReason).toBe('helper_left');
    // Presence and bus traffic went through this test's own keys only.
    expect(await admin.zcard(`${cluster.prefix}nodes`)).toBe(2);
    hws.close();
    sws.close();
  });

  it('launches a session on a device connected to node B from a helper on node A', async () => {
    cluster = await startCluster();
    const adminUser = await signedIn(cluster, 'admin@contoso.example');
    const helper = await signedIn(cluster, 'helper@contoso.example');
    // The device signs for the public URL; it happens to be connected to node B.
    const device = await enrollDevice(cluster.urlA, adminUser);
    expect((await helper.post(`/api/v1/devices/${device.id}/sessions`)).body.error).toBe('device_offline');
    const launchSocket = await DeviceSocket.open(cluster.urlB, device);
    expect(((await helper.json(`/api/v1/devices/${device.id}`)).body as { online: boolean }).online).toBe(true);

    const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`);
    expect(launched.status).toBe(201);
    const sessionId = (launched.body.session as { id: string }).id;
    expect(await launchSocket.next((m) => m.type === 'launch')).toMatchObject({ type: 'launch', sessionId });

    const hws = await helper.socket();
    await attach(hws, sessionId, 'waiting');
    const token = (await agentSignIn(cluster.urlA, 'sharer@contoso.example')).access_token;
    const path = `/api/v1/sessions/${sessionId}/accept-launch`;
    const accepted = await fetch(`${cluster.urlB}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'x-device-proof': `Device ${await device.proof('POST', path)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ deviceId: device.id }),
    });
    expect(accepted.status).toBe(200);
    const joined = await hws.next<SessionFrame>(sessionIn('joined'));
    expect(joined.session).toMatchObject({ via: 'launch', sharerClient: 'agent' });

    // The device's proofs are single-use on every node: the same proof fails on A after B took it.
    const proof = await device.proof('POST', '/api/v1/devices/checkin');
    expect(
      (await device.checkIn({ ...(await import('../test/testDevice.js')).TEST_INVENTORY }, `Device ${proof}`)).status,
    ).toBe(200);
    const replayed = await fetch(`${cluster.urlB}/api/v1/devices/checkin`, {
      method: 'POST',
      headers: { authorization: `Device ${proof}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inventory: (await import('../test/testDevice.js')).TEST_INVENTORY }),
    });
    expect(replayed.status).toBe(401);

    launchSocket.close();
    await launchSocket.ws.once?.('close', () => undefined);
    hws.close();
  });
});
