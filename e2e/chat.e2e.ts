/**
 * Chat (issue 10) in two real browsers: the helper app and the sharer web app exchange
 * messages in Chinese, Arabic, Hebrew, Thai, emoji with skin tones and ZWJ sequences, and
 * markup that would run if it were ever treated as HTML; every message arrives exactly as
 * typed (the same UTF-16 string) and inert (no dialog, no element made from it), in order,
 * in `dir="auto"` blocks with names isolated; an address with a U+202E override shows its
 * real target; the unread counter, the typing indicator and the screen-reader announcement
 * work; a reload keeps the thread and an unsent draft; a helper whose connection drops again and again ends with
 * the same complete thread as the sharer; the chat sits beside the picture while viewing; an
 * organization that turns chat off gets no chat panel and its server refuses messages.
 */
import type { Page, WebSocketRoute } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { closeContexts, joinedPair, shot, signIn, startViewing } from './support.js';

test.afterEach(closeContexts);

/** What people type, in many scripts, and what an attacker would try. */
const SCRIPTS = [
  '你好，我的屏幕上有一个错误信息。',
  'مرحبا، هل يمكنك رؤية شاشتي؟',
  'שלום, אני לא מצליח להתחבר למדפסת',
  'สวัสดีครับ ช่วยดูหน้าจอให้หน่อย',
  '👍🏽 👋🏿 👩🏽‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 🧑🏻‍🤝‍🧑🏾',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'Mixed: English العربية עברית 中文 ไทย 1234',
  '  two lines,\n  spaces kept  ',
];

/** Fails the test if the page ever opens a dialog (an `alert(1)` that ran). */
function forbidDialogs(page: Page, dialogs: string[]): void {
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
}

/** The texts of the thread as the page shows them (`textContent`, which React fills from the string). */
const shownTexts = (page: Page) =>
  page.getByTestId('chat-text').evaluateAll((elements) => elements.map((e) => e.textContent ?? ''));

