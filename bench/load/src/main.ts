/**
 * `npm run bench:load`: how many sessions one remote-help node (and two) set up per second and
 * hold live, and how fast signaling crosses it while they are held. For each configuration
 * (one node on SQLite; one node on PostgreSQL + Redis; two nodes on PostgreSQL + Redis with every
 * helper on node A and every sharer on node B) it seeds the people, starts the node(s) as
 * `npm start` would, and drives simulated helpers and sharers from client processes over real
 * HTTP and WebSockets on loopback:
 *
 *   (a) set-up: `--setup` sessions, `--concurrency` at a time: create → redeem → both attached →
 *       view requested and allowed → both see `active` → an offer and an answer relayed;
 *   (b) ramp on to `--sessions` live sessions the same way, then hold them `--hold` seconds
 *       (the server's heartbeat pings every socket each second; the clients answer) while
 *       relaying timestamped ICE candidates both ways on `--sample` sessions and chatting on them;
 *   (c) end: every helper leaves and both sides must be told `ended`.
 *
 * Every phase stops itself after `--phase-seconds`; the whole run kills itself after a bound
 * derived from those; children are killed on exit, SIGINT and SIGTERM. Method: docs/bench.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { migrate, openDatabase } from '../../../packages/server/src/db/client.js';
import { Client } from '../../../packages/server/src/test/harness.js';
import { PING_SLOTS, SETUP_STEPS, percentile } from './client.js';
import { ClientProcess } from './clientProcess.js';
import type { PairPlan } from './messages.js';
import { renderMarkdown } from './report.js';
import type { ConfigResult, PhaseResult, RunResult, Sample } from './report.js';
import { seedPeople } from './seed.js';
import type { ServerMetrics } from './servers.js';
import { ServerNode, histogramQuantile, serverNodeArgs } from './servers.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'load bench password 1';
/** Sockets per source address: the server allows 64 per address (ws/limits), keep a margin. */
const SOCKETS_PER_ADDRESS = 48;

type ConfigName = 'sqlite' | 'pg-redis' | 'two-nodes' | 'workers';
const CONFIGS: ConfigName[] = ['sqlite', 'pg-redis', 'two-nodes', 'workers'];
/** Worker processes of the `workers` configuration's one node (`WORKERS`; `--workers`). */
const DEFAULT_WORKERS = 2;

interface Options {
  sessions: number;
  setup: number;
  configs: ConfigName[];
  clients: number;
  concurrency: number;
  phaseSeconds: number;
  holdSeconds: number;
  sample: number;
  /** Sessions held by the probe process, which holds nothing else: the relay as a user's client sees it. */
  probe: number;
  intervalMs: number;
  chat: number;
  sessionsPerHelper: number;
  cpuProf: boolean;
  /** The simulated people ping every second at the application level, as the web app does. */
  clientPings: boolean;
  /** Slots of the clients' ping wheel per beat. */
  pingSlots: number;
  out: string;
  /** Whether the run also replaces `load-latest.*` (see `parseArgs`). */
  latest: boolean;
  /** `WORKERS` of the `workers` configuration's node. */
  workers: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    sessions: 10_000,
    setup: 1000,
    configs: CONFIGS,
    clients: 2,
    concurrency: 64,
    phaseSeconds: 120,
    holdSeconds: 20,
    sample: 200,
    probe: 100,
    intervalMs: 20,
    chat: 2,
    sessionsPerHelper: 4,
    cpuProf: false,
    clientPings: true,
    pingSlots: PING_SLOTS,
    out: join(REPO, 'bench', 'results'),
    latest: false,
    workers: DEFAULT_WORKERS,
  };
  let quick = false;
  let latest: boolean | undefined;
  const int = (name: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: a whole number from ${min} to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    switch (a) {
      case '--quick':
        Object.assign(o, { sessions: 200, setup: 100, phaseSeconds: 30, holdSeconds: 5, sample: 50, probe: 20 });
        quick = true;
        continue;
      case '--latest':
        latest = true;
        continue;
      case '--sessions':
        o.sessions = int(a, v, 1, 50_000);
        break;
      case '--setup':
        o.setup = int(a, v, 1, 50_000);
        break;
      case '--configs': {
        const names = (v ?? '').split(',').filter(Boolean);
        const bad = names.filter((n) => !CONFIGS.includes(n as ConfigName));
        if (!names.length || bad.length) throw new Error(`--configs: one or more of ${CONFIGS.join(', ')}`);
        o.configs = names as ConfigName[];
        break;
      }
      case '--workers':
        o.workers = int(a, v, 2, 64);
        break;
      case '--clients':
        o.clients = int(a, v, 1, 16);
        break;
      case '--concurrency':
        o.concurrency = int(a, v, 1, 2048);
        break;
      case '--phase-seconds':
        o.phaseSeconds = int(a, v, 5, 600);
        break;
      case '--hold':
        o.holdSeconds = int(a, v, 1, 300);
        break;
      case '--sample':
        o.sample = int(a, v, 0, 10_000);
        break;
      case '--probe':
        o.probe = int(a, v, 0, 1000);
        break;
      case '--interval-ms':
        o.intervalMs = int(a, v, 1, 10_000);
        break;
      case '--chat':
        o.chat = int(a, v, 0, 20);
        break;
      case '--sessions-per-helper':
        o.sessionsPerHelper = int(a, v, 1, 16);
        break;
      case '--no-client-pings':
        o.clientPings = false;
        continue;
      case '--ping-slots':
        o.pingSlots = int(a, v, 1, 5000);
        break;
      case '--cpu-prof':
        o.cpuProf = true;
        continue;
      case '--out':
        if (!v) throw new Error('--out: a directory');
        o.out = v;
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
    i++;
  }
  o.setup = Math.min(o.setup, o.sessions);
  // Only a whole run on the product's own flags replaces load-latest.* (a partial, quick or
  // diagnostic run goes to its timestamped files alone), unless `--latest` says so.
  o.latest = latest ?? (!quick && o.configs.length === CONFIGS.length && !process.env.BENCH_SERVER_NODE_ARGS);
  o.probe = Math.min(o.probe, o.setup);
  return o;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uptime = (): string => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
};

