/**
 * @module ratelimit/redisStore
 * The {@link BackoffStore} of every node in Redis. A key's state is one hash
 * `<prefix>rl:<key>` (`c` count, `l` last attempt, `w` window end, all ms) that expires with
 * its window. `reserve` is one Lua script: it starts a window or applies exactly the rule of
 * `admits` (ceiling, then the doubling wait after the free attempts; a free attempt never waits, whatever
 * the other nodes' clocks said) and counts, atomically,
 * so parallel attempts on two nodes cannot both pass one check. The clock is the caller's,
 * as with the SQL store.
 */
import type { Redis } from 'ioredis';
import type { BackoffPolicy, KeyState } from './backoff.js';
import { delaySteps } from './backoff.js';
import type { BackoffStore, ReserveResult } from './store.js';

/** KEYS[1]; ARGV now, weight, windowMs, ceiling, freeAttempts, maxDelayMs, steps…; returns {ok, c, l, w}. */
const RESERVE = `
local now = tonumber(ARGV[1]); local weight = tonumber(ARGV[2]); local windowMs = tonumber(ARGV[3])
local ceiling = tonumber(ARGV[4]); local free = tonumber(ARGV[5]); local maxDelay = tonumber(ARGV[6])
local v = redis.call('HMGET', KEYS[1], 'c', 'l', 'w')
local c, l, w = tonumber(v[1]), tonumber(v[2]), tonumber(v[3])
if (not c) or (not w) or w <= now then
  redis.call('HSET', KEYS[1], 'c', weight, 'l', now, 'w', now + windowMs)
  redis.call('PEXPIRE', KEYS[1], windowMs)
  return {1, weight, now, now + windowMs}
end
local delay = 0
if c >= free then delay = tonumber(ARGV[7 + c - free]) or maxDelay end
if c + weight > ceiling or (delay > 0 and l + delay > now) then return {0, c, l, w} end
redis.call('HSET', KEYS[1], 'c', c + weight, 'l', now)
return {1, c + weight, now, w}`;

/** KEYS[1]; ARGV weight. Never below zero; leaves the window and its expiry as they are. */
const RELEASE = `
local c = tonumber(redis.call('HGET', KEYS[1], 'c'))
if c then redis.call('HSET', KEYS[1], 'c', math.max(0, c - tonumber(ARGV[1]))) end
return 0`;

export class RedisBackoffStore implements BackoffStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key = (key: string): string => `${this.prefix}rl:${key}`;

  async reserve(key: string, policy: BackoffPolicy, weight: number, now: number): Promise<ReserveResult> {
    const ceiling = policy.ceiling ?? Number.MAX_SAFE_INTEGER;
    const [ok, count, lastAt, windowEndsAt] = (await this.redis.eval(
      RESERVE,
      1,
      this.key(key),
      now,
      weight,
      policy.windowMs,
      ceiling,
      policy.freeAttempts,
      policy.maxDelayMs,
      ...delaySteps(policy),
    )) as number[];
    return {
      ok: ok === 1,
      state: { count: Number(count), lastAt: Number(lastAt), windowEndsAt: Number(windowEndsAt) },
    };
  }

  async release(key: string, weight: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(key), weight);
  }

  async get(key: string, now: number): Promise<KeyState | undefined> {
    const [c, l, w] = await this.redis.hmget(this.key(key), 'c', 'l', 'w');
    if (c === null || l === null || w === null || Number(w) <= now) return undefined;
    return { count: Number(c), lastAt: Number(l), windowEndsAt: Number(w) };
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }
}
