/**
 * Integration: the whole agent against the real server (built, run as a child process)
 * under a private Xvfb. The agent signs in through the embedded IdP (RFC 8252, the
 * browser played by fetch), is driven through its own window server like the page
 * does, and shares its screen with a helper played by a second wrtc peer on the real
 * server WebSocket. Input is checked with xdotool and an xev window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@remote-help/protocol';
import { connectionCheckOfPeer } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_FILE, TokenStore } from '../auth/tokenStore.js';
import { createLinuxPlatform } from '../platform/linux/index.js';
import { BrowserClient, sessionPush, type TestSocket } from '../testing/browserClient.js';
import { startRemoteViewer, type RemoteViewer } from '../testing/remoteViewer.js';
import { startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from '../testing/serverProcess.js';
import { WindowClient } from '../testing/windowClient.js';
import { hasCommand, pointerLocation, startXvfb, waitFor, xtool, type Xvfb } from '../testing/xvfb.js';
import { UiServer } from '../ui/uiServer.js';
import { AgentApp } from './agentApp.js';

const missing = ['Xvfb', 'xdotool', 'xev'].filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the agent integration test`);

const none = { shift: false, ctrl: false, alt: false, meta: false };
type SessionMessage = Extract<ServerMessage, { type: 'session' }>;

describe.skipIf(missing.length > 0)('agent ⇄ real server ⇄ helper, under Xvfb', { timeout: 30_000 }, () => {
  let server: ServerProcess;
  let xvfb: Xvfb;
  let configDir: string;
  let app: AgentApp;
  let ui: UiServer;
  let window: WindowClient;
  let helper: BrowserClient;
  let hws: TestSocket;
  let viewer: RemoteViewer;
  let sessionId = '';
  let xev: ChildProcess;
  let xevOut = '';
  const keysyms = (): string[] =>
    [...xevOut.matchAll(/KeyPress event[\s\S]*?keysym 0x[0-9a-f]+, (\w+)/g)].map((m) => m[1] as string);

  beforeAll(async () => {
    [server, xvfb] = await Promise.all([startServerProcess(), startXvfb('1280x720x24')]);
    configDir = mkdtempSync(join(tmpdir(), 'rh-agent-config-'));
    app = new AgentApp({
      server: server.url,
      store: new TokenStore(configDir),
      platform: createLinuxPlatform({ display: xvfb.display }),
      openBrowser: (url) =>
        new BrowserClient(server.url).completeAgentSignIn(url, 'sharer@contoso.example', TEST_DEMO_PASSWORD),
    });
    await app.start();
    ui = await UiServer.start({ controller: app });
    window = await WindowClient.open(ui.launchUrl());
    helper = new BrowserClient(server.url);
    await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
    xev = spawn('xev', ['-geometry', '400x300+0+0', '-event', 'keyboard', '-event', 'structure'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    xev.stdout?.on('data', (chunk: Buffer) => (xevOut += chunk.toString()));
    await waitFor(() => xevOut.includes('MapNotify'), 5000, 'the xev window');
  }, 60_000);

  afterAll(async () => {
    viewer?.close();
    hws?.close();
    await app?.shutdown();
    await ui?.close();
    xev?.kill();
    await Promise.all([server?.stop(), xvfb?.stop()]);
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('signs in through the real IdP with a loopback redirect and stores the tokens with mode 0600', async () => {
    expect((await window.state()).screen).toBe('signedOut');
    await window.command({ type: 'signIn' });
    const state = await window.waitFor((s) => s.screen === 'enterCode', 'the code screen');
    expect(state.account?.name).toBe('Lena Fischer');
    expect(statSync(join(configDir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);

    // The refresh token works at the real IdP, and the new access token at the API.
    const before = (await app.credentials.tokens())?.accessToken;
    const fresh = await app.credentials.accessToken({ forceRefresh: true });
    expect(fresh).not.toBe(before);
    expect((await app.credentials.tokens())?.refreshToken).toBeTruthy();
    expect((await app.api.me()).user.email).toBe('sharer@contoso.example');
  });

  it('redeems the helper’s code and shows the helper on the trust screen, photo proxied', async () => {
    const created = await helper.post('/api/v1/sessions');
    expect(created.status).toBe(201);
    const { code, session } = created.body as { code: string; session: { id: string } };
    sessionId = session.id;
    hws = await helper.socket();
    hws.send({ type: 'attach', sessionId });
    await hws.next(sessionPush('waiting'));

    await window.command({ type: 'redeem', code: `${code.slice(0, 4)} ${code.slice(4)}` });
    const state = await window.waitFor((s) => s.screen === 'trust', 'the trust screen');
    expect(state.helper).toMatchObject({
      displayName: 'Daniel Okafor',
      jobTitle: 'Help Desk Technician',
      company: 'Contoso Ltd.',
      // The demo's domain is asserted by its administrator, not proven by DNS: never "verified".
      verifiedDomain: null,
      assertedDomain: 'contoso.example',
      hasPhoto: true,
    });
    const photo = await window.get('/api/photo');
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/svg+xml');
    expect(await hws.next<SessionMessage>(sessionPush('joined', { sharerClient: 'agent' }))).toBeTruthy();
  });

  it('Allow of a full-control request → active(control); the helper receives video', async () => {
    viewer = startRemoteViewer(hws, sessionId);
    expect((await helper.post(`/api/v1/sessions/${sessionId}/request`, { mode: 'control' })).status).toBe(200);
    await window.waitFor((s) => s.screen === 'request' && s.request === 'control', 'the control request');

    const allowedAt = performance.now();
    await window.command({ type: 'respond', allow: true, mode: 'control' });
    await hws.next(sessionPush('active', { mode: 'control' }));
    await waitFor(() => viewer.firstFrameAt !== null, 15_000, 'the first frame at the helper');
    const firstFrameMs = (viewer.firstFrameAt as number) - allowedAt;
    const since = (t: number | null): string => (t === null ? '?' : (t - allowedAt).toFixed(0));
    console.log(
      `Allow → offer ${since(viewer.offerAt)} ms → connected ${since(viewer.connectedAt)} ms → ` +
        `first decoded frame at the helper ${firstFrameMs.toFixed(0)} ms`,
    );
    expect(viewer.lastSize).toEqual({ width: 1280, height: 720 });

    await viewer.waitForChannels();
    await waitFor(() => viewer.control.some((m) => m.type === 'controlState' && m.active), 5000, 'controlState');
    expect(viewer.control.find((m) => m.type === 'displays')).toMatchObject({
      displays: [{ width: 1280, height: 720, primary: true }],
    });
    const state = await window.waitFor((s) => s.controlActive && s.mode === 'control', 'control in the window');
    expect(state.screen).toBe('sharing');
    // The connection check the window shows is the one the helper’s end computes from its own handshake.
    const helperCheck = await connectionCheckOfPeer(viewer.pc);
    expect(helperCheck).toMatch(/^\d{4} \d{4} \d{4}$/);
    expect((await window.waitFor((s) => s.connectionCheck !== null, 'the connection check')).connectionCheck).toBe(
      helperCheck,
    );
  });

  it('the helper’s pointer and keys land on the sharer’s screen, and the cursor comes back', async () => {
    viewer.sendInput({ type: 'pointerMove', x: 0.1, y: 0.2 });
    expect(viewer.packedMoves, 'the move went packed (13 bytes), as the helper app sends it').toBe(1);
    await waitFor(async () => (await pointerLocation(xvfb.display)).x === 128, 5000, 'the pointer to move');
    expect(await pointerLocation(xvfb.display)).toEqual({ x: 128, y: 144 });
    await waitFor(
      () => viewer.control.some((m) => m.type === 'cursor' && Math.abs(m.x - 0.1) < 0.01 && Math.abs(m.y - 0.2) < 0.01),
      10_000,
      'a cursor message',
    );

    xevOut = '';
    for (const code of ['KeyH', 'KeyI']) {
      viewer.sendInput({ type: 'key', code, down: true, modifiers: none });
      viewer.sendInput({ type: 'key', code, down: false, modifiers: none });
    }
    await waitFor(() => keysyms().length >= 2, 5000, 'key events in xev');
    expect(keysyms()).toEqual(['h', 'i']);
  });

  it('shows the helper’s laser pointer in the agent window', async () => {
    viewer.sendControl({ type: 'laser', x: 0.25, y: 0.5 });
    const state = await window.waitFor((s) => s.laser !== null, 'the laser');
    expect(state.laser).toEqual({ x: 0.25, y: 0.5 });
    viewer.sendControl({ type: 'laserOff' });
    await window.waitFor((s) => s.laser === null, 'the laser to go');
  });

  it('a helper who reloads asks for a restart and gets a fresh connection that works', async () => {
    viewer.close();
    viewer = startRemoteViewer(hws, sessionId);
    hws.send({ type: 'signal', sessionId, payload: { kind: 'restart' } });
    await waitFor(() => viewer.firstFrameAt !== null, 15_000, 'frames on the new connection');
    await viewer.waitForChannels();
    await waitFor(() => viewer.control.some((m) => m.type === 'controlState' && m.active), 5000, 'controlState');
    viewer.sendInput({ type: 'pointerMove', x: 0.3, y: 0.3 });
    await waitFor(async () => (await pointerLocation(xvfb.display)).x === 384, 5000, 'the pointer to move');
    // A new connection has new certificates, so a new check, the same on both ends again.
    const helperCheck = await connectionCheckOfPeer(viewer.pc);
    expect(helperCheck).not.toBeNull();
    await window.waitFor((s) => s.connectionCheck === helperCheck, 'the new connection check');
  });

  it('Stop control: input stops at once and the helper’s session shows mode view', async () => {
    const before = await pointerLocation(xvfb.display);
    await window.command({ type: 'stopControl' });
    viewer.sendInput({ type: 'pointerMove', x: 0.9, y: 0.9 });
    const view = await hws.next<SessionMessage>(sessionPush('active', { mode: 'view' }));
    expect(view.session.pendingMode).toBeNull();
    await waitFor(() => viewer.control.some((m) => m.type === 'controlState' && !m.active), 5000, 'controlState off');
    await new Promise((r) => setTimeout(r, 200));
    expect(await pointerLocation(xvfb.display)).toEqual(before);
    expect(await window.state()).toMatchObject({ mode: 'view', controlActive: false });
  });

  it('forged input in view-only mode changes nothing', async () => {
    const before = await pointerLocation(xvfb.display);
    xevOut = '';
    viewer.sendInput({ type: 'pointerMove', x: 0.05, y: 0.05 });
    viewer.sendInput({ type: 'pointerButton', button: 0, down: true, x: 0.05, y: 0.05 });
    viewer.sendInput({ type: 'key', code: 'KeyX', down: true, modifiers: none });
    viewer.sendInput({ type: 'text', text: 'forged' });
    viewer.sendInput({ type: 'pointerButton', button: 0, down: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(await pointerLocation(xvfb.display)).toEqual(before);
    expect(keysyms()).toEqual([]);
    expect((await window.state()).controlActive).toBe(false);
  });

  it('Ctrl+Alt+Shift+S on the sharer’s keyboard stops a new full-control period', async () => {
    const mark = hws.received.length;
    await helper.post(`/api/v1/sessions/${sessionId}/request`, { mode: 'control' });
    await window.waitFor((s) => s.screen === 'sharing' && s.request === 'control', 'the upgrade request');
    await window.command({ type: 'respond', allow: true, mode: 'control' });
    await hws.next(sessionPush('active', { mode: 'control' }), 5000, mark);
    await window.waitFor((s) => s.controlActive && s.hotkey, 'control with the hotkey');
    viewer.sendInput({ type: 'pointerMove', x: 0.5, y: 0.5 });
    await waitFor(async () => (await pointerLocation(xvfb.display)).x === 640, 5000, 'the pointer to move');

    const beforeHotkey = hws.received.length;
    await xtool(xvfb.display, 'xdotool', ['key', 'ctrl+alt+shift+s']);
    await hws.next(sessionPush('active', { mode: 'view' }), 10_000, beforeHotkey);
    expect(await window.state()).toMatchObject({ controlActive: false, hotkey: false, mode: 'view' });
    viewer.sendInput({ type: 'pointerMove', x: 0.2, y: 0.2 });
    await new Promise((r) => setTimeout(r, 200));
    expect((await pointerLocation(xvfb.display)).x).toBe(640);
  });

  it('Leave ends the session for both sides and stops the media', async () => {
    await window.command({ type: 'leave' });
    const ended = await hws.next<SessionMessage>(sessionPush('ended'));
    expect(ended.session.endReason).toBe('sharer_left');
    const state = await window.waitFor((s) => s.screen === 'ended', 'the ended screen');
    expect(state.endReason).toBe('sharer_left');
    expect(state.media).toBe('none');
    // No more frames, not even the 1 s keep-alive of a still screen.
    await new Promise((r) => setTimeout(r, 300));
    const frames = viewer.frames;
    await new Promise((r) => setTimeout(r, 1500));
    expect(viewer.frames).toBe(frames);
    await window.command({ type: 'newSession' });
    await window.waitFor((s) => s.screen === 'enterCode', 'the code screen again');
  });
});