async function send(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('chat-input');
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

test('helper and web sharer chat in any script: identical, inert, ordered, kept across a reload', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const { helper, sharer } = await joinedPair(browser);
  const dialogs: string[] = [];
  forbidDialogs(helper, dialogs);
  forbidDialogs(sharer, dialogs);
  await expect(helper.getByTestId('chat-panel')).toBeVisible();
  await expect(sharer.getByTestId('chat-panel')).toBeVisible();
  await expect(helper.getByTestId('chat-messages')).toContainText('No messages yet');

  for (const [i, text] of SCRIPTS.entries()) {
    const [from, to] = i % 2 === 0 ? [helper, sharer] : [sharer, helper];
    await send(from, text);
    await expect(to.getByTestId('chat-text')).toHaveCount(i + 1);
    await expect(from.locator('[data-testid="chat-message"][data-state="sent"]')).toHaveCount(i + 1);
  }
  // Exactly as typed, in order, on both sides: the same strings, code unit for code unit.
  expect(await shownTexts(helper)).toEqual(SCRIPTS);
  expect(await shownTexts(sharer)).toEqual(SCRIPTS);
  // Inert: no dialog, and nothing of the markup became an element.
  for (const page of [helper, sharer]) {
    await expect(page.locator('[data-testid="chat-panel"] script, [data-testid="chat-panel"] img')).toHaveCount(0);
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    // Every message decides its own direction; names sit in bidi isolates.
    await expect(page.locator('[data-testid="chat-text"]:not([dir="auto"])')).toHaveCount(0);
    await expect(page.locator('[data-testid="chat-sender"]').first()).toHaveJSProperty('tagName', 'BDI');
  }
  expect(dialogs).toEqual([]);
  // The sharer's side: their own messages say "You", the helper's carry his name.
  await expect(sharer.locator('[data-from="helper"] [data-testid="chat-sender"]').first()).toHaveText('Daniel Okafor');
  await expect(sharer.locator('[data-from="sharer"] [data-testid="chat-sender"]').first()).toHaveText('You');
  await shot(helper, 'chat-01-helper-trust');
  await shot(sharer, 'chat-02-sharer-trust');

  // The same helper in Arabic: the layout turns right to left, each message keeps its own direction.
  const arabic = await (
    await browser.newContext({ locale: 'ar', storageState: await helper.context().storageState() })
  ).newPage();
  await arabic.goto(helper.url());
  await expect(arabic.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(arabic.getByTestId('chat-text')).toHaveCount(SCRIPTS.length);
  expect(await shownTexts(arabic)).toEqual(SCRIPTS);
  await shot(arabic, 'chat-08-helper-arabic');
  await arabic.context().close();

  // An address with a right-to-left override shows what it really is, as text, not a link.
  await send(sharer, 'Open https://bank.example/\u202Eexe.pdf please');
  const address = helper.getByTestId('chat-address').last();
  await expect(address).toHaveText('https://bank.example/[U+202E]exe.pdf');
  await expect(helper.locator('[data-testid="chat-panel"] a')).toHaveCount(0);
  await expect(helper.getByTestId('chat-announcement')).toHaveText(/^New message from Lena Fischer: Open https/);

  // Typing shows on the other side; the unread counter counts while the panel is hidden.
  await sharer.getByTestId('chat-input').fill('I am writing');
  await expect(helper.getByTestId('chat-typing')).toHaveText(/Lena Fischer.* is typing…/);
  await helper.getByRole('button', { name: 'Hide' }).click();
  await sharer.getByTestId('chat-input').press('Enter');
  await send(sharer, 'and again');
  await expect(helper.getByTestId('chat-unread')).toHaveText('2');
  await shot(helper, 'chat-03-helper-unread');
  await helper.getByRole('button', { name: 'Show' }).click();
  await expect(helper.getByTestId('chat-unread')).toHaveCount(0);

  // A reload keeps the thread (it comes from the server), and what was typed and not sent yet.
  const before = await shownTexts(sharer);
  const draft = 'Ich öffne gleich die 设置 — لحظة من فضلك';
  await sharer.getByTestId('chat-input').fill(draft);
  await sharer.reload();
  await expect(sharer.getByTestId('chat-text')).toHaveCount(before.length);
  expect(await shownTexts(sharer)).toEqual(before);
  await expect(sharer.getByTestId('chat-unread')).toHaveCount(0);
  await expect(sharer.getByTestId('chat-input')).toHaveValue(draft);
  // Sent, it is gone from the box, and a reload does not bring it back.
  await sharer.getByTestId('chat-input').press('Enter');
  await expect(helper.getByTestId('chat-text').last()).toHaveText(draft);
  await expect(sharer.getByTestId('chat-input')).toHaveValue('');
  await sharer.reload();
  await expect(sharer.getByTestId('chat-text')).toHaveCount(before.length + 1);
  await expect(sharer.getByTestId('chat-input')).toHaveValue('');

  // Beside the picture while viewing, in both apps.
  await startViewing({ helper, sharer, code: '' });
  await expect(helper.getByTestId('chat-panel')).toBeVisible();
  await send(helper, 'I can see your screen now 👀');
  await expect(sharer.getByTestId('chat-text').last()).toHaveText('I can see your screen now 👀');
  await shot(helper, 'chat-04-helper-viewing');
  await shot(sharer, 'chat-05-sharer-sharing');
  expect(dialogs).toEqual([]);

  // Leaving ends the session; the thread stays readable on the ended screen.
  await sharer.getByRole('button', { name: 'Leave' }).first().click();
  await expect(helper.getByTestId('session-ended')).toBeVisible();
  await expect(helper.getByTestId('chat-text')).toHaveCount(before.length + 2);
  await expect(helper.getByTestId('chat-input')).toHaveCount(0);
  await shot(helper, 'chat-06-helper-ended');
});

test('a helper whose connection keeps dropping ends with the same complete, ordered thread as the sharer', async ({
  browser,
}) => {
  test.setTimeout(360_000);
  // The helper's WebSocket goes through the test, which cuts the page's side (what the server sends
  // on it meanwhile is lost, as on a network that died) and refuses new ones for a while. The
  // server's side stays open until the page is back, so the session does not end for a long cut.
  // Set in the route handler: `as` keeps TypeScript from narrowing it to null here.
  let current = null as { page: WebSocketRoute; server: WebSocketRoute } | null;
  let down = false;
  const { helper, sharer } = await joinedPair(browser, 'sharer@contoso.example', false, async (context) => {
    await context.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
      if (down) return void ws.close({ code: 4000, reason: 'network down' });
      const server = ws.connectToServer();
      ws.onMessage((message) => server.send(message));
      server.onMessage((message) => ws.send(message));
      ws.onClose(() => undefined);
      server.onClose(() => void ws.close());
      const previous = current;
      current = { page: ws, server };
      void previous?.server.close();
    });
  });
  const DROPS = 5;
  const expected: string[] = [];
  for (let round = 0; round < DROPS; round++) {
    down = true;
    await current?.page.close({ code: 4000, reason: 'network down' });
    // Both write while the helper is cut off: the helper's wait in its outbox ("Sending…").
    for (const [page, who] of [
      [helper, 'helper'],
      [sharer, 'sharer'],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const text = `${who} ${round}.${i} ${SCRIPTS[(round * 2 + i) % SCRIPTS.length]}`;
        await send(page, text);
        expected.push(text);
      }
    }
    await expect(helper.locator('[data-testid="chat-message"][data-state="sending"]')).toHaveCount(2);
    down = false;
    await expect(helper.locator('[data-testid="chat-message"][data-state="sending"]')).toHaveCount(0, {
      timeout: 30_000,
    });
  }
  const total = DROPS * 4;
  await expect(helper.getByTestId('chat-text')).toHaveCount(total, { timeout: 30_000 });
  await expect(sharer.getByTestId('chat-text')).toHaveCount(total);
  const [helperThread, sharerThread] = [await shownTexts(helper), await shownTexts(sharer)];
  // Both sides: the same thread, nothing twice, nothing missing, each side's messages in the order written.
  expect(helperThread).toEqual(sharerThread);
  expect(new Set(helperThread).size).toBe(total);
  expect([...helperThread].sort()).toEqual([...expected].sort());
  for (const who of ['helper', 'sharer']) {
    const mine = (list: string[]) => list.filter((text) => text.startsWith(`${who} `));
    expect(mine(helperThread)).toEqual(mine(expected));
  }
  const seqs = await helper
    .locator('[data-testid="chat-message"][data-state="sent"]')
    .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
  expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
});

