import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HeartbeatChannel, HeartbeatPeer, PathState } from './pathHealth.js';
import { HEARTBEAT_CHANNEL_ID, PathMonitor, pathReceived } from './pathHealth.js';

/** One end of a heartbeat channel: records what is sent; `hear()` delivers a message. */
class Channel implements HeartbeatChannel {
  readyState = 'open';
  sent = 0;
  onmessage: ((event: never) => void) | null = null;
  send(): void {
    // As the browser's and wrtc's channels do.
    if (this.readyState !== 'open')
      throw new DOMException("RTCDataChannel.readyState is not 'open'", 'InvalidStateError');
    this.sent += 1;
  }
  close(): void {
    this.readyState = 'closed';
  }
  hear(): void {
    this.onmessage?.({} as never);
  }
}

function monitor() {
  const channel = new Channel();
  const init: unknown[] = [];
  const peer: HeartbeatPeer = {
    createDataChannel: (_label, options) => {
      init.push(options);
      return channel;
    },
  };
  const states: PathState[] = [];
  const m = new PathMonitor(peer, (state) => states.push(state), { intervalMs: 100, deadAfterMs: 500 });
  return { m, channel, states, init };
}

describe('PathMonitor', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('negotiates one unordered, never-retransmitted channel and sends on every tick', () => {
    const { m, channel, init } = monitor();
    expect(init).toEqual([{ negotiated: true, id: HEARTBEAT_CHANNEL_ID, ordered: false, maxRetransmits: 0 }]);
    vi.advanceTimersByTime(1000);
    expect(channel.sent).toBe(10);
    m.close();
  });

  it('runs onTick after each beat on the same timer, so that a caller wakes once per beat', () => {
    const channel = new Channel();
    const order: string[] = [];
    const sendBeat = channel.send.bind(channel);
    channel.send = () => {
      order.push('beat');
      sendBeat();
    };
    const m = new PathMonitor({ createDataChannel: () => channel }, () => undefined, {
      intervalMs: 100,
      onTick: () => order.push('tick'),
    });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(300);
    expect(order).toEqual(['beat', 'tick', 'beat', 'tick', 'beat', 'tick']);
    m.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(300);
    expect(order).toHaveLength(6);
  });

  it('sends without asking the channel its state, and a channel not open yet only loses those beats', () => {
    const channel = new Channel();
    let reads = 0;
    const watched = new Proxy(channel, {
      get: (target, key, receiver) => {
        if (key === 'readyState') reads++;
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as () => void).bind(target) : value;
      },
    });
    const m = new PathMonitor({ createDataChannel: () => watched }, () => undefined, { intervalMs: 100 });
    channel.readyState = 'connecting';
    vi.advanceTimersByTime(300);
    expect(channel.sent).toBe(0);
    channel.readyState = 'open';
    vi.advanceTimersByTime(300);
    expect(channel.sent).toBe(3);
    expect(reads).toBe(0);
    m.close();
  });

  it('is up at the first heartbeat and down after the silence limit, up again when heard', () => {
    const { m, channel, states } = monitor();
    vi.advanceTimersByTime(2000);
    expect(m.state).toBe('unknown'); // silence before anything was heard is not a dead path
    channel.hear();
    vi.advanceTimersByTime(500);
    expect(m.state).toBe('up');
    vi.advanceTimersByTime(200);
    expect(m.state).toBe('down');
    channel.hear();
    expect(states).toEqual(['up', 'down', 'up']);
    m.close();
  });

  it('goes down when told the other side restarts ICE, before its own limit, and up at the next heartbeat', () => {
    const { m, channel, states } = monitor();
    m.markDown(); // nothing heard yet: nothing to declare dead
    expect(m.state).toBe('unknown');
    channel.hear();
    vi.advanceTimersByTime(100);
    m.markDown();
    expect(m.state).toBe('down');
    m.markDown();
    channel.hear();
    expect(states).toEqual(['up', 'down', 'up']);
    m.close();
  });

  describe('phase', () => {
    /** Times (fake clock, ms) at which a monitor with a 100 ms interval sent, hearing at `hearAt`. */
    function beats(phase: 'lead' | 'follow' | undefined, hearAt: number[], until: number): number[] {
      const channel = new Channel();
      const sentAt: number[] = [];
      channel.send = () => sentAt.push(Math.round(performance.now() - start));
      const start = performance.now();
      const m = new PathMonitor({ createDataChannel: () => channel }, () => undefined, {
        intervalMs: 100,
        deadAfterMs: 500,
        ...(phase ? { phase } : {}),
      });
      let t = 0;
      for (const at of hearAt) {
        vi.advanceTimersByTime(at - t);
        t = at;
        channel.hear();
      }
      vi.advanceTimersByTime(until - t);
      m.close();
      return sentAt;
    }

    it('leads on its own clock by default, whatever it hears', () => {
      expect(beats(undefined, [30, 130, 230], 500)).toEqual([100, 200, 300, 400, 500]);
    });

    it('follows: beats half an interval after each heartbeat heard, on its own interval when none comes', () => {
      // The peer beats at 30, 130, 230: this side answers 50 ms after each, then keeps its interval.
      expect(beats('follow', [30, 130, 230], 500)).toEqual([80, 180, 280, 380, 480]);
      // Heard just before its own beat: the beat moves later, to half an interval after the one heard.
      expect(beats('follow', [95, 195], 400)).toEqual([145, 245, 345]);
    });

    it('a follower cannot be held back by heartbeats faster than its interval: at most one and a half apart', () => {
      const hearAt = Array.from({ length: 100 }, (_, i) => 5 + i * 10); // every 10 ms for a second
      const sent = beats('follow', hearAt, 1000);
      const gaps = sent.map((at, i) => at - (sent[i - 1] ?? 0));
      expect(Math.max(...gaps)).toBeLessThanOrEqual(150);
      expect(sent.length).toBeGreaterThanOrEqual(6);
    });
  });

  it('gives no verdict on a tick that came late (this side stalled): queued heartbeats go first', () => {
    const channel = new Channel();
    const states: PathState[] = [];
    let skew = 0;
    const m = new PathMonitor({ createDataChannel: () => channel }, (state) => states.push(state), {
      intervalMs: 100,
      deadAfterMs: 500,
      now: () => performance.now() + skew,
    });
    channel.hear();
    vi.advanceTimersByTime(100);
    // The whole thread stands still for 2 s: the next tick comes 2 s late.
    skew = 2000;
    vi.advanceTimersByTime(100);
    expect(m.state).toBe('up');
    channel.hear(); // the heartbeats that waited behind the tick
    vi.advanceTimersByTime(300);
    expect(states).toEqual(['up']);
    // Without heartbeats after that, it goes down as usual.
    vi.advanceTimersByTime(600);
    expect(m.state).toBe('down');
    m.close();
  });

  describe('a late heartbeat with the transport still receiving', () => {
    /** A peer whose selected pair has received `packets` (what `getStats` reports). */
    function withStats(fail = false) {
      const channel = new Channel();
      const link = { packets: 0, pair: 'P1', reads: 0 };
      const peer: HeartbeatPeer = {
        createDataChannel: () => channel,
        getStats: () => {
          link.reads += 1;
          if (fail) return Promise.reject(new Error('no stats'));
          const entries = [
            { id: 'T', type: 'transport', selectedCandidatePairId: link.pair },
            { id: link.pair, type: 'candidate-pair', packetsReceived: link.packets },
            // A spare pair that still works must not count.
            { id: 'SPARE', type: 'candidate-pair', packetsReceived: 1000 + link.packets * 7 },
          ];
          return Promise.resolve({ forEach: (cb: (s: object) => void) => entries.forEach(cb) });
        },
      };
      const states: PathState[] = [];
      const m = new PathMonitor(peer, (state) => states.push(state), { intervalMs: 100, deadAfterMs: 500 });
      return { m, channel, states, link };
    }

    it('stays up while packets arrive on the selected pair (a busy peer), and goes down when they stop', async () => {
      const { m, channel, states, link } = withStats();
      channel.hear();
      for (let i = 0; i < 30; i++) {
        link.packets += 3; // the peer's network thread acknowledges our data; its heartbeats are stuck
        await vi.advanceTimersByTimeAsync(100);
      }
      expect(m.state).toBe('up');
      expect(link.reads).toBeGreaterThan(20);
      // Now nothing arrives at all: a dead path, told within the silence limit plus a probe.
      await vi.advanceTimersByTimeAsync(700);
      expect(m.state).toBe('down');
      expect(states).toEqual(['up', 'down']);
      m.close();
    });

    it('does not read stats while heartbeats are on time', async () => {
      const { m, channel, link } = withStats();
      for (let i = 0; i < 20; i++) {
        channel.hear();
        await vi.advanceTimersByTimeAsync(100);
      }
      expect(link.reads).toBe(0);
      m.close();
    });

    it('goes down as before when the path dies: no heartbeat, no packets', async () => {
      const { m, channel, states } = withStats();
      channel.hear();
      await vi.advanceTimersByTimeAsync(600);
      expect(m.state).toBe('down');
      expect(states).toEqual(['up', 'down']);
      m.close();
    });

    it('takes a newly selected pair for a new baseline, not for proof of life', async () => {
      const { m, channel, link } = withStats();
      channel.hear();
      await vi.advanceTimersByTimeAsync(300);
      link.pair = 'P2';
      link.packets += 50;
      await vi.advanceTimersByTimeAsync(400);
      expect(m.state).toBe('down');
      m.close();
    });

    it('lets silence decide when stats fail', async () => {
      const { m, channel } = withStats(true);
      channel.hear();
      await vi.advanceTimersByTimeAsync(600);
      expect(m.state).toBe('down');
      m.close();
    });

    it('reads packets, else bytes, of the selected pairs only', async () => {
      const report = (entries: object[]) => ({
        createDataChannel: () => new Channel(),
        getStats: () => Promise.resolve({ forEach: (cb: (s: object) => void) => entries.forEach(cb) }),
      });
      expect(
        await pathReceived(
          report([
            { id: 'T', type: 'transport', selectedCandidatePairId: 'A' },
            { id: 'A', type: 'candidate-pair', bytesReceived: 900 },
            { id: 'B', type: 'candidate-pair', packetsReceived: 5 },
          ]),
        ),
      ).toEqual({ pair: 'A', received: 900 });
      expect(await pathReceived(report([{ id: 'T', type: 'transport' }]))).toBeNull();
      expect(await pathReceived({ createDataChannel: () => new Channel() })).toBeNull();
    });
  });
});
