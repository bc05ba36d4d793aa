/**
 * Integration: the sharer's screen changes resolution in the middle of a full-control
 * session (`xrandr -s` on TigerVNC's Xvnc, whose RandR switches modes; Xvfb's cannot). The
 * agent follows: capture starts again at the new size, the helper's picture becomes the new
 * screen pixel for pixel (shrunk, then grown past the old size, where the old capture would
 * have missed the new part), the helper's display list says the new size, the helper's
 * pointer lands where it points on the new screen, and the session never says the display
 * was lost. Real server, real Xvnc, real wrtc; the helper's picture is the app's own
 * `TileReceiver` painting into memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentControlMessage } from '@remote-help/protocol';
import { startRig, status, stopRig, type Rig } from '../testing/agentRig.js';
import { Picture } from '../testing/picture.js';
import { openPainter, type Painter } from '../testing/xpainter.js';
import { hasCommand, pointerLocation, waitFor, xtool } from '../testing/xvfb.js';

const missing = ['Xvnc', 'xrandr', 'xdotool', 'xev'].filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the display-change test`);

type DisplaysMessage = Extract<AgentControlMessage, { type: 'displays' }>;

/** Colours of the test's windows: the whole screen, then a block in each corner and one in the middle. */
const BACKGROUND = 0x204060;
const BLOCKS = [0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0xff00ff];
const BLOCK = { width: 96, height: 64 };

describe.skipIf(missing.length > 0)('the resolution changes under a share', { timeout: 120_000 }, () => {
  let rig: Rig;
  let painter: Painter;
  const picture = new Picture();
  let windows: number[] = [];

  beforeAll(async () => {
    rig = await startRig('tiles', { xServer: 'xvnc', painter: picture });
    painter = await openPainter(rig.xvfb.display);
  }, 90_000);
  afterAll(async () => {
    await painter?.close();
    await stopRig(rig);
  });

  /** Covers a `width × height` screen with known windows; returns the colour expected at each pixel. */
  async function paintScreen(width: number, height: number): Promise<(x: number, y: number) => number> {
    for (const id of windows) await painter.destroy(id);
    windows = [];
    const blocks = [
      { x: 0, y: 0 },
      { x: width - BLOCK.width, y: 0 },
      { x: 0, y: height - BLOCK.height },
      { x: width - BLOCK.width, y: height - BLOCK.height },
      { x: (width - BLOCK.width) >> 1, y: (height - BLOCK.height) >> 1 },
    ].map((at, i) => ({ ...at, rgb: BLOCKS[i] as number }));
    windows.push(await painter.fill(0, 0, width, height, BACKGROUND));
    for (const b of blocks) windows.push(await painter.fill(b.x, b.y, BLOCK.width, BLOCK.height, b.rgb));
    return (x, y) => {
      let rgb = BACKGROUND;
      for (const b of blocks) {
        if (x >= b.x && x < b.x + BLOCK.width && y >= b.y && y < b.y + BLOCK.height) rgb = b.rgb;
      }
      return rgb;
    };
  }

  /** Pixels of the helper's picture that differ from `expected` (all of them while the size differs). */
  function wrongPixels(width: number, height: number, expected: (x: number, y: number) => number): number {
    if (picture.width !== width || picture.height !== height) return width * height;
    let wrong = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) if (picture.at(x, y) !== expected(x, y)) wrong++;
    }
    return wrong;
  }

  /** The newest display list the helper got on the control channel. */
  function lastDisplays(): DisplaysMessage | undefined {
    return rig.viewer.control.filter((m): m is DisplaysMessage => m.type === 'displays').at(-1);
  }

  /** Changes the resolution and checks everything the helper and the sharer see after it. */
  async function changeTo(width: number, height: number): Promise<void> {
    const { hws, viewer, window, xvfb } = rig;
    const mark = hws.received.length;
    const startedAt = performance.now();
    await xtool(xvfb.display, 'xrandr', ['-s', `${width}x${height}`]);
    // Input follows from the first picture of the new size: a move sent as soon as the helper
    // has it lands on the new screen (the middle, then the far corner).
    await waitFor(() => viewer.lastSize?.width === width && viewer.lastSize.height === height, 10_000, 'the new size');
    for (const [nx, ny, x, y] of [
      [0.5, 0.5, Math.round((width - 1) / 2), Math.round((height - 1) / 2)],
      [1, 1, width - 1, height - 1],
    ] as const) {
      viewer.sendInput({ type: 'pointerMove', x: nx, y: ny });
      await waitFor(
        async () => {
          const at = await pointerLocation(xvfb.display);
          return Math.abs(at.x - x) <= 1 && Math.abs(at.y - y) <= 1;
        },
        5000,
        `the pointer at (${x}, ${y})`,
      );
    }
    const expected = await paintScreen(width, height);
    await waitFor(
      () => wrongPixels(width, height, expected) === 0,
      15_000,
      `the helper's picture at ${width}×${height}`,
    );
    console.log(
      `xrandr -s ${width}x${height} → exact picture at the helper ${(performance.now() - startedAt).toFixed(0)} ms`,
    );

    await waitFor(
      () => {
        const message = lastDisplays();
        const current = message?.displays.find((d) => d.id === message.current);
        return current?.width === width && current.height === height;
      },
      5000,
      'the display list with the new size',
    );
    expect(await window.state()).toMatchObject({ screen: 'sharing', displayLost: false, controlActive: true });
    // The session never told the helper that the display was gone.
    expect(hws.received.slice(mark).filter(status('unavailable'))).toEqual([]);
  }

  it('the helper’s picture, display list and pointer follow a smaller and then a larger screen', async () => {
    const before = await paintScreen(1280, 720);
    await waitFor(() => wrongPixels(1280, 720, before) === 0, 15_000, 'the first picture');
    await changeTo(1024, 768);
    await changeTo(1920, 1080);
    // The agent's own window says nothing is wrong.
    expect((await rig.window.state()).displayLost).toBe(false);
  });
});
