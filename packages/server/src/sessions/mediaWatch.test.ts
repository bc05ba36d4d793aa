import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MediaWatch, hasMediaPath } from './mediaWatch.js';

describe('MediaWatch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const watch = () => {
    const lost: [string, string][] = [];
    const w = new MediaWatch({ graceMs: 1000, onLost: (id, role) => lost.push([id, role]) });
    return { w, lost };
  };

  it('a path down for the grace is lost, once, naming the side that saw it first', () => {
    const { w, lost } = watch();
    w.report('s1', 'helper', 'down');
    vi.advanceTimersByTime(500);
    w.report('s1', 'sharer', 'down'); // the other side agrees: the grace does not start over
    vi.advanceTimersByTime(499);
    expect(lost).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(lost).toEqual([['s1', 'helper']]);
    vi.advanceTimersByTime(5000);
    expect(lost).toHaveLength(1);
    expect(w.isDown('s1')).toBe(false);
  });

  it('either side hearing the other again cancels it; sessions are apart', () => {
    const { w, lost } = watch();
    w.report('s1', 'helper', 'down');
    w.report('s2', 'sharer', 'down');
    vi.advanceTimersByTime(900);
    w.report('s1', 'sharer', 'up');
    vi.advanceTimersByTime(200);
    expect(lost).toEqual([['s2', 'sharer']]);
  });

  it('an up without a down, forget and close end nothing', () => {
    const { w, lost } = watch();
    w.report('s1', 'helper', 'up');
    w.report('s2', 'helper', 'down');
    w.forget('s2');
    w.report('s3', 'helper', 'down');
    w.close();
    w.report('s4', 'helper', 'down');
    vi.advanceTimersByTime(5000);
    expect(lost).toEqual([]);
  });

  it('only an active session whose sharer shares (or paused) has a path to lose', () => {
    expect(hasMediaPath({ state: 'active', sharer_status: 'sharing' })).toBe(true);
    expect(hasMediaPath({ state: 'active', sharer_status: 'paused' })).toBe(true);
    expect(hasMediaPath({ state: 'active', sharer_status: 'choosing' })).toBe(false);
    expect(hasMediaPath({ state: 'active', sharer_status: 'pending' })).toBe(false);
    expect(hasMediaPath({ state: 'ended', sharer_status: 'sharing' })).toBe(false);
  });
});
