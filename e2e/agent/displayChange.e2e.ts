/**
 * The sharer's screen changes resolution during a full-control session (`xrandr -s` on
 * TigerVNC's Xvnc, whose RandR switches modes; Xvfb's cannot). The helper app's picture
 * takes the new size, a click lands where the helper points on the new screen, and the
 * session goes on: nothing says the display was lost. The pixels themselves are compared in
 * packages/agent/src/app/displayChange.integration.test.ts.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { xtool } from '../../packages/agent/src/testing/xvfb.js';
import { closeContexts, framesDecoded, pagePointFor, shot } from '../support.js';
import { pointerLocation, redeemHelperCode, signInAgentWindow, onAgentDesktop } from './desktop.js';

test.afterEach(closeContexts);

/** The size of the helper's tile canvas (the remote screen as the helper app has it). */
const canvasSize = (helper: Page) =>
  helper
    .getByTestId('remote-canvas')
    .evaluate((canvas) => `${(canvas as HTMLCanvasElement).width}x${(canvas as HTMLCanvasElement).height}`);

test('the helper’s picture and clicks follow a resolution change on the sharer’s screen', async ({ browser }) => {
  test.setTimeout(180_000);
  await onAgentDesktop(E2E_URL, { xServer: 'xvnc' }, async ({ desktop, agent }) => {
    const win = await signInAgentWindow(browser, agent);
    const helper = await redeemHelperCode(browser, win);
    await helper.getByRole('button', { name: 'Full control' }).click();
    await win.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect(helper.getByTestId('mode-pill')).toHaveText('Full control');
    expect(await canvasSize(helper)).toBe('1280x720');

    for (const [width, height, name] of [
      [1024, 768, '52-helper-display-changed-1024x768'],
      [1920, 1080, '53-helper-display-changed-1920x1080'],
    ] as const) {
      await xtool(desktop.display, 'xrandr', ['-s', `${width}x${height}`]);
      await expect.poll(() => canvasSize(helper), { timeout: 10_000 }).toBe(`${width}x${height}`);
      // A click three quarters across and down the helper's picture lands there on the new screen.
      const target = { x: Math.round(0.75 * width), y: Math.round(0.75 * height) };
      const point = await pagePointFor(helper, (target.x + 0.5) / width, (target.y + 0.5) / height);
      await helper.mouse.move(point.x, point.y);
      await expect
        .poll(async () => {
          const p = await pointerLocation(desktop.display);
          console.log(JSON.stringify({ p, target, point }));
          return Math.abs(p.x - target.x) <= 3 && Math.abs(p.y - target.y) <= 3;
        })
        .toBe(true);
      await expect(helper.getByTestId('mode-pill')).toHaveText('Full control');
      await expect(win.getByRole('button', { name: 'Stop control' })).toBeVisible();
      await expect(win.getByText(/display.*(lost|gone|unavailable)/i)).toHaveCount(0);
      await shot(helper, name);
    }
    await helper.getByRole('button', { name: 'Leave' }).first().click();
    await expect(win.getByText('ended the session')).toBeVisible({ timeout: 5000 });
  });
});
