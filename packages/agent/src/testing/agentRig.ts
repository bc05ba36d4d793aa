/**
 * @module testing/agentRig
 * One whole agent (`AgentApp` + its window server) signed in to the real server (child
 * process) under a private Xvfb, in a full-control session with a helper played by a
 * wrtc peer on the real server WebSocket, and an xev window that reports keys. For the
 * integration tests of pause, resume and a lost display.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentApp } from '../app/agentApp.js';
import { TokenStore } from '../auth/tokenStore.js';
import { createLinuxPlatform } from '../platform/linux/index.js';
import type { PixelPath } from '../session/screenShare.js';
import { UiServer } from '../ui/uiServer.js';
import { BrowserClient, sessionPush, type TestSocket } from './browserClient.js';
import { startRemoteViewer, type RemoteViewer } from './remoteViewer.js';
import { startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from './serverProcess.js';
import { WindowClient } from './windowClient.js';
import type { Painter } from '@remote-help/protocol';
import { startXvfb, startXvnc, waitFor, type Xvfb, type XvfbOptions } from './xvfb.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Matches an active session's push with this sharer status. */
export const status = (value: string) => sessionPush('active', { sharerStatus: value });

/** One agent in a full-control session with a wrtc helper, under its own Xvfb. */
export interface Rig {
  server: ServerProcess;
  xvfb: Xvfb;
  app: AgentApp;
  ui: UiServer;
  window: WindowClient;
  helper: BrowserClient;
  hws: TestSocket;
  viewer: RemoteViewer;
  sessionId: string;
  xev: ChildProcess;
  xevOut: () => string;
  clearXev: () => void;
  configDir: string;
}

/** How the rig's X server and helper are made. */
export interface RigOptions extends XvfbOptions {
  /** `xvnc`: TigerVNC's Xvnc, whose resolution `xrandr` can change (default Xvfb). */
  xServer?: 'xvfb' | 'xvnc';
  /** Gets the helper's picture (default: tiles are checked, their pixels dropped). */
  painter?: Painter;
}

/** Signs the agent in, redeems a helper's code and allows full control; frames are flowing when it returns. */
export async function startRig(pixels: PixelPath, options: RigOptions = {}): Promise<Rig> {
  const [server, xvfb] = await Promise.all([
    startServerProcess({ RECONNECT_GRACE_SECONDS: '30' }),
    options.xServer === 'xvnc' ? startXvnc('1280x720') : startXvfb('1280x720x24', undefined, options),
  ]);
  const configDir = mkdtempSync(join(tmpdir(), 'rh-agent-pause-'));
  const app = new AgentApp({
    server: server.url,
    store: new TokenStore(configDir),
    platform: createLinuxPlatform({ display: xvfb.display }),
    pixels,
    openBrowser: (url) =>
      new BrowserClient(server.url).completeAgentSignIn(url, 'sharer@contoso.example', TEST_DEMO_PASSWORD),
  });
  await app.start();
  const ui = await UiServer.start({ controller: app });
  const window = await WindowClient.open(ui.launchUrl());
  const helper = new BrowserClient(server.url);
  await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
  let xevOut = '';
  const xev = spawn('xev', ['-geometry', '400x300+700+350', '-event', 'keyboard', '-event', 'structure'], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  xev.stdout?.on('data', (chunk: Buffer) => (xevOut += chunk.toString()));
  await waitFor(() => xevOut.includes('MapNotify'), 5000, 'the xev window');

  await window.command({ type: 'signIn' });
  await window.waitFor((s) => s.screen === 'enterCode', 'the code screen');
  const created = await helper.post('/api/v1/sessions');
  const { code, session } = created.body as { code: string; session: { id: string } };
  const hws = await helper.socket();
  hws.send({ type: 'attach', sessionId: session.id });
  await window.command({ type: 'redeem', code });
  await window.waitFor((s) => s.screen === 'trust', 'the trust screen');
  const viewer = startRemoteViewer(hws, session.id, options.painter);
  await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'control' });
  await window.waitFor((s) => s.screen === 'request', 'the control request');
  await window.command({ type: 'respond', allow: true, mode: 'control' });
  await hws.next(status('sharing'), 15_000);
  await waitFor(() => viewer.firstFrameAt !== null, 15_000, 'the first frame at the helper');
  await viewer.waitForChannels();
  await window.waitFor((s) => s.controlActive, 'full control');
  return {
    server,
    xvfb,
    app,
    ui,
    window,
    helper,
    hws,
    viewer,
    sessionId: session.id,
    xev,
    xevOut: () => xevOut,
    clearXev: () => (xevOut = ''),
    configDir,
  };
}

export async function stopRig(rig: Rig | undefined): Promise<void> {
  if (!rig) return;
  rig.viewer.close();
  rig.hws.close();
  await rig.app.shutdown();
  await rig.ui.close();
  rig.xev.kill();
  await Promise.all([rig.server.stop(), rig.xvfb.stop()]);
  await sleep(0);
  rmSync(rig.configDir, { recursive: true, force: true });
}

/** Key presses xev saw (keysym names). */
export const keysyms = (rig: Rig): string[] =>
  [...rig.xevOut().matchAll(/KeyPress event[\s\S]*?keysym 0x[0-9a-f]+, (\w+)/g)].map((m) => m[1] as string);

/** Waits until nothing arrives at the helper for `quietMs` (the screen is still and everything was acknowledged). */
export async function settle(viewer: RemoteViewer, quietMs = 600): Promise<void> {
  let last = -1;
  await waitFor(
    async () => {
      const now = viewer.tileMessages + viewer.frames;
      if (now === last) return true;
      last = now;
      await sleep(quietMs);
      return false;
    },
    15_000,
    'the helper’s picture to settle',
  );
}
