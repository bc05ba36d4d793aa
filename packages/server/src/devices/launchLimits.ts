/**
 * @module devices/launchLimits
 * How often a helper may start a remote launch: a token bucket per helper (a burst, then a
 * steady rate). Together with "one waiting launch per device" (a unique index, see
 * `sessions/service.createForDevice`) it keeps a helper from flooding one device with
 * prompts or spraying prompts across a fleet. Kept in memory: a restart refills the
 * buckets, which costs at most one more burst.
 */
import type { Clock } from '../time.js';

/** Size and refill of each bucket. */
export interface TokenBucketOptions {
  /** Launches a helper may start back to back. */
  burst: number;
  /** Milliseconds to earn one launch back. */
  refillMs: number;
  /** Buckets kept at most; full buckets are forgotten first (they hold no state). */
  maxKeys?: number;
}

/** Five launches at once, then one every 12 s (5 a minute) per helper. */
export const DEFAULT_LAUNCH_LIMITS: TokenBucketOptions = { burst: 5, refillMs: 12_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets by key (here: the helper's user id). */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    private readonly clock: Clock,
    private readonly o: TokenBucketOptions = DEFAULT_LAUNCH_LIMITS,
  ) {}

  /**
   * Takes `cost` tokens (one launch, or a signal's bytes): 0 when granted, else the seconds until
   * they are available. A refusal takes nothing.
   */
  take(key: string, cost = 1): number {
    const now = this.clock.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      this.buckets.set(key, bucket);
      this.prune(now);
      return 0;
    }
    return Math.max(1, Math.ceil(((cost - bucket.tokens) * this.o.refillMs) / 1000));
  }

  private refill(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key) ?? { tokens: this.o.burst, at: now };
    const earned = Math.max(0, now - bucket.at) / this.o.refillMs;
    return { tokens: Math.min(this.o.burst, bucket.tokens + earned), at: now };
  }

  private prune(now: number): void {
    if (this.buckets.size <= (this.o.maxKeys ?? 10_000)) return;
    for (const key of this.buckets.keys()) if (this.refill(key, now).tokens >= this.o.burst) this.buckets.delete(key);
  }
}
