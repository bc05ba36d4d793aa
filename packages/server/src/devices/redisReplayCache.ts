/**
 * @module devices/redisReplayCache
 * The {@link ReplayCache} of every node in Redis: one key per used proof,
 * `<prefix>jti:<device>:<jti>`, written with `SET NX PX` (atomic: of two racing requests
 * with one proof exactly one wins) and gone by itself when no proof could still be valid.
 */
import type { Redis } from 'ioredis';
import type { ReplayCache } from './deviceAuth.js';
import { REPLAY_WINDOW_MS } from './deviceAuth.js';

export class RedisReplayCache implements ReplayCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async remember(deviceId: string, jti: string): Promise<boolean> {
    const set = await this.redis.set(`${this.prefix}jti:${deviceId}:${jti}`, '1', 'PX', REPLAY_WINDOW_MS, 'NX');
    return set === 'OK';
  }
}
