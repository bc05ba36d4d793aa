/**
 * Issue 11, item 2 (the admin center shows agent versions across devices) in real Chromium: three
 * devices enroll reporting agent versions 1.2.0, 1.10.0 and 0.9.4; the administrator sets the
 * organization's minimum agent version to 1.0.0 in Remote Help settings > Agent updates (a malformed
 * version is refused there, nothing saved); Devices > All devices shows each
 * device's agent version, flags the one below the minimum in its row, and summarises versions with
 * their device counts, the minimum and the count below it. Screenshots agent-versions-00-settings, -01-devices.
 */
import { generateKeyPairSync } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { closeContexts, shot, signIn } from './support.js';

test.afterEach(closeContexts);

async function apiAs(page: Page) {
  const { csrfToken } = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  return async (method: 'GET' | 'POST' | 'PUT', path: string, data?: unknown) => {
    const response = await page.request.fetch(path, { method, data, headers: { 'x-csrf-token': csrfToken } });
    return { status: response.status(), body: (await response.json()) as Record<string, unknown> };
  };
}

test('the devices list shows agent versions, flags those below the minimum and summarises them', async ({ page }) => {
  await signIn(page, '/admin/devices', 'admin@contoso.example');
  const call = await apiAs(page);
  const token = (await call('POST', '/api/v1/enrollment-tokens', { maxUses: 3 })).body.token as string;
  const suffix = Date.now().toString(36);
  for (const [name, agentVersion] of [
    [`build-agent-${suffix}`, '1.2.0'],
    [`kiosk-${suffix}`, '0.9.4'],
    [`laptop-${suffix}`, '1.10.0'],
  ] as const) {
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const r = await page.request.post('/api/v1/devices/enroll', {
      data: {
        token,
        publicKey: { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
        inventory: {
          hostname: name,
          os: 'linux',
          osVersion: 'Debian GNU/Linux 12 (bookworm)',
          model: null,
          serial: null,
          isVirtualMachine: false,
          diskEncrypted: true,
          firewallEnabled: true,
          screenCount: 1,
          agentVersion,
        },
      },
    });
    expect(r.status()).toBe(201);
  }
  // Tenant administration > Remote Help settings > Agent updates: a bad version is refused, then 1.0.0 saved.
  await page.goto('/admin/tenant/remote-help');
  const form = page.getByTestId('agent-update-settings');
  // The admin sections load lazily; on a loaded machine the chunk can take a while.
  await expect(form.getByRole('heading', { name: 'Agent updates' })).toBeVisible({ timeout: 60_000 });
  await expect(form.getByRole('switch', { name: 'Agents update themselves' })).toBeChecked();
  await form.getByLabel('Minimum agent version').fill('latest');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toContainText('Enter a version like 1.4.0.');
  expect((await call('GET', '/api/v1/tenant/agent-updates')).body).toEqual({ minimumVersion: null, autoUpdate: true });
  await form.getByLabel('Minimum agent version').fill('1.0.0');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toContainText('Agent update settings saved.');
  await shot(page, 'agent-versions-00-settings');
  expect((await call('GET', '/api/v1/tenant/agent-updates')).body).toEqual({
    minimumVersion: '1.0.0',
    autoUpdate: true,
  });

  await page.goto('/admin/devices');
  await page.getByRole('searchbox').fill(suffix);
  await expect(page.getByTestId('device-row')).toHaveCount(3);
  const row = (name: string) => page.locator(`[data-testid="device-row"][data-device="${name}-${suffix}"]`);
  await expect(page.getByRole('columnheader', { name: 'Agent version' })).toBeVisible();
  await expect(row('kiosk').getByTestId('device-agent-version')).toHaveText(/0\.9\.4\s*Below minimum/);
  await expect(row('laptop').getByTestId('device-agent-version')).toHaveText('1.10.0');
  await expect(row('build-agent').getByTestId('device-agent-version')).toHaveText('1.2.0');

  const summary = page.getByTestId('agent-versions');
  await expect(summary.getByRole('heading', { name: 'Agent versions' })).toBeVisible();
  await expect(summary).toContainText('Minimum version: 1.0.0');
  await expect(summary).toContainText('Automatic updates are on');
  await expect(summary.getByTestId('agent-versions-below')).toContainText('Devices below the minimum:');
  const versions = await summary
    .getByTestId('agent-version-row')
    .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['version']));
  // Newest first, in version order (1.10.0 after 1.2.0 is newer, not smaller).
  expect(versions.indexOf('1.10.0')).toBeLessThan(versions.indexOf('1.2.0'));
  expect(versions.indexOf('1.2.0')).toBeLessThan(versions.indexOf('0.9.4'));
  await expect(summary.locator('[data-version="0.9.4"]')).toContainText('Below minimum');
  await expect(summary.locator('[data-version="1.10.0"]')).not.toContainText('Below minimum');
  // Every badge shows its whole label: "Not evaluated" wraps in its narrow column and the badge grows with it.
  const cut = await page
    .locator('[data-compliance], [data-online]')
    .evaluateAll((badges) => badges.filter((b) => b.scrollHeight > b.clientHeight + 1).map((b) => b.textContent));
  expect(cut).toEqual([]);
  await shot(page, 'agent-versions-01-devices');

  // Leave the organization as the other journeys expect it.
  expect((await call('PUT', '/api/v1/tenant/agent-updates', { minimumVersion: null, autoUpdate: true })).status).toBe(
    200,
  );
});
