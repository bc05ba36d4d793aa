import { describe, expect, it } from 'vitest';
import { FrameCoalescer } from './frameCoalescer';

function frames() {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  return {
    schedule: (callback: () => void) => {
      callbacks.set(next, callback);
      return next++;
    },
    unschedule: (handle: number) => callbacks.delete(handle),
    run: () => {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const callback of due) callback();
    },
    get waiting() {
      return callbacks.size;
    },
  };
}

describe('FrameCoalescer', () => {
  it('delivers only the latest value, once per frame', () => {
    const clock = frames();
    const seen: number[] = [];
    const coalescer = new FrameCoalescer<number>((value) => seen.push(value), clock.schedule, clock.unschedule);
    coalescer.push(1);
    coalescer.push(2);
    coalescer.push(3);
    expect(clock.waiting).toBe(1);
    clock.run();
    expect(seen).toEqual([3]);
    clock.run();
    expect(seen).toEqual([3]);
    coalescer.push(4);
    clock.run();
    expect(seen).toEqual([3, 4]);
  });

  it('flushes now and cancels', () => {
    const clock = frames();
    const seen: (number | null)[] = [];
    const coalescer = new FrameCoalescer<number | null>((value) => seen.push(value), clock.schedule, clock.unschedule);
    coalescer.push(null);
    coalescer.flush();
    expect(seen).toEqual([null]);
    expect(clock.waiting).toBe(0);
    coalescer.push(5);
    coalescer.cancel();
    clock.run();
    coalescer.flush();
    expect(seen).toEqual([null]);
  });
});
