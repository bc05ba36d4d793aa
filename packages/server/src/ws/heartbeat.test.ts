/**
 * The heartbeat's pings go out in chunks with I/O between them; every living socket that was
 * silent is still pinged once per beat, one heard from lately is not, the dead are closed in one
 * pass, and a beat that the next one overtakes sends its remaining pings first.
 */
import { expect, it } from 'vitest';
import type { Connection } from './connection.js';
import { Heartbeat, PING_CHUNK, PING_IF_SILENT_FOR } from './heartbeat.js';

interface Fake {
  lastPongAt: number;
  open: boolean;
  pings: number;
  terminated: boolean;
  socket: { ping(): void; terminate(): void };
}

function fakes(n: number, lastPongAt: number): Fake[] {
  return Array.from({ length: n }, () => {
    const f: Fake = {
      lastPongAt,
      open: true,
      pings: 0,
      terminated: false,
      socket: {
        ping: () => void f.pings++,
        terminate: () => void (f.terminated = true),
      },
    };
    return f;
  });
}

const turn = () => new Promise((r) => setImmediate(r));

it('pings every living socket once per beat, a chunk per turn of the loop, and closes the dead', async () => {
  const now = Date.now();
  const living = fakes(2 * PING_CHUNK + 7, now - 1000);
  const dead = fakes(3, now - 10_000);
  const all = [...living, ...dead];
  const hb = new Heartbeat({
    intervalMs: 1000,
    deadAfterMs: 2500,
    connections: () => all as unknown as Connection[],
  });
  hb.start();
  hb.tick(now);
  await turn();
  // The verdict ran over all of them; the first chunk of pings went out.
  expect(dead.every((f) => f.terminated && f.pings === 0)).toBe(true);
  expect(living.filter((f) => f.pings === 1)).toHaveLength(PING_CHUNK);
  await turn();
  await turn();
  await turn();
  expect(living.every((f) => f.pings === 1 && !f.terminated)).toBe(true);
  hb.stop();
});

it('sends what a beat has left before the next beat starts', async () => {
  const now = Date.now();
  const living = fakes(3 * PING_CHUNK, now - 1000);
  const hb = new Heartbeat({
    intervalMs: 1000,
    deadAfterMs: 2500,
    connections: () => living as unknown as Connection[],
  });
  hb.start();
  hb.tick(now);
  await turn();
  expect(living.filter((f) => f.pings === 1)).toHaveLength(PING_CHUNK);
  // The next beat comes before this one's other chunks had their turns.
  hb.tick(now + 1000);
  expect(living.every((f) => f.pings === 1)).toBe(true);
  for (let i = 0; i < 4; i++) await turn();
  expect(living.every((f) => f.pings === 2)).toBe(true);
  hb.stop();
});

it('pings a socket only when it was silent for most of a beat, and closes it at the same bound when it stays silent', async () => {
  const [talking, quiet] = [fakes(1, Date.now() - 100)[0]!, fakes(1, Date.now() - 1000 * PING_IF_SILENT_FOR)[0]!];
  const hb = new Heartbeat({
    intervalMs: 1000,
    deadAfterMs: 2500,
    connections: () => [talking, quiet] as unknown as Connection[],
  });
  // The verdict reads the clock itself: a beat later is both sockets' last frame a beat earlier.
  const beat = async () => {
    hb.tick(Date.now());
    await turn();
    for (const f of [talking, quiet]) f.lastPongAt -= 1000;
  };
  hb.start();
  await beat();
  // A frame 100 ms ago shows it is alive: no ping. Silent for 750 ms: pinged.
  expect([talking.pings, quiet.pings]).toEqual([0, 1]);
  // Neither answers from now on: the talking one is pinged once silent, both are closed after 2.5 s.
  await beat();
  expect([talking.pings, quiet.pings]).toEqual([1, 2]);
  await beat();
  expect([talking.terminated, quiet.terminated]).toEqual([false, true]);
  await beat();
  expect([talking.terminated, quiet.terminated]).toEqual([true, true]);
  hb.stop();
});
