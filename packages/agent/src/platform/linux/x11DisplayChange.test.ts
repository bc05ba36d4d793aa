/**
 * Integration: `X11ScreenSource.watchDisplays` under a real resolution change (`xrandr -s`
 * on TigerVNC's Xvnc; Xvfb's one RandR mode is fixed), while a second client keeps drawing so
 * that reads are under way when the screen shrinks. The watcher hears the new size, the
 * capture of the changed display stops without `onError` (a read that failed because the
 * screen shrank is not a lost display), and a capture started again reads the new size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisplayInfo, ScreenFrame } from '../types.js';
import { openPainter, type Painter } from '../../testing/xpainter.js';
import { hasCommand, startXvnc, waitFor, xtool, type Xvfb } from '../../testing/xvfb.js';
import { X11ScreenSource } from './x11ScreenSource.js';

const missing = ['Xvnc', 'xrandr'].filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the X11 display-change tests`);

describe.skipIf(missing.length > 0)('X11ScreenSource when the resolution changes', { timeout: 60_000 }, () => {
  let xvnc: Xvfb;
  let painter: Painter;

  beforeAll(async () => {
    xvnc = await startXvnc('1280x720');
    painter = await openPainter(xvnc.display);
  });
  afterAll(async () => {
    await painter?.close();
    await xvnc?.stop();
  });

  it('tells the watcher, stops the changed capture quietly, and captures the new size when started again', async () => {
    const source = await X11ScreenSource.open({ display: xvnc.display });
    const lists: DisplayInfo[][] = [];
    const errors: Error[] = [];
    const unwatch = source.watchDisplays((displays) => lists.push(displays));
    // A window in the bottom right corner, redrawn all the time: reads of it are in flight when
    // the screen shrinks, and fail (its pixels are off the new screen).
    let busy = 0;
    let drawing = true;
    const draw = (async () => {
      for (let i = 0; drawing; i++) {
        if (busy) await painter.paint(busy, 0, 0, 100, 100, i % 2 ? 0x102030 : 0x302010);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    try {
      for (const [width, height] of [
        [1024, 768],
        [800, 600],
        [1920, 1080],
        [640, 480],
      ] as const) {
        const display = (await source.listDisplays())[0] as DisplayInfo;
        const old = busy;
        busy = await painter.fill(display.bounds.width - 100, display.bounds.height - 100, 100, 100, 0x102030);
        if (old) await painter.destroy(old);
        const frames: ScreenFrame[] = [];
        await source.start(display.id, (f) => frames.push({ ...f, data: f.data.slice() }), {
          onError: (e) => errors.push(e),
        });
        await waitFor(() => frames.length > 3, 5000, 'frames of the busy screen');
        const seen = lists.length;
        await xtool(xvnc.display, 'xrandr', ['-s', `${width}x${height}`]);
        await waitFor(() => lists.length > seen, 5000, `the watcher told of ${width}×${height}`);
        const listed = lists.at(-1)?.find((d) => d.id === display.id);
        expect(listed?.bounds).toEqual({ x: 0, y: 0, width, height });
        // The old capture has stopped: no frame of it comes any more.
        const stoppedAt = frames.length;
        await new Promise((r) => setTimeout(r, 200));
        expect(frames.length).toBe(stoppedAt);

        const again: ScreenFrame[] = [];
        await source.start(display.id, (f) => again.push(f));
        await waitFor(() => again.length > 0, 5000, 'a frame at the new size');
        expect(again[0]).toMatchObject({ width, height });
        await source.stop();
      }
      expect(errors).toEqual([]);
    } finally {
      drawing = false;
      await draw;
      unwatch();
      await source.close();
    }
  });
});