test('an organization that turns chat off: no chat panel on either side, and the server refuses messages', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/reports/monitor', 'admin@contoso.example');
  const setChat = (disableChat: boolean) =>
    admin.evaluate(async (disable) => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
      const current = (await (await fetch('/api/v1/tenant/settings')).json()) as { settings: object };
      const reply = await fetch('/api/v1/tenant/settings', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ ...current.settings, disableChat: disable }),
      });
      return reply.status;
    }, disableChat);
  // Turned off during a session: the next word typed is refused, the panel goes and the page says why.
  const before = await joinedPair(browser);
  await send(before.helper, 'before it was turned off');
  await expect(before.sharer.getByTestId('chat-text')).toHaveText(['before it was turned off']);
  expect(await setChat(true)).toBe(200);
  try {
    await before.helper.getByTestId('chat-input').fill('after it was turned off');
    await expect(before.helper.getByTestId('chat-panel')).toHaveCount(0);
    await expect(before.helper.getByTestId('server-error')).toHaveText('Your organization has turned chat off.');
    await before.sharer.reload();
    await expect(before.sharer.getByTestId('peer-card')).toBeVisible();
    await expect(before.sharer.getByTestId('chat-panel')).toHaveCount(0);

    const { helper, sharer } = await joinedPair(browser);
    // The trust screens are there, the chat is not.
    await expect(helper.getByRole('button', { name: 'View only' })).toBeVisible();
    await expect(helper.getByTestId('chat-panel')).toHaveCount(0);
    await expect(sharer.getByTestId('chat-panel')).toHaveCount(0);
    await shot(helper, 'chat-07-helper-trust-chat-off');
    // A client that sends anyway is refused with chat_disabled.
    const refused = await helper.evaluate(async () => {
      const sessionId = new URL(location.href).searchParams.get('session');
      const ws = new WebSocket(`ws://${location.host}/api/v1/ws`);
      const frames: { type: string; error?: string }[] = [];
      return new Promise<string | undefined>((resolve) => {
        ws.onmessage = (event) => {
          const frame = JSON.parse(String(event.data)) as { type: string; error?: string };
          frames.push(frame);
          if (frame.type === 'hello') ws.send(JSON.stringify({ type: 'attach', sessionId }));
          if (frame.type === 'attached')
            ws.send(JSON.stringify({ type: 'chat.send', id: 'x1', sessionId, clientId: 'refused-0001', text: 'hi' }));
          if (frame.type === 'error') {
            ws.close();
            resolve(frame.error);
          }
        };
      });
    });
    expect(refused).toBe('chat_disabled');
  } finally {
    expect(await setChat(false)).toBe(200);
  }
});
