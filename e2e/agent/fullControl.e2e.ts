/**
 * The native agent on a real X desktop (Xvfb): the sharer signs in through the system
 * browser (RFC 8252), enters the code in the agent window and allows full control; the
 * helper clicks and types into a window on that desktop and sees the sharer's pointer as it
 * looks there (a text caret over the text field, at its own size); the sharer stops control and input stops at once.
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

test('a helper takes full control of a real desktop through the agent, and the sharer stops it', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  await onAgentDesktop(E2E_URL, {}, async ({ desktop, agent }) => {
    // Sharer: the agent window, then the sign-in in the "system browser"; the helper's code, passed to the sharer.
    const win = await signInAgentWindow(browser, agent);
    const helper = await redeemHelperCode(browser, win);
    await expect(helper.getByTestId('peer-card')).toContainText('Lena Fischer');
    await expect(win.locator('#person-name')).toHaveText('Daniel Okafor');
    await shot(win, '20-agent-trust');

    // Full control, allowed in the agent window.
    await helper.getByRole('button', { name: 'Full control' }).click();
    await expect(win.getByRole('button', { name: 'Allow' })).toBeVisible();
    await shot(win, '21-agent-request-control');
    await win.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect(helper.getByTestId('mode-pill')).toHaveText('Full control');
    await expect(win.getByRole('button', { name: 'Stop control' })).toBeVisible();

    // The helper clicks into the text field on the sharer's desktop and types.
    // Screen pixel of the text field's middle: the browser's own toolbar sits above the page.
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
    await helper.keyboard.type('hello from the helper');
    await expect.poll(() => desktop.app.inputValue('#notes')).toBe('hello from the helper');
    // The sharer's pointer is over the text field: the helper sees the text caret Chromium shows
    // there (its image, from the agent), and another image once the pointer leaves the field.
    const cursor = helper.locator('img[data-testid="remote-cursor"]');
    await expect(cursor).toBeVisible();
    const caret = await cursor.getAttribute('data-shape');
    // The picture is fitted into the helper's window, smaller than the screen; the pointer keeps the
    // size it has on the sharer's screen instead of shrinking with it (a caret of a few pixels is lost).
    const surface = (await helper.getByTestId('remote-surface').boundingBox())!;
    expect(surface.width).toBeLessThan(SCREEN.width);
    const imageWidth = Number(caret!.split('x')[0]);
    await expect.poll(async () => Math.round((await cursor.boundingBox())!.width)).toBe(imageWidth);
    const outside = await pagePointForPixel(helper, target.x, target.y + 160);
    await helper.mouse.move(outside.x, outside.y);
    await expect.poll(() => cursor.getAttribute('data-shape')).not.toBe(caret);
    await helper.mouse.move(point.x, point.y);
    await expect.poll(() => cursor.getAttribute('data-shape')).toBe(caret);
    await shot(helper, '22-helper-full-control');
    await shot(win, '23-agent-sharing-control');

    // The sharer takes control back: the helper is told and nothing more arrives.
    await win.getByRole('button', { name: 'Stop control' }).click();
    await expect(helper.getByTestId('mode-pill')).toHaveText('View only');
    await expect(helper.getByTestId('control-taken-back')).toBeVisible();
    await helper.getByTestId('remote-surface').focus();
    await helper.keyboard.type('XYZ');
    await helper.mouse.click(point.x + 200, point.y + 200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await desktop.app.inputValue('#notes')).toBe('hello from the helper');
    const p = await pointerLocation(desktop.display);
    expect(Math.abs(p.x - target.x) <= 3 && Math.abs(p.y - target.y) <= 3).toBe(true);
    await shot(helper, '24-helper-control-taken-back');

    await helper.getByRole('button', { name: 'Leave' }).first().click();
    await expect(win.getByText('ended the session')).toBeVisible({ timeout: 5000 });
  });
});
