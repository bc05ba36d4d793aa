/**
 * A sharer on a Wayland desktop (a real one: Weston's headless compositor with XWayland, as
 * GNOME or KDE Plasma run it). The agent's X connection reaches XWayland, whose root window
 * is not the desktop (read, it is all black), so the helper would see black after Allow. The agent says so at once,
 * refuses the helper's code before the server hears of it (so the code stays good for the
 * browser, where the person can share their screen), and capture refuses to open. The same
 * checks on Xvfb (an X11 session) let everything through.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../auth/tokenStore.js';
import { isAgentError } from '../errors.js';
import { X11ScreenSource } from '../platform/linux/x11ScreenSource.js';
import { createLinuxPlatform } from '../platform/linux/index.js';
import { displayCount } from '../devices/inventory.js';
import { BrowserClient } from '../testing/browserClient.js';
import { startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from '../testing/serverProcess.js';
import { startWaylandSession, type WaylandSession } from '../testing/weston.js';
import { WindowClient } from '../testing/windowClient.js';
import { startXvfb, type Xvfb } from '../testing/xvfb.js';
import { UiServer } from '../ui/uiServer.js';
import { AgentApp } from './agentApp.js';

let wayland: WaylandSession;
let xvfb: Xvfb;
let server: ServerProcess;
beforeAll(async () => {
  [wayland, xvfb, server] = await Promise.all([startWaylandSession(), startXvfb(), startServerProcess()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([wayland?.stop(), xvfb?.stop(), server?.stop()]);
});

describe('a Wayland desktop', () => {
  it('is told apart from X11: capture refuses to open on XWayland, the platform names the reason', async () => {
    const refused = await X11ScreenSource.open({ display: wayland.display }).then(
      async (source) => {
        await source.close();
        return null;
      },
      (error: unknown) => error,
    );
    expect(isAgentError(refused, 'wayland_session')).toBe(true);
    expect((await createLinuxPlatform({ display: wayland.display }).shareBlocker?.())?.reason).toBe('wayland_session');
    // Its monitor still counts in the device's inventory (enroll, check-in), which a capture could not list.
    expect(await displayCount(createLinuxPlatform({ display: wayland.display }))).toBe(1);

    // An X11 session: nothing in the way.
    expect(await createLinuxPlatform({ display: xvfb.display }).shareBlocker?.()).toBeNull();
    expect(await displayCount(createLinuxPlatform({ display: xvfb.display }))).toBe(1);
    const source = await X11ScreenSource.open({ display: xvfb.display });
    expect((await source.listDisplays()).length).toBe(1);
    await source.close();
  });

  it('the agent says so before sign-in, refuses the code without spending it, and the browser can use it', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'rh-agent-wayland-'));
    const app = new AgentApp({
      server: server.url,
      store: new TokenStore(configDir),
      platform: createLinuxPlatform({ display: wayland.display }),
      openBrowser: (url) =>
        new BrowserClient(server.url).completeAgentSignIn(url, 'sharer@contoso.example', TEST_DEMO_PASSWORD),
    });
    await app.start();
    const ui = await UiServer.start({ controller: app });
    const window = await WindowClient.open(ui.launchUrl());
    try {
      expect(app.state()).toMatchObject({ screen: 'signedOut', error: { code: 'wayland_session' } });

      await window.command({ type: 'signIn' });
      await window.waitFor((s) => s.screen === 'enterCode', 'the code screen');
      const helper = new BrowserClient(server.url);
      await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
      const created = await helper.json('/api/v1/sessions', 'POST');
      const { code, session } = created.body as { code: string; session: { id: string } };

      await window.command({ type: 'redeem', code });
      await window.waitFor((s) => s.error?.code === 'wayland_session', 'the Wayland error');
      expect(app.state().screen).toBe('enterCode');
      // The server never heard of it: the session still waits, its code unspent.
      const waiting = await helper.json(`/api/v1/sessions/${session.id}`);
      expect((waiting.body.session as { state: string }).state).toBe('waiting');

      // The same person shares from the browser with the same code.
      const browser = new BrowserClient(server.url);
      await browser.signIn('sharer@contoso.example', TEST_DEMO_PASSWORD);
      const joined = await browser.json('/api/v1/sessions/redeem', 'POST', { code, client: 'web' });
      expect(joined.status).toBe(200);
      expect((joined.body.session as { id: string }).id).toBe(session.id);
    } finally {
      await app.shutdown();
      await ui.close();
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});
