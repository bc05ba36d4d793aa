/**
 * Integration, scale-out: a media path reported down on one node and back on another
 * (`sessions/mediaWatch`). Two real server nodes in this process on one database (SQLite file,
 * or one PostgreSQL schema with `TEST_DATABASE=postgres`) and a real Redis (127.0.0.1:6379)
 * under a prefix of their own; the reconnect grace is 4 s instead of 30 s.
 *
 * The helper reports `path: down` on node A; both clients refresh their sockets on a dead path
 * (as the agent and the web app do), and the new ones land on node B, where both report `up`
 * within the grace: the session goes on. A's grace timer used to fire anyway and end it with
 * `connection_lost`. Without an `up`, A still ends it after the grace, its sockets gone.
 * Also: one sender's signals through both nodes at once reach the other side within one byte
 * budget of the relay (`sessions/signaling`, `SIGNAL_BUDGET`), although each node admits one.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage, SessionView } from '@remote-help/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteHelpServer } from '../app.js';
import { createServer } from '../app.js';
import { loadConfig } from '../config.js';
import { SIGNAL_BUDGET } from '../sessions/signaling.js';
import type { TestDatabase } from '../test/database.js';
import { testDatabase } from '../test/database.js';
import type { Client, TestSocket } from '../test/harness.js';
import { DEMO_PASSWORD } from '../test/harness.js';
import { attach, crossNodeSession, deleteRedisKeys, freePort, on } from '../test/nodes.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const GRACE_MS = 4000;

interface Cluster {
  a: RemoteHelpServer;
  b: RemoteHelpServer;
  urlA: string;
  urlB: string;
  stop(): Promise<void>;
}

let admin: Redis;
beforeAll(() => {
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
});
afterAll(async () => {
  await admin?.quit();
});

/** Two nodes behind one public URL, one database, one Redis prefix, a short reconnect grace. */
async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-media-scale-'));
  const database: TestDatabase = testDatabase(dir, 'shared.db');
  const prefix = `rh:test:${randomUUID().slice(0, 8)}:`;
  const [portA, portB] = [await freePort(), await freePort()];
  const env = (port: number) => ({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${portA}`,
    DATABASE_URL: database.url,
    DEMO_PASSWORD,
    WEB_DIST: join(dir, 'no-web'),
    REDIS_URL,
    REDIS_PREFIX: prefix,
  });
  const options = { logger: false as const, presence: { heartbeatMs: 1000, deadAfterMs: 2500, graceMs: GRACE_MS } };
  // One after the other: the first migrates and seeds, the second finds it done.
  const a = await createServer(loadConfig(env(portA)), options);
  const b = await createServer(loadConfig(env(portB)), options);
  const urlA = await a.listen();
  const urlB = await b.listen();
  let stopped = false;
  return {
    a,
    b,
    urlA,
    urlB,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled([a.close(), b.close()]);
      await deleteRedisKeys(admin, prefix);
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stateOf = async (c: Client, id: string) => (await c.json(`/api/v1/sessions/${id}`)).body.session as SessionView;
/** Resolves once every frame sent on `socket` before it was handled (one connection's frames are handled in order). */
async function handled(socket: TestSocket, id: string): Promise<void> {
  socket.send({ type: 'ping', id });
  await socket.next((m) => m.type === 'pong' && m.id === id);
}

/** The helper on A, the sharer on B, the session active and the sharer sharing. */
async function sharingAcrossNodes(c: Cluster) {
  const session = await crossNodeSession(c.urlA, c.urlB, 'contoso.example');
  expect(
    (await session.sharer.post(`/api/v1/sessions/${session.id}/sharer-status`, { status: 'sharing' })).status,
  ).toBe(200);
  return session;
}

describe('a media path across two nodes', { timeout: 60_000 }, () => {
  it('reported down on node A and back up on node B within the grace: the session goes on', async () => {
    cluster = await startCluster();
    const { helper, sharer, hws, sws, id } = await sharingAcrossNodes(cluster);
    hws.send({ type: 'path', sessionId: id, state: 'down' });
    await handled(hws, 'down-handled');
    const downAt = Date.now();

    // Both clients refresh their sockets on a dead path; the load balancer puts both on B.
    hws.close();
    sws.close();
    const helperB = on(cluster.urlB, helper);
    const [hws2, sws2] = await Promise.all([helperB.socket(), sharer.socket()]);
    await attach(hws2, id, 'active');
    await attach(sws2, id, 'active');
    hws2.send({ type: 'path', sessionId: id, state: 'up' });
    sws2.send({ type: 'path', sessionId: id, state: 'up' });
    await handled(hws2, 'up-handled');
    await handled(sws2, 'up-handled');
    expect(Date.now() - downAt).toBeLessThan(GRACE_MS);

    // Past A's grace, with room for its end to be announced: nothing ended.
    await sleep(downAt + GRACE_MS + 1500 - Date.now());
    const ended = (m: ServerMessage) => m.type === 'session' && m.session.state === 'ended';
    expect(hws2.received.some(ended) || sws2.received.some(ended)).toBe(false);
    expect(await stateOf(helperB, id)).toMatchObject({ state: 'active', endReason: null });
    hws2.close();
    sws2.close();
  });

  it('reported down on node A and never back: A ends the session after the grace, its sockets gone', async () => {
    cluster = await startCluster();
    const { helper, sharer, hws, sws, id } = await sharingAcrossNodes(cluster);
    hws.send({ type: 'path', sessionId: id, state: 'down' });
    await handled(hws, 'down-handled');
    hws.close();
    sws.close();
    const helperB = on(cluster.urlB, helper);
    const [hws2, sws2] = await Promise.all([helperB.socket(), sharer.socket()]);
    await attach(hws2, id, 'active');
    await attach(sws2, id, 'active');
    const lost = (m: ServerMessage) =>
      m.type === 'session' && m.session.state === 'ended' && m.session.endReason === 'connection_lost';
    await hws2.next(lost, GRACE_MS + 5000);
    await sws2.next(lost, 5000);
    hws2.close();
    sws2.close();
  });

  it('one sender’s signals through both nodes at once reach the other side within one budget', async () => {
    cluster = await startCluster();
    const { sharer, hws, sws, id } = await crossNodeSession(cluster.urlA, cluster.urlB, 'fabrikam.example');
    // The sharer has a second socket on node A: each node keeps its own budget for it.
    const swsA = await on(cluster.urlA, sharer).socket();
    await attach(swsA, id, 'active');
    const sdp = `v=0\r\n${'b'.repeat(59_000)}`;
    const flood = (i: number) => ({
      type: 'signal',
      id: `flood-${i}`,
      sessionId: id,
      payload: { kind: 'sdp', description: { type: 'offer', sdp: `${sdp}${i}` } },
    });
    const started = Date.now();
    // 60 frames a socket at once, 120 for the person: within the frame limits (200 and 400).
    for (let i = 0; i < 60; i++) {
      sws.send(flood(2 * i));
      swsA.send(flood(2 * i + 1));
    }
    await Promise.all([handled(sws, 'flood-b'), handled(swsA, 'flood-a')]);
    await sleep(1000);
    const elapsedSeconds = (Date.now() - started) / 1000;
    const relayed = hws.received.filter((m) => m.type === 'signal');
    const refused = [...sws.received, ...swsA.received].filter(
      (m) => m.type === 'error' && m.error === 'rate_limited' && (m.replyTo ?? '').startsWith('flood-'),
    );
    const relayedBytes = relayed.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0);
    expect(relayed.length).toBeGreaterThan(0);
    // Each node refused its share, and admitted up to a budget; the helper's node relayed one budget
    // (and its slack), not the two that were admitted.
    expect(refused.length).toBeGreaterThan(0);
    expect(relayedBytes).toBeLessThanOrEqual(
      SIGNAL_BUDGET.burstBytes + SIGNAL_BUDGET.relaySlackBytes + SIGNAL_BUDGET.bytesPerSecond * elapsedSeconds,
    );
    expect(hws.ws.readyState).toBe(hws.ws.OPEN);
    hws.close();
    sws.close();
    swsA.close();
  });
});
