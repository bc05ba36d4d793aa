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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DEVICE_WS_REVOKED } from '@remote-help/protocol';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RemoteHelpServer, ServerOptions } from '../app.js';
import { createServer } from '../app.js';
import { loadConfig } from '../config.js';
import type { Db } from '../db/client.js';
import { SessionsRepo } from '../sessions/repo.js';
import { UsersRepo } from '../users/repo.js';
import { agentSignIn } from '../test/agentSignIn.js';
import { Client, DEMO_PASSWORD, sessionIn } from '../test/harness.js';
import { DeviceSocket, TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';
import type { SessionFrame } from '../test/nodes.js';
import { attach, deleteRedisKeys, eventually, freePort, offer, on, peer, signalWith } from '../test/nodes.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

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
      await deleteRedisKeys(admin, prefix);
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

async function signedIn(cluster: Cluster, email: string): Promise<Client> {
  const client = new Client(cluster.urlA);
  await client.signIn(email);
  return client;
}

/** Counts the session-row, organization and people reads made through node `db`'s own repositories. */
function readsOn(db: Db) {
  const spies = {
    sessionRows: vi.spyOn(SessionsRepo.prototype, 'find'),
    organizations: vi.spyOn(UsersRepo.prototype, 'cardContext'),
    people: vi.spyOn(UsersRepo.prototype, 'findManyById'),
  };
  const ofNode = (spy: { mock: { contexts: unknown[] } }) =>
    spy.mock.contexts.filter((repo) => (repo as { db?: unknown }).db === db).length;
  return {
    counts: () => ({
      sessionRows: ofNode(spies.sessionRows),
      organizations: ofNode(spies.organizations),
      people: ofNode(spies.people),
    }),
    restore: () => Object.values(spies).forEach((spy) => spy.mockRestore()),
  };
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

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('two nodes and Redis', { timeout: 60_000 }, () => {
  it('runs a whole session with the helper on node A and the sharer on node B', async () => {
    cluster = await startCluster();
    const { helper, sharer, hws, sws, id } = await crossNodeSession(cluster);

    sws.send(offer(id, 'v=0 from the sharer on B'));
    expect(await hws.next(signalWith('v=0 from the sharer on B'))).toMatchObject({ from: 'sharer' });
    hws.send({ type: 'signal', sessionId: id, payload: { kind: 'ice', candidate: null } });
    expect(await sws.next((m) => m.type === 'signal')).toMatchObject({ from: 'helper', payload: { kind: 'ice' } });

    // The relay across nodes, one signal at a time, beside the same relay within node A (printed, not
    // asserted: speed belongs to benchmarks).
    const sameNode = await on(cluster.urlA, sharer).socket();
    await attach(sameNode, id, 'active');
    for (const [label, from] of [
      ['sharer on B → helper on A', sws],
      ['sharer on A → helper on A', sameNode],
    ] as const) {
      const relayMs: number[] = [];
      for (let i = 0; i < 100; i++) {
        const sent = performance.now();
        from.send(offer(id, `v=0 ${label} #${i}`));
        await hws.next(signalWith(`v=0 ${label} #${i}`));
        relayMs.push(performance.now() - sent);
      }
      relayMs.sort((x, y) => x - y);
      const at = (q: number) => relayMs[Math.floor(q * (relayMs.length - 1))]!.toFixed(1);
      console.info(`scale-out: ${label}, socket to socket, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`);
    }
    sameNode.close();

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

  it('presents a change made on node A to the sharer on node B without reading the row or the people on B', async () => {
    cluster = await startCluster();
    const { helper, hws, sws, id } = await crossNodeSession(cluster);
    const onB = readsOn(cluster.b.db);
    try {
      expect((await helper.post(`/api/v1/sessions/${id}/leave`)).status).toBe(200);
      const seen = await sws.next<SessionFrame>(sessionIn('ended'));
      // The announcement carried the row and both cards: B presented them as a load would have.
      expect(seen.session).toMatchObject({ role: 'sharer', endReason: 'helper_left', mode: 'view' });
      expect(seen.session.helper).toMatchObject({ displayName: 'Daniel Okafor', tenantName: 'Contoso' });
      expect(seen.session.sharer).toMatchObject({ displayName: 'Lena Fischer' });
      expect(onB.counts()).toEqual({ sessionRows: 0, organizations: 0, people: 0 });
    } finally {
      onB.restore();
    }
    hws.close();
    sws.close();
  });

  it('closes a socket on node B when an administrator on node A signs its person out', async () => {
    cluster = await startCluster();
    const helper = on(cluster.urlB, await signedIn(cluster, 'helper@contoso.example'));
    const socket = await helper.socket();
    const administrator = await signedIn(cluster, 'admin@contoso.example');
    const helperId = ((await helper.json('/api/v1/me')).body.user as { id: string }).id;
    expect((await administrator.post(`/api/v1/users/${helperId}/sign-out`)).status).toBe(204);
    expect((await socket.closed).code).toBe(4401);
  });

  it('launches a session on a device connected to node B from a helper on node A, and revokes it from A', async () => {
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
    expect((await device.answerLaunch(sessionId, token, 'accept', cluster.urlB)).status).toBe(200);
    const joined = await hws.next<SessionFrame>(sessionIn('joined'));
    expect(joined.session).toMatchObject({ via: 'launch', sharerClient: 'agent' });

    // The device's proofs are single-use on every node: the same proof fails on A after B took it.
    const proof = `Device ${await device.proof('POST', '/api/v1/devices/checkin')}`;
    expect((await device.checkIn(TEST_INVENTORY, proof)).status).toBe(200);
    const replayed = await fetch(`${cluster.urlB}/api/v1/devices/checkin`, {
      method: 'POST',
      headers: { authorization: proof, 'content-type': 'application/json' },
      body: JSON.stringify({ inventory: TEST_INVENTORY }),
    });
    expect(replayed.status).toBe(401);
    // …because the used proof is remembered in Redis, under this cluster's prefix.
    expect(await admin.exists(`${cluster.prefix}jti:${device.id}:${String(decodeJwt(proof.slice(7)).jti)}`)).toBe(1);

    // Revoked by an administrator on A: the device's connection on B is told and closed, its session ends.
    const closed = new Promise<number>((resolve) => launchSocket.ws.once('close', (code) => resolve(code)));
    expect((await adminUser.post(`/api/v1/devices/${device.id}/revoke`, {})).status).toBe(200);
    expect(await launchSocket.next((m) => m.type === 'revoked')).toMatchObject({ type: 'revoked' });
    expect(await closed).toBe(DEVICE_WS_REVOKED);
    expect((await hws.next<SessionFrame>(sessionIn('ended'))).session).toMatchObject({
      endReason: 'terminated_by_admin',
    });

    hws.close();
  });
});

/** Cuts every Redis connection of the nodes of `prefix` (what a Redis restart does to them). */
async function killConnections(prefix: string): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  const ids = list
    .split('\n')
    .filter((line) => line.includes(` name=remote-help:${prefix}`))
    .map((line) => /\bid=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => Boolean(id));
  for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
  return ids.length;
}

describe('failures', { timeout: 60_000 }, () => {
  it('tells the sharer on B when node A dies, and the helper resumes on node B', async () => {
    cluster = await startCluster();
    const { helper, sharer, hws, sws, id } = await crossNodeSession(cluster);
    const mark = sws.received.length;
    // Node A dies: no heartbeat, no goodbye to Redis, its sockets cut.
    cluster.a.shared.halt();
    const died = Date.now();
    for (const socket of cluster.a.app.websocketServer.clients) socket.terminate();
    await hws.closed;
    const told = await sws.next<SessionFrame>(peer(false), 15_000, mark);
    console.info(`scale-out: the sharer on B learnt that the helper's node died after ${Date.now() - died} ms`);
    expect(told.session.state).toBe('active');

    // The helper's client reconnects through the load balancer and lands on B: the session resumes.
    const helperB = on(cluster.urlB, helper);
    const again = sws.received.length;
    const hws2 = await helperB.socket();
    await attach(hws2, id, 'active');
    await sws.next(peer(true, 'active'), 5000, again);
    sws.send(offer(id, 'v=0 after the failover'));
    expect(await hws2.next(signalWith('v=0 after the failover'))).toMatchObject({ from: 'sharer' });
    hws2.send({ type: 'signal', sessionId: id, payload: { kind: 'restart' } });
    await sws.next((m) => m.type === 'signal' && m.payload.kind === 'restart');
    // Nothing was lost: the session is still active in the database, for both.
    expect((await sharer.json(`/api/v1/sessions/${id}`)).body.session).toMatchObject({
      state: 'active',
      peerOnline: true,
    });
    hws2.close();
    sws.close();
  });

  it('ends the session after the grace when the node of the sharer dies and the sharer never comes back', async () => {
    cluster = await startCluster({ presence: { heartbeatMs: 1000, deadAfterMs: 2500, graceMs: 1500 } });
    const { hws } = await crossNodeSession(cluster);
    cluster.b.shared.halt();
    for (const socket of cluster.b.app.websocketServer.clients) socket.terminate();
    await hws.next(peer(false, 'active'), 15_000);
    const ended = await hws.next<SessionFrame>(sessionIn('ended'), 15_000);
    expect(ended.session.endReason).toBe('connection_lost');
    hws.close();
  });

  it('recovers delivery and presence after Redis drops every connection and forgets every key', async () => {
    cluster = await startCluster();
    const { sharer, hws, sws, id } = await crossNodeSession(cluster);
    const prefix = cluster.prefix;
    // What a Redis restart without persistence does: connections cut, memory empty.
    expect(await killConnections(prefix)).toBe(4);
    await deleteRedisKeys(admin, prefix);

    // Both nodes register again and write their sides again, without a restart of theirs.
    await eventually(
      async () =>
        (await admin.hlen(`${prefix}presence:s:${id}:helper`)) === 1 &&
        (await admin.hlen(`${prefix}presence:s:${id}:sharer`)) === 1 &&
        (await admin.zcard(`${prefix}nodes`)) === 2,
      'presence written again',
    );
    // Signals flow again, both ways, once the subscribers are back.
    let n = 0;
    await eventually(async () => {
      const sdp = `v=0 after the restart ${++n}`;
      sws.send(offer(id, sdp));
      return hws.next(signalWith(sdp), 500).then(
        () => true,
        () => false,
      );
    }, 'a signal from B reaches A');
    hws.send(offer(id, 'v=0 back to B'));
    await sws.next(signalWith('v=0 back to B'));
    hws.send({ type: 'chat.send', sessionId: id, clientId: randomUUID(), text: 'still here' });
    await sws.next((m) => m.type === 'chat.message' && m.message.text === 'still here');
    expect((await sharer.json(`/api/v1/sessions/${id}`)).body.session).toMatchObject({
      state: 'active',
      peerOnline: true,
    });
    hws.close();
    sws.close();
  });
});

describe('shared limits', { timeout: 60_000 }, () => {
  it('counts wrong codes on both nodes against one limit', async () => {
    const clock = { t: Date.now(), now: () => clock.t };
    cluster = await startCluster({ clock });
    const onA = await signedIn(cluster, 'sharer@contoso.example');
    const onB = on(cluster.urlB, onA);
    const failures = { A: 0, B: 0 };
    let refusals = 0;
    for (let i = 0; failures.A + failures.B < 10 && i < 40; i++) {
      const node = i % 2 === 0 ? 'A' : 'B';
      const r = await (node === 'A' ? onA : onB).post('/api/v1/sessions/redeem', { code: '00000000' });
      if (r.body.error === 'code_invalid') {
        failures[node]++;
        continue;
      }
      // Refused before checking: the wait the other node's failures earned applies here too.
      expect(r.body.error).toBe('rate_limited');
      refusals++;
      clock.t += Number((r.body.data as { retryAfterSeconds: number }).retryAfterSeconds) * 1000;
    }
    expect(failures.A + failures.B).toBe(10);
    expect(failures.A).toBeGreaterThan(0);
    expect(failures.B).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(0);
    // Ten a day: after the longest wait, neither node takes an eleventh.
    clock.t += 60 * 60_000;
    for (const client of [onA, onB])
      expect((await client.post('/api/v1/sessions/redeem', { code: '00000000' })).body.error).toBe('rate_limited');
    expect((await admin.keys(`${cluster.prefix}rl:*`)).length).toBeGreaterThan(0);
  });
});
