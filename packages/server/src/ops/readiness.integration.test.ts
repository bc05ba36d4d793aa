/**
 * Integration: readiness against real engines. PostgreSQL (127.0.0.1:5432) and Redis
 * (127.0.0.1:6379) are reached through a TCP relay the test can cut and restore, as a
 * network partition or a restarting engine would, or stall and resume, as a hung engine
 * would; `/readyz` on the real server reports a closed database and a draining node.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../bus/bus.js';
import type { Bus } from '../bus/bus.js';
import type { Db } from '../db/client.js';
import type { Database } from '../db/schema.js';
import { startTestServer } from '../test/harness.js';
import { processOpenFiles } from './openFiles.js';
import { Readiness } from './readiness.js';
import type { ReadinessReport } from './readiness.js';

/**
 * A TCP relay to `target` that can be cut (every connection dropped, new ones refused) and restored,
 * or stalled (connections stay open, nothing moves: an engine that hangs instead of refusing) and resumed.
 */
class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    const server = createNetServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
        if (this.stalled) s.pause();
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Nothing is read from either side until `resume()`: bytes wait in the kernel's buffers, as on a hung link. */
  stall(): void {
    this.stalled = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    this.stalled = false;
    for (const s of this.sockets) s.resume();
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** Asks until `done` holds (the engines reconnect on their own schedule); fails after 20 tries. */
async function until(readiness: Readiness, done: (r: ReadinessReport) => boolean): Promise<ReadinessReport> {
  let last: ReadinessReport | undefined;
  for (let i = 0; i < 20; i++) {
    last = await readiness.report();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`readiness never matched: ${JSON.stringify(last)}`);
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('readiness against PostgreSQL and Redis', () => {
  it('fails naming the database or the bus while it is unreachable, and recovers when it is back', async () => {
    const pgRelay = new Relay({ host: '127.0.0.1', port: 5432 });
    const redisRelay = new Relay({ host: '127.0.0.1', port: 6379 });
    await pgRelay.up();
    await redisRelay.up();
    cleanups.push(
      () => pgRelay.down(),
      () => redisRelay.down(),
    );
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port: pgRelay.port,
      database: 'test',
      user: 'postgres',
      connectionTimeoutMillis: 1000,
      // Connections are closed soon after use, so the cut finds none idle (pg throws from a cut idle client's socket).
      idleTimeoutMillis: 50,
    });
    // A client cut by the relay (idle or between queries) reports it here; the next query reconnects.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db: Db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    cleanups.push(() => db.destroy());
    const redis = new Redis({
      host: '127.0.0.1',
      port: redisRelay.port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 100,
    });
    redis.on('error', () => undefined);
    await redis.connect();
    cleanups.push(async () => redis.disconnect());
    const inProcess = new InProcessBus();
    const bus: Bus = {
      publish: (topic, message) => inProcess.publish(topic, message),
      subscribe: (topic, handler) => inProcess.subscribe(topic, handler),
      close: () => inProcess.close(),
      ping: async () => void (await redis.ping()),
    };
    const readiness = new Readiness({ db, bus, timeoutMs: 1500 });

    expect(await readiness.report()).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, bus: { ok: true }, openFiles: { ok: true } },
    });

    await pgRelay.down();
    const noDb = await until(readiness, (r) => !r.checks.database?.ok);
    expect(noDb.status).toBe('not_ready');
    expect(noDb.checks.bus).toEqual({ ok: true });
    expect(noDb.checks.database).toMatchObject({ ok: false, error: expect.any(String) });

    await pgRelay.up();
    await until(readiness, (r) => r.status === 'ready');

    await redisRelay.down();
    const noBus = await until(readiness, (r) => !r.checks.bus?.ok);
    expect(noBus).toMatchObject({ status: 'not_ready', checks: { database: { ok: true }, bus: { ok: false } } });

    await redisRelay.up();
    await until(readiness, (r) => r.status === 'ready');
  }, 60_000);
});

