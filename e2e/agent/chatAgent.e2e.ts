/**
 * Chat between the helper app and the native agent's window (issue 10), in real Chromium:
 * the agent (`remote-help-agent share --no-window` on a private Xvfb) signs in through the
 * IdP's real page, joins with the helper's code, and both chat from the trust screen on in
 * Chinese, Arabic, Hebrew, Thai, emoji with skin tones and ZWJ sequences, and markup that
 * would run as HTML: every message arrives exactly as typed (the same string), inert (no
 * dialog, no element made of it) and in order, on both sides; an address with a U+202E
 * override shows its real target in the window; the chat stays beside the sharing screen.
 */
import { expect, test, type Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { closeContexts, shot } from '../support.js';
import { WINDOW_URL, agent, agentDesktop, joinFromAgent, stopAgent } from './agentProcess.js';

test.afterEach(closeContexts);

const SCRIPTS = [
  '你好，我的屏幕上有一个错误信息。',
  'مرحبا، هل يمكنك رؤية شاشتي؟',
  'שלום, אני לא מצליח להתחבר למדפסת',
  'สวัสดีครับ ช่วยดูหน้าจอให้หน่อย',
  '👍🏽 👋🏿 👩🏽‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 🧑🏻‍🤝‍🧑🏾',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'Mixed: English العربية עברית 中文 ไทย 1234',
];

const helperTexts = (page: Page) =>
  page.getByTestId('chat-text').evaluateAll((elements) => elements.map((e) => e.textContent ?? ''));
const windowTexts = (win: Page) =>
  win.locator('#chat-list .chat-text').evaluateAll((elements) => elements.map((e) => e.textContent ?? ''));

test('helper app ⇄ agent window: any script arrives identical, inert and in order on both sides', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const desktop = await agentDesktop('rh-chat-agent-e2e-');
  const run = agent(['share', '--no-window', '--server', E2E_URL], desktop.env);
  const dialogs: string[] = [];
  try {
    await expect.poll(() => WINDOW_URL.exec(run.output())?.[0] ?? '', { timeout: 30_000 }).not.toBe('');
    const win = await (await browser.newContext({ viewport: { width: 560, height: 900 } })).newPage();
    win.on('dialog', (d) => void dialogs.push(d.message()));
    await win.goto(WINDOW_URL.exec(run.output())?.[0] as string);

    const helper = await joinFromAgent(browser, win, desktop.opened);
    helper.on('dialog', (d) => void dialogs.push(d.message()));
    await expect(win.getByRole('heading', { name: 'You are connected to' })).toBeVisible();
    await expect(win.getByRole('heading', { name: 'Chat' })).toBeVisible();
    await expect(helper.getByTestId('chat-panel')).toBeVisible();

    for (const [i, text] of SCRIPTS.entries()) {
      if (i % 2 === 0) {
        const input = helper.getByTestId('chat-input');
        await input.fill(text);
        await input.press('Enter');
      } else {
        const input = win.getByRole('textbox', { name: 'Message' });
        await input.fill(text);
        await input.press('Enter');
        await expect(input).toHaveValue('');
      }
      await expect(win.locator('#chat-list .chat-text')).toHaveCount(i + 1);
      await expect(helper.getByTestId('chat-text')).toHaveCount(i + 1);
    }
    await expect(win.locator('#chat-list [data-state="sent"]')).toHaveCount(SCRIPTS.length);
    await expect(helper.locator('[data-testid="chat-message"][data-state="sent"]')).toHaveCount(SCRIPTS.length);
    expect(await windowTexts(win)).toEqual(SCRIPTS);
    expect(await helperTexts(helper)).toEqual(SCRIPTS);
    // Inert on both sides: nothing of the markup became an element, no dialog opened.
    await expect(win.locator('#chat-list script, #chat-list img, img[src="x"]')).toHaveCount(0);
    await expect(helper.locator('[data-testid="chat-panel"] script, [data-testid="chat-panel"] img')).toHaveCount(0);
    await expect(win.locator('#chat-list .chat-text:not([dir="auto"])')).toHaveCount(0);
    await expect(win.locator('#chat-list .chat-sender').first()).toHaveJSProperty('tagName', 'BDI');
    expect(dialogs).toEqual([]);
    await expect(helper.locator('[data-from="sharer"] [data-testid="chat-sender"]').first()).toHaveText('Lena Fischer');
    await expect(win.locator('#chat-list [data-from="helper"] .chat-sender').first()).toHaveText('Daniel Okafor');

    // An address with a right-to-left override shows its real target in the window, as text.
    const input = helper.getByTestId('chat-input');
    await input.fill('Open https://bank.example/\u202Efdp.exe please');
    await input.press('Enter');
    await expect(win.locator('#chat-list .chat-address').last()).toHaveText('https://bank.example/[U+202E]fdp.exe');
    await expect(win.locator('#chat-list a')).toHaveCount(0);
    await expect(win.locator('#chat-live')).toHaveText(/^New message from Daniel Okafor: Open https/);
    // Typing shows in the window.
    await input.fill('one more thing');
    await expect(win.locator('#chat-typing')).toHaveText(/Daniel Okafor.* is typing…/);
    await shot(win, 'chat-agent-01-window-trust');
    await shot(helper, 'chat-agent-02-helper-trust');

    // Beside the sharing screen too.
    await helper.getByRole('button', { name: 'View only' }).click();
    await win.getByRole('button', { name: 'Allow' }).click();
    await expect(win.getByRole('heading', { name: 'Daniel Okafor can see your screen.' })).toBeVisible();
    await win.getByRole('textbox', { name: 'Message' }).fill('Can you see it? 👀');
    await win.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect(helper.getByTestId('chat-text').last()).toHaveText('Can you see it? 👀');
    await shot(win, 'chat-agent-03-window-sharing');
    await win.getByRole('button', { name: 'Stop sharing' }).click();
    await expect(win.getByRole('heading', { name: 'The session ended' })).toBeVisible();
    await expect(win.locator('#chat-list .chat-text')).toHaveCount(SCRIPTS.length + 2);
    await expect(win.getByRole('textbox', { name: 'Message' })).toBeHidden();
    expect(dialogs).toEqual([]);
  } finally {
    await stopAgent(run.child);
    await desktop.stop();
  }
});
