/**
 * Typing any language in full control (issue 10): the helper, on a US keyboard in
 * Playwright, types plain keys, then text its layout or input method made (inserted
 * text, an IME composition), then keys again; the text field on the sharer's Xvfb
 * desktop (plain US keymap, through the native agent) shows exactly that, in order.
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

const TEXT = 'äé中文한국어😀';

test("text in any script typed by the helper appears exactly on the sharer's desktop", async ({ browser }) => {
  test.setTimeout(180_000);
  await onAgentDesktop(E2E_URL, {}, async ({ desktop, agent }) => {
    // Sharer: the agent window, then the sign-in in the "system browser"; the helper's code, passed to the sharer.
    const win = await signInAgentWindow(browser, agent);
    const helper = await redeemHelperCode(browser, win);
    await expect(helper.getByTestId('peer-card')).toContainText('Lena Fischer');
    await expect(win.locator('#person-name')).toHaveText('Daniel Okafor');

    // Full control, allowed in the agent window.
    await helper.getByRole('button', { name: 'Full control' }).click();
    await expect(win.getByRole('button', { name: 'Allow' })).toBeVisible();
    await win.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect(helper.getByTestId('mode-pill')).toHaveText('Full control');
    await expect(win.getByRole('button', { name: 'Stop control' })).toBeVisible();

    // The helper clicks into the text field on the sharer's desktop.
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
    // Keyboard focus is in the surface's text field, where an input method composes.
    await expect(helper.getByTestId('remote-text-input')).toBeFocused();
    // The click reached the desktop's text field.
    await desktop.app.waitForFunction(() => document.activeElement?.id === 'notes');

    // Keys, then text from the helper's layout / input method, then keys again.
    await helper.keyboard.type('ab');
    await helper.keyboard.insertText(TEXT);
    await helper.keyboard.press('Enter');
    // An IME composition (as Chromium's input method API drives it): only its result is typed.
    const cdp = await helper.context().newCDPSession(helper);
    await cdp.send('Input.imeSetComposition', { text: 'にほ', selectionStart: 2, selectionEnd: 2 });
    await cdp.send('Input.imeSetComposition', { text: 'にほん', selectionStart: 3, selectionEnd: 3 });
    await cdp.send('Input.insertText', { text: '日本' });
    await helper.keyboard.type('c');
    await helper.keyboard.press('Backspace');
    await helper.keyboard.type('d');
    await expect.poll(() => desktop.app.inputValue('#notes')).toBe(`ab${TEXT}\n日本d`);
    // Nothing stays in the helper's own field.
    await expect(helper.getByTestId('remote-text-input')).toHaveValue('');
    await expect.poll(() => framesDecoded(helper)).toBeGreaterThan(0);
    await shot(helper, '70-helper-typed-any-language');
    await shot(desktop.app, '71-desktop-typed-any-language');

    await helper.getByRole('button', { name: 'Leave' }).first().click();
    await expect(win.getByText('ended the session')).toBeVisible({ timeout: 5000 });
  });
});
