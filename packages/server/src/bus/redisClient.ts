/**
 * @module bus/redisClient
 * Opens an ioredis connection the way every scale-out part wants it: reconnects forever
 * with jittered, doubling back-off (50 ms → 2 s), fails a command after two reconnect
 * attempts instead of holding a request for the whole outage, and reports state changes
 * once per change instead of once per retry.
 */
import { Redis } from 'ioredis';

/** Where a connection reports what happened to it (a pino logger fits). */
export interface RedisLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** The wait before reconnect attempt `times` (1, 2, …): doubling from 50 ms, capped at 2 s, ± 25 %. */
export function reconnectDelay(times: number, random = Math.random): number {
  const base = Math.min(2000, 50 * 2 ** Math.min(times - 1, 6));
  return Math.round(base * (0.75 + random() * 0.5));
}

export function openRedis(url: string, name: string, log?: RedisLog): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => reconnectDelay(times),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log?.warn({ err: error, connection: name }, 'redis connection failed; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log?.info({ connection: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}
