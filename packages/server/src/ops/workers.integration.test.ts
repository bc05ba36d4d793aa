/**
 * Integration: one node as two worker processes (`WORKERS=2`, `ops/workers`), the real `main.ts` in a
 * child process on the test engine's database and Redis under a prefix of this test. Both workers take
 * connections on the one port; a session is set up, chats and relays signals through it; `/metrics` is
 * the node's (on the main port and on `METRICS_ADDRESS`), each session counted once; a worker killed with
 * SIGKILL is started again and its clients reconnect to the node with nothing lost; SIGTERM drains every
 * worker (sockets closed with 1001) and the primary exits 0. Children are killed even when a step fails.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import type { TestDatabase } from '../test/database.js';
import { testDatabase } from '../test/database.js';
import type { TestSocket } from '../test/harness.js';
import { DEMO_PASSWORD } from '../test/harness.js';
import type { MainProcess } from '../test/mainProcess.js';
import { MAIN_START_TIMEOUT_MS, startMain } from '../test/mainProcess.js';
import { attach, crossNodeSession, eventually, forgetRedisPrefix, freePort, offer, signalWith } from '../test/nodes.js';
import { WORKER_INDEX_ENV } from './workers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const METRICS_TOKEN = 'workers-test-metrics-token';

const dir = mkdtempSync(join(tmpdir(), 'rh-workers-'));
const prefix = `rh:test:workers:${randomUUID().slice(0, 8)}:`;
const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
let main: MainProcess | undefined;
/** Every node the tests started, for the cleanup. */
const mains: MainProcess[] = [];
let database: TestDatabase | undefined;

/** The primary's workers, from /proc: its children that carry a worker number (tsx has a child of its own). */
function workerPids(primary: number): number[] {
  const children = readdirSync(`/proc/${primary}/task`).flatMap((task) =>
    readFileSync(`/proc/${primary}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1')
        .split('\0')
        .some((v) => v.startsWith(`${WORKER_INDEX_ENV}=`));
    } catch {
      return false; // gone while listed
    }
  });
}

/** Sockets a process holds (TCP connections, its IPC channel and the listener among them). */
function socketsOf(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed while listed
    }
  }
  return n;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One sample's value in an exposition text, or null. */
function sample(text: string, name: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : null;
}

afterAll(async () => {
  for (const m of mains) {
    if (m.child.exitCode !== null || m.child.signalCode !== null) continue;
    const pids = workerPids(m.child.pid!);
    m.child.kill('SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await m.exited;
  }
  await forgetRedisPrefix(admin, prefix);
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** `main.ts` as a node of two workers on the test's database and Redis; ready at `ready` (the banner by default). */
async function startWorkers(port: number, extra: Record<string, string> = {}, ready?: string): Promise<MainProcess> {
  database ??= testDatabase(dir, 'workers.db');
  const started = await startMain(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKERS: '2',
      DATABASE_URL: database.url,
      DEMO_PASSWORD,
      WEB_DIST: join(dir, 'no-web'),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      SHUTDOWN_DRAIN_SECONDS: '2',
      LOG_LEVEL: 'info',
      ...extra,
    },
    'WORKERS=2 main',
    ready,
  );
  mains.push(started);
  return started;
}

it(
  'two workers behind one port: both serve, sessions cross them, metrics are the node’s, a killed worker comes back, SIGTERM drains all',
  async () => {
    await admin.connect();
    const [port, metricsPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    main = await startWorkers(port, {
      METRICS_TOKEN,
      METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      RECONNECT_GRACE_SECONDS: '30',
    });
    const primary = main.child.pid!;
    // The banner once, after both workers listen, naming both.
    expect(main.output().match(/Remote Help is running/g)).toHaveLength(1);
    const pids = workerPids(primary);
    expect(pids).toHaveLength(2);
    expect(main.output()).toContain(`2 worker processes share this port (WORKERS; pids ${pids.join(', ')})`);
    await eventually(async () => (await admin.zcard(`${prefix}nodes`)) === 2, 'each worker registered as a node');

    // A whole session through the one port: request, allow, chat both ways.
    const s = await crossNodeSession(url, url, 'contoso.example');

    // Both workers take connections: eight more WebSockets are dealt in turn.
    const before = pids.map(socketsOf);
    const extra: TestSocket[] = [];
    for (let k = 0; k < 8; k++) extra.push(await s.helper.socket());
    const gained = pids.map((pid, k) => socketsOf(pid) - before[k]!);
    expect(gained.every((n) => n >= 2)).toBe(true);

    // The node's metrics, on the main port (asked of whichever worker) and on the primary's listener:
    // sockets summed over the workers, each live session counted once (not once per worker).
    for (const read of [
      () => fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }),
      () => fetch(`http://127.0.0.1:${metricsPort}/metrics`),
    ]) {
      const response = await read();
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(sample(text, 'remote_help_websocket_connections')).toBe(10);
      expect(sample(text, 'remote_help_sessions_live{state="active"}')).toBe(1);
      expect(sample(text, 'remote_help_chat_messages_total')).toBe(2);
    }
    for (const socket of extra) socket.close();

    // SIGKILL one worker: the primary starts another; sockets it held reconnect to the node, the session goes on.
    const [victim] = pids as [number, number];
    const marks = { h: s.hws.received.length, s: s.sws.received.length };
    process.kill(victim, 'SIGKILL');
    await eventually(async () => main!.output().includes('a worker exited: starting it again'), 'the restart logged');
    await eventually(
      async () => {
        const now = workerPids(primary);
        return now.length === 2 && !now.includes(victim);
      },
      'a new worker in place of the killed one',
      30_000,
    );
    await eventually(
      async () => main!.output().match(/Server listening at/g)?.length === 3,
      'the new worker listening',
      MAIN_START_TIMEOUT_MS,
    );
    const reopen = async (socket: TestSocket, side: 'helper' | 'sharer'): Promise<TestSocket> => {
      if (!(await Promise.race([socket.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 500))])))
        return socket;
      const again = await (side === 'helper' ? s.helper : s.sharer).socket();
      await attach(again, s.id, 'active');
      return again;
    };
    const hws = await reopen(s.hws, 'helper');
    const sws = await reopen(s.sws, 'sharer');
    sws.send(offer(s.id, 'v=0 after a worker died'));
    await hws.next(signalWith('v=0 after a worker died'), 10_000, hws === s.hws ? marks.h : 0);
    hws.send(offer(s.id, 'v=0 back to the sharer'));
    await sws.next(signalWith('v=0 back to the sharer'), 10_000, sws === s.sws ? marks.s : 0);
    const thread = await s.helper.json(`/api/v1/sessions/${s.id}/chat`);
    expect((thread.body.messages as { text: string }[]).map((m) => m.text)).toEqual(s.lines);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // SIGTERM to the primary: every worker drains (sockets closed with the reconnect reason), exit 0.
    const closes = [hws.closed, sws.closed];
    const now = workerPids(primary);
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    // 1001 going away: the gateway's shutdown close (a killed process' socket would read 1006).
    for (const close of await Promise.all(closes)) expect(close).toEqual({ code: 1001 });
    expect(now.filter(alive)).toEqual([]);
    expect(main.output()).toContain('every worker shut down cleanly');
  },
  120_000 + MAIN_START_TIMEOUT_MS,
);

