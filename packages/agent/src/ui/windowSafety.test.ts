/**
 * The agent window in real Chromium against the real UI server (a fake agent behind it), for
 * what only a browser shows:
 * - Allow and Open Remote Help are never given the focus, and do nothing for a moment after they
 *   appear or change: the helper who asks for full control while the sharer types in the chat
 *   ("tell me your name") does not get it from the sharer's next Space or Enter; a key pressed
 *   before the request changed does not answer the new one; a click or a Tab + Enter at once does
 *   nothing, the same a moment later answers.
 * - The window's cookie goes to every port of 127.0.0.1: another local user's listener there
 *   gets it, and with it nothing (the window key lives in the window's sessionStorage).
 * - The hand-over page the agent gives the browser (file://) brings it to the window.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeHandOver } from '../platform/browser.js';
import type { UiChat, UiCommand, UiController, UiState } from './model.js';
import { CSRF_HEADER, UI_COOKIE, WINDOW_HEADER } from './uiAccess.js';
import { UiServer } from './uiServer.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Longer than the window's CONSENT_DELAY_MS (800 ms). */
const SETTLED_MS = 1100;

const baseState: UiState = {
  screen: 'trust',
  server: 'https://help.example.com',
  account: { name: 'Sam', email: 'sam@example.com' },
  helper: {
    displayName: 'Mallory Helper',
    jobTitle: null,
    company: 'Contoso',
    email: 'm@contoso.example',
    tenantName: 'Contoso',
    verifiedDomain: null,
    assertedDomain: null,
    hasPhoto: false,
  },
  request: null,
  mode: null,
  controlActive: false,
  hotkey: false,
  media: 'none',
  connectionCheck: null,
  laser: null,
  endReason: null,
  error: null,
  busy: false,
  previewVersion: 0,
  paused: false,
  displayLost: false,
  inputUnavailable: false,
  rejoined: false,
  chatVersion: 0,
  deviceRevoked: null,
};