/** 127.1.x.y for socket number `k` (two per pair), `SOCKETS_PER_ADDRESS` sockets per address. */
const socketAddress = (k: number): string => {
  const a = Math.floor(k / SOCKETS_PER_ADDRESS);
  return `127.1.${Math.floor(a / 250)}.${1 + (a % 250)}`;
};

/** Everything to stop on the way out, whatever happens. */
const cleanups: (() => void)[] = [];
const asyncCleanups: (() => Promise<void>)[] = [];
const killAll = () => {
  for (const c of cleanups.splice(0)) c();
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAll();
    void Promise.allSettled(asyncCleanups.splice(0).map((c) => c())).finally(() => process.exit(130));
  });
}

/** Runs `work` on a connection of its own to the bench's PostgreSQL server, closed afterwards. */
async function withPostgres<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

const summarise = (values: number[]) => ({
  n: values.length,
  p50: percentile(values, 50),
  p99: percentile(values, 99),
  max: values.length ? Math.max(...values) : NaN,
});

async function runConfig(name: ConfigName, o: Options): Promise<ConfigResult> {
  const started = Date.now();
  const loadAtStart = uptime();
  console.log(`\n== ${name}: target ${o.sessions} live sessions (${2 * o.sessions} sockets) — ${loadAtStart}`);
  const dir = mkdtempSync(join(tmpdir(), 'rh-load-'));
  const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const postgres = name !== 'sqlite';
  const schema = `rh_bench_${tag}`;
  const redisPrefix = `rh:bench:${tag}:`;
  const databaseUrl = postgres
    ? (() => {
        const u = new URL(POSTGRES_URL);
        u.searchParams.set('schema', schema);
        return u.toString();
      })()
    : `sqlite:${join(dir, 'bench.db')}`;
  const dropSchema = async () => {
    if (postgres) await withPostgres((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  };
  const clearRedis = async () => {
    if (!postgres) return;
    const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await r.del(...keys);
      } while (cursor !== '0');
    } finally {
      r.disconnect();
    }
  };
  asyncCleanups.push(dropSchema, clearRedis);
  // What the shared PostgreSQL is like: a server without autovacuum collects dead catalog rows
  // from every schema the tests and benches created and dropped (docs/bench.md, 2026-12-03).
  const postgresState = async (): Promise<string | undefined> => {
    if (!postgres) return undefined;
    return withPostgres(async (c) => {
      const version = await c.query<{ server_version: string }>('SHOW server_version');
      const autovacuum = await c.query<{ autovacuum: string }>('SHOW autovacuum');
      const dead = await c.query<{ n_dead_tup: string; n_live_tup: string }>(
        "SELECT n_dead_tup, n_live_tup FROM pg_stat_sys_tables WHERE relname = 'pg_attribute'",
      );
      const d = dead.rows[0];
      return `${version.rows[0]?.server_version ?? '?'}, autovacuum ${autovacuum.rows[0]?.autovacuum ?? '?'}, pg_attribute ${d ? `${d.n_live_tup} live / ${d.n_dead_tup} dead rows` : 'unknown'} at the start`;
    });
  };
  const postgresAtStart = await postgresState().catch((e: unknown) => `unknown (${String(e).slice(0, 100)})`);
  const nodes: ServerNode[] = [];
  /** The bulk client processes, then the probe process (when there is one). */
  const clients: ClientProcess[] = [];
  let probe: ClientProcess | null = null;
  const everyClient = (): ClientProcess[] => (probe ? [...clients, probe] : clients);
  try {
    // People: helpers run up to --sessions-per-helper sessions each (a help desk technician with a
    // few tabs); every sharer is a different person, as in life (one person redeeming four codes
    // at the same instant is what the per-account redeem back-off exists to slow down).
    const helperCount = Math.ceil(o.sessions / o.sessionsPerHelper);
    const db = openDatabase(
      postgres ? { kind: 'postgres', url: POSTGRES_URL, schema } : { kind: 'sqlite', file: join(dir, 'bench.db') },
    );
    let people;
    try {
      await migrate(db);
      const seedStarted = Date.now();
      people = await seedPeople(db, {
        slug: `bench${tag.replace(/_/g, '')}`,
        helpers: helperCount,
        sharers: o.sessions,
        password: PASSWORD,
      });
      console.log(
        `seeded ${helperCount} helpers and ${o.sessions} sharers in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`,
      );
    } finally {
      await db.destroy();
    }

    const metricsToken = randomBytes(24).toString('hex');
    const nodeCount = name === 'two-nodes' ? 2 : 1;
    for (let i = 0; i < nodeCount; i++) {
      const port = await freePort();
      const env: Record<string, string> = {
        DATABASE_URL: databaseUrl,
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'warn',
        METRICS_TOKEN: metricsToken,
        WEB_DIST: join(dir, 'no-web'),
      };
      if (postgres) Object.assign(env, { REDIS_URL, REDIS_PREFIX: redisPrefix });
      if (name === 'workers') env.WORKERS = String(o.workers);
      const nodeName = `${name}-${String.fromCharCode(65 + i)}`;
      const profDir = o.cpuProf ? join(o.out, 'profiles') : null;
      if (profDir) mkdirSync(profDir, { recursive: true });
      const node = await ServerNode.start({ repo: REPO, port, env, cpuProfDir: profDir, name: nodeName });
      cleanups.push(() => node.kill());
      nodes.push(node);
    }
    const [nodeA] = nodes as [ServerNode];
    const nodeB = nodes[1] ?? nodeA;

    // The first helper and sharer sign in through the real OIDC flow; their cookies are used.
    for (const [list, node] of [
      [people.helpers, nodeA],
      [people.sharers, nodeB],
    ] as const) {
      const c = new Client(node.url);
      await c.signIn(list[0]!.email, PASSWORD);
      const token = c.cookies.get('rh_session');
      if (!token) throw new Error('no rh_session cookie after the real sign-in');
      list[0] = { ...list[0]!, token, csrf: c.csrf };
    }

    // Plans: the first --probe pairs to the probe process, the others dealt round robin to the
    // bulk client processes.
    const plans: PairPlan[][] = Array.from({ length: o.clients }, () => []);
    const probePlans: PairPlan[] = [];
    for (let p = 0; p < o.sessions; p++) {
      const h = people.helpers[Math.floor(p / o.sessionsPerHelper)]!;
      const s = people.sharers[p]!;
      (p < o.probe ? probePlans : plans[p % o.clients]!).push({
        index: p,
        helper: { token: h.token, csrf: h.csrf },
        sharer: { token: s.token, csrf: s.csrf },
        helperNode: nodeA.url,
        sharerNode: nodeB.url,
        helperAddress: socketAddress(2 * p),
        sharerAddress: socketAddress(2 * p + 1),
      });
    }
    const startClient = async (pairs: PairPlan[], w: number): Promise<ClientProcess> => {
      const c = ClientProcess.start();
      cleanups.push(() => c.kill());
      await c.next('ready', 60_000);
      c.send({
        type: 'init',
        pairs,
        httpAddresses: Array.from({ length: 8 }, (_, i) => `127.2.${w}.${i + 1}`),
        cookieName: 'rh_session',
        clientPings: o.clientPings,
        pingSlots: o.pingSlots,
      });
      await c.next('ready', 60_000);
      return c;
    };
    for (let w = 0; w < o.clients; w++) clients.push(await startClient(plans[w]!, w));
    if (probePlans.length) probe = await startClient(probePlans, o.clients);

    const timeline: Sample[] = [];
    // CPU and run-queue wait per sample are measured since the previous sample; the baseline
    // waits a few seconds first, so that it is a rate over a window, not over one /metrics call.
    let last = { at: Date.now(), cpu: nodes.map((n) => n.cpuMs()), wait: nodes.map((n) => n.runQueueWaitMs()) };
    const scrape = async (phase: string): Promise<Sample> => {
      const ms = await Promise.all(nodes.map((n) => n.metrics().catch(() => null)));
      const at = Date.now();
      const cpu = nodes.map((n) => n.cpuMs());
      const wait = nodes.map((n) => n.runQueueWaitMs());
      const wall = Math.max(1, at - last.at);
      const cpuPct = ((cpu.reduce((a, b) => a + b, 0) - last.cpu.reduce((a, b) => a + b, 0)) / wall) * 100;
      const runQueueWaitPct = Math.max(...wait.map((w, i) => ((w - last.wait[i]!) / wall) * 100));
      last = { at, cpu, wait };
      const live = everyClient().reduce((a, c) => a + c.progress.live, 0);
      const ok = ms.filter((m): m is ServerMetrics => m !== null);
      const sample: Sample = {
        t: (at - started) / 1000,
        phase,
        live,
        rssMiB: ok.reduce((a, m) => a + m.rssBytes, 0) / 2 ** 20,
        heapMiB: ok.reduce((a, m) => a + m.heapUsedBytes, 0) / 2 ** 20,
        websockets: ok.reduce((a, m) => a + m.websockets, 0),
        lagP99Ms: Math.max(...ok.map((m) => m.lagP99Ms)),
        lagMaxMs: Math.max(...ok.map((m) => m.lagMaxMs)),
        serverCpuPct: cpuPct,
        runQueueWaitPct,
        fds: nodes.reduce((a, n) => a + n.openFds(), 0),
        metricsOk: ok.length === nodes.length,
      };
      timeline.push(sample);
      return sample;
    };
    // The lag histogram is reset by every scrape: the first one only clears start-up's.
    await Promise.all(nodes.map((n) => n.metrics().catch(() => null)));
    last = { at: Date.now(), cpu: nodes.map((n) => n.cpuMs()), wait: nodes.map((n) => n.runQueueWaitMs()) };
    await sleep(5000);
    const baseline = await scrape('baseline');
    console.log(`baseline: RSS ${baseline.rssMiB.toFixed(0)} MiB, heap ${baseline.heapMiB.toFixed(0)} MiB`);

    let sampler: NodeJS.Timeout | null = null;
    let currentPhase = 'setup';
    const startSampler = () => {
      sampler = setInterval(() => {
        void scrape(currentPhase).then((s) =>
          console.log(
            `  [${currentPhase}] t=${s.t.toFixed(0)}s live=${s.live} ws=${s.websockets} rss=${s.rssMiB.toFixed(0)}MiB cpu=${s.serverCpuPct.toFixed(0)}% wait=${(s.runQueueWaitPct ?? NaN).toFixed(0)}% lag.p99=${s.lagP99Ms.toFixed(0)}ms`,
          ),
        );
      }, 3000);
    };
    const stopSampler = () => {
      if (sampler) clearInterval(sampler);
      sampler = null;
    };
    const perClient = (n: number) => Math.max(1, Math.ceil(n / o.clients));
    const probeCount = probePlans.length;
    const concurrency = perClient(o.concurrency);

    /** Statements every node has sent to its database so far (NaN when a node does not say). */
    const statementsSent = async (): Promise<number> =>
      (await Promise.all(nodes.map((n) => n.metrics().catch(() => null)))).reduce(
        (a, m) => a + (m?.dbStatements ?? NaN),
        0,
      );

    const setUpRange = async (from: number, to: number): Promise<PhaseResult> => {
      const statements0 = await statementsSent();
      const t0 = Date.now();
      const cpu0 = nodes.reduce((a, n) => a + n.cpuMs(), 0);
      const wait0 = nodes.reduce((a, n) => a + n.runQueueWaitMs(), 0);
      const deadline = t0 + o.phaseSeconds * 1000;
      // Every process sets up its own pairs in [from, to); the probe's few with a small share of the concurrency.
      for (const c of everyClient())
        c.send({
          type: 'setup',
          from,
          to,
          concurrency: c === probe ? Math.min(8, concurrency) : concurrency,
          deadline,
        });
      const done = await Promise.all(everyClient().map((c) => c.next('setupDone', (o.phaseSeconds + 90) * 1000)));
      const seconds = (Date.now() - t0) / 1000;
      const ok = done.reduce((a, d) => a + d.ok, 0);
      const serverCpuMs = nodes.reduce((a, n) => a + n.cpuMs(), 0) - cpu0;
      const serverWaitMs = nodes.reduce((a, n) => a + n.runQueueWaitMs(), 0) - wait0;
      const statements = (await statementsSent()) - statements0;
      const durations = done.flatMap((d) => d.durationsMs);
      const steps = Object.fromEntries(
        SETUP_STEPS.map((step) => [step, summarise(done.flatMap((d) => d.stepsMs[step] ?? []))]),
      );
      const errors: Record<string, number> = {};
      for (const d of done) for (const [k, v] of Object.entries(d.errors)) errors[k] = (errors[k] ?? 0) + v;
      return {
        count: ok,
        failed: done.reduce((a, d) => a + d.failed, 0),
        seconds,
        perSecond: ok / seconds,
        latencyMs: summarise(durations),
        steps,
        clientCpuPct: done.map((d) => d.cpuPct),
        serverCpuMsPerSetUp: ok ? serverCpuMs / ok : NaN,
        statementsPerSetUp: ok ? statements / ok : NaN,
        serverCpuPct: (serverCpuMs / (seconds * 1000)) * 100,
        serverWaitPct: (serverWaitMs / (seconds * 1000)) * 100,
        errors,
        timedOut: done.some((d) => d.timedOut),
      };
    };

    // (a) set-up throughput
    startSampler();
    const setup = await setUpRange(0, o.setup);
    console.log(
      `(a) set up ${setup.count} in ${setup.seconds.toFixed(1)} s = ${setup.perSecond.toFixed(0)}/s, failed ${setup.failed} ${JSON.stringify(setup.errors)}`,
    );
    // (b) ramp to the target, then hold
    currentPhase = 'ramp';
    const ramp = o.sessions > o.setup ? await setUpRange(o.setup, o.sessions) : null;
    if (ramp)
      console.log(
        `(b) ramp: ${ramp.count} more in ${ramp.seconds.toFixed(1)} s = ${ramp.perSecond.toFixed(0)}/s, failed ${ramp.failed} ${JSON.stringify(ramp.errors)}`,
      );
    currentPhase = 'hold';
    const holdStart = await scrape('hold');
    const relayBefore = await Promise.all(nodes.map((n) => n.metrics().catch(() => null)));
    const cpuHold0 = nodes.reduce((a, n) => a + n.cpuMs(), 0);
    const holdT0 = Date.now();
    for (const c of clients)
      c.send({
        type: 'sample',
        sessions: perClient(o.sample),
        durationMs: o.holdSeconds * 1000,
        intervalMs: o.intervalMs,
        chatMessages: o.chat,
      });
    probe?.send({
      type: 'sample',
      sessions: probeCount,
      durationMs: o.holdSeconds * 1000,
      intervalMs: o.intervalMs,
      chatMessages: o.chat,
    });
    const [sampled, probed] = await Promise.all([
      Promise.all(clients.map((c) => c.next('sampleDone', (o.holdSeconds + 120) * 1000))),
      probe ? probe.next('sampleDone', (o.holdSeconds + 120) * 1000) : Promise.resolve(null),
    ]);
    const holdSeconds = (Date.now() - holdT0) / 1000;
    const cpuHold = ((nodes.reduce((a, n) => a + n.cpuMs(), 0) - cpuHold0) / (holdSeconds * 1000)) * 100;
    const relayAfter = await Promise.all(nodes.map((n) => n.metrics().catch(() => null)));
    const holdEnd = await scrape('hold');
    for (const c of everyClient()) c.send({ type: 'status' });
    const statuses = await Promise.all(everyClient().map((c) => c.next('status', 30_000)));
    const live = statuses.reduce((a, s) => a + s.live, 0);
    const relay = sampled.flatMap((s) => s.relayMs);
    const chat = sampled.flatMap((s) => s.chatMs);
    const sampleErrors: Record<string, number> = {};
    for (const d of probed ? [...sampled, probed] : sampled)
      for (const [k, v] of Object.entries(d.errors)) sampleErrors[k] = (sampleErrors[k] ?? 0) + v;
    const serverRelay = nodes.map((_, i) => {
      const b = relayBefore[i];
      const a = relayAfter[i];
      return b && a
        ? {
            p50: histogramQuantile(b.relayBuckets, a.relayBuckets, 0.5) * 1000,
            p99: histogramQuantile(b.relayBuckets, a.relayBuckets, 0.99) * 1000,
          }
        : null;
    });
    const holdSamples = timeline.filter((s) => s.phase === 'hold');
    const hold = {
      live,
      seconds: holdSeconds,
      relayMs: summarise(relay),
      relayLost: sampled.reduce((a, s) => a + s.lost, 0),
      probe: probed
        ? {
            sessions: probeCount,
            relayMs: summarise(probed.relayMs),
            relayLost: probed.lost,
            chatMs: summarise(probed.chatMs),
            cpuPct: probed.cpuPct,
            lagP99Ms: probed.lagP99Ms,
            lagMaxMs: probed.lagMaxMs,
          }
        : null,
      serverRelayBucketMs: serverRelay,
      chatMs: summarise(chat),
      errors: sampleErrors,
      serverCpuPct: cpuHold,
      lagP99MaxMs: Math.max(...holdSamples.map((s) => s.lagP99Ms)),
      lagMaxMs: Math.max(...holdSamples.map((s) => s.lagMaxMs)),
      clients: sampled.map((d) => ({ cpuPct: d.cpuPct, lagP99Ms: d.lagP99Ms, lagMaxMs: d.lagMaxMs })),
      rssMiB: holdEnd.rssMiB,
      heapMiB: holdEnd.heapMiB,
      websockets: holdEnd.websockets,
      fds: holdEnd.fds,
      rssKiBPerSession: live ? ((holdStart.rssMiB - baseline.rssMiB) * 1024) / live : NaN,
      heapKiBPerSession: live ? ((holdStart.heapMiB - baseline.heapMiB) * 1024) / live : NaN,
      droppedSockets: statuses.reduce((a, s) => a + s.droppedSockets, 0),
      clientCpuMs: statuses.reduce((a, s) => a + s.cpuMs, 0),
      clientRssMiB: statuses.reduce((a, s) => a + s.rssBytes, 0) / 2 ** 20,
    };
    if (hold.probe)
      console.log(
        `(b) hold, probe (${probeCount} sessions in a process of their own): relay p50 ${hold.probe.relayMs.p50.toFixed(1)} ms p99 ${hold.probe.relayMs.p99.toFixed(1)} ms (n=${hold.probe.relayMs.n}, lost ${hold.probe.relayLost}), chat p50 ${hold.probe.chatMs.p50.toFixed(1)} ms`,
      );
    console.log(
      `(b) hold: ${live} live, relay p50 ${hold.relayMs.p50.toFixed(1)} ms p99 ${hold.relayMs.p99.toFixed(1)} ms (n=${relay.length}, lost ${hold.relayLost}), chat p50 ${hold.chatMs.p50.toFixed(1)} ms, server CPU ${cpuHold.toFixed(0)} % (loop delay p99 ≤ ${hold.lagP99MaxMs.toFixed(0)} ms, longest ${hold.lagMaxMs.toFixed(0)} ms), clients ${hold.clients.map((k) => `${k.cpuPct.toFixed(0)} % (p99 ${k.lagP99Ms.toFixed(0)} ms, longest ${k.lagMaxMs.toFixed(0)} ms)`).join(', ')}, ${hold.rssKiBPerSession.toFixed(1)} KiB RSS per session`,
    );

    // (c) end
    currentPhase = 'end';
    const t0 = Date.now();
    for (const c of everyClient()) c.send({ type: 'end', concurrency, deadline: t0 + o.phaseSeconds * 1000 });
    const ended = await Promise.all(everyClient().map((c) => c.next('endDone', (o.phaseSeconds + 90) * 1000)));
    const endSeconds = (Date.now() - t0) / 1000;
    const endErrors: Record<string, number> = {};
    for (const d of ended) for (const [k, v] of Object.entries(d.errors)) endErrors[k] = (endErrors[k] ?? 0) + v;
    const endOk = ended.reduce((a, d) => a + d.ok, 0);
    const end: PhaseResult = {
      count: endOk,
      failed: ended.reduce((a, d) => a + d.failed, 0),
      seconds: endSeconds,
      perSecond: endOk / endSeconds,
      latencyMs: summarise(ended.flatMap((d) => d.durationsMs)),
      errors: endErrors,
      timedOut: ended.some((d) => d.timedOut),
    };
    stopSampler();
    await scrape('after');
    console.log(
      `(c) ended ${end.count} in ${end.seconds.toFixed(1)} s = ${end.perSecond.toFixed(0)}/s, failed ${end.failed}`,
    );
    return {
      name,
      nodes: nodes.length,
      workers: name === 'workers' ? o.workers : 1,
      database: postgres ? 'PostgreSQL (own schema)' : 'SQLite (file)',
      redis: postgres,
      target: o.sessions,
      loadAtStart,
      loadAtEnd: uptime(),
      ...(postgresAtStart ? { postgres: postgresAtStart } : {}),
      setup,
      ramp,
      hold,
      end,
      timeline,
      profiles: o.cpuProf ? nodes.map((n) => join(o.out, 'profiles', n.name)) : [],
    };
  } finally {
    for (const c of everyClient()) {
      try {
        c.send({ type: 'quit' });
      } catch {
        // gone
      }
    }
    await sleep(300);
    for (const c of everyClient()) c.kill();
    await Promise.all(nodes.map((n) => n.stop()));
    await dropSchema().catch((e: unknown) => console.error(`could not drop schema ${schema}: ${String(e)}`));
    await clearRedis().catch((e: unknown) => console.error(`could not clear ${redisPrefix}*: ${String(e)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  // Every phase is bounded; so is the whole run (start-up, seeding and three phases per configuration).
  const boundMs = o.configs.length * (3 * o.phaseSeconds + o.holdSeconds + 300) * 1000;
  setTimeout(() => {
    console.error(`bench:load: the run passed its bound of ${boundMs / 1000} s; stopping`);
    killAll();
    process.exit(3);
  }, boundMs).unref();
  const result: RunResult = {
    startedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryGiB: totalmem() / 2 ** 30,
      node: process.version,
    },
    fdLimit: fdLimit(),
    serverNodeArgs: serverNodeArgs(REPO),
    options: { ...o, out: undefined, latest: undefined },
    loadAtStart: uptime(),
    configs: [],
  };
  for (const name of o.configs) {
    try {
      result.configs.push(await runConfig(name, o));
    } catch (error) {
      console.error(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      result.configs.push({ name, failed: String(error).slice(0, 500) });
    }
  }
  result.loadAtEnd = uptime();
  mkdirSync(o.out, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-').slice(0, 19);
  const json = JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  const md = renderMarkdown(result);
  writeFileSync(join(o.out, `load-${stamp}.json`), json);
  writeFileSync(join(o.out, `load-${stamp}.md`), md);
  if (o.latest) {
    writeFileSync(join(o.out, 'load-latest.json'), json);
    writeFileSync(join(o.out, 'load-latest.md'), md);
  }
  const also = o.latest ? ' and load-latest.{json,md}' : ' (a partial run: load-latest.* left as it was)';
  console.log(`\n${md}\nwritten to ${join(o.out, `load-${stamp}.{json,md}`)}${also}`);
}

function fdLimit(): string {
  try {
    return execFileSync('sh', ['-c', 'echo "$(ulimit -Sn) soft, $(ulimit -Hn) hard"'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().then(
  () => {
    killAll();
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    killAll();
    process.exit(1);
  },
);
