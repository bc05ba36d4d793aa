/**
 * @module ratelimit/backoff
 * Attempt counting with growing back-off, per key (an account, a source address, a browser,
 * a tenant). An attempt is reserved before the secret is checked: the reservation and the
 * count are one atomic step in the store, so parallel requests cannot all pass one check.
 * A success releases or resets the reservation; a failure simply keeps it.
 *
 * Counts last a whole window from the first attempt (a day by default) and are never
 * forgotten earlier, not even when the wait has reached its cap.
 *
 * A per-address key (`<scope>:ip:<address>`) counts under the address's `addressKey` (an IPv6
 * address under its /64), however its caller wrote the address: every per-address limit of the
 * server is keyed the same way.
 */
import type { Clock } from '../time.js';
import { normaliseAddressKey } from './address.js';
import type { BackoffStore } from './store.js';

export interface BackoffPolicy {
  /** Attempts in a window that need no wait (a burst verifies at most this many). */
  freeAttempts: number;
  /** Wait after the free attempts are used, in ms; doubles with each further attempt, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a count lasts from the window's first attempt. Must be longer than `maxDelayMs`. */
  windowMs: number;
  /** Most attempt units per window; past it the key is blocked until the window ends. */
  ceiling?: number;
}

/** The wait in ms required after `count` attempts of the current window. */
export function delayAfter(policy: BackoffPolicy, count: number): number {
  if (count < policy.freeAttempts) return 0;
  const doublings = Math.min(count - policy.freeAttempts, 40);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** doublings);
}

/** The delay schedule as a list of the distinct steps before the cap (for SQL `CASE`). */
export function delaySteps(policy: BackoffPolicy): number[] {
  const steps: number[] = [];
  for (let k = 0; k < 40 && policy.baseDelayMs > 0; k++) {
    const delay = policy.baseDelayMs * 2 ** k;
    if (delay >= policy.maxDelayMs) break;
    steps.push(delay);
  }
  return steps;
}

/** What one key's reservation left in the store. */
export interface KeyState {
  count: number;
  lastAt: number;
  windowEndsAt: number;
}

export type Reservation =
  | {
      ok: true;
      /** The wait before the next attempt if this one fails, in whole seconds. */
      waitIfFailedSeconds: number;
      /** Gives the reserved units back (the attempt did not count as a failure). */
      release(): Promise<void>;
    }
  | { ok: false; retryAfterSeconds: number };

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

export class Backoff {
  constructor(
    private readonly store: BackoffStore,
    private readonly clock: Clock,
    readonly policy: BackoffPolicy,
  ) {
    if (policy.windowMs <= policy.maxDelayMs) throw new Error('a back-off window must outlast its longest wait');
  }

  /**
   * Reserves `weight` units on every key, atomically per key. If one key refuses, the
   * units already taken on the others are given back and nothing counts.
   */
  async reserve(keys: readonly string[], weight = 1): Promise<Reservation> {
    const now = this.clock.now();
    if (this.policy.ceiling !== undefined && weight > this.policy.ceiling) {
      return { ok: false, retryAfterSeconds: seconds(this.policy.windowMs) };
    }
    const taken: string[] = [];
    let waitMs = 0;
    for (const key of new Set(keys.map(normaliseAddressKey))) {
      const result = await this.store.reserve(key, this.policy, weight, now);
      if (!result.ok) {
        await Promise.all(taken.map((k) => this.store.release(k, weight)));
        return { ok: false, retryAfterSeconds: Math.max(1, seconds(this.retryAfterMs(result.state, weight, now))) };
      }
      taken.push(key);
      waitMs = Math.max(waitMs, this.nextWaitMs(result.state, now));
    }
    let released = false;
    return {
      ok: true,
      waitIfFailedSeconds: seconds(waitMs),
      release: async () => {
        if (released) return;
        released = true;
        await Promise.all(taken.map((k) => this.store.release(k, weight)));
      },
    };
  }

  /** Seconds until `keys` would accept another attempt of `weight` units (0: now). Reads only. */
  async retryAfterSeconds(keys: readonly string[], weight = 1): Promise<number> {
    const now = this.clock.now();
    let waitMs = 0;
    for (const key of new Set(keys.map(normaliseAddressKey))) {
      const state = await this.store.get(key, now);
      if (state) waitMs = Math.max(waitMs, this.retryAfterMs(state, weight, now));
    }
    return seconds(waitMs);
  }

  /** Forgets every count of `keys`, e.g. after a success. */
  async reset(keys: readonly string[]): Promise<void> {
    for (const key of new Set(keys.map(normaliseAddressKey))) await this.store.delete(key);
  }

  private nextWaitMs(state: KeyState, now: number): number {
    const { ceiling } = this.policy;
    if (ceiling !== undefined && state.count >= ceiling) return state.windowEndsAt - now;
    return Math.min(state.windowEndsAt - now, state.lastAt + delayAfter(this.policy, state.count) - now);
  }

  private retryAfterMs(state: KeyState, weight: number, now: number): number {
    if (state.windowEndsAt <= now) return 0;
    const { ceiling } = this.policy;
    if (ceiling !== undefined && state.count + weight > ceiling) return state.windowEndsAt - now;
    return Math.max(0, Math.min(state.windowEndsAt, state.lastAt + delayAfter(this.policy, state.count)) - now);
  }
}