function fakeController() {
  const listeners = new Set<() => void>();
  const fake = {
    commands: [] as UiCommand[],
    current: { ...baseState } as UiState,
    chat: { readOnly: false, loaded: true, peerName: 'Mallory Helper', peerTyping: false, messages: [] } as UiChat,
    set(patch: Partial<UiState>) {
      fake.current = { ...fake.current, ...patch };
      for (const l of listeners) l();
    },
    answers: () => fake.commands.filter((c) => c.type === 'respond' || c.type === 'acceptLaunch'),
  };
  const controller: UiController = {
    state: () => fake.current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async command(command) {
      fake.commands.push(command);
    },
    helperPhoto: async () => null,
    preview: () => null,
    chat: () => fake.chat,
  };
  return { fake, controller };
}

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${Array.from(el.classList).join('.')}` : '';
  });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!existsSync(CHROMIUM))('the agent window in Chromium', { timeout: 60_000 }, () => {
  let browser: Browser;
  let ui: UiServer;
  let fake: ReturnType<typeof fakeController>['fake'];
  let page: Page;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    const made = fakeController();
    fake = made.fake;
    ui = await UiServer.start({ controller: made.controller });
    page = await (await browser.newContext({ viewport: { width: 560, height: 900 } })).newPage();
  });
  afterEach(async () => {
    await page.context().close();
    await ui.close();
  });

  /** Opens the window on `state` and waits for it to show `visible`. */
  const open = async (state: Partial<UiState>, visible: string): Promise<void> => {
    fake.set(state);
    await page.goto(ui.launchUrl());
    await page.locator(visible).waitFor({ state: 'visible' });
  };

  it('a request while the sharer types in the chat: the focus stays there, and Space and Enter do not allow', async () => {
    await open({ chatVersion: 1 }, '#chat-input');
    await page.click('#chat-input');
    await page.keyboard.type('hello');
    fake.set({ screen: 'request', request: 'control' });
    const allow = page.locator('section[data-screen="request"] .allow');
    await allow.waitFor({ state: 'visible' });
    expect(await focused(page)).toBe('textarea#chat-input.input.chat-input');
    await page.keyboard.type(' there');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter'); // sends the chat message, as it should
    await pause(SETTLED_MS);
    await page.keyboard.type('more ');
    await page.keyboard.press('Enter');
    await pause(300);
    expect(fake.answers()).toEqual([]);
    expect(fake.commands).toContainEqual({ type: 'chatSend', text: 'hello there ' });
    // A screen reader hears the request instead of being moved to it.
    expect(await page.locator('#announce').textContent()).toBe(
      'Mallory Helper wants to take full control of your mouse and keyboard',
    );
  });

  it('the request takes the focus to its heading, never to Allow; Allow does nothing at first, then works', async () => {
    await open({}, 'section[data-screen="trust"] h2');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    fake.set({ screen: 'request', request: 'control' });
    const allow = page.locator('section[data-screen="request"] .allow');
    await allow.waitFor({ state: 'visible' });
    expect(await focused(page)).toBe('h2.request-title');
    expect(await allow.getAttribute('aria-disabled')).toBe('true');
    // Space and Enter on the heading, a click and a Tab + Enter at once: nothing.
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    const box = (await allow.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await pause(SETTLED_MS);
    expect(fake.answers()).toEqual([]);
    await page.evaluate(() => (document.querySelector('section[data-screen="request"] h2') as HTMLElement).focus());
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button.button.primary.allow');
    await page.keyboard.press('Enter'); // the keyboard just arrived: too soon
    await pause(300);
    expect(fake.answers()).toEqual([]);
    await pause(SETTLED_MS);
    expect(await allow.getAttribute('aria-disabled')).toBeNull();
    await page.keyboard.press('Enter');
    await expect.poll(() => fake.answers()).toEqual([{ type: 'respond', allow: true, mode: 'control' }]);
    // And a click a moment after it appeared.
    fake.commands.length = 0;
    fake.set({ screen: 'trust', request: null });
    await page.locator('section[data-screen="trust"] h2').waitFor({ state: 'visible' });
    fake.set({ screen: 'request', request: 'view' });
    await allow.waitFor({ state: 'visible' });
    await pause(SETTLED_MS);
    const moved = (await allow.boundingBox())!; // no detail line for "view"
    await page.mouse.click(moved.x + moved.width / 2, moved.y + moved.height / 2);
    await expect.poll(() => fake.answers()).toEqual([{ type: 'respond', allow: true, mode: 'view' }]);
  });

  it('a key pressed before the request changed does not answer the new request', async () => {
    await open({ screen: 'request', request: 'view' }, 'section[data-screen="request"] .allow');
    const allow = page.locator('section[data-screen="request"] .allow');
    await allow.focus();
    await pause(SETTLED_MS);
    await page.keyboard.down('Space'); // pressed on Allow of "view"…
    fake.set({ request: 'control' }); // …the helper asks for control meanwhile…
    await expect.poll(() => page.locator('section[data-screen="request"] h2').textContent()).toContain('control');
    await pause(SETTLED_MS);
    await page.keyboard.up('Space'); // …released after: not an answer to "control"
    await pause(300);
    expect(fake.answers()).toEqual([]);
    await page.keyboard.press('Space');
    await expect.poll(() => fake.answers()).toEqual([{ type: 'respond', allow: true, mode: 'control' }]);
  });

  it('the window coming to the front arms Allow again, unless a click on it brought it there', async () => {
    await open({ screen: 'request', request: 'control' }, 'section[data-screen="request"] .allow');
    const allow = page.locator('section[data-screen="request"] .allow');
    await allow.focus();
    await pause(SETTLED_MS);
    const toFront = () => page.evaluate(() => window.dispatchEvent(new FocusEvent('focus')));
    await toFront(); // e.g. Alt+Tab, or the window manager, while the person typed elsewhere
    await page.keyboard.press('Enter');
    await pause(300);
    expect(fake.answers()).toEqual([]);
    await pause(SETTLED_MS);
    await toFront(); // a click on Allow in a window behind: the click is what brought it forward
    const box = (await allow.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => fake.answers()).toEqual([{ type: 'respond', allow: true, mode: 'control' }]);
  });

  it('an upgrade request while sharing: its Allow does nothing at first either', async () => {
    await open({ screen: 'sharing', mode: 'view', media: 'connected' }, '#stop-sharing');
    fake.set({ request: 'control' });
    const allow = page.locator('#upgrade .allow');
    await allow.waitFor({ state: 'visible' });
    const box = (await allow.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await pause(300);
    expect(fake.answers()).toEqual([]);
    await pause(SETTLED_MS);
    await allow.click();
    await expect.poll(() => fake.answers()).toEqual([{ type: 'respond', allow: true, mode: 'control' }]);
  });

  it('a launch offer: the focus goes to its heading, and Open Remote Help does nothing at first', async () => {
    await open({ screen: 'launch' }, '#accept-launch');
    expect(await focused(page)).toBe('h2#launch-title.');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    const box = (await page.locator('#accept-launch').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await pause(300);
    expect(fake.answers()).toEqual([]);
    await pause(SETTLED_MS);
    await page.locator('#accept-launch').click();
    await expect.poll(() => fake.answers()).toEqual([{ type: 'acceptLaunch' }]);
  });

  it('passes axe (WCAG 2.1 AA) on the request and the launch offer, while their buttons wait and after', async () => {
    const axe = async (what: string) => {
      const { violations } = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      expect(
        violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`),
        what,
      ).toEqual([]);
    };
    await open({ screen: 'request', request: 'control' }, 'section[data-screen="request"] .allow');
    await axe('request, Allow waiting');
    await pause(SETTLED_MS);
    await axe('request');
    fake.set({ screen: 'launch', request: null });
    await page.locator('#accept-launch').waitFor({ state: 'visible' });
    await axe('launch offer, waiting');
  });

  it('the cookie another port of 127.0.0.1 gets from the browser opens nothing; the window key stays with the window', async () => {
    await open({ screen: 'request', request: 'control' }, 'section[data-screen="request"] .allow');
    // Another local user's listener on another loopback port, which the sharer's browser visits.
    let stolen = '';
    const evil: Server = createServer((req, res) => {
      if (req.url === '/steal') {
        stolen = req.headers.cookie ?? '';
        return void res.end('ok');
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<script>fetch('/steal')</script>nothing to see`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const tab = await page.context().newPage();
      await tab.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      await expect.poll(() => stolen).toContain(`${UI_COOKIE}=`);
      expect(await tab.evaluate(() => sessionStorage.getItem('rh-window'))).toBeNull();
      const cookie = stolen
        .split(';')
        .map((s) => s.trim())
        .find((s) => s.startsWith(`${UI_COOKIE}=`)) as string;
      // The thief, without a browser: the page (no key in it), then Allow.
      const html = await (await fetch(`${ui.origin}/`, { headers: { cookie } })).text();
      const csrf = /name="rh-csrf" content="([^"]+)"/.exec(html)?.[1] as string;
      const allow = JSON.stringify({ type: 'respond', allow: true, mode: 'control' });
      const post = await fetch(`${ui.origin}/api/command`, {
        method: 'POST',
        headers: { cookie, [CSRF_HEADER]: csrf, 'content-type': 'application/json' },
        body: allow,
      });
      expect(post.status).toBe(403);
      expect(html).toContain('name="rh-window" content=""');
      expect((await fetch(`${ui.origin}/api/state`, { headers: { cookie } })).status).toBe(403);
      const guessed = { cookie, [WINDOW_HEADER]: 'x'.repeat(43) };
      expect((await fetch(`${ui.origin}/api/state`, { headers: guessed })).status).toBe(403);
      expect(fake.answers()).toEqual([]);
      // The window itself still works, after a reload too (its key is in its sessionStorage).
      await page.reload();
      await page.locator('section[data-screen="request"] .allow').waitFor({ state: 'visible' });
      await pause(SETTLED_MS);
      await page.locator('section[data-screen="request"] .allow').click();
      await expect.poll(() => fake.answers()).toEqual([{ type: 'respond', allow: true, mode: 'control' }]);
    } finally {
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
  });

  it('the hand-over page the agent gives the browser opens the window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-window-'));
    try {
      const launch = ui.launch();
      const file = await writeHandOver(launch.url, join(dir, 'run'));
      await page.goto(pathToFileURL(file).href);
      await page.locator('section[data-screen="trust"] h2').waitFor({ state: 'visible' });
      await launch.redeemed;
      expect(page.url()).toBe(`${ui.origin}/`);
      expect(await page.locator('#waiting-text').textContent()).toContain('Mallory Helper');
      // Not the hand-over page to go back to (it replaced itself), nor the token in the address.
      await page.goBack();
      expect(page.url()).toBe('about:blank');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
