import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WindowClient } from '../testing/windowClient.js';
import type { UiChat, UiCommand, UiController, UiImage, UiState } from './model.js';
import { CSRF_HEADER, parseCookies, UI_COOKIE, WINDOW_HEADER } from './uiAccess.js';
import { UiServer } from './uiServer.js';

const baseState: UiState = {
  screen: 'enterCode',
  server: 'https://help.example.com',
  account: null,
  helper: null,
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

/** A controller that records commands and lets the test change the state. */
function fakeController() {
  const listeners = new Set<() => void>();
  const fake = {
    commands: [] as UiCommand[],
    current: { ...baseState },
    photo: null as UiImage | null,
    chat: null as UiChat | null,
    set(patch: Partial<UiState>) {
      fake.current = { ...fake.current, ...patch };
      for (const l of listeners) l();
    },
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
    helperPhoto: async () => fake.photo,
    preview: () => ({ width: 2, height: 1, rgba: Uint8Array.of(1, 2, 3, 255, 4, 5, 6, 255) }),
    chat: () => fake.chat,
  };
  return { fake, controller };
}

/** A raw GET with any Host header (fetch does not let tests forge it). */
function getWithHost(origin: string, path: string, host: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { ...headers, host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('agent window server', () => {
  let ui: UiServer;
  let fake: ReturnType<typeof fakeController>['fake'];
  beforeEach(async () => {
    const made = fakeController();
    fake = made.fake;
    ui = await UiServer.start({ controller: made.controller });
  });
  afterEach(() => ui.close());

  it('listens on 127.0.0.1 only', () => {
    expect(ui.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('exchanges a launch token once for the page and an HttpOnly SameSite=Strict cookie', async () => {
    const url = ui.launchUrl();
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(first.headers.get('cache-control')).toBe('no-store');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${UI_COOKIE}=[\\w-]{40,};`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(`${ui.origin}/?t=guessed`, { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(`${ui.origin}/?t=`, { redirect: 'manual' })).status).toBe(403);
  });

  it('answers 403 to every request without the cookie, or with a forged one', async () => {
    for (const path of ['/', '/app.js', '/app.css', '/api/state', '/api/events', '/api/photo', '/api/preview', '/x']) {
      expect((await fetch(`${ui.origin}${path}`)).status, path).toBe(403);
      const forged = await fetch(`${ui.origin}${path}`, { headers: { cookie: `${UI_COOKIE}=forged` } });
      expect(forged.status, path).toBe(403);
    }
    const post = await fetch(`${ui.origin}/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"leave"}',
    });
    expect(post.status).toBe(403);
    expect(fake.commands).toEqual([]);
  });

  it('serves the page with the CSRF token and a strict CSP, and the static files, to the window', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    const page = await window.get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain(`content="${window.csrf}"`);
    expect((await window.get('/app.js')).headers.get('content-type')).toContain('javascript');
    expect((await window.get('/app.css')).headers.get('content-type')).toContain('text/css');
    expect(((await (await window.get('/api/strings')).json()) as { allow: string }).allow).toBe('Allow');
    expect(await window.state()).toEqual(baseState);
  });

  it('refuses a Host that is not this server (DNS rebinding)', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    const port = new URL(ui.origin).port;
    expect(await getWithHost(ui.origin, '/api/state', `127.0.0.1:${port}`, window.headers)).toBe(200);
    expect(await getWithHost(ui.origin, '/api/state', `localhost:${port}`, window.headers)).toBe(200);
    expect(await getWithHost(ui.origin, '/api/state', `evil.example:${port}`, window.headers)).toBe(403);
    expect(await getWithHost(ui.origin, '/', `evil.example:${port}`, window.headers)).toBe(403);
  });

  it('runs a command only with the CSRF token and a same-origin Origin', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    const leave = { type: 'leave' };
    expect((await window.post(leave, { 'x-rh-csrf': '' })).status).toBe(403);
    expect((await window.post(leave, { 'x-rh-csrf': 'wrong' })).status).toBe(403);
    expect((await window.post(leave, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await window.post(leave, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(fake.commands).toEqual([]);
    expect((await window.post(leave, { origin: ui.origin, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(fake.commands).toEqual([{ type: 'leave' }]);
  });

  it('a CSRF token of one window does not work with another window’s cookie', async () => {
    const a = await WindowClient.open(ui.launchUrl());
    const b = await WindowClient.open(ui.launchUrl());
    expect((await a.post({ type: 'leave' }, { 'x-rh-csrf': b.csrf })).status).toBe(403);
  });

  it('the cookie alone (sent by the browser to every port of 127.0.0.1) opens only the page: reads and commands need the window key', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    // What another local user's listener on another port gets from the browser: the cookie, and with it the page (and its CSRF token).
    const page = await (await fetch(`${ui.origin}/`, { headers: { cookie: window.cookie } })).text();
    const csrf = /name="rh-csrf" content="([^"]+)"/.exec(page)?.[1] as string;
    expect(csrf).toBe(window.csrf);
    const allow = { type: 'respond', allow: true, mode: 'control' };
    const stolen = { cookie: window.cookie, [CSRF_HEADER]: csrf, 'content-type': 'application/json' };
    const post = (headers: Record<string, string>) =>
      fetch(`${ui.origin}/api/command`, { method: 'POST', headers, body: JSON.stringify(allow) });
    expect((await post(stolen)).status).toBe(403);
    expect((await post({ ...stolen, [WINDOW_HEADER]: '' })).status).toBe(403);
    expect((await post({ ...stolen, [WINDOW_HEADER]: 'x'.repeat(43) })).status).toBe(403);
    for (const path of ['/api/state', '/api/events', '/api/chat', '/api/photo', '/api/preview', '/api/nothing']) {
      expect((await fetch(`${ui.origin}${path}`, { headers: { cookie: window.cookie } })).status, path).toBe(403);
      const wrong = { cookie: window.cookie, [WINDOW_HEADER]: 'guessed' };
      expect((await fetch(`${ui.origin}${path}`, { headers: wrong })).status, path).toBe(403);
    }
    // The page it got has no key in it.
    expect(page).toContain('name="rh-window" content=""');
    // Another window's key does not go with this window's cookie.
    const other = await WindowClient.open(ui.launchUrl());
    expect((await post({ ...stolen, [WINDOW_HEADER]: other.windowKey })).status).toBe(403);
    // A page of another port is same-site, not same-origin: refused even with the key.
    const port = Number(new URL(ui.origin).port);
    const site = { 'sec-fetch-site': 'same-site', origin: `http://127.0.0.1:${port + 1}` };
    expect((await window.get('/api/state', { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await window.post(allow, site)).status).toBe(403);
    expect((await window.post(allow, { origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
    expect(fake.commands).toEqual([]);
    // The window itself: cookie, key, CSRF token.
    expect((await window.get('/api/state', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await window.post(allow, { 'sec-fetch-site': 'same-origin', origin: ui.origin })).status).toBe(200);
    expect(fake.commands).toEqual([allow]);
  });

  it('hands the window key only in the page that spends the launch token, and says when a launch was spent', async () => {
    const launch = ui.launch();
    let spent = false;
    void launch.redeemed.then(() => (spent = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(spent).toBe(false);
    const opened = await fetch(launch.url, { redirect: 'manual' });
    expect(opened.status).toBe(200);
    await launch.redeemed;
    expect(spent).toBe(true);
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const key = /name="rh-window" content="([\w-]{40,})"/.exec(await opened.text())?.[1] as string;
    expect(key).toBeDefined();
    // A reload of `/` (with the cookie: anyone who has it) gets no key.
    const again = await (await fetch(`${ui.origin}/`, { headers: { cookie } })).text();
    expect(again).toContain('name="rh-window" content=""');
    expect(again).not.toContain(key);
    // The key keeps working (the page keeps it in sessionStorage).
    expect((await fetch(`${ui.origin}/api/state`, { headers: { cookie, [WINDOW_HEADER]: key } })).status).toBe(200);
    // The strings and static files need only the cookie (nothing secret in them).
    for (const path of ['/api/strings', '/app.js', '/app.css']) {
      expect((await fetch(`${ui.origin}${path}`, { headers: { cookie } })).status, path).toBe(200);
    }
  });

  it('validates every command body with zod before running it', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    const refused: [unknown, number][] = [
      [{ type: 'redeem', code: '1234567' }, 400],
      [{ type: 'redeem', code: '1234567a' }, 400],
      [{ type: 'redeem', code: 12345678 }, 400],
      [{ type: 'redeem', code: '12345678', extra: 1 }, 400],
      [{ type: 'respond', allow: 'yes', mode: 'view' }, 400],
      [{ type: 'respond', allow: true }, 400],
      [{ type: 'respond', allow: true, mode: 'admin' }, 400],
      [{ type: 'respond' }, 400],
      [{ type: 'leave', now: true }, 400],
      [{ type: 'format-disk' }, 400],
      [[], 400],
      ['not json', 400],
      [{ type: 'chatSend' }, 400],
      [{ type: 'chatSend', text: 42 }, 400],
      [{ type: 'chatRetry', clientId: '../etc' }, 400],
      [{ type: 'chatTyping', typing: 'yes' }, 400],
      [{ type: 'redeem', code: 'x'.repeat(70_000) }, 413],
    ];
    for (const [body, status] of refused) {
      const response = await window.post(body);
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(status);
    }
    const invalid = (await (await window.post({ type: 'redeem', code: '1' })).json()) as { error: string };
    expect(invalid.error).toBe('validation_failed');
    const text = await window.post('{"type":"leave"}', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(fake.commands).toEqual([]);

    await window.command({ type: 'redeem', code: '1234-5678' });
    await window.command({ type: 'respond', allow: false, mode: 'control' });
    // A chat message in any script, up to the limit, passes as it was typed.
    const long = '👩🏽‍💻 مرحبا '.repeat(400);
    await window.command({ type: 'chatSend', text: long });
    expect(fake.commands).toEqual([
      { type: 'redeem', code: '12345678' },
      { type: 'respond', allow: false, mode: 'control' },
      { type: 'chatSend', text: long },
    ]);
  });

  it('streams the state as Server-Sent Events, on every change', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    const response = await window.get('/api/events');
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const nextState = async (): Promise<UiState> => {
      for (;;) {
        const match = /data: (.*)\n\n/.exec(text);
        if (match) {
          text = text.slice((match.index ?? 0) + match[0].length);
          return JSON.parse(match[1] as string) as UiState;
        }
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
      }
    };
    expect((await nextState()).screen).toBe('enterCode');
    fake.set({ screen: 'trust' });
    expect((await nextState()).screen).toBe('trust');
    await reader.cancel();
  });

  it('keeps only the newest state for a window that does not read, and sends it once it reads again', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    const url = new URL(ui.origin);
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    await once(socket, 'connect');
    socket.write(
      `GET /api/events HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${window.cookie}\r\n` +
        `${WINDOW_HEADER}: ${window.windowKey}\r\n\r\n`,
    );
    socket.pause(); // a hung page: nothing is read
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // 3,000 changes in separate turns, each a state of ~4 KB: ~12 MB for a window that read them all.
    const filler = 'x'.repeat(4000);
    for (let i = 1; i <= 3000; i++) {
      fake.set({ server: `https://help.example.com/${i}/${filler}`, previewVersion: i });
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.resume();
    const events = (): number[] =>
      [
        ...Buffer.concat(received)
          .toString('utf8')
          .matchAll(/"previewVersion":(\d+)/g),
      ].map((m) => Number(m[1]));
    await vi.waitFor(() => expect(events().at(-1)).toBe(3000), { timeout: 5000 });
    // What the kernel's buffers held before the stall, then the newest: far from 3,000 events.
    expect(events().length).toBeLessThan(1000);
    socket.destroy();
  });

  it('serves the helper photo sandboxed, and the preview as raw RGBA', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    expect((await window.get('/api/photo')).status).toBe(404);
    fake.photo = { contentType: 'image/svg+xml', body: new TextEncoder().encode('<svg/>') };
    const photo = await window.get('/api/photo');
    expect(photo.headers.get('content-type')).toBe('image/svg+xml');
    expect(photo.headers.get('content-security-policy')).toContain('sandbox');
    const preview = await window.get('/api/preview');
    expect([preview.headers.get('x-preview-width'), preview.headers.get('x-preview-height')]).toEqual(['2', '1']);
    expect(new Uint8Array(await preview.arrayBuffer())).toHaveLength(8);
  });

  it('serves the chat to the window only, as JSON', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    expect((await window.get('/api/chat')).status).toBe(404);
    fake.chat = { readOnly: false, loaded: true, peerName: 'Daniel', peerTyping: false, messages: [] };
    const chat = await window.get('/api/chat');
    expect(chat.headers.get('content-type')).toContain('application/json');
    expect(await chat.json()).toEqual(fake.chat);
    expect((await fetch(`${ui.origin}/api/chat`)).status).toBe(403);
    expect((await fetch(`${ui.origin}/api/chat`, { headers: { cookie: window.cookie } })).status).toBe(403);
  });
});

describe('parseCookies', () => {
  it('splits a Cookie header and keeps the first of duplicate names', () => {
    expect(parseCookies('a=1; b=2=3;c=; a=9; junk')).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2=3'],
        ['c', ''],
      ]),
    );
    expect(parseCookies(undefined).size).toBe(0);
  });
});
