import { describe, expect, it } from 'vitest';
import {
  BURST_MS,
  MAX_QUEUE_BYTES,
  MAX_WAIT_MS,
  RASTER_MS_PER_PIXEL,
  SHARE,
  TileWorkBudget,
  type HandledWork,
} from './tileWorkBudget';

/**
 * A budget on a clock of its own: handling a message advances the clock by the work it says it
 * took (its first byte, in ms), timers fire when `advance` passes them.
 */
function rig(draw = 0) {
  let now = 0;
  let timers: { at: number; callback: () => void }[] = [];
  const handled: number[] = [];
  const shedCounts: number[] = [];
  const budget = new TileWorkBudget(
    (data): HandledWork => {
      const id = new DataView(data).getUint32(0);
      handled.push(id);
      now += new DataView(data).getUint32(4) / 1000;
      return { drawnPixels: draw };
    },
    {
      onShed: (count) => shedCounts.push(count),
      now: () => now,
      later: (callback, ms) => {
        const timer = { at: now + ms, callback };
        timers.push(timer);
        return () => {
          timers = timers.filter((t) => t !== timer);
        };
      },
    },
  );
  /** A message numbered `id` whose handling takes `ms`, of `bytes` bytes. */
  const message = (id: number, ms: number, bytes = 16) => {
    const data = new ArrayBuffer(Math.max(8, bytes));
    new DataView(data).setUint32(0, id);
    new DataView(data).setUint32(4, Math.round(ms * 1000));
    return data;
  };
  /** Lets `ms` pass, firing due timers in order. */
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const next = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      timers = timers.filter((t) => t !== next);
      now = Math.max(now, next.at);
      next.callback();
    }
    now = Math.max(now, until);
  };
  return { budget, message, advance, handled, shedCounts, time: () => now, pending: () => timers.length };
}

describe('TileWorkBudget', () => {
  it('handles an honest first picture in the first task after it came: 94 messages of 1.5 ms', () => {
    const r = rig();
    for (let i = 1; i <= 94; i++) r.budget.push(r.message(i, 1.5));
    // Never in the task that delivered a message.
    expect(r.handled).toHaveLength(0);
    expect(r.pending()).toBe(1);
    r.advance(0);
    expect(r.handled).toHaveLength(94);
    expect(r.budget.stats).toEqual({ handled: 94, shed: 0 });
  });

  it('past the burst, gives the tiles no more than their share of the time, in order', () => {
    const r = rig();
    // A sender that keeps 10 ms messages coming every millisecond for 5 s.
    for (let t = 0, id = 1; t < 5000; t++, id++) {
      r.budget.push(r.message(id, 10));
      r.advance(1);
    }
    const work = r.handled.length * 10;
    // The burst, then at most SHARE of the time (one message of slack: the budget is as fine as a message);
    // and not much less either (the timer waits only until the bucket is back above zero).
    expect(work).toBeLessThanOrEqual(BURST_MS + SHARE * r.time() + 10);
    expect(work).toBeGreaterThan(SHARE * r.time() * 0.9);
    expect([...r.handled].sort((a, b) => a - b)).toEqual(r.handled);
    expect(r.budget.stats.shed).toBeGreaterThan(0);
  });

  it('leaves no backlog: a flood that stops is worked off within about a second', () => {
    const r = rig();
    for (let id = 1; id <= 20_000; id++) {
      r.budget.push(r.message(id, 16, 800));
      if (id % 20 === 0) r.advance(1);
    }
    const stoppedAt = r.time();
    r.advance(MAX_WAIT_MS + 100);
    expect(r.budget.waiting).toBe(0);
    expect(r.pending()).toBe(0);
    // Whatever was still handled after the stop fits into the wait bound.
    expect(r.time() - stoppedAt).toBeLessThanOrEqual(MAX_WAIT_MS + 100);
    expect(r.budget.stats.shed).toBeGreaterThan(19_000);
  });

  it('sheds a message that waited too long, unread, and keeps the later ones', () => {
    const r = rig();
    // One message of 1,350 ms: it refills 675 of its own, the bucket owes 525 ms, paid back in 1.05 s (t = 2,400).
    r.budget.push(r.message(1, 1350));
    r.advance(0);
    r.budget.push(r.message(2, 1)); // waits from t = 1,350: 1.05 s by then
    r.advance(650);
    r.budget.push(r.message(3, 1)); // waits from t = 2,000: 0.4 s by then
    r.advance(4000);
    expect(r.handled).toEqual([1, 3]);
    expect(r.budget.stats.shed).toBe(1);
    expect(r.shedCounts).toEqual([1]);
  });

  it('bounds the queue in bytes', () => {
    const r = rig();
    r.budget.push(r.message(1, 2 * BURST_MS + 100));
    r.advance(0);
    const big = 1024 * 1024;
    for (let id = 2; id < 2 + MAX_QUEUE_BYTES / big + 3; id++) r.budget.push(r.message(id, 1, big));
    expect(r.budget.waiting).toBe(MAX_QUEUE_BYTES / big);
    expect(r.budget.stats.shed).toBe(3);
    expect(r.shedCounts).toEqual([1, 2, 3]);
  });

  it('counts the drawing a message leaves for later: full-screen fills cost without taking time now', () => {
    // Eight 1280 × 720 fills per message, as cheap to ask for as 0.01 ms.
    const r = rig(8 * 1280 * 720);
    for (let t = 0, id = 1; t < 2000; t++, id++) {
      r.budget.push(r.message(id, 0.01));
      r.advance(1);
    }
    const perMessage = 0.01 + 8 * 1280 * 720 * RASTER_MS_PER_PIXEL;
    expect(r.handled.length * perMessage).toBeLessThanOrEqual(BURST_MS + SHARE * r.time() + perMessage);
    expect(r.handled.length).toBeLessThan(300);
  });

  it('does nothing once disposed: what waits is dropped, no timer stays', () => {
    const r = rig();
    r.budget.push(r.message(1, 2 * BURST_MS + 50));
    r.advance(0);
    r.budget.push(r.message(2, 1));
    expect(r.pending()).toBe(1);
    r.budget.dispose();
    r.budget.push(r.message(3, 1));
    r.advance(5000);
    expect(r.handled).toEqual([1]);
    expect(r.pending()).toBe(0);
  });
});
