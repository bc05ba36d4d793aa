import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessBus } from '../bus/bus.js';
import { checkBusMessage } from '../bus/messages.js';
import { MediaWatch, hasMediaPath, pathTopic } from './mediaWatch.js';

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

  describe('on several nodes (a bus that crosses them)', () => {
    /** Two nodes' watches on one bus that delivers to both (as Redis does), and what was published. */
    const nodes = () => {
      const bus = Object.assign(new InProcessBus(), { crossesNodes: true as const });
      const published: [string, unknown][] = [];
      const publish = bus.publish.bind(bus);
      bus.publish = (topic, message) => {
        published.push([topic, message]);
        return publish(topic, message);
      };
      const lost: [string, string][] = [];
      const onLost = (id: string, role: string) => lost.push([id, role]);
      const a = new MediaWatch({ graceMs: 1000, onLost, bus });
      const b = new MediaWatch({ graceMs: 1000, onLost });
      b.share(bus);
      return { a, b, bus, lost, published };
    };

    it('an up reported on another node cancels the timer where it runs', async () => {
      const { a, b, lost } = nodes();
      a.report('s1', 'helper', 'down');
      await vi.advanceTimersByTimeAsync(500);
      b.report('s1', 'sharer', 'up'); // B has no timer of its own for s1
      await vi.advanceTimersByTimeAsync(1);
      expect(a.isDown('s1')).toBe(false);
      await vi.advanceTimersByTimeAsync(5000);
      expect(lost).toEqual([]);
    });

    it('a session without a path any more (forget) on another node cancels it too; other sessions keep theirs', async () => {
      const { a, b, lost } = nodes();
      a.report('s1', 'helper', 'down');
      a.report('s2', 'helper', 'down');
      b.forget('s1');
      await vi.advanceTimersByTimeAsync(1000);
      expect(lost).toEqual([['s2', 'helper']]);
    });

    it('a node’s own up, heard back from the bus, does not cancel a down reported after it', async () => {
      const { a, lost } = nodes();
      a.report('s1', 'helper', 'up');
      a.report('s1', 'helper', 'down'); // before the up's announcement comes back
      await vi.advanceTimersByTimeAsync(1000);
      expect(lost).toEqual([['s1', 'helper']]);
    });

    it('announces what settles a path, in the shape the bus checks, and listens only while a timer runs', async () => {
      const { a, bus, published } = nodes();
      const listeners = () =>
        (bus as unknown as { emitter: { listenerCount(t: string): number } }).emitter.listenerCount(pathTopic('s1'));
      a.report('s1', 'helper', 'down');
      expect(listeners()).toBe(1);
      a.report('s1', 'sharer', 'up');
      expect(listeners()).toBe(0);
      a.forget('s1');
      expect(published.map(([topic]) => topic)).toEqual(['session:s1:path', 'session:s1:path']);
      for (const [topic, message] of published) expect(checkBusMessage(topic, message)).toMatchObject({ ok: true });
      expect(published.map(([, m]) => (m as { state: string }).state)).toEqual(['up', 'none']);
      expect(checkBusMessage('session:s1:path', { node: 'n', state: 'down' })).toMatchObject({ ok: false });
      a.report('s1', 'helper', 'down');
      a.close();
      expect(listeners()).toBe(0);
    });

    it('a bus that stays in this process is not used: nothing is published', async () => {
      const bus = new InProcessBus();
      const publish = vi.spyOn(bus, 'publish');
      const w = new MediaWatch({ graceMs: 1000, onLost: () => undefined, bus });
      w.report('s1', 'helper', 'down');
      w.report('s1', 'helper', 'up');
      w.forget('s1');
      expect(publish).not.toHaveBeenCalled();
    });
  });
});
