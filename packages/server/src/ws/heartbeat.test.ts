/**
 * The heartbeat's pings go out in chunks with I/O between them; a living socket silent for more
 * than a beat is pinged once per beat, one heard from lately is not, the dead are closed in one
 * pass within a quarter beat of their deadline, and a check that the next one overtakes sends
 * its remaining pings first.
 */
import { expect, it } from 'vitest';
import type { Connection } from './connection.js';
import { CHECKS_PER_BEAT, Heartbeat, PING_CHUNK, PING_IF_SILENT_FOR } from './heartbeat.js';

interface Fake {
  lastPongAt: number;
  lastPingAt: number;
  open: boolean;
  pings: number;
  terminated: boolean;
  socket: { ping(): void; terminate(): void };
}

function fakes(n: number, lastPongAt: number): Fake[] {
  return Array.from({ length: n }, () => {
    const f: Fake = {
      lastPongAt,
      lastPingAt: 0,
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
const BEAT = 1000;
const CHECK = BEAT / CHECKS_PER_BEAT;

it('pings every silent living socket once, a chunk per turn of the loop, and closes the dead', async () => {
  const now = Date.now();
  const living = fakes(2 * PING_CHUNK + 7, now - 1500);
  const dead = fakes(3, now - 10_000);
  const all = [...living, ...dead];
  const hb = new Heartbeat({ intervalMs: BEAT, deadAfterMs: 2500, connections: () => all as unknown as Connection[] });
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

it('sends what a check has left before the next check, and pings a silent socket once per beat', async () => {
  const now = Date.now();
  const living = fakes(3 * PING_CHUNK, now - 1500);
  const hb = new Heartbeat({
    intervalMs: BEAT,
    deadAfterMs: 2500,
    connections: () => living as unknown as Connection[],
  });
  hb.start();
  hb.tick(now);
  await turn();
  expect(living.filter((f) => f.pings === 1)).toHaveLength(PING_CHUNK);
  // The next check comes before this one's other chunks had their turns: they go out at once.
  hb.tick(now + CHECK);
  expect(living.every((f) => f.pings === 1)).toBe(true);
  for (let i = 0; i < 4; i++) await turn();
  // Pinged less than a beat ago: not again at this check.
  expect(living.every((f) => f.pings === 1)).toBe(true);
  // A beat after the ping, still silent (and not dead yet): pinged again.
  for (const f of living) f.lastPingAt -= BEAT;
  hb.tick(now + 2 * CHECK);
  for (let i = 0; i < 4; i++) await turn();
  expect(living.every((f) => f.pings === 2)).toBe(true);
  hb.stop();
});

it('pings a socket only when it was silent for more than a beat, and closes it within a check of its deadline', async () => {
  const [talking, quiet] = [fakes(1, Date.now() - 150)[0]!, fakes(1, Date.now() - BEAT * PING_IF_SILENT_FOR)[0]!];
  const hb = new Heartbeat({
    intervalMs: BEAT,
    deadAfterMs: 2600,
    connections: () => [talking, quiet] as unknown as Connection[],
  });
  // The verdict reads the clock itself: a check later is every time a check earlier.
  const check = async () => {
    hb.tick(Date.now());
    await turn();
    for (const f of [talking, quiet]) {
      f.lastPongAt -= CHECK;
      f.lastPingAt -= CHECK;
    }
  };
  hb.start();
  await check();
  // A frame 150 ms ago (or the web app's ping a beat ago) shows it is alive: no ping. Silent for 1.25 beats: pinged.
  expect([talking.pings, quiet.pings]).toEqual([0, 1]);
  // Neither answers from now on (each line: one check later, the silence of talking / quiet in ms).
  for (let i = 0; i < 3; i++) await check(); // 400 / 1500 … 900 / 2000: nobody is due
  expect([talking.pings, quiet.pings]).toEqual([0, 1]);
  await check(); // 1150 / 2250: quiet is pinged again, a beat after the first
  expect([talking.pings, quiet.pings]).toEqual([0, 2]);
  await check(); // 1400 / 2500: talking is pinged; quiet is not past its 2600 ms yet
  expect([talking.pings, quiet.pings, Number(quiet.terminated)]).toEqual([1, 2, 0]);
  await check(); // 1650 / 2750: quiet is closed, a check after its deadline
  expect([talking.terminated, quiet.terminated]).toEqual([false, true]);
  for (let i = 0; i < 3; i++) await check(); // 1900 … 2400: talking pinged again at 2400
  expect([talking.pings, Number(talking.terminated)]).toEqual([2, 0]);
  await check(); // 2650
  expect(talking.terminated).toBe(true);
  hb.stop();
});
