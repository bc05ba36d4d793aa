/**
 * @module ratelimit/backoff
 * Failure counting with growing back-off, per key (an account, a source address, a code).
 * A few free failures, then each further failure doubles the wait, up to a cap.
 * The store is an interface so scale-out can keep counters in Redis.
 */
import type { Clock } from '../time.js';

export interface BackoffPolicy {
  /** Failures allowed before any wait. */
  freeFailures: number;
  /** Wait after the first failure past the free ones, in ms; doubles each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key with no failure for this long starts over. */
  resetAfterMs: number;
}

export interface BackoffState {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export interface BackoffStore {
  get(key: string): Promise<BackoffState | undefined>;
  set(key: string, state: BackoffState, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Keeps counters in this process; entries expire on their own. */
export class MemoryBackoffStore implements BackoffStore {
  private readonly entries = new Map<string, { state: BackoffState; expiresAt: number }>();
  constructor(private readonly clock: Clock) {}

  async get(key: string): Promise<BackoffState | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.state;
  }

  async set(key: string, state: BackoffState, ttlMs: number): Promise<void> {
    if (this.entries.size > 100_000) this.sweep();
    this.entries.set(key, { state, expiresAt: this.clock.now() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

export class Backoff {
  constructor(
    private readonly store: BackoffStore,
    private readonly clock: Clock,
    private readonly policy: BackoffPolicy,
  ) {}

  /** Seconds to wait before another attempt is allowed for any of `keys`, or 0. */
  async retryAfterSeconds(keys: readonly string[]): Promise<number> {
    const now = this.clock.now();
    let waitMs = 0;
    for (const key of keys) {
      const state = await this.store.get(key);
      if (state && state.blockedUntil > now) waitMs = Math.max(waitMs, state.blockedUntil - now);
    }
    return Math.ceil(waitMs / 1000);
  }

  /** Counts a failure for each key and returns the resulting wait in seconds (0 while failures are free). */
  async fail(keys: readonly string[]): Promise<number> {
    const now = this.clock.now();
    let waitMs = 0;
    for (const key of keys) {
      const previous = await this.store.get(key);
      const fresh = !previous || now - previous.lastFailureAt > this.policy.resetAfterMs;
      const failures = fresh ? 1 : previous.failures + 1;
      const over = failures - this.policy.freeFailures;
      const delay = over > 0 ? Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (over - 1)) : 0;
      const state = { failures, lastFailureAt: now, blockedUntil: now + delay };
      await this.store.set(key, state, Math.max(this.policy.resetAfterMs, delay));
      waitMs = Math.max(waitMs, delay);
    }
    return Math.ceil(waitMs / 1000);
  }

  /** Forgets failures, e.g. after a success. */
  async reset(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.store.delete(key);
  }
}
