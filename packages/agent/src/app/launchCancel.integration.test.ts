/**
 * The agent's remote-launch prompt against the real server (child process): the device's
 * own `LaunchListener` feeds the `PendingLaunch` the window shows. When the helper cancels,
 * the server pushes `launch_cancelled` and the prompt goes away at once (issue 7, finding
 * 11) instead of staying until the offer's expiry ten minutes later.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../devices/deviceClient.js';
import { collectInventory } from '../devices/inventory.js';
import { LaunchListener } from '../devices/launchListener.js';
import { BrowserClient } from '../testing/browserClient.js';
import type { ServerProcess } from '../testing/serverProcess.js';
import { startServerProcess, TEST_DEMO_PASSWORD } from '../testing/serverProcess.js';
import { PendingLaunch } from './launchOffers.js';

let server: ServerProcess;
let admin: BrowserClient;
let helper: BrowserClient;
beforeAll(async () => {
  server = await startServerProcess();
  admin = new BrowserClient(server.url);
  await admin.signIn('admin@contoso.example', TEST_DEMO_PASSWORD);
  helper = new BrowserClient(server.url);
  await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
}, 60_000);
afterAll(async () => server?.stop());

describe('remote-launch prompt', () => {
  it('goes away as soon as the helper cancels the launch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-launch-cancel-'));
    const token = (await admin.json('/api/v1/enrollment-tokens', 'POST', {})).body.token as string;
    const device = await enroll(server.url, token, await collectInventory(1), dir);

    const listener = new LaunchListener(device);
    const online = new Promise<void>((resolve) => listener.once('online', resolve));
    const changes: (() => void)[] = [];
    const pending = new PendingLaunch({ source: listener, onChange: () => changes.splice(0).forEach((f) => f()) });
    const changed = () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the prompt did not change within 5 s')), 5000);
        changes.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    pending.start();
    try {
      await online;
      const shown = changed();
      const launched = await helper.json(`/api/v1/devices/${device.id}/sessions`, 'POST', {});
      expect(launched.status).toBe(201);
      const sessionId = (launched.body.session as { id: string }).id;
      await shown;
      expect(pending.offer?.sessionId).toBe(sessionId);

      const gone = changed();
      const started = performance.now();
      expect((await helper.json(`/api/v1/sessions/${sessionId}/leave`, 'POST', {})).status).toBe(200);
      await gone;
      console.info(`prompt gone ${(performance.now() - started).toFixed(1)} ms after the helper's leave request`);
      expect(pending.offer).toBeNull();
    } finally {
      pending.stop();
    }
  });
});
