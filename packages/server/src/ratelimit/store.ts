/**
 * @module ratelimit/store
 * Where back-off counts live. `reserve` is the one operation that must be atomic: it starts
 * a new window or, if the key's wait is over and its ceiling allows, counts the attempt, and
 * says which happened, in one step. `SqlBackoffStore` does that in a single
 * `INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING` (SQLite ≥ 3.35 and PostgreSQL alike),
 * so counts survive a restart and are shared by every node on one database; a Redis store
 * can implement the same interface with a script.
 */
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { BackoffPolicy, KeyState } from './backoff.js';
import { delayAfter, delaySteps } from './backoff.js';

export interface ReserveResult {
  /** True when the attempt was counted; false when the key refused it (nothing changed). */
  ok: boolean;
  state: KeyState;
}

export interface BackoffStore {
  /** Atomically counts `weight` units for `key` if `policy` allows an attempt at `now`. */
  reserve(key: string, policy: BackoffPolicy, weight: number, now: number): Promise<ReserveResult>;
  /** Gives back units of an earlier reservation (never below zero). */
  release(key: string, weight: number): Promise<void>;
  /** The key's state, if it has a live window. */
  get(key: string, now: number): Promise<KeyState | undefined>;
  delete(key: string): Promise<void>;
}

/** Whether `policy` lets `state` take `weight` more units at `now`: the one rule both stores apply. */
export function admits(policy: BackoffPolicy, state: KeyState | undefined, weight: number, now: number): boolean {
  if (!state || state.windowEndsAt <= now) return true;
  if (policy.ceiling !== undefined && state.count + weight > policy.ceiling) return false;
  // A free attempt never waits, even when another node's request read the clock later and stored first
  // (`lastAt` past this `now`): nodes' clocks are not ordered with their writes.
  const delay = delayAfter(policy, state.count);
  return delay === 0 || state.lastAt + delay <= now;
}

/** Keeps counts in this process (tests, single-node tools). JavaScript runs each call to the end: atomic. */
export class MemoryBackoffStore implements BackoffStore {
  private readonly entries = new Map<string, KeyState>();

  async reserve(key: string, policy: BackoffPolicy, weight: number, now: number): Promise<ReserveResult> {
    const state = this.entries.get(key);
    if (state && !admits(policy, state, weight, now)) return { ok: false, state };
    if (this.entries.size > 100_000) this.sweep(now);
    const fresh = !state || state.windowEndsAt <= now;
    const next: KeyState = fresh
      ? { count: weight, lastAt: now, windowEndsAt: now + policy.windowMs }
      : { ...state, count: state.count + weight, lastAt: now };
    this.entries.set(key, next);
    return { ok: true, state: next };
  }

  async release(key: string, weight: number): Promise<void> {
    const state = this.entries.get(key);
    if (state) state.count = Math.max(0, state.count - weight);
  }

  async get(key: string, now: number): Promise<KeyState | undefined> {
    const state = this.entries.get(key);
    return state && state.windowEndsAt > now ? { ...state } : undefined;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, state] of this.entries) if (state.windowEndsAt <= now) this.entries.delete(key);
  }
}

interface Row {
  attempts: number | string;
  last_at: number | string;
  window_ends_at: number | string;
}

/** PostgreSQL returns BIGINT as text; SQLite as a number. */
const stateOf = (row: Row): KeyState => ({
  count: Number(row.attempts),
  lastAt: Number(row.last_at),
  windowEndsAt: Number(row.window_ends_at),
});

/** Counts in the `rate_limits` table (migration `0003_rate_limits`); expired rows are swept now and then. */
export class SqlBackoffStore implements BackoffStore {
  private lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly sweepEveryMs = 60_000,
  ) {}

  async reserve(key: string, policy: BackoffPolicy, weight: number, now: number): Promise<ReserveResult> {
    await this.sweep(now);
    const ceiling = policy.ceiling ?? Number.MAX_SAFE_INTEGER;
    // The wait owed after the stored count, as a CASE over the policy's few doubling steps.
    const steps = delaySteps(policy);
    const delay = sql`CASE WHEN rate_limits.attempts < ${policy.freeAttempts} THEN 0 ${sql.join(
      steps.map((ms, k) => sql`WHEN rate_limits.attempts = ${policy.freeAttempts + k} THEN ${ms}`),
      sql` `,
    )} ELSE ${policy.maxDelayMs} END`;
    const over = sql`rate_limits.window_ends_at <= ${now}`;
    // A free attempt never waits, even when a concurrent request that read the clock later stored first.
    const { rows } = await sql<Row>`
      INSERT INTO rate_limits (key, attempts, last_at, window_ends_at)
      VALUES (${key}, ${weight}, ${now}, ${now + policy.windowMs})
      ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN ${over} THEN ${weight} ELSE rate_limits.attempts + ${weight} END,
        last_at = ${now},
        window_ends_at = CASE WHEN ${over} THEN ${now + policy.windowMs} ELSE rate_limits.window_ends_at END
      WHERE ${over} OR (rate_limits.attempts + ${weight} <= CAST(${ceiling} AS BIGINT) AND (${delay} = 0 OR rate_limits.last_at + ${delay} <= ${now}))
      RETURNING attempts, last_at, window_ends_at`.execute(this.db);
    const row = rows[0];
    if (row) return { ok: true, state: stateOf(row) };
    const state = await this.get(key, now);
    // Refused: the row exists and is live (or vanished since, which a retry will find).
    return { ok: false, state: state ?? { count: 0, lastAt: now, windowEndsAt: now + 1000 } };
  }

  async release(key: string, weight: number): Promise<void> {
    await sql`UPDATE rate_limits SET attempts = CASE WHEN attempts > ${weight} THEN attempts - ${weight} ELSE 0 END
      WHERE key = ${key}`.execute(this.db);
  }

  async get(key: string, now: number): Promise<KeyState | undefined> {
    const row = await this.db
      .selectFrom('rate_limits')
      .select(['attempts', 'last_at', 'window_ends_at'])
      .where('key', '=', key)
      .where('window_ends_at', '>', now)
      .executeTakeFirst();
    return row ? stateOf(row) : undefined;
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', key).execute();
  }

  /** Deletes rows whose window is over (at most once per `sweepEveryMs`). */
  async sweep(now: number, force = false): Promise<number> {
    if (!force && now - this.lastSweep < this.sweepEveryMs) return 0;
    this.lastSweep = now;
    const result = await this.db.deleteFrom('rate_limits').where('window_ends_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
