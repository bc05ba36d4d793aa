/**
 * Integration against a real Redis (127.0.0.1:6379), each test under its own prefix: the
 * Redis bus (order, validation on receipt, ref-counted subscriptions, ping), the back-off
 * store (the same answers as the in-memory store for the same attempts, atomic across
 * connections), the replay cache (one winner among racing proofs) and the presence
 * directory (a node's keys taken back when it stops beating; written again when lost).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisReplayCache } from '../devices/redisReplayCache.js';
import type { BackoffPolicy } from '../ratelimit/backoff.js';
import { RedisBackoffStore } from '../ratelimit/redisStore.js';
import { MemoryBackoffStore } from '../ratelimit/store.js';
import { RedisBus } from './redisBus.js';
import { RedisPresence } from './redisPresence.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let admin: Redis;
let prefix: string;
const toClose: (() => Promise<unknown>)[] = [];

beforeAll(() => {
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
});
afterEach(async () => {
  for (const close of toClose.splice(0)) await close();
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length) await admin.del(...keys);
});
afterAll(async () => {
  await admin?.quit();
});

const fresh = () => (prefix = `rh:test:${randomUUID().slice(0, 8)}:`);
const bus = () => {
  const b = new RedisBus({ url: REDIS_URL, prefix });
  toClose.push(() => b.close());
  return b;
};
const connection = () => {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  toClose.push(() => r.quit());
  return r;
};
const until = async (check: () => boolean | Promise<boolean>, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('RedisBus', () => {
  it('delivers in order across connections, drops what does not match the topic, and counts subscriptions', async () => {
    fresh();
    const [a, b] = [bus(), bus()];
    const got: unknown[] = [];
    const offFirst = b.subscribe('session:s1:typing', (m) => got.push(m));
    const offSecond = b.subscribe('session:s1:typing', () => undefined);
    await until(
      async () =>
        Number(((await admin.call('PUBSUB', 'NUMSUB', `${prefix}bus:session:s1:typing`)) as [string, number])[1]) === 1,
      'subscribed',
    );
    // Anything that can write to Redis can publish: a bad envelope, a bad payload, not JSON.
    await admin.publish(`${prefix}bus:session:s1:typing`, 'not json');
    await admin.publish(
      `${prefix}bus:session:s1:typing`,
      JSON.stringify({ v: 1, m: { from: 'intruder', typing: true } }),
    );
    await admin.publish(`${prefix}bus:session:s1:typing`, JSON.stringify({ from: 'helper', typing: true }));
    for (let i = 0; i < 200; i++)
      await a.publish('session:s1:typing', { from: i % 2 ? 'helper' : 'sharer', typing: i % 3 === 0 });
    await until(() => got.length >= 200, '200 messages');
    expect(got).toEqual(
      Array.from({ length: 200 }, (_, i) => ({ from: i % 2 ? 'helper' : 'sharer', typing: i % 3 === 0 })),
    );
    offFirst();
    expect(b.topicCount).toBe(1);
    offSecond();
    expect(b.topicCount).toBe(0);
    await until(
      async () =>
        Number(((await admin.call('PUBSUB', 'NUMSUB', `${prefix}bus:session:s1:typing`)) as [string, number])[1]) === 0,
      'unsubscribed',
    );
    await expect(a.ping()).resolves.toBeUndefined();
  });
});

describe('RedisBackoffStore', () => {
  const policy: BackoffPolicy = {
    freeAttempts: 3,
    baseDelayMs: 2000,
    maxDelayMs: 60_000,
    windowMs: 600_000,
    ceiling: 8,
  };

  it('answers exactly like the in-memory store for the same attempts', async () => {
    fresh();
    const redis = new RedisBackoffStore(connection(), prefix);
    const memory = new MemoryBackoffStore();
    let now = 1_700_000_000_000;
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let step = 0; step < 300; step++) {
      now += Math.floor(random() * 20_000);
      const key = `k${Math.floor(random() * 3)}`;
      const roll = random();
      if (roll < 0.75) {
        const weight = 1 + Math.floor(random() * 2);
        expect(await redis.reserve(key, policy, weight, now)).toEqual(await memory.reserve(key, policy, weight, now));
      } else if (roll < 0.85) {
        await redis.release(key, 1);
        await memory.release(key, 1);
      } else if (roll < 0.9) {
        await redis.delete(key);
        await memory.delete(key);
      }
      expect(await redis.get(key, now)).toEqual(await memory.get(key, now));
    }
  });

  it('never refuses a free attempt whose clock reads earlier than the last one stored (another node’s)', async () => {
    fresh();
    const [a, b] = [new RedisBackoffStore(connection(), prefix), new RedisBackoffStore(connection(), prefix)];
    const now = Date.now();
    // Two nodes redeeming in one organization (the tenant budget: free attempts only): B's later clock stored first.
    const budget: BackoffPolicy = {
      freeAttempts: 50_000,
      baseDelayMs: 0,
      maxDelayMs: 0,
      windowMs: 600_000,
      ceiling: 50_000,
    };
    expect((await b.reserve('tenant', budget, 40, now + 3)).ok).toBe(true);
    expect((await a.reserve('tenant', budget, 40, now)).ok).toBe(true);
    // Past the free attempts, the wait still counts from the latest attempt.
    for (let k = 0; k < 3; k++) await a.reserve('skew', policy, 1, now + 3);
    expect((await b.reserve('skew', policy, 1, now + 4)).ok).toBe(false);
  });

  it('lets exactly the free attempts through when many race from different connections', async () => {
    fresh();
    const stores = Array.from({ length: 6 }, () => new RedisBackoffStore(connection(), prefix));
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stores[i % stores.length]!.reserve('race', policy, 1, now)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(policy.freeAttempts);
  });
});

describe('RedisReplayCache', () => {
  it('accepts a proof id once, whichever of the racing nodes asks', async () => {
    fresh();
    const caches = Array.from({ length: 4 }, () => new RedisReplayCache(connection(), prefix));
    const answers = await Promise.all(
      caches.flatMap((cache) => [cache.remember('dev1', 'jti-1'), cache.remember('dev1', 'jti-1')]),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await caches[0]!.remember('dev2', 'jti-1')).toBe(true);
    expect(await admin.pttl(`${prefix}jti:dev1:jti-1`)).toBeGreaterThan(60_000);
  });
});

describe('RedisPresence', () => {
  it("takes a stopped node's keys back once, and writes a node's keys again when Redis lost them", async () => {
    fresh();
    const options = { prefix, heartbeatMs: 100, ttlMs: 300 };
    const a = new RedisPresence({ ...options, commands: connection(), nodeId: 'node-a' });
    const b = new RedisPresence({ ...options, commands: connection(), nodeId: 'node-b' });
    const c = new RedisPresence({ ...options, commands: connection(), nodeId: 'node-c' });
    toClose.push(
      () => b.close(),
      () => c.close(),
    );
    const lost: string[] = [];
    b.listen('s:', { lost: (keys) => lost.push(...keys), restored: () => undefined });
    c.listen('s:', { lost: (keys) => lost.push(...keys), restored: () => undefined });
    a.add('s:one:helper');
    a.add('s:two:helper');
    b.add('s:two:helper');
    await until(async () => (await c.has('s:one:helper')) && (await c.has('s:two:helper')), 'written');
    a.halt();
    await until(async () => !(await c.has('s:one:helper')), 'taken back');
    // Reported once (by b or c), and only the key nobody else holds.
    await new Promise((r) => setTimeout(r, 300));
    expect(lost).toEqual(['s:one:helper']);
    expect(await c.has('s:two:helper')).toBe(true);

    const restored: string[] = [];
    b.listen('s:', { lost: () => undefined, restored: (keys) => restored.push(...keys) });
    const keys = await admin.keys(`${prefix}*`);
    await admin.del(...keys);
    await until(() => restored.includes('s:two:helper'), 'written again');
    expect(await c.has('s:two:helper')).toBe(true);
  });
});
