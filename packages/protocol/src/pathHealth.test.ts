import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HeartbeatChannel, HeartbeatPeer, PathState } from './pathHealth.js';
import { HEARTBEAT_CHANNEL_ID, PathMonitor } from './pathHealth.js';

/** One end of a heartbeat channel: records what is sent; `hear()` delivers a message. */
class Channel implements HeartbeatChannel {
  readyState = 'open';
  sent = 0;
  onmessage: ((event: never) => void) | null = null;
  send(): void {
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
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('negotiates one unordered, never-retransmitted channel and sends on every tick', () => {
    const { m, channel, init } = monitor();
    expect(init).toEqual([{ negotiated: true, id: HEARTBEAT_CHANNEL_ID, ordered: false, maxRetransmits: 0 }]);
    vi.advanceTimersByTime(1000);
    expect(channel.sent).toBe(10);
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
});
