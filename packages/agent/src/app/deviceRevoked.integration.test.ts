/**
 * Integration: an administrator revokes an enrolled device (`POST /api/v1/devices/:id/revoke`)
 * against the real server (child process). The running agent hears it on its launch connection
 * within a couple of seconds: the launch offer on screen goes, the connection is not tried again,
 * `device.json` is gone and the revocation is recorded, the window says so (screenshots in
 * `e2e/screenshots/agent-device-revoked-*.png`), and a check-in reports `device_revoked`. An agent
 * that did not hear it learns it from its redeem and still joins with the security code. Enrolling
 * again clears the record.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenStore } from '../auth/tokenStore.js';
import { checkIn, enroll } from '../devices/deviceClient.js';
import { DEVICE_FILE, loadDevice, saveDevice, type DeviceIdentity } from '../devices/identity.js';
import { collectInventory } from '../devices/inventory.js';
import { LaunchListener, type LaunchOffer } from '../devices/launchListener.js';
import { loadRevocation, REVOCATION_FILE } from '../devices/revocation.js';
import { isAgentError } from '../errors.js';
import { CATALOGS } from '../i18n/catalogs.js';
import type { PlatformAdapter } from '../platform/types.js';
import { BrowserClient } from '../testing/browserClient.js';
import { REPO_ROOT, startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from '../testing/serverProcess.js';
import { UiServer } from '../ui/uiServer.js';
import { AgentApp } from './agentApp.js';
import type { LaunchSource } from './launchOffers.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'e2e/screenshots');
/** A reconnect, were one scheduled, would come this soon: the quiet that follows proves there is none. */
const BACKOFF = { baseMs: 50, maxMs: 100 };

/** No desktop and no screen: nothing here shares a picture. */
const noDesktop: PlatformAdapter = {
  name: 'linux',
  openScreenSource: () => Promise.reject(new Error('no screen in this test')),
  openDesktop: () => Promise.reject(new Error('no desktop in this test')),
  createInputInjector: () => Promise.reject(new Error('no input in this test')),
  checkPermissions: () => Promise.reject(new Error('not needed')),
  requestPermissions: async () => undefined,
};

/** A launch connection that never connects: this agent learns nothing on it. */
class SilentLaunchSource
  extends EventEmitter<{ launch: [LaunchOffer]; cancelled: [string]; online: []; offline: [string]; revoked: [string] }>
  implements LaunchSource
{
  start(): void {}
  stop(): void {}
}