describe('/readyz on the real server', () => {
  it('answers 503 naming the database once it is closed, and draining once shutdown began', async () => {
    const t = await startTestServer();
    cleanups.push(() => t.stop());
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);

    t.server.readiness.drain();
    const draining = await fetch(`${t.url}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({
      status: 'not_ready',
      checks: { shutdown: { ok: false, error: 'draining' } },
    });
    // Alive all the same.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);

    await t.server.db.destroy();
    const closed = await fetch(`${t.url}/readyz`);
    expect(closed.status).toBe(503);
    expect(((await closed.json()) as ReadinessReport).checks.database).toMatchObject({ ok: false });
  });
});

describe('/readyz at the open-file limit', () => {
  /** Sets this test process's soft open-file limit (the server runs in it); lowering needs no privilege. */
  const setSoftLimit = (soft: number) => execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${soft}:`]);

  it.skipIf(process.platform !== 'linux')(
    'answers 503 naming the open files while fewer than 64 are left, warns in the log, and 200 once sockets close',
    async () => {
      const lines: string[] = [];
      const capture = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          done();
        },
      });
      const t = await startTestServer({}, { logger: { stream: capture } });
      cleanups.push(() => t.stop());
      expect(await (await fetch(`${t.url}/readyz`)).json()).toMatchObject({ checks: { openFiles: { ok: true } } });
      const original = (await processOpenFiles.limit())!;
      // A limit 104 files above what is open: full (503) past 40 more, the kernel's refusals past 104.
      const base = (await processOpenFiles.count())!;
      const sockets: Socket[] = [];
      setSoftLimit(base + 104);
      try {
        expect(await processOpenFiles.limit()).toBe(base + 104);
        expect((await fetch(`${t.url}/readyz`)).status).toBe(200);

        // 30 idle connections to the server: two files each here (the client's end and the server's).
        for (let i = 0; i < 30; i++)
          sockets.push(
            await new Promise<Socket>((resolve, reject) => {
              const s = connect(Number(new URL(t.url).port), '127.0.0.1', () => resolve(s));
              s.on('error', reject);
            }),
          );
        const full = await fetch(`${t.url}/readyz`);
        expect(full.status).toBe(503);
        const report = (await full.json()) as ReadinessReport;
        expect(report.checks.database).toEqual({ ok: true });
        expect(report.checks.openFiles).toMatchObject({
          ok: false,
          error: expect.stringMatching(/^\d+ of \d+ open files$/),
        });
        // Ready for what it holds: `/healthz` (and the request above) still answered.
        expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
        await t.server.openFilesWatch.look();
        const warning = lines
          .map((l) => JSON.parse(l) as { level: number; msg: string; limit?: number })
          .find((e) => e.limit);
        expect(warning).toMatchObject({ level: 40, limit: base + 104 });
        expect(warning?.msg).toMatch(/open files: at the limit new connections are reset/);

        for (const s of sockets.splice(0)) s.destroy();
        let status = 0;
        for (let i = 0; i < 20 && status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 100));
          status = (await fetch(`${t.url}/readyz`)).status;
        }
        expect(status).toBe(200);
      } finally {
        for (const s of sockets) s.destroy();
        setSoftLimit(original);
      }
    },
  );
});

describe('/readyz of a server on PostgreSQL and Redis', () => {
  it('answers 503 naming the database, then the bus, while each is cut off or hung, and 200 once it is back', async () => {
    const pgRelay = new Relay({ host: '127.0.0.1', port: 5432 });
    const redisRelay = new Relay({ host: '127.0.0.1', port: 6379 });
    await pgRelay.up();
    await redisRelay.up();
    const schema = `rh_ready_${randomBytes(5).toString('hex')}`;
    cleanups.push(
      () => pgRelay.down(),
      () => redisRelay.down(),
      async () => {
        const client = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    );
    const t = await startTestServer({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${pgRelay.port}/test?schema=${schema}`,
      REDIS_URL: `redis://127.0.0.1:${redisRelay.port}`,
      REDIS_PREFIX: `rh:${schema}:`,
    });
    cleanups.push(() => t.stop());
    const ready = async () => {
      const response = await fetch(`${t.url}/readyz`);
      return { status: response.status, body: (await response.json()) as ReadinessReport };
    };
    const waitFor = async (done: (r: { status: number; body: ReadinessReport }) => boolean) => {
      let last: { status: number; body: ReadinessReport } | undefined;
      for (let i = 0; i < 40; i++) {
        last = await ready();
        if (done(last)) return last;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`/readyz never matched: ${JSON.stringify(last)}`);
    };
    expect(await ready()).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: { ok: true }, bus: { ok: true }, openFiles: { ok: true } } },
    });

    await pgRelay.down();
    const noDb = await waitFor((r) => r.status === 503);
    expect(noDb.body.checks.database).toMatchObject({ ok: false });
    await pgRelay.up();
    await waitFor((r) => r.status === 200);

    await redisRelay.down();
    const noBus = await waitFor((r) => r.status === 503);
    expect(noBus.body.checks).toMatchObject({ database: { ok: true }, bus: { ok: false } });
    await redisRelay.up();
    await waitFor((r) => r.status === 200);

    // Hung instead of gone (a stalled link, a paused Redis): the checks' own timeout answers 503, and the
    // requests waiting meanwhile complete once the link moves again.
    for (const [relay, check] of [
      [pgRelay, 'database'],
      [redisRelay, 'bus'],
    ] as const) {
      relay.stall();
      const hung = await waitFor((r) => r.status === 503);
      expect(hung.body.checks[check]).toEqual({ ok: false, error: 'timed out' });
      relay.resume();
      await waitFor((r) => r.status === 200);
    }
  }, 120_000);
});
