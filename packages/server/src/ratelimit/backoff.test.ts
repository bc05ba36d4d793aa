import { describe, expect, it } from 'vitest';
import { Backoff, MemoryBackoffStore } from './backoff.js';

function setup() {
  let now = 1_000_000;
  const clock = { now: () => now };
  const backoff = new Backoff(new MemoryBackoffStore(clock), clock, {
    freeFailures: 3,
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    resetAfterMs: 600_000,
  });
  return { backoff, advance: (ms: number) => (now += ms) };
}

describe('growing back-off', () => {
  it('allows the free failures, then doubles the wait each time up to the cap', async () => {
    const { backoff } = setup();
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) waits.push(await backoff.fail(['k']));
    expect(waits).toEqual([0, 0, 0, 1, 2, 4, 8, 16, 32, 60]);
  });

  it('blocks until the wait is over, then allows again', async () => {
    const { backoff, advance } = setup();
    for (let i = 0; i < 5; i++) await backoff.fail(['k']);
    expect(await backoff.retryAfterSeconds(['k'])).toBe(2);
    advance(1500);
    expect(await backoff.retryAfterSeconds(['k'])).toBe(1);
    advance(600);
    expect(await backoff.retryAfterSeconds(['k'])).toBe(0);
  });

  it('keeps keys apart and reports the longest wait of several', async () => {
    const { backoff } = setup();
    for (let i = 0; i < 6; i++) await backoff.fail(['a']);
    expect(await backoff.retryAfterSeconds(['b'])).toBe(0);
    expect(await backoff.retryAfterSeconds(['b', 'a'])).toBe(4);
  });

  it('starts over after a quiet period or a reset', async () => {
    const { backoff, advance } = setup();
    for (let i = 0; i < 6; i++) await backoff.fail(['k']);
    advance(600_001);
    expect(await backoff.fail(['k'])).toBe(0);
    for (let i = 0; i < 6; i++) await backoff.fail(['j']);
    await backoff.reset(['j']);
    expect(await backoff.retryAfterSeconds(['j'])).toBe(0);
  });
});
