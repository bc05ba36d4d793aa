/**
 * Choosing what the nodes share: `REDIS_URL` and `REDIS_PREFIX` are checked with errors that
 * name the variable and say what would work; without `REDIS_URL` everything stays in process
 * and in the database (the embedded default needs no Redis).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { SqlReplayCache } from '../devices/deviceAuth.js';
import { SqlBackoffStore } from '../ratelimit/store.js';
import { systemClock } from '../time.js';
import { InProcessBus } from './bus.js';
import { activeSessionRow } from '../test/sessionRow.js';
import { checkBusMessage } from './messages.js';
import { MemoryPresenceDirectory } from './presenceDirectory.js';
import { reconnectDelay } from './redisClient.js';
import { openSharedState } from './sharedState.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('Redis configuration', () => {
  it('is off by default and takes a redis:// or rediss:// URL with a prefix', () => {
    expect(loadConfig({}).redis).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2' }).redis).toEqual({
      url: 'redis://127.0.0.1:6379/2',
      prefix: 'rh:',
    });
    expect(loadConfig({ REDIS_URL: 'rediss://cache.example.org:6380', REDIS_PREFIX: 'rh:prod:' }).redis).toEqual({
      url: 'rediss://cache.example.org:6380',
      prefix: 'rh:prod:',
    });
  });

  it('names the variable and says what would work', () => {
    expect(problemsOf({ REDIS_URL: 'http://127.0.0.1:6379' })).toEqual([
      'REDIS_URL: must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
    ]);
    expect(problemsOf({ REDIS_URL: '127.0.0.1:6379' })[0]).toMatch(/^REDIS_URL: must be a redis:\/\//);
    expect(problemsOf({ REDIS_URL: 'redis://127.0.0.1', REDIS_PREFIX: 'rh prod*' })[0]).toMatch(
      /^REDIS_PREFIX: must be 1–64 letters, digits or :_.-/,
    );
  });
});

describe('shared state without Redis', () => {
  it('keeps the bus and presence in process and the replay cache and counters in the database', async () => {
    const db = openDatabase({ kind: 'sqlite', file: ':memory:' });
    const shared = openSharedState(null, {
      db,
      devices: { rememberProof: async () => true, sweepProofs: async () => 0 },
      clock: systemClock,
    });
    expect(shared.bus).toBeInstanceOf(InProcessBus);
    expect(shared.directory).toBeInstanceOf(MemoryPresenceDirectory);
    expect(shared.backoffStore).toBeInstanceOf(SqlBackoffStore);
    expect(shared.replay).toBeInstanceOf(SqlReplayCache);
    await shared.close();
    await db.destroy();
  });
});

describe('bus messages between nodes', () => {
  it('accepts what each topic carries and refuses anything else', () => {
    expect(checkBusMessage('session:abc', { type: 'changed', tenantId: 't', id: 'abc' }).ok).toBe(true);
    expect(checkBusMessage('session:abc', { type: 'drop tables' }).ok).toBe(false);
    const signal = { from: 'sharer', payload: { kind: 'ice', candidate: null }, arrivedAt: 1.5 };
    expect(checkBusMessage('session:abc:to:helper', signal)).toEqual({ ok: true, message: signal });
    expect(checkBusMessage('session:abc:to:helper', { from: 'sharer', payload: { kind: 'html' } }).ok).toBe(false);
    expect(checkBusMessage('session:abc:typing', { from: 'helper', typing: 'yes' }).ok).toBe(false);
    expect(checkBusMessage('device:d1', { type: 'launch_cancelled', sessionId: 's', reason: 'ended' }).ok).toBe(true);
    expect(checkBusMessage('elsewhere', {}).ok).toBe(false);
  });

  it('keeps a session change whose carried row or people do not fit, without them (the receiver loads)', () => {
    const row = { ...activeSessionRow(4, '2026-12-06T00:00:02.000Z'), id: 'abc', tenant_id: 't' };
    const change = { type: 'changed', tenantId: 't', id: 'abc', version: 4 };
    const whole = checkBusMessage('session:abc', { ...change, row, people: { helper: null, sharer: null } });
    expect(whole).toEqual({ ok: true, message: { ...change, row, people: { helper: null, sharer: null } } });
    // A row of another version of the schema (a column missing) or a card without its fields: dropped, the change kept.
    const { version: _dropped, ...noVersion } = row;
    const odd = checkBusMessage('session:abc', {
      ...change,
      row: noVersion,
      people: { helper: { id: 'h' }, sharer: null },
    });
    expect(odd).toEqual({ ok: true, message: change });
  });

  it('backs off reconnects from 50 ms, doubling up to 2 s, with jitter', () => {
    expect([1, 2, 3, 6, 7, 20].map((times) => reconnectDelay(times, () => 0.5))).toEqual([
      50, 100, 200, 1600, 2000, 2000,
    ]);
    expect(reconnectDelay(1, () => 0)).toBe(38);
    expect(reconnectDelay(20, () => 1)).toBe(2500);
  });
});

describe('the in-process bus', () => {
  it('logs a handler that throws and still delivers to the others, without an uncaught exception', async () => {
    const bus = new InProcessBus();
    const warned: string[] = [];
    bus.log = { warn: (details, message) => warned.push(`${(details as { topic: string }).topic}: ${message}`) };
    const got: unknown[] = [];
    bus.subscribe('session:s1', () => {
      throw new Error('a subscriber bug');
    });
    bus.subscribe('session:s1', (message) => got.push(message));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      await bus.publish('session:s1', { type: 'changed' });
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(got).toEqual([{ type: 'changed' }]);
    expect(warned).toEqual(['session:s1: a bus handler failed']);
    expect(uncaught).toEqual([]);
    await bus.close();
  });
});
