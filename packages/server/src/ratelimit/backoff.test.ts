import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.js';
import { migrate, openDatabase } from '../db/client.js';
import type { BackoffPolicy } from './backoff.js';
import { Backoff } from './backoff.js';
import type { BackoffStore } from './store.js';
import { MemoryBackoffStore, SqlBackoffStore } from './store.js';

const POLICY: BackoffPolicy = { freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000, windowMs: 600_000 };

const dir = mkdtempSync(join(tmpdir(), 'rh-backoff-'));
const open: Db[] = [];
let files = 0;
async function sqlDb(file = join(dir, `b${files++}.db`)): Promise<Db> {
  const db = openDatabase({ kind: 'sqlite', file });
  await migrate(db);
  open.push(db);
  return db;
}
afterAll(async () => {
  for (const db of open) await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, () => Promise<BackoffStore>][] = [
  ['memory', async () => new MemoryBackoffStore()],
  ['SQLite', async () => new SqlBackoffStore(await sqlDb())],
];

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Tries once; returns the wait announced for a failure, or 'refused'. */
async function attempt(backoff: Backoff, key = 'k', weight = 1): Promise<number | 'refused'> {
  const r = await backoff.reserve([key], weight);
  return r.ok ? r.waitIfFailedSeconds : 'refused';
}

describe.each(stores)('growing back-off (%s store)', (_name, makeStore) => {
  it('allows the free attempts, then one attempt per doubling wait up to the cap', async () => {
    const c = clock();
    const backoff = new Backoff(await makeStore(), c, POLICY);
    const waits: (number | 'refused')[] = [];
    for (let i = 0; i < 10; i++) {
      const wait = await attempt(backoff);
      waits.push(wait);
      if (typeof wait === 'number') c.advance(wait * 1000);
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 16, 32, 60, 60]);
    expect(await attempt(backoff)).toBe(60);
    c.advance(59_000);
    expect(await attempt(backoff)).toBe('refused');
    expect(await backoff.retryAfterSeconds(['k'])).toBe(1);
  });

  it('does not forget at the cap: the next failure after the longest wait waits as long again', async () => {
    const c = clock();
    const backoff = new Backoff(await makeStore(), c, { ...POLICY, maxDelayMs: 4000, windowMs: 600_000 });
    for (let i = 0; i < 20; i++) {
      const wait = await attempt(backoff);
      expect(wait).not.toBe('refused');
      if (i >= 5) expect(wait).toBe(4);
      c.advance(4001);
    }
  });

  it('starts over only when the window ends, or after a reset', async () => {
    const c = clock();
    const backoff = new Backoff(await makeStore(), c, POLICY);
    for (let i = 0; i < 4; i++) await attempt(backoff);
    expect(await backoff.retryAfterSeconds(['k'])).toBeGreaterThan(0);
    c.advance(POLICY.windowMs);
    expect(await attempt(backoff)).toBe(0);
    for (let i = 0; i < 4; i++) await attempt(backoff, 'j');
    await backoff.reset(['j']);
    expect(await attempt(backoff, 'j')).toBe(0);
  });

  it('keeps keys apart, and a refusal on one key gives back what the others took', async () => {
    const c = clock();
    const backoff = new Backoff(await makeStore(), c, POLICY);
    for (let i = 0; i < 3; i++) await attempt(backoff, 'a');
    expect(await attempt(backoff, 'b')).toBe(0);
    expect((await backoff.reserve(['b', 'a'])).ok).toBe(false);
    // b was given back: two more free attempts on b alone.
    expect(await attempt(backoff, 'b')).toBe(0);
    expect(await attempt(backoff, 'b')).toBe(1);
  });

  it('enforces a ceiling of weighted units until the window ends, and a release gives units back', async () => {
    const c = clock();
    const budget: BackoffPolicy = { freeAttempts: 100, baseDelayMs: 0, maxDelayMs: 0, windowMs: 1000, ceiling: 100 };
    const backoff = new Backoff(await makeStore(), c, budget);
    const first = await backoff.reserve(['t'], 60);
    expect(first.ok).toBe(true);
    expect((await backoff.reserve(['t'], 60)).ok).toBe(false);
    if (first.ok) await first.release();
    expect((await backoff.reserve(['t'], 60)).ok).toBe(true);
    expect((await backoff.reserve(['t'], 41)).ok).toBe(false);
    expect((await backoff.reserve(['t'], 40)).ok).toBe(true);
    expect(await backoff.reserve(['t'])).toEqual({ ok: false, retryAfterSeconds: 1 });
    c.advance(1000);
    expect((await backoff.reserve(['t'], 100)).ok).toBe(true);
  });

  it('never refuses a free attempt whose clock reads earlier than the last one stored (another node’s)', async () => {
    const store = await makeStore();
    const policy = { ...POLICY, freeAttempts: 5, ceiling: undefined };
    // Node B read its clock 3 ms after node A, but its request was stored first.
    expect((await store.reserve('skew', policy, 1, 1_000_003)).ok).toBe(true);
    expect((await store.reserve('skew', policy, 1, 1_000_000)).ok).toBe(true);
    // Past the free attempts the wait still counts from the latest attempt.
    for (let k = 0; k < 3; k++) await store.reserve('skew', policy, 1, 1_000_004);
    expect((await store.reserve('skew', policy, 1, 1_000_005)).ok).toBe(false);
  });

  it('lets exactly the free attempts through when 200 reserve at once', async () => {
    const c = clock();
    const backoff = new Backoff(await makeStore(), c, POLICY);
    const results = await Promise.all(Array.from({ length: 200 }, () => backoff.reserve(['burst'])));
    expect(results.filter((r) => r.ok)).toHaveLength(POLICY.freeAttempts);
  });
});

