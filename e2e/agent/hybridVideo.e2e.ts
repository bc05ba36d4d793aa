/**
 * The hybrid pixel path through the product (ADR 0024): the native agent on its own Xvfb,
 * the real server, the helper app in Chromium. A "video" (noise redrawn 30 times a second
 * by a second X client) plays on the sharer's screen: the agent sends that area on the
 * video track and the helper app draws the track's frames onto the tile canvas there. When
 * the video stops on its last frame, the area goes back to tiles and the helper's canvas
 * holds exactly the screen's pixels.
 */
import { randomFillSync } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { openPainter } from '../../packages/agent/src/testing/xpainter.js';
import { closeContexts, framesDecoded, shot } from '../support.js';
import { agent, agentDesktop, requestFromAgent, stopAgent, WINDOW_URL } from './agentProcess.js';

test.afterEach(closeContexts);

/** On the 64-pixel grid, so the video area is exactly this rectangle. */
const AREA = { x: 256, y: 192, width: 384, height: 256 };

/** A data attribute of the helper's canvas, as a number. */
function canvasNumber(helper: Page, name: 'videoCells' | 'videoFrames' | 'frames'): Promise<number> {
  return helper
    .getByTestId('remote-canvas')
    .evaluate((c, key) => Number((c as HTMLCanvasElement).dataset[key] ?? 0), name);
}

test('a video on the sharer screen goes on the video track, and the picture is exact again once it stops', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const desktop = await agentDesktop('rh-hybrid-');
  const sharer = agent(['share', '--no-window', '--server', E2E_URL], desktop.env);
  const x = await openPainter(desktop.env['DISPLAY'] as string);
  try {
    await expect.poll(() => WINDOW_URL.exec(sharer.output())?.[0] ?? '', { timeout: 30_000 }).not.toBe('');
    const win = await (await browser.newContext({ viewport: { width: 560, height: 760 } })).newPage();
    await win.goto(WINDOW_URL.exec(sharer.output())?.[0] as string);
    const { helper, allow } = await requestFromAgent(browser, win, desktop.opened, 'View only');
    await allow.click();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);

    const video = await x.fill(AREA.x, AREA.y, AREA.width, AREA.height, 0x000000);
    const frame = new Uint8Array(AREA.width * AREA.height * 4);
    let playing = true;
    const play = (async () => {
      while (playing) {
        await x.image(video, 0, 0, AREA.width, AREA.height, randomFillSync(frame));
        await new Promise((r) => setTimeout(r, 33));
      }
    })();
    try {
      await expect.poll(() => canvasNumber(helper, 'videoCells'), { timeout: 15_000 }).toBeGreaterThan(0);
      // The track's frames are drawn onto the canvas, one after the other.
      const drawn = await canvasNumber(helper, 'videoFrames');
      await expect.poll(() => canvasNumber(helper, 'videoFrames'), { timeout: 10_000 }).toBeGreaterThan(drawn + 10);
      await shot(helper, 'hybrid-01-video-area');
    } finally {
      playing = false;
      await play;
    }

    // Stopped on its last frame: the area goes back to tiles, exact.
    await expect.poll(() => canvasNumber(helper, 'videoCells'), { timeout: 10_000 }).toBe(0);
    const expected: number[] = [];
    for (let i = 0; i < frame.length; i += 4)
      expected.push(frame[i + 2] as number, frame[i + 1] as number, frame[i] as number);
    const wrong = async () =>
      helper.getByTestId('remote-canvas').evaluate(
        (c, { area, want }) => {
          const pixels = (c as HTMLCanvasElement)
            .getContext('2d')
            ?.getImageData(area.x, area.y, area.width, area.height).data;
          if (!pixels) return -2;
          for (let p = 0, i = 0; p < pixels.length; p += 4, i += 3) {
            if (pixels[p] !== want[i] || pixels[p + 1] !== want[i + 1] || pixels[p + 2] !== want[i + 2]) return p / 4;
          }
          return -1;
        },
        { area: AREA, want: expected },
      );
    await expect.poll(wrong, { timeout: 10_000 }).toBe(-1);
    await shot(helper, 'hybrid-02-exact-again');
  } finally {
    await x.close();
    await stopAgent(sharer.child);
    await desktop.stop();
  }
});
