/**
 * Issue 8, item 2 in real Chromium with the native agent on a private Xvfb: an administrator
 * creates an enrollment token in Devices > Enrollment tokens, the device enrolls with the
 * command line the page shows and runs; in Devices > All devices the administrator searches,
 * opens the device, reads its inventory and its compliance with the failing rule, clicks New
 * remote assistance session > Remote Help > Continue, sees the 8-digit code, clicks Start: a
 * new tab opens the helper app on that session with the same code, and the agent receives the
 * launch of that session (its window offers it). Then a second token is revoked after a
 * confirmation, and the agent's enrollment with it is refused.
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { closeContexts, shot, signIn } from '../support.js';
import { WINDOW_URL, agent, agentCommand, agentDesktop, stopAgent } from './agentProcess.js';

test.afterEach(closeContexts);

/** Calls the API as the signed-in page (the CSRF token from /api/v1/me). */
async function apiAs(page: Page) {
  const { csrfToken } = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  return async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, data?: unknown) => {
    const response = await page.request.fetch(path, { method, data, headers: { 'x-csrf-token': csrfToken } });
    const text = await response.text();
    return { status: response.status(), body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
}

/** Creates a token in the open Enrollment tokens page; returns the token and the command line shown. */
async function createToken(page: Page, maxUses: number): Promise<{ token: string; command: string }> {
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByTestId('create-token-dialog');
  await expect(dialog.getByRole('heading', { name: 'Create an enrollment token' })).toBeVisible();
  await dialog.getByLabel('Devices that may enroll with it').fill(String(maxUses));
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByRole('heading', { name: 'Enrollment token created' })).toBeVisible();
  const token = (await dialog.getByTestId('new-token').textContent())!.trim();
  const command = (await dialog.getByTestId('enroll-command').textContent())!.trim();
  expect(token).toMatch(/^rhe_[\w-]{20,}$/);
  expect(command).toBe(`remote-help-agent enroll --server ${E2E_URL} --token ${token}`);
  return { token, command };
}

const tokenRow = (page: Page, token: string) =>
  page.locator(`[data-testid="token-row"][data-hint="${token.slice(-4)}"]`);

