/**
 * Integration (issue 10, Chat): the agent window's chat against the real server (built, run
 * as a child process), through the agent's own signaling connection, with a helper played
 * by a browser-like client on the real WebSocket. Text in Chinese, Arabic, Hebrew, Thai,
 * emoji with skin tones and ZWJ sequences, and markup arrives byte-identical both ways and
 * in order; the window shows it in pieces whose text is the message (addresses with their
 * target written out); a typed refusal (too long) stays in the window and sends nothing.
 * No screen is shared here: chat starts on the trust screen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage, ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../auth/tokenStore.js';
import type { PlatformAdapter } from '../platform/types.js';
import { BrowserClient, sessionPush, type TestSocket } from '../testing/browserClient.js';
import { startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from '../testing/serverProcess.js';
import { WindowClient } from '../testing/windowClient.js';
import type { UiChat } from '../ui/model.js';
import { UiServer } from '../ui/uiServer.js';
import { AgentApp } from './agentApp.js';

const SCRIPTS = [
  '你好，我的屏幕上有一个错误信息。',
  'مرحبا، هل يمكنك رؤية شاشتي؟',
  'שלום, אני לא מצליח להתחבר למדפסת',
  'สวัสดีครับ ช่วยดูหน้าจอให้หน่อย',
  '👍🏽 👋🏿 👩🏽‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 🧑🏻‍🤝‍🧑🏾',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '  two lines,\n  spaces kept  ',
];

/** No desktop and no screen: the chat needs neither. */
const noDesktop: PlatformAdapter = {
  name: 'linux',
  openScreenSource: () => Promise.reject(new Error('no screen in this test')),
  openDesktop: () => Promise.reject(new Error('no desktop in this test')),
  createInputInjector: () => Promise.reject(new Error('no input in this test')),
  checkPermissions: () => Promise.reject(new Error('not needed')),
  requestPermissions: async () => undefined,
};

const textOf = (m: UiChat['messages'][number]) => m.parts.map((p) => p.text).join('');

describe('agent window chat ⇄ real server ⇄ helper', { timeout: 30_000 }, () => {
  let server: ServerProcess;
  let configDir: string;
  let app: AgentApp;
  let ui: UiServer;
  let window: WindowClient;
  let helper: BrowserClient;
  let hws: TestSocket;
  let sessionId = '';

  const chat = async (): Promise<UiChat> => (await (await window.get('/api/chat')).json()) as UiChat;
  const chatUntil = async (done: (c: UiChat) => boolean, what: string): Promise<UiChat> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const state = await window.state();
      if (state.chatVersion > 0) {
        const current = await chat();
        if (done(current)) return current;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    server = await startServerProcess();
    configDir = mkdtempSync(join(tmpdir(), 'rh-agent-chat-'));
    app = new AgentApp({
      server: server.url,
      store: new TokenStore(configDir),
      platform: noDesktop,
      openBrowser: (url) =>
        new BrowserClient(server.url).completeAgentSignIn(url, 'sharer@contoso.example', TEST_DEMO_PASSWORD),
    });
    await app.start();
    ui = await UiServer.start({ controller: app });
    window = await WindowClient.open(ui.launchUrl());
    await window.command({ type: 'signIn' });
    await window.waitFor((s) => s.screen === 'enterCode', 'the code screen');
    helper = new BrowserClient(server.url);
    await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
    const created = await helper.post('/api/v1/sessions');
    const { code, session } = created.body as { code: string; session: { id: string } };
    sessionId = session.id;
    hws = await helper.socket();
    hws.send({ type: 'attach', sessionId });
    await hws.next(sessionPush('waiting'));
    await window.command({ type: 'redeem', code });
    await window.waitFor((s) => s.screen === 'trust', 'the trust screen');
    await hws.next(sessionPush('joined', { sharerClient: 'agent' }));
  }, 60_000);

  afterAll(async () => {
    hws?.close();
    await app?.shutdown();
    await ui?.close();
    await server?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('shows an empty thread on the trust screen', async () => {
    const empty = await chatUntil((c) => c.loaded, 'the thread');
    expect(empty).toMatchObject({ readOnly: false, peerName: 'Daniel Okafor', messages: [] });
  });

  it('the helper’s messages reach the window exactly as sent, in order, isolated from markup', async () => {
    for (const [i, text] of SCRIPTS.entries()) {
      hws.send({ type: 'chat.send', sessionId, clientId: `helper-msg-${i}`, text });
      await hws.next((m) => m.type === 'chat.message' && m.message.clientId === `helper-msg-${i}`);
    }
    const shown = await chatUntil((c) => c.messages.length === SCRIPTS.length, 'the helper’s messages');
    expect(shown.messages.map(textOf)).toEqual(SCRIPTS);
    expect(shown.messages.every((m) => !m.mine && m.name === 'Daniel Okafor' && m.state === 'sent')).toBe(true);
    expect(shown.messages.map((m) => m.seq)).toEqual(SCRIPTS.map((_, i) => i + 1));
  });

  it('the window’s messages reach the helper exactly as typed, acknowledged in the window', async () => {
    const since = hws.received.length;
    for (const text of SCRIPTS) await window.command({ type: 'chatSend', text });
    const shown = await chatUntil(
      (c) => c.messages.filter((m) => m.mine && m.state === 'sent').length === SCRIPTS.length,
      'the window’s messages acknowledged',
    );
    const received = hws.received
      .slice(since)
      .filter((m): m is Extract<ServerMessage, { type: 'chat.message' }> => m.type === 'chat.message')
      .map((m) => m.message as ChatMessage);
    expect(received.map((m) => [m.from, m.text])).toEqual(SCRIPTS.map((text) => ['sharer', text]));
    for (const [i, m] of received.entries()) {
      expect(Buffer.from(m.text, 'utf8').equals(Buffer.from(SCRIPTS[i] as string, 'utf8'))).toBe(true);
    }
    expect(shown.messages.filter((m) => m.mine).map(textOf)).toEqual(SCRIPTS);
  });

  it('an address shows its real target; typing reaches the window; too long stays in the window', async () => {
    hws.send({
      type: 'chat.send',
      sessionId,
      clientId: 'helper-link-1',
      text: 'See https://bank.example/\u202Efdp.exe',
    });
    const withLink = await chatUntil((c) => c.messages.some((m) => m.clientId === 'helper-link-1'), 'the link');
    const parts = withLink.messages.find((m) => m.clientId === 'helper-link-1')?.parts;
    expect(parts).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'address', text: 'https://bank.example/\u202Efdp.exe', shown: 'https://bank.example/[U+202E]fdp.exe' },
    ]);
    hws.send({ type: 'chat.typing', sessionId, typing: true });
    await chatUntil((c) => c.peerTyping, 'the helper typing');

    const before = (await chat()).messages.length;
    const state = await window.command({ type: 'chatSend', text: 'x'.repeat(4001) });
    expect(state.error).toEqual({ code: 'message_too_long', retryAfterSeconds: null });
    expect((await chat()).messages).toHaveLength(before);
  });

  it('after the end the thread stays readable, without a box to write in', async () => {
    expect((await helper.post(`/api/v1/sessions/${sessionId}/leave`)).status).toBe(200);
    await window.waitFor((s) => s.screen === 'ended', 'the end');
    const ended = await chatUntil((c) => c.readOnly, 'the read-only thread');
    expect(ended.messages.length).toBeGreaterThan(SCRIPTS.length * 2);
  });
});
