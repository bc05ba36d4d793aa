/** The client core of per-session ICE servers, on a fake clock and timer. */
import { describe, expect, it } from 'vitest';
import type { IceServer } from './signaling.js';
import { SessionIce } from './sessionIce.js';

function world() {
  let now = 1_000_000;
  const timers: { at: number; run: () => void }[] = [];
  const requests: number[] = [];
  let hello: IceServer[] | null = [{ urls: 'stun:hello.example' }];
  const ice = new SessionIce('s1', {
    request: () => requests.push(now),
    fallback: () => hello,
    schedule: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer) >>> 0, 1);
    },
    now: () => now,
  });
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.run();
    }
  };
  return { ice, requests, timers, advance, setHello: (s: IceServer[] | null) => (hello = s) };
}

const turn = (name: string): IceServer[] => [{ urls: 'turn:t.example:3478', username: name, credential: 'c' }];

describe('SessionIce', () => {
  it("uses the hello's servers until the session's arrive, then those", () => {
    const { ice, setHello } = world();
    expect(ice.servers).toEqual([{ urls: 'stun:hello.example' }]);
    expect(ice.stale).toBe(true);
    ice.receive({ iceServers: turn('a'), ttlSeconds: 600 });
    setHello([]);
    expect(ice.servers).toEqual(turn('a'));
    expect(ice.stale).toBe(false);
  });

  it('asks again at half the lifetime, and is stale from then until the answer', () => {
    const { ice, requests, advance } = world();
    ice.receive({ iceServers: turn('a'), ttlSeconds: 600 });
    advance(299_999);
    expect(requests).toEqual([]);
    expect(ice.stale).toBe(false);
    advance(1);
    expect(requests).toHaveLength(1);
    expect(ice.stale).toBe(true);
    ice.receive({ iceServers: turn('b'), ttlSeconds: 600 });
    expect(ice.stale).toBe(false);
    expect(ice.servers).toEqual(turn('b'));
  });

  it('fresh(): answers at once while fresh; when stale asks and waits for the answer', async () => {
    const { ice, requests, advance } = world();
    ice.receive({ iceServers: turn('a'), ttlSeconds: 600 });
    expect(await ice.fresh()).toEqual(turn('a'));
    expect(requests).toHaveLength(0);
    advance(300_000); // the refresh timer asked once; its answer was lost
    const pending = ice.fresh(2000);
    expect(requests).toHaveLength(2);
    ice.receive({ iceServers: turn('b'), ttlSeconds: 600 });
    expect(await pending).toEqual(turn('b'));
  });

  it('fresh(): with no answer in time, goes on with what it has', async () => {
    const { ice, advance } = world();
    ice.receive({ iceServers: turn('a'), ttlSeconds: 60 });
    advance(30_000);
    const pending = ice.fresh(2000);
    advance(2000);
    expect(await pending).toEqual(turn('a'));
  });

  it('never goes stale or asks again without a lifetime (no TURN), and tells listeners of each answer', () => {
    const { ice, requests, timers, advance } = world();
    const seen: IceServer[][] = [];
    ice.onChange((servers) => seen.push(servers));
    ice.receive({ iceServers: [{ urls: 'stun:s.example' }], ttlSeconds: null });
    advance(10 * 86_400_000);
    expect(ice.stale).toBe(false);
    expect(requests).toEqual([]);
    expect(timers).toEqual([]);
    expect(seen).toEqual([[{ urls: 'stun:s.example' }]]);
  });

  it('close() stops refreshing and releases a waiter', async () => {
    const { ice, requests, timers } = world();
    ice.receive({ iceServers: turn('a'), ttlSeconds: 600 });
    ice.close();
    expect(timers).toEqual([]);
    ice.ask();
    expect(requests).toEqual([]);
    expect(await ice.fresh()).toEqual(turn('a'));
  });
});
