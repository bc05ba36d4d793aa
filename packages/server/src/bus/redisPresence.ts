/**
 * @module bus/redisPresence
 * The {@link PresenceDirectory} of all nodes, in Redis. Keys (after `REDIS_PREFIX`):
 *
 * - `presence:<key>` hash: node id → 1 for every node holding `key`;
 * - `node:<node id>` set: the keys that node holds (so they can be taken back when it dies);
 * - `nodes` sorted set: node id → the Redis time (ms) until which the node counts as alive.
 *
 * Every `heartbeatMs` a node pushes its own deadline `ttlMs` ahead and reaps nodes whose
 * deadline passed: one script removes a dead node's entries atomically, so exactly one
 * node learns which keys became empty and reports them `lost` (the session's other side is
 * told, a grace starts). With 1 s beats and a 3 s deadline a crashed node's people count as
 * gone within ≈ 4 s. When the heartbeat finds this node missing from `nodes` (Redis
 * restarted empty, or this node stalled and was reaped) or the connection comes back after
 * an outage, the node writes everything it holds again and reports it `restored`.
 * Times come from Redis (`TIME`), so nodes' clocks need not agree.
 */
import type { Redis } from 'ioredis';
import type { PresenceDirectory, PresenceEvents } from './presenceDirectory.js';
import { PresenceListeners } from './presenceDirectory.js';
import type { RedisLog } from './redisClient.js';

/** Redis time in ms inside a script. */
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] nodes; ARGV node id, ttl ms. Returns 1 when the node was not registered. */
const HEARTBEAT = `${NOW}
return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])`;

/**
 * KEYS[1] nodes; ARGV prefix, most nodes per call. Removes every dead node and its entries;
 * returns the keys that no node holds any more.
 */
const REAP = `${NOW}
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local emptied = {}
for _, node in ipairs(dead) do
  redis.call('ZREM', KEYS[1], node)
  local held = ARGV[1] .. 'node:' .. node
  for _, key in ipairs(redis.call('SMEMBERS', held)) do
    local entry = ARGV[1] .. 'presence:' .. key
    redis.call('HDEL', entry, node)
    if redis.call('HLEN', entry) == 0 then table.insert(emptied, key) end
  end
  redis.call('DEL', held)
end
return emptied`;

export interface RedisPresenceOptions {
  commands: Redis;
  prefix: string;
  nodeId: string;
  heartbeatMs?: number;
  ttlMs?: number;
  log?: RedisLog;
}

/** Keys written per pipeline when a node writes everything it holds again. */
const BATCH = 500;

export class RedisPresence implements PresenceDirectory {
  readonly heartbeatMs: number;
  readonly ttlMs: number;
  private readonly held = new Set<string>();
  private readonly listeners = new PresenceListeners();
  private readonly redis: Redis;
  private readonly p: string;
  private readonly timer: NodeJS.Timeout;
  private beating = false;
  private stopped = false;
  private connectedOnce = false;

  constructor(private readonly o: RedisPresenceOptions) {
    this.redis = o.commands;
    this.p = o.prefix;
    this.heartbeatMs = o.heartbeatMs ?? 1000;
    this.ttlMs = o.ttlMs ?? 3000;
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
    // After an outage the offline queue may have dropped writes: write the truth again.
    this.redis.on('ready', () => {
      if (this.connectedOnce && !this.stopped) void this.rewrite('reconnected');
      this.connectedOnce = true;
    });
    if (this.redis.status === 'ready') this.connectedOnce = true;
    void this.beat();
  }

  get nodeId(): string {
    return this.o.nodeId;
  }

  add(key: string): void {
    this.held.add(key);
    if (this.stopped) return;
    this.redis
      .multi()
      .hset(`${this.p}presence:${key}`, this.o.nodeId, 1)
      .sadd(`${this.p}node:${this.o.nodeId}`, key)
      .exec()
      .catch((error: unknown) => this.failed(error, 'add'));
  }

  remove(key: string): void {
    this.held.delete(key);
    if (this.stopped) return;
    this.redis
      .multi()
      .hdel(`${this.p}presence:${key}`, this.o.nodeId)
      .srem(`${this.p}node:${this.o.nodeId}`, key)
      .exec()
      .catch((error: unknown) => this.failed(error, 'remove'));
  }

  async has(key: string): Promise<boolean> {
    if (this.held.has(key)) return true;
    if (this.stopped) throw new Error('presence directory stopped');
    return (await this.redis.hlen(`${this.p}presence:${key}`)) > 0;
  }

  async hasMany(keys: readonly string[]): Promise<boolean[]> {
    if (this.stopped) throw new Error('presence directory stopped');
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hlen(`${this.p}presence:${key}`);
    const results = (await pipeline.exec()) ?? [];
    return keys.map((key, i) => this.held.has(key) || Number(results[i]?.[1] ?? 0) > 0);
  }

  listen(prefix: string, events: PresenceEvents): () => void {
    return this.listeners.add(prefix, events);
  }

  /** One beat: stay alive (writing everything again if this node was missing), then reap the dead. */
  async beat(): Promise<void> {
    if (this.beating || this.stopped) return;
    this.beating = true;
    try {
      const added = await this.redis.eval(HEARTBEAT, 1, `${this.p}nodes`, this.o.nodeId, this.ttlMs);
      if (Number(added) === 1 && this.held.size > 0) await this.rewrite('re-registered');
      const emptied = (await this.redis.eval(REAP, 1, `${this.p}nodes`, this.p, 20)) as string[];
      if (emptied.length && !this.stopped) this.listeners.emit('lost', emptied);
    } catch (error) {
      this.failed(error, 'heartbeat');
    } finally {
      this.beating = false;
    }
  }

  /** Makes Redis say exactly what this node holds: stale entries out, held keys in. */
  private async rewrite(why: string): Promise<void> {
    try {
      const mine = `${this.p}node:${this.o.nodeId}`;
      const recorded = await this.redis.smembers(mine);
      const stale = recorded.filter((key) => !this.held.has(key));
      const keys = [...this.held];
      for (let i = 0; i < Math.max(stale.length, keys.length); i += BATCH) {
        const pipeline = this.redis.pipeline();
        for (const key of stale.slice(i, i + BATCH))
          pipeline.hdel(`${this.p}presence:${key}`, this.o.nodeId).srem(mine, key);
        for (const key of keys.slice(i, i + BATCH))
          pipeline.hset(`${this.p}presence:${key}`, this.o.nodeId, 1).sadd(mine, key);
        await pipeline.exec();
      }
      this.o.log?.info(
        { nodeId: this.o.nodeId, keys: keys.length, stale: stale.length, why },
        'presence written again',
      );
      if (keys.length && !this.stopped) this.listeners.emit('restored', keys);
    } catch (error) {
      this.failed(error, 'rewrite');
    }
  }

  /** Leaves: marks this node's deadline as passed, so another node takes its keys back at its next beat. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.redis.zadd(`${this.p}nodes`, 0, this.o.nodeId).catch(() => undefined);
  }

  /** Stops beating and writing without a word (tests: a node that died). */
  halt(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private failed(error: unknown, what: string): void {
    if (!this.stopped) this.o.log?.warn({ err: error, what }, 'presence directory write failed');
  }
}
