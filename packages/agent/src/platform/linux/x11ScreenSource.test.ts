/**
 * Integration: real X server (Xvfb, started here on a free display), real DAMAGE,
 * MIT-SHM and GetImage, and a second X client that draws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScreenFrame } from '../types.js';
import { openPainter, type Painter } from '../../testing/xpainter.js';
import { hasCommand, startXvfb, waitFor, type Xvfb } from '../../testing/xvfb.js';
import { X11ScreenSource, type X11ScreenSourceOptions } from './x11ScreenSource.js';

const haveXvfb = hasCommand('Xvfb');
if (!haveXvfb) console.warn('Xvfb is not installed: skipping the X11 capture integration tests');

/** The 0xRRGGBB colour of a BGRX pixel. */
function rgbAt(frame: ScreenFrame, x: number, y: number): number {
  const i = y * frame.stride + x * 4;
  return ((frame.data[i + 2] ?? 0) << 16) | ((frame.data[i + 1] ?? 0) << 8) | (frame.data[i] ?? 0);
}

function covers(rects: ScreenFrame['changed'], x: number, y: number): boolean {
  return (rects ?? []).some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);
}

describe.skipIf(!haveXvfb)('X11ScreenSource under Xvfb', () => {
  let xvfb: Xvfb;
  let painter: Painter;

  beforeAll(async () => {
    xvfb = await startXvfb('1280x720x24');
    painter = await openPainter(xvfb.display);
  });

  afterAll(async () => {
    await painter?.close();
    await xvfb?.stop();
  });

  it('lists the screen as one primary display', async () => {
    const source = await X11ScreenSource.open({ display: xvfb.display });
    try {
      const displays = await source.listDisplays();
      expect(displays).toHaveLength(1);
      expect(displays[0]).toMatchObject({ primary: true, bounds: { x: 0, y: 0, width: 1280, height: 720 } });
      expect(source.detection).toBe('damage');
    } finally {
      await source.close();
    }
  });

  const variants: [string, X11ScreenSourceOptions, number][] = [
    ['DAMAGE + MIT-SHM', { detection: 'damage', readPath: 'shm' }, 0xd01020],
    ['DAMAGE + core GetImage', { detection: 'damage', readPath: 'core' }, 0x20d010],
    ['polling + frame diff', { detection: 'poll', readPath: 'shm' }, 0x1020d0],
  ];

  it.each(variants)(
    '%s: first frame, then a change event with the right pixels, then silence',
    async (_name, options, color) => {
      const source = await X11ScreenSource.open({ display: xvfb.display, ...options });
      const frames: ScreenFrame[] = [];
      let windowId = 0;
      try {
        const [display] = await source.listDisplays();
        if (!display) throw new Error('no display');
        await source.start(display.id, (f) => frames.push({ ...f, data: f.data.slice() }), { maxFps: 60 });
        await waitFor(() => frames.length >= 1, 5000, 'first frame');
        const first = frames[0] as ScreenFrame;
        expect(first).toMatchObject({ width: 1280, height: 720, stride: 1280 * 4, format: 'bgra' });
        expect(first.changed).toEqual([{ x: 0, y: 0, width: 1280, height: 720 }]);
        const outside = rgbAt(first, 20, 20);

        windowId = await painter.fill(100, 50, 200, 100, color);
        await waitFor(() => frames.some((f) => rgbAt(f, 150, 100) === color), 5000, 'the window in a frame');
        const changed = frames.find((f) => rgbAt(f, 150, 100) === color) as ScreenFrame;
        expect(rgbAt(changed, 100, 50)).toBe(color);
        expect(rgbAt(changed, 299, 149)).toBe(color);
        expect(rgbAt(changed, 300, 150)).not.toBe(color);
        expect(rgbAt(changed, 20, 20)).toBe(outside);
        expect(covers(changed.changed, 100, 50) && covers(changed.changed, 299, 149)).toBe(true);
        expect(covers(changed.changed, 1000, 600)).toBe(false);

        // Paint inside the window: a small change, reported as a small rectangle.
        await painter.paint(windowId, 10, 10, 8, 8, 0xffffff);
        await waitFor(() => frames.some((f) => rgbAt(f, 114, 64) === 0xffffff), 5000, 'the repaint');
        const repaint = frames.find((f) => rgbAt(f, 114, 64) === 0xffffff) as ScreenFrame;
        const area = (repaint.changed ?? []).reduce((sum, r) => sum + r.width * r.height, 0);
        expect(area).toBeLessThanOrEqual(options.detection === 'poll' ? 64 * 64 * 4 : 200 * 100);

        await new Promise((r) => setTimeout(r, 150));
        const settled = frames.length;
        await new Promise((r) => setTimeout(r, 400));
        expect(frames.length, 'no frames while the screen is idle').toBe(settled);
        const stats = source.stats();
        expect(stats.readPath).toBe(options.readPath);
        console.log(`[x11 capture] ${_name}: ${JSON.stringify(stats)}`);
      } finally {
        if (windowId) await painter.destroy(windowId);
        await source.close();
      }
    },
  );

  it('setMaxFps slows a running capture down, and undefined brings back the rate it started with', async () => {
    const source = await X11ScreenSource.open({ display: xvfb.display, readPath: 'shm' });
    const windowId = await painter.fill(900, 100, 64, 64, 0x000000);
    let frames = 0;
    /** Frames captured while the window is repainted continuously for `ms`. */
    const framesWhilePainting = async (ms: number) => {
      const before = frames;
      const end = performance.now() + ms;
      for (let i = 0; performance.now() < end; i++) {
        await painter.paint(windowId, 0, 0, 64, 64, i % 2 ? 0xffffff : 0x102030);
        await new Promise((r) => setTimeout(r, 4));
      }
      return frames - before;
    };
    try {
      const [display] = await source.listDisplays();
      if (!display) throw new Error('no display');
      await source.start(display.id, () => frames++, { maxFps: 60 });
      const fast = await framesWhilePainting(800);
      source.setMaxFps(4);
      const slow = await framesWhilePainting(1000);
      source.setMaxFps(undefined);
      const again = await framesWhilePainting(800);
      // 4 a second, plus the burst of 2 and a frame in flight when the rate changed.
      expect(slow).toBeLessThanOrEqual(7);
      expect(fast).toBeGreaterThan(12);
      expect(again).toBeGreaterThan(12);
    } finally {
      await painter.destroy(windowId);
      await source.close();
    }
  });

  it('a flood of small draws switches to delta damage reports, misses nothing, and goes back to raw after its probe time', async () => {
    // A probe time of 4 s (1 s in the product): on a loaded machine (a CI gate) the second flood
    // must still come while delta reports last, or it is counted raw.
    const probeMs = 4000;
    const source = await X11ScreenSource.open({ display: xvfb.display, readPath: 'shm', deltaProbeMs: probeMs });
    const at = { x: 300, y: 300 };
    const windowId = await painter.fill(at.x, at.y, 256, 256, 0x000000);
    let last: ScreenFrame | null = null;
    /**
     * A redraw of the window, then 3,000 one-pixel draws, each its own pixel, in `colour(i)`: one batch, inside a
     * server grab. Without the grab a loaded machine (a CI gate) let the capture read between the draws, and each
     * read's subtraction of the damage let the next draws report again (2,968 of 3,001 once).
     */
    const dots = Array.from({ length: 3000 }, (_, i) => [i % 256, Math.floor(i / 256) * 16 + 40, 1, 1] as const);
    const draw = (colour: (i: number) => number) =>
      painter.flood(windowId, [[0, 0, 256, 256, 0x000000], ...dots.map((d, i) => [...d, colour(i)] as const)], {
        grabServer: true,
      });
    const shows = (colour: (i: number) => number) =>
      last !== null && dots.every(([x, y], i) => rgbAt(last as ScreenFrame, at.x + x, at.y + y) === colour(i));
    try {
      const [display] = await source.listDisplays();
      if (!display) throw new Error('no display');
      await source.start(display.id, (f) => (last = f), { maxFps: 60 });
      await waitFor(() => last !== null, 5000, 'first frame');
      // Raw reports: 3,001 events before the next read, a flood.
      const first = (i: number) => (i % 3 ? 0xffffff : 0x3060c0);
      const beforeFlood = source.stats().changeEvents ?? 0;
      await draw(first);
      await waitFor(() => shows(first), 5000, 'every dot in the captured picture');
      // A read can show every dot after the first report (all were drawn under the grab): the rest of the
      // 3,001 may still be on their way, and must not be counted as the second flood's.
      const events = await settledChangeEvents(source, beforeFlood + 3001);
      expect(source.stats().changeLevelSwitches).toBe(1);
      // In delta: the dots fall in the window's redraw, already damaged: far fewer events, exact picture.
      const second = (i: number) => (i % 2 ? 0x3060c0 : 0xff8000);
      await draw(second);
      await waitFor(() => shows(second), 5000, 'every dot again');
      // Raw reports: 3,001. Delta: the redraw's report, the dots inside it none.
      expect((source.stats().changeEvents ?? 0) - events).toBeLessThan(100);
      expect(source.stats().changeLevelSwitches).toBe(1);
      // After the probe time, the next read goes back to raw reports, and changes still arrive.
      await new Promise((r) => setTimeout(r, probeMs + 100));
      await painter.paint(windowId, 10, 10, 40, 20, 0x00ff80);
      await waitFor(() => last !== null && rgbAt(last, at.x + 30, at.y + 20) === 0x00ff80, 5000, 'the paint after');
      expect(source.stats().changeLevelSwitches).toBe(2);
      // Each switch names a new damage object; from here on with ids given back, none new (a long flood
      // switches about twice a second, and a connection's ids run out).
      const taken = source.stats().resourceIdsTaken;
      const third = (i: number) => (i % 2 ? 0xffffff : 0x3060c0);
      await draw(third);
      await waitFor(() => shows(third), 5000, 'every dot a third time');
      expect(source.stats().changeLevelSwitches).toBe(3);
      expect(source.stats().resourceIdsTaken).toBe(taken);
    } finally {
      await painter.destroy(windowId);
      await source.close();
    }
  });

  /**
   * Frames the capture reads while `draw` makes `ticks` application frames in a window of its
   * own at `at` (x, y, width, height), counted from a pause after the first frame.
   */
  async function framesRead(
    options: X11ScreenSourceOptions,
    at: readonly [number, number, number, number],
    ticks: number,
    draw: (windowId: number, tick: number) => Promise<void>,
  ): Promise<{ frames: number; tailReads: number }> {
    const source = await X11ScreenSource.open({ display: xvfb.display, readPath: 'shm', ...options });
    const windowId = await painter.fill(...at, 0x000000);
    let frames = 0;
    try {
      const [display] = await source.listDisplays();
      if (!display) throw new Error('no display');
      await source.start(display.id, () => frames++, { maxFps: 60 });
      await waitFor(() => frames > 0, 5000, 'first frame');
      await new Promise((r) => setTimeout(r, 100));
      const before = frames;
      for (let i = 0; i < ticks; i++) await draw(windowId, i);
      await new Promise((r) => setTimeout(r, 100));
      return { frames: frames - before, tailReads: source.stats().tailReads ?? 0 };
    } finally {
      await painter.destroy(windowId);
      await source.close();
    }
  }

  it('reads a steady stream once per drawn frame, even when its frame is drawn in two parts', async () => {
    const ticks = 30;
    // A settle longer than the default 1 ms, so that a loaded machine's slower round trips still fall in it.
    const { frames: read } = await framesRead({ settleMs: 5 }, [40, 400, 300, 100], ticks, async (windowId, i) => {
      const started = performance.now();
      // One application frame, in two requests a round trip apart (each awaits the server).
      await painter.paint(windowId, 0, 0, 100, 100, 0x101010 * (i % 8));
      await painter.paint(windowId, 200, 0, 100, 100, 0x080808 * (i % 8));
      await new Promise((r) => setTimeout(r, Math.max(0, 33 - (performance.now() - started))));
    });
    console.log(`[x11 capture] ${ticks} two-part frames read as ${read}`);
    expect(read).toBeLessThan(ticks * 1.6); // without the settle: about two reads per frame
  });

  it('damage that comes in while a frame is read goes out in that frame, not in the next', async () => {
    // An application frame of 12 squares, each its own request and socket write (no
    // batching in this client), read after a pause (no settle): the first square's event
    // starts the read, the others arrive with it. Counted with tail reads off and on, same machine.
    const ticks = 20;
    const framesPerTick = async (tailReads: number | undefined) => {
      const read = await framesRead({ settleMs: 0, tailReads }, [40, 520, 1200, 60], ticks, async (windowId, i) => {
        const squares = Array.from({ length: 12 }, (_, k) => [k * 100, 10, 40, 40, 0x0f0f0f * ((i + k) % 16)] as const);
        painter.flood(windowId, squares.slice(0, 1)).catch(() => undefined);
        await new Promise((r) => setImmediate(r)); // the rest a moment later, as a toolkit's second flush
        await painter.flood(windowId, squares.slice(1));
        await new Promise((r) => setTimeout(r, 60));
      });
      return { perTick: read.frames / ticks, tailReads: read.tailReads };
    };
    const without = await framesPerTick(0);
    // Whether a square's damage comes in during a read is the machine's timing: a run in which
    // none did (seen once among other test files, reads a fraction of a millisecond) proves
    // nothing either way, so up to three runs are made until one had damage to pick up.
    let withTails = await framesPerTick(undefined);
    for (let run = 1; run < 3 && withTails.tailReads === 0; run++) {
      expect(withTails.perTick).toBeLessThanOrEqual(1.1);
      withTails = await framesPerTick(undefined);
    }
    console.log(
      `[x11 capture] frames per 12-request application frame: ${without.perTick} without tail reads, ` +
        `${withTails.perTick} with (${withTails.tailReads} tail reads found damage)`,
    );
    expect(withTails.perTick).toBeLessThanOrEqual(1.1);
    // What makes the difference: damage that came in during a read was picked up by a tail read.
    // (How many frames the run without them splits into depends on the machine's load: 1.2–1.6
    // per tick when quiet, 1.15 once under a CI gate, so it is logged, not compared.)
    expect(without.tailReads).toBe(0);
    expect(withTails.tailReads).toBeGreaterThan(0);
  });

  it('prepare sets capture up without reading the screen; start then reads it as usual', async () => {
    const source = await X11ScreenSource.open({ display: xvfb.display, readPath: 'shm' });
    const frames: ScreenFrame[] = [];
    const windowId = await painter.fill(640, 360, 64, 64, 0x30c0a0);
    try {
      const [display] = await source.listDisplays();
      if (!display) throw new Error('no display');
      await source.prepare(display.id);
      await source.prepare(display.id); // again: kept, not made twice
      expect(source.stats()).toMatchObject({ readPath: 'none', frames: 0 });
      await source.start(display.id, (f) => frames.push({ ...f, data: f.data.slice() }));
      await waitFor(() => frames.length >= 1, 5000, 'first frame');
      expect(rgbAt(frames[0] as ScreenFrame, 650, 370)).toBe(0x30c0a0);
      // At least the first frame (the window's own paint may still come in as a second).
      expect(source.stats().readPath).toBe('shm');
      expect(source.stats().frames).toBeGreaterThanOrEqual(1);
      await expect(source.prepare('nope')).resolves.toBeUndefined(); // capturing: nothing to prepare
      await source.stop();
      await expect(source.prepare('nope')).rejects.toMatchObject({ reason: 'display_not_found' });
    } finally {
      await painter.destroy(windowId);
      await source.close();
    }
  });

  it('rejects an unknown display id with a typed error', async () => {
    const source = await X11ScreenSource.open({ display: xvfb.display });
    try {
      await expect(source.start('nope', () => undefined)).rejects.toMatchObject({ reason: 'display_not_found' });
    } finally {
      await source.close();
    }
  });

  it('fails with display_unavailable when there is no X server', async () => {
    await expect(X11ScreenSource.open({ display: ':4095' })).rejects.toMatchObject({ reason: 'display_unavailable' });
  });
});

/** The source's change-event count once it is at least `atLeast` and has not moved for 200 ms. */
async function settledChangeEvents(source: X11ScreenSource, atLeast: number): Promise<number> {
  let last = -1;
  let since = performance.now();
  await waitFor(
    () => {
      const now = source.stats().changeEvents ?? 0;
      if (now !== last) {
        last = now;
        since = performance.now();
      }
      return now >= atLeast && performance.now() - since >= 200;
    },
    10_000,
    `${atLeast} change events, then quiet`,
  );
  return last;
}
