/**
 * Pause and resume from the native agent (issue 13, item 3), end to end: the agent on a
 * real X desktop (Xvfb with a Chromium window holding a text field), its own window, and
 * the helper app in real Chromium. While the sharer has paused, the helper's page
 * receives nothing on the `tiles` data channel (counted in the page, on the wire side of
 * the helper app) and the helper's clicks and keys change nothing on the desktop; Resume
 * continues in full control without a new request or Allow.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { framesDecoded, pagePointFor, shot, closeContexts } from '../support.js';
import { SCREEN, pointerLocation, redeemHelperCode, signInAgentWindow, onAgentDesktop } from './desktop.js';

test.afterEach(closeContexts);

/** The page point that shows screen pixel (x, y) in the helper's view. */
const pagePointForPixel = (helper: Page, x: number, y: number) =>
  pagePointFor(helper, (x + 0.5) / SCREEN.width, (y + 0.5) / SCREEN.height);

/** Messages that arrived on the helper's `tiles` data channels (counted by an init script). */
const tileMessages = (helper: Page): Promise<number> =>
  helper.evaluate(() => (window as unknown as { __tileMessages?: number }).__tileMessages ?? 0);

test('the sharer pauses in the agent window: nothing reaches the helper, no input lands; Resume needs no Allow', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  await onAgentDesktop(E2E_URL, {}, async ({ desktop, agent }) => {
    const win = await signInAgentWindow(browser, agent);

    const helperContext = await browser.newContext();
    await helperContext.addInitScript(() => {
      const w = window as unknown as { __tileMessages: number };
      w.__tileMessages = 0;
      const Original = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends Original {
        constructor(configuration?: RTCConfiguration) {
          super(configuration);
          this.addEventListener('datachannel', ({ channel }) => {
            if (channel.label === 'tiles') channel.addEventListener('message', () => w.__tileMessages++);
          });
        }
      };
    });
    const helper = await redeemHelperCode(browser, win, await helperContext.newPage());
    await expect(helper.getByTestId('peer-card')).toContainText('Lena Fischer');

    await helper.getByRole('button', { name: 'Full control' }).click();
    await win.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect(helper.getByTestId('mode-pill')).toHaveText('Full control');

    // The helper types into the text field on the sharer's desktop: full control works.
    const target = await desktop.app.evaluate(() => {
      const r = document.getElementById('notes')!.getBoundingClientRect();
      const top = window.screenY + (window.outerHeight - window.innerHeight);
      return { x: Math.round(window.screenX + r.left + r.width / 2), y: Math.round(top + r.top + r.height / 2) };
    });
    const point = await pagePointForPixel(helper, target.x, target.y);
    await helper.mouse.click(point.x, point.y);
    await expect
      .poll(async () => {
        const p = await pointerLocation(desktop.display);
        return Math.abs(p.x - target.x) <= 3 && Math.abs(p.y - target.y) <= 3;
      })
      .toBe(true);
    await helper.keyboard.type('before ');
    await expect.poll(() => desktop.app.inputValue('#notes')).toBe('before ');
    expect(await tileMessages(helper)).toBeGreaterThan(0);

    // Pause in the agent window.
    await win.getByRole('button', { name: 'Pause' }).click();
    await expect(win.getByRole('heading', { name: 'Sharing is paused' })).toBeVisible();
    await expect(win.getByRole('button', { name: 'Resume' })).toBeVisible();
    await expect(helper.getByText('Paused by Lena Fischer').first()).toBeVisible({ timeout: 5000 });
    const atPause = await tileMessages(helper);
    const framesAtPause = await framesDecoded(helper);
    await shot(win, 'agent-pause-01-window-paused');
    await shot(helper, 'agent-pause-02-helper-paused');

    // The sharer types a "password" on the desktop; the helper clicks and types meanwhile.
    await desktop.app.focus('#notes');
    await desktop.app.keyboard.type('secret-password');
    await helper.getByTestId('remote-surface').focus();
    await helper.keyboard.type('XYZ');
    await helper.mouse.click(point.x + 200, point.y + 150);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await desktop.app.inputValue('#notes')).toBe('before secret-password');
    const p = await pointerLocation(desktop.display);
    expect(Math.abs(p.x - target.x) <= 3 && Math.abs(p.y - target.y) <= 3).toBe(true);
    const whilePaused = (await tileMessages(helper)) - atPause;
    console.log(`tile messages at the helper while paused (2 s, the sharer typing): ${whilePaused}`);
    expect(whilePaused).toBe(0);
    expect(await framesDecoded(helper)).toBe(framesAtPause);

    // Clear the secret before resuming, as a sharer would; then Resume: no request, no Allow.
    await desktop.app.fill('#notes', 'before ');
    const resumedAt = Date.now();
    await win.getByRole('button', { name: 'Resume' }).click();
    await expect(helper.getByText('Paused by Lena Fischer')).toHaveCount(0, { timeout: 5000 });
    await expect.poll(() => framesDecoded(helper), { timeout: 10_000 }).toBeGreaterThan(framesAtPause);
    console.log(`Resume → picture at the helper: ${Date.now() - resumedAt} ms`);
    await expect(helper.getByTestId('mode-pill')).toHaveText('Full control');
    await helper.mouse.click(point.x, point.y);
    await helper.keyboard.press('End');
    await helper.keyboard.type('after');
    await expect.poll(() => desktop.app.inputValue('#notes')).toBe('before after');
    await shot(win, 'agent-pause-03-window-resumed');
    await shot(helper, 'agent-pause-04-helper-resumed');

    await helper.getByRole('button', { name: 'Leave' }).first().click();
    await expect(win.getByText('ended the session')).toBeVisible({ timeout: 5000 });
  });
});