describe('a device whose enrollment an administrator revokes', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let admin: BrowserClient;
  let helper: BrowserClient;
  const dirs: string[] = [];
  const apps: AgentApp[] = [];
  const uis: UiServer[] = [];

  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-revoked-'));
    dirs.push(dir);
    return dir;
  };
  const enrolled = async (dir: string): Promise<DeviceIdentity> => {
    const token = (await admin.json('/api/v1/enrollment-tokens', 'POST', {})).body.token as string;
    return enroll(server.url, token, await collectInventory(1), dir);
  };
  const revoke = async (device: DeviceIdentity): Promise<void> => {
    const revoked = await admin.json(`/api/v1/devices/${device.id}/revoke`, 'POST', {});
    expect(revoked.body).toMatchObject({ id: device.id, enrollmentStatus: 'revoked' });
  };
  const agent = (
    dir: string,
    device: DeviceIdentity | undefined,
    launchSource?: (d: DeviceIdentity) => LaunchSource,
  ) => {
    const app = new AgentApp({
      server: server.url,
      store: new TokenStore(dir),
      platform: noDesktop,
      device,
      launchSource,
      openBrowser: (url) =>
        new BrowserClient(server.url).completeAgentSignIn(url, 'sharer@contoso.example', TEST_DEMO_PASSWORD),
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    server = await startServerProcess();
    admin = new BrowserClient(server.url);
    await admin.signIn('admin@contoso.example', TEST_DEMO_PASSWORD);
    helper = new BrowserClient(server.url);
    await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
    await mkdir(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const app of apps) await app.shutdown(500);
    for (const ui of uis) await ui.close();
    await server?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the running agent notices at once, drops the launch offer, forgets the enrollment and stays off', async () => {
    const dir = tempDir();
    const device = await enrolled(dir);
    // The real launch connection, with a short back-off so that a reconnect would show at once.
    let listener!: LaunchListener;
    const app = agent(dir, device, (d) => (listener = new LaunchListener(d, BACKOFF)));
    const events: string[] = [];
    listener.on('online', () => events.push('online'));
    listener.on('offline', (reason) => events.push(`offline ${reason}`));
    listener.on('revoked', () => events.push('revoked'));
    const online = new Promise<void>((resolve) => listener.once('online', resolve));
    await app.start();
    await online;

    // A helper's launch is on screen when the administrator acts.
    const launched = await helper.json(`/api/v1/devices/${device.id}/sessions`, 'POST', {});
    expect(launched.status).toBe(201);
    await vi.waitFor(() => expect(app.state().screen).toBe('launch'), { timeout: 5000 });

    const revokedAt = Date.now();
    await revoke(device);
    await vi.waitFor(() => expect(app.revocation).not.toBeNull(), { timeout: 2000, interval: 10 });
    expect(Date.now() - revokedAt).toBeLessThan(2000);

    expect(app.launchOffer).toBeNull();
    expect(app.device).toBeNull();
    expect(app.state()).toMatchObject({
      screen: 'signedOut',
      helper: null,
      deviceRevoked: { organization: device.file.tenantName },
      error: null,
    });
    expect(existsSync(join(dir, DEVICE_FILE))).toBe(false);
    expect(await loadDevice(dir)).toBeNull();
    const record = await loadRevocation(dir);
    expect(record).toMatchObject({
      version: 1,
      server: server.url,
      deviceId: device.id,
      tenantName: device.file.tenantName,
      message: expect.stringContaining('An administrator removed this device from your organization'),
    });
    expect(Math.abs(Date.parse(record?.seenAt ?? '') - Date.now())).toBeLessThan(10_000);

    // No reconnect: ten back-offs later there was one connection, told once and closed with 4403.
    await new Promise((r) => setTimeout(r, 10 * BACKOFF.maxMs));
    expect(events.filter((e) => e === 'online')).toHaveLength(1);
    expect(events.filter((e) => e === 'revoked')).toHaveLength(1);
    expect(events.filter((e) => e.startsWith('offline'))).toEqual([expect.stringMatching(/^offline 4403/)]);

    // The key is worthless: a check-in says so with its own code.
    const refused = await checkIn(device, await collectInventory(1)).catch((e: unknown) => e);
    expect(isAgentError(refused, 'device_revoked')).toBe(true);

    // The window says it, in English and in Arabic (right to left).
    if (existsSync(CHROMIUM)) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        for (const language of ['en', 'ar'] as const) {
          const ui = await UiServer.start({ controller: app, language });
          uis.push(ui);
          const page = await browser.newPage({ viewport: { width: 560, height: 760 } });
          await page.goto(ui.launchUrl());
          const notice = page.locator('#revoked');
          await notice.waitFor({ state: 'visible' });
          const catalog = CATALOGS[language];
          expect(await page.locator('#revoked-title').textContent()).toBe(catalog['revokedTitle']);
          expect(await page.locator('#revoked-text').textContent()).toBe(
            catalog['revokedText']?.replace('{organization}', device.file.tenantName),
          );
          expect(await notice.textContent()).toContain(catalog['revokedCodeStillWorks']);
          expect(await notice.textContent()).toContain(catalog['revokedEnrollAgain']);
          expect(await page.locator('#launch-title').isVisible()).toBe(false);
          await page.screenshot({ path: join(SHOTS, `agent-device-revoked-${language}.png`), fullPage: true });
          await page.close();
        }
      } finally {
        await browser.close();
      }
    }
  });

  it('an agent that missed it learns it from its redeem, and joins with the security code all the same', async () => {
    const enrolledDir = tempDir();
    const device = await enrolled(enrolledDir);
    await revoke(device);
    // This agent still holds the revoked key and hears nothing on its launch connection.
    const dir = tempDir();
    await saveDevice(dir, device.file);
    const app = agent(dir, device, () => new SilentLaunchSource());
    await app.start();
    await app.command({ type: 'signIn' });
    await vi.waitFor(() => expect(app.state().screen).toBe('enterCode'), { timeout: 15_000 });

    const created = await helper.json('/api/v1/sessions', 'POST', {});
    const { code, session } = created.body as { code: string; session: { id: string } };
    await app.command({ type: 'redeem', code });
    expect(app.state()).toMatchObject({ screen: 'trust', error: null });
    const seen = await helper.json(`/api/v1/sessions/${session.id}`);
    expect(seen.body.session).toMatchObject({ state: 'joined', sharerClient: 'agent' });

    expect(app.revocation).toMatchObject({ deviceId: device.id });
    expect(existsSync(join(dir, DEVICE_FILE))).toBe(false);
    expect(existsSync(join(dir, REVOCATION_FILE))).toBe(true);
    await app.command({ type: 'leave' });
  });

  it('enrolling again with a new token clears the record, and the window no longer says it', async () => {
    const dir = tempDir();
    const first = await enrolled(dir);
    const app = agent(dir, first, (d) => new LaunchListener(d, BACKOFF));
    await app.start();
    await revoke(first);
    await vi.waitFor(() => expect(existsSync(join(dir, REVOCATION_FILE))).toBe(true), { timeout: 2000 });
    await app.shutdown(500);

    // Restarted without a device: the record is still said.
    const restarted = agent(dir, undefined);
    await restarted.start();
    expect(restarted.state().deviceRevoked).toMatchObject({ organization: first.file.tenantName });

    const second = await enrolled(dir);
    expect(second.id).not.toBe(first.id);
    expect(existsSync(join(dir, REVOCATION_FILE))).toBe(false);
    expect((await loadDevice(dir))?.id).toBe(second.id);
    const fresh = agent(dir, second, () => new SilentLaunchSource());
    await fresh.start();
    expect(fresh.state().deviceRevoked).toBeNull();
    await checkIn(second, await collectInventory(1));
  });
});