describe('SQLite back-off store', () => {
  it('keeps a block across a reopen of the database (a restart)', async () => {
    const c = clock();
    const file = join(dir, 'restart.db');
    const before = new Backoff(new SqlBackoffStore(await sqlDb(file)), c, POLICY);
    for (let i = 0; i < 6; i++) await attempt(before);
    const wait = await before.retryAfterSeconds(['k']);
    expect(wait).toBeGreaterThan(0);
    const first = open.pop()!;
    await first.destroy();
    const after = new Backoff(new SqlBackoffStore(await sqlDb(file)), c, POLICY);
    expect(await after.retryAfterSeconds(['k'])).toBe(wait);
    expect(await attempt(after)).toBe('refused');
  });

  it('stays exact when two servers share the database (two connections, 200 reservations at once)', async () => {
    const c = clock();
    const file = join(dir, 'shared.db');
    const nodes = [await sqlDb(file), await sqlDb(file)].map((db) => new Backoff(new SqlBackoffStore(db), c, POLICY));
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => nodes[i % 2]!.reserve(['shared'])));
    expect(results.filter((r) => r.ok)).toHaveLength(POLICY.freeAttempts);
  });

  it('sweeps rows whose window is over', async () => {
    const c = clock();
    const db = await sqlDb();
    const store = new SqlBackoffStore(db);
    const backoff = new Backoff(store, c, POLICY);
    await attempt(backoff, 'old');
    c.advance(POLICY.windowMs / 2);
    await attempt(backoff, 'new');
    c.advance(POLICY.windowMs / 2);
    expect(await store.sweep(c.now(), true)).toBe(1);
    const keys = await db.selectFrom('rate_limits').select('key').execute();
    expect(keys.map((r) => r.key)).toEqual(['new']);
  });
});

describe('the SQL store applies the same rule as the policy', () => {
  it('agrees with the in-memory store on any sequence of reservations, releases, resets and waits', async () => {
    const db = await sqlDb();
    const policies: BackoffPolicy[] = [
      POLICY,
      { freeAttempts: 2, baseDelayMs: 500, maxDelayMs: 3000, windowMs: 20_000, ceiling: 7 },
      { freeAttempts: 50, baseDelayMs: 0, maxDelayMs: 0, windowMs: 10_000, ceiling: 50 },
    ];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        key: fc.constantFrom('a', 'b'),
        weight: fc.integer({ min: 1, max: 9 }),
      }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
      fc.record({
        kind: fc.constant('release' as const),
        key: fc.constantFrom('a', 'b'),
        weight: fc.integer({ min: 1, max: 9 }),
      }),
      fc.record({ kind: fc.constant('reset' as const), key: fc.constantFrom('a', 'b') }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...policies), fc.array(op, { maxLength: 40 }), async (policy, ops) => {
        const c = clock();
        const prefix = `run${run++}:`;
        const sqlStore = new SqlBackoffStore(db);
        const memory = new MemoryBackoffStore();
        const a = new Backoff(sqlStore, c, policy);
        const b = new Backoff(memory, c, policy);
        for (const o of ops) {
          if (o.kind === 'advance') c.advance(o.ms);
          else if (o.kind === 'reset') {
            await a.reset([prefix + o.key]);
            await b.reset([prefix + o.key]);
          } else if (o.kind === 'release') {
            await sqlStore.release(prefix + o.key, o.weight);
            await memory.release(prefix + o.key, o.weight);
          } else {
            const [x, y] = [await a.reserve([prefix + o.key], o.weight), await b.reserve([prefix + o.key], o.weight)];
            expect(x.ok ? { ok: true, wait: x.waitIfFailedSeconds } : x).toEqual(
              y.ok ? { ok: true, wait: y.waitIfFailedSeconds } : y,
            );
          }
          for (const key of ['a', 'b']) {
            expect(await sqlStore.get(prefix + key, c.now())).toEqual(await memory.get(prefix + key, c.now()));
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