it(
  'a shutdown while a killed worker waits to be started again exits 0 and starts nothing more',
  async () => {
    main = await startWorkers(await freePort());
    const primary = main.child.pid!;
    const [victim, other] = workerPids(primary) as [number, number];
    process.kill(victim, 'SIGKILL');
    // A worker that dies within 10 s of its start is started again after 1 s: the signal comes in that second.
    await eventually(async () => /"restartInMs":\d+/.test(main!.output()), 'the restart scheduled');
    let listening = 2;
    if (!/"restartInMs":1000/.test(main.output())) {
      // A loaded machine took more than 10 s to start it, so it was started again at once; its
      // successor is young: kill that one.
      listening = 3;
      await eventually(
        async () => (main!.output().match(/Server listening at/g) ?? []).length === 3,
        'the successor listening',
      );
      const successor = workerPids(primary).find((pid) => pid !== other)!;
      process.kill(successor, 'SIGKILL');
      await eventually(async () => /"restartInMs":1000/.test(main!.output()), 'the delayed restart scheduled');
    }
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(alive(other)).toBe(false);
    expect(main.output().match(/Server listening at/g)).toHaveLength(listening);
  },
  60_000 + MAIN_START_TIMEOUT_MS,
);

it(
  'a shutdown while the workers start drains each once it listens, exits 0 and leaves no process behind',
  async () => {
    // Ready as soon as worker 1 listens: worker 2 is then still starting (and has not told the primary).
    main = await startWorkers(await freePort(), {}, '"worker":1,"msg":"Server listening');
    const primary = main.child.pid!;
    await eventually(async () => workerPids(primary).length === 2, 'worker 2 forked');
    const pids = workerPids(primary);
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(main.output()).not.toContain('Remote Help is running');
  },
  60_000 + MAIN_START_TIMEOUT_MS,
);