test('an administrator enrolls a device with a token from the admin center, finds it, and starts Remote Help from its page into a new tab', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const desktop = await agentDesktop('rh-admin-device-e2e-');
  const otherConfig = mkdtempSync(join(tmpdir(), 'rh-admin-device-other-'));
  let running: ChildProcess | null = null;
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const admin = await context.newPage();
  await signIn(admin, '/admin/devices', 'admin@contoso.example');
  const call = await apiAs(admin);
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    // Devices > Enrollment tokens: create a token for one device.
    await admin.getByRole('navigation').getByText('Enrollment tokens').click();
    await expect(admin.getByRole('heading', { name: 'Enrollment tokens', level: 1 })).toBeVisible();
    const first = await createToken(admin, 1);
    await shot(admin, 'admin-device-01-token-created');
    await admin.getByRole('button', { name: 'Done' }).click();
    await expect(tokenRow(admin, first.token)).toContainText('Active');
    await expect(tokenRow(admin, first.token)).toContainText('0 / 1');
    await expect(tokenRow(admin, first.token)).toContainText('Priya Raman');

    // The device enrolls with exactly the command line the page showed.
    const [, ...args] = first.command.split(' ');
    const enrolled = await agentCommand(args, desktop.env);
    expect(enrolled.output).toContain(`Enrolled ${hostname()} in `);
    expect(enrolled.code).toBe(0);
    const deviceId = desktop.deviceId();
    expect(deviceId).toBeTruthy();

    // A policy for this device only (a group of one): the firewall must be on, which the Linux
    // agent cannot confirm without root, so the device fails it.
    const group = await call('POST', '/api/v1/groups', { name: `E2E device ${deviceId}`, kind: 'device' });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const groupId = (group.body.group as { id: string }).id;
    cleanup.push(() => call('DELETE', `/api/v1/groups/${groupId}`));
    expect((await call('PUT', `/api/v1/groups/${groupId}/members`, { members: [deviceId] })).status).toBe(200);
    const policy = await call('POST', '/api/v1/compliance-policies', {
      name: 'E2E firewall',
      rules: [{ type: 'firewall' }],
      assignment: { kind: 'deviceGroups', groupIds: [groupId] },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const policyId = (policy.body.policy as { id: string }).id;
    cleanup.unshift(() => call('DELETE', `/api/v1/compliance-policies/${policyId}`));

    const run = agent(['run', '--no-window'], desktop.env);
    running = run.child;
    await expect.poll(run.output, { timeout: 30_000 }).toContain('a helper can start a session on this device');

    await admin.reload();
    await expect(tokenRow(admin, first.token)).toContainText('Used up');
    await expect(tokenRow(admin, first.token)).toContainText('1 / 1');

    // Devices > All devices: search, then open the device.
    await admin.getByRole('navigation').getByText('All devices').click();
    await expect(admin.getByRole('heading', { name: 'All devices', level: 1 })).toBeVisible();
    await admin.getByRole('searchbox').fill(hostname());
    await expect(admin).toHaveURL(new RegExp(`search=${encodeURIComponent(hostname())}`));
    const row = admin.locator(`[data-testid="device-row"]:has(a[href="/admin/devices/${deviceId}"])`);
    await expect(row).toBeVisible();
    await expect(row).toContainText('Linux');
    await expect(row).toContainText('Enrolled');
    await expect(row).toContainText('Not compliant');
    await expect(row).toContainText('Online');
    await expect(admin.getByTestId('device-row').filter({ hasNotText: hostname() })).toHaveCount(0);
    await shot(admin, 'admin-device-02-all-devices-search');
    // Sorting is the server's: newest check-in first puts this device on top.
    await admin.getByRole('columnheader', { name: 'Last check-in' }).click();
    await admin.getByRole('columnheader', { name: 'Last check-in' }).click();
    await expect(admin).toHaveURL(
      /sort=lastCheckIn&order=desc|order=desc.*sort=lastCheckIn|sort=lastCheckIn.*order=desc/,
    );
    await expect(admin.getByTestId('device-row').first()).toContainText(hostname());
    await row.getByRole('link', { name: hostname() }).click();

    // The device page: inventory and compliance with the failing rule.
    await expect(admin).toHaveURL(`/admin/devices/${deviceId}`);
    await expect(admin.getByRole('heading', { name: hostname(), level: 1 })).toBeVisible();
    const inventory = admin.getByTestId('device-inventory');
    await expect(inventory).toContainText('Host name');
    await expect(inventory).toContainText(hostname());
    await expect(inventory).toContainText(/Operating system\s*Linux/);
    await expect(inventory).toContainText('OS version');
    await expect(inventory).toContainText('Remote Help app version');
    const compliance = admin.getByTestId('device-compliance');
    await expect(compliance).toContainText('Not compliant');
    await expect(compliance.getByTestId('failing-rules')).toContainText(
      'The firewall could not be confirmed to be on: the device did not report it.',
    );
    await expect(compliance).toContainText('Policy: E2E firewall');
    await expect(admin.getByTestId('device-page').getByText('Online', { exact: true }).first()).toBeVisible();
    await expect(admin.getByTestId('device-sessions-empty').or(admin.getByTestId('device-sessions'))).toBeVisible();
    await shot(admin, 'admin-device-03-device-page');

    // New remote assistance session > Remote Help > Continue: the code, Copy and Start.
    await admin.getByRole('button', { name: 'New remote assistance session' }).click();
    const dialog = admin.getByTestId('new-session-dialog');
    await expect(dialog.getByRole('radio', { name: 'Remote Help' })).toBeChecked();
    await shot(admin, 'admin-device-04-choose-remote-help');
    await dialog.getByRole('button', { name: 'Continue' }).click();
    const codeBox = dialog.getByTestId('admin-security-code');
    await expect(codeBox).toHaveText(/^\d{4} \d{4}$/);
    const code = (await codeBox.textContent())!.replace(/\D/g, '');
    const copy = dialog.getByRole('button', { name: 'Copy the security code' });
    await copy.click();
    await expect(copy).toHaveText('Copied');
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(code);
    await shot(admin, 'admin-device-05-code');

    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      dialog.getByRole('button', { name: 'Start' }).click(),
    ]);
    await tab.waitForLoadState();
    const sessionId = new URL(tab.url()).searchParams.get('session');
    expect(new URL(tab.url()).pathname).toBe('/help');
    expect(sessionId).toBeTruthy();
    // The helper app opens on that session and shows the same code.
    await expect(tab.getByTestId('security-code')).toHaveText(/\d{4}\s?\d{4}/);
    expect((await tab.getByTestId('security-code').textContent())!.replace(/\D/g, '')).toBe(code);
    await shot(tab, 'admin-device-06-helper-tab');

    // The online agent receives the launch of that same session.
    await expect(dialog.getByTestId('launch-sent')).toBeVisible();
    await shot(admin, 'admin-device-07-started');
    await expect.poll(() => WINDOW_URL.exec(run.output())?.[0] ?? '', { timeout: 20_000 }).not.toBe('');
    const win = await (await browser.newContext({ viewport: { width: 560, height: 760 } })).newPage();
    await win.goto(WINDOW_URL.exec(run.output())?.[0] as string);
    await expect(win.getByRole('heading', { name: /^Priya Raman from .+ wants to help you$/ })).toBeVisible();
    await shot(win, 'admin-device-08-agent-offer');
    const session = await call('GET', `/api/v1/sessions/${sessionId}`);
    expect(session.body.session).toMatchObject({ id: sessionId, state: 'waiting', device: { id: deviceId } });

    // The helper ends it from the tab: the offer goes away.
    await tab.getByRole('button', { name: 'Cancel' }).click();
    await expect(tab.getByTestId('security-code')).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Done' }).click();
    // The device page lists it among the device's Remote Help sessions (the administrator has reports.read).
    const sessionRow = admin.getByTestId('device-session-row').first();
    await expect(sessionRow).toContainText('Priya Raman');
    await expect(sessionRow).toContainText('Nobody joined');
    await expect(sessionRow).toContainText('The helper ended it');
    await shot(admin, 'admin-device-08b-device-sessions');

    // Enrollment tokens: a second token, revoked after a confirmation, is refused at enrollment.
    await admin.getByRole('navigation').getByText('Enrollment tokens').click();
    const second = await createToken(admin, 5);
    await admin.getByRole('button', { name: 'Done' }).click();
    await tokenRow(admin, second.token)
      .getByRole('button', { name: /^Revoke token/ })
      .click();
    const confirm = admin.getByTestId('revoke-token-dialog');
    await expect(confirm).toContainText('No device can enroll with it any more.');
    await shot(admin, 'admin-device-09-revoke-confirm');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await expect(confirm).toHaveCount(0);
    await expect(tokenRow(admin, second.token)).toContainText('Revoked');
    await expect(tokenRow(admin, second.token).getByRole('button', { name: /^Revoke token/ })).toHaveCount(0);
    await expect(admin.getByTestId('tokens-notice')).toContainText('was revoked');
    await shot(admin, 'admin-device-10-tokens');
    const [, ...revokedArgs] = second.command.split(' ');
    const refused = await agentCommand(revokedArgs, { ...desktop.env, REMOTE_HELP_CONFIG_DIR: otherConfig });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('This enrollment token was revoked by an administrator.');
  } finally {
    for (const undo of cleanup) await undo().catch(() => undefined);
    await stopAgent(running);
    await desktop.stop();
    rmSync(otherConfig, { recursive: true, force: true });
  }
});
