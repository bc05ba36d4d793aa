/**
 * The agent's device side against the real server (child process): enroll with an
 * admin's token, check in, hold the launch connection, receive a helper's launch, accept
 * it as the signed-in user, and the helper sees the sharer join with no code.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSignIn } from '../auth/signIn.js';
import { isAgentError } from '../errors.js';
import { BrowserClient } from '../testing/browserClient.js';
import type { ServerProcess } from '../testing/serverProcess.js';
import { startServerProcess, TEST_DEMO_PASSWORD } from '../testing/serverProcess.js';
import { answerLaunch, checkIn, enroll } from './deviceClient.js';
import { loadDevice } from './identity.js';
import { collectInventory } from './inventory.js';
import type { LaunchOffer } from './launchListener.js';
import { LaunchListener } from './launchListener.js';

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

describe('device enrollment and remote launch', () => {
  it('enrolls, checks in, and refuses a bad token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-enroll-'));
    const inventory = await collectInventory(1);
    await expect(enroll(server.url, 'rhe_' + 'x'.repeat(43), inventory, dir)).rejects.toSatisfy((e) =>
      isAgentError(e, 'enrollment_failed'),
    );
    const token = (await admin.json('/api/v1/enrollment-tokens', 'POST', {})).body.token as string;
    const device = await enroll(server.url, token, inventory, dir);
    expect((await loadDevice(dir))?.id).toBe(device.id);
    await checkIn(device, { ...inventory, screenCount: 2 });
    const seen = await helper.json(`/api/v1/devices/${device.id}`);
    expect(seen.body).toMatchObject({ id: device.id, inventory: { os: 'linux', screenCount: 2 } });
  });

  it('receives a launch and joins as the signed-in user with no code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-enroll-'));
    const token = (await admin.json('/api/v1/enrollment-tokens', 'POST', {})).body.token as string;
    const device = await enroll(server.url, token, await collectInventory(1), dir);

    const offline = await helper.json(`/api/v1/devices/${device.id}/sessions`, 'POST', {});
    expect(offline.body.error).toBe('device_offline');

    const listener = new LaunchListener(device);
    const online = new Promise<void>((resolve) => listener.once('online', resolve));
    const offer = new Promise<LaunchOffer>((resolve) => listener.once('launch', resolve));
    listener.start();
    await online;
    const launched = await helper.json(`/api/v1/devices/${device.id}/sessions`, 'POST', {});
    expect(launched.status).toBe(201);
    const got = await offer;
    expect(got.helper.displayName).toBe('Daniel Okafor');

    const agentAccessToken = await agentToken();
    const session = await answerLaunch(device, agentAccessToken, got.sessionId, true);
    expect(session).toMatchObject({ state: 'joined', sharerClient: 'agent', role: 'sharer' });
    const viewed = await helper.json(`/api/v1/sessions/${got.sessionId}`);
    expect(viewed.body.session).toMatchObject({ state: 'joined', sharer: { displayName: 'Lena Fischer' } });
    listener.stop();
  });
});

/** Signs the sharer in with the agent's own RFC 8252 flow; the test browser plays the system browser. */
async function agentToken(): Promise<string> {
  const tokens = await runSignIn({
    server: server.url,
    openBrowser: (url) =>
      new BrowserClient(server.url).completeAgentSignIn(url, 'sharer@contoso.example', TEST_DEMO_PASSWORD),
  });
  return tokens.accessToken;
}
