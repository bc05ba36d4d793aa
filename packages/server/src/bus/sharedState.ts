/**
 * @module bus/sharedState
 * What the nodes of one service share besides the database, chosen by configuration:
 * with `REDIS_URL`, the Redis bus, the Redis presence directory (sessions and devices),
 * the Redis replay cache and back-off counters; without it, the embedded default: the
 * in-process bus, this node's own presence, and the database-backed replay cache and
 * counters (which already survive restarts). See docs/adr/0021-redis-scale-out.md.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { ReplayCache } from '../devices/deviceAuth.js';
import { SqlReplayCache } from '../devices/deviceAuth.js';
import { RedisReplayCache } from '../devices/redisReplayCache.js';
import type { DevicesRepo } from '../devices/repo.js';
import { RedisBackoffStore } from '../ratelimit/redisStore.js';
import type { BackoffStore } from '../ratelimit/store.js';
import { SqlBackoffStore } from '../ratelimit/store.js';
import type { Clock } from '../time.js';
import type { Bus } from './bus.js';
import { InProcessBus } from './bus.js';
import { resyncMessage } from './messages.js';
import type { PresenceDirectory } from './presenceDirectory.js';
import { MemoryPresenceDirectory } from './presenceDirectory.js';
import { RedisBus } from './redisBus.js';
import type { RedisLog } from './redisClient.js';
import { RedisPresence } from './redisPresence.js';

export interface SharedState {
  /** This node's id in presence entries (random per process). */
  nodeId: string;
  bus: Bus;
  directory: PresenceDirectory;
  backoffStore: BackoffStore;
  replay: ReplayCache;
  /** Where problems with Redis are logged (set once the server's logger exists). */
  setLog(log: RedisLog): void;
  /** Tests: this node dies (no heartbeat, no goodbye, connections dropped). */
  halt(): void;
  close(): Promise<void>;
}

export interface SharedStateDeps {
  db: Db;
  devices: Pick<DevicesRepo, 'rememberProof' | 'sweepProofs'>;
  clock: Clock;
  /** Presence heartbeat and deadline (defaults 1 s and 3 s). */
  presence?: { heartbeatMs: number; ttlMs: number };
}

export function openSharedState(redis: { url: string; prefix: string } | null, d: SharedStateDeps): SharedState {
  const nodeId = randomUUID();
  if (!redis) {
    const bus = new InProcessBus();
    const directory = new MemoryPresenceDirectory();
    return {
      nodeId,
      bus,
      directory,
      backoffStore: new SqlBackoffStore(d.db),
      replay: new SqlReplayCache(d.devices, d.clock),
      setLog: (log) => (bus.log = log),
      halt: () => undefined,
      async close() {
        await directory.close();
        await bus.close();
      },
    };
  }
  let current: RedisLog | undefined;
  const log: RedisLog = {
    info: (object, message) => current?.info(object, message),
    warn: (object, message) => current?.warn(object, message),
  };
  const bus = new RedisBus({ url: redis.url, prefix: redis.prefix, log, resync: resyncMessage });
  const directory = new RedisPresence({
    commands: bus.commands,
    prefix: redis.prefix,
    nodeId,
    log,
    ...(d.presence ? { heartbeatMs: d.presence.heartbeatMs, ttlMs: d.presence.ttlMs } : {}),
  });
  return {
    nodeId,
    bus,
    directory,
    backoffStore: new RedisBackoffStore(bus.commands, redis.prefix),
    replay: new RedisReplayCache(bus.commands, redis.prefix),
    setLog: (next) => (current = next),
    halt() {
      directory.halt();
      bus.halt();
    },
    async close() {
      await directory.close();
      await bus.close();
    },
  };
}
