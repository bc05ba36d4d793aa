/**
 * Issue 8, items 5 and 6, in real Chromium: what the helper's trust screen says about the
 * sharer's device before asking for view or control. A web sharer gets the "unenrolled"
 * notice (and, once the organization refuses unenrolled devices, a clear refusal while the
 * helper's code keeps waiting). The native agent, enrolled on a private Xvfb with the
 * inventory it really collects, joins with a code under a policy "not a virtual machine +
 * firewall on" (the Linux agent cannot read the firewall, so the device always fails that
 * rule; "not a VM" fails too when the box is or may be one): the helper sees the compliance
 * warning with the failing rules and a link to the device page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { DeviceView, TenantSettings } from '@remote-help/protocol';
import { E2E_URL } from '../../playwright.config.js';
import { startXvfb } from '../../packages/agent/src/testing/xvfb.js';
import { joinedPair, shot, signIn, closeContexts } from '../support.js';
import { signInThroughIdp } from './agentProcess.js';

test.afterEach(closeContexts);

const WINDOW_URL = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/;

/** A signed-in admin page and a call through the API as the admin console would make it. */
async function adminApi(browser: Browser) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, '/help', 'admin@contoso.example');
  const { csrfToken } = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  return {
    page,
    async call(method: 'GET' | 'POST' | 'PUT', path: string, data?: unknown) {
      const response = await page.request.fetch(path, { method, data, headers: { 'x-csrf-token': csrfToken } });
      return { status: response.status(), body: (await response.json()) as Record<string, unknown> };
    },
  };
}

const SETTINGS: TenantSettings = {
  remoteHelpEnabled: true,
  allowUnenrolledDevices: true,
  disableChat: false,
  codeTtlSeconds: null,
  reportRetentionDays: 30,
};

test('a web sharer: the helper sees the unenrolled notice; with unenrolled devices refused, the sharer is told why', async ({
  browser,
}) => {
  const { helper, sharer, code } = await joinedPair(browser);
  const notice = helper.getByTestId('unenrolled-notice');
  await expect(notice).toContainText('Unenrolled device');
  await expect(notice).toContainText('Lena Fischer is sharing from a web browser');
  await expect(helper.getByTestId('compliance-warning')).toHaveCount(0);
  // Neither blocks: the helper can still ask for the screen.
  await expect(helper.getByRole('button', { name: 'View only' })).toBeEnabled();
  await shot(helper, 'compliance-01-helper-unenrolled-web');
  expect(code).toMatch(/^\d{8}$/);
  await helper.getByRole('button', { name: 'Leave' }).click();

  const admin = await adminApi(browser);
  try {
    expect(
      (await admin.call('PUT', '/api/v1/tenant/settings', { ...SETTINGS, allowUnenrolledDevices: false })).status,
    ).toBe(200);
    await helper.goto('/help');
    await helper.getByRole('button', { name: 'Get a security code' }).click();
    const codeBox = helper.getByTestId('security-code');
    await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
    const next = (await codeBox.textContent())!.replace(/\D/g, '');
    await sharer.goto('/share');
    await sharer.getByLabel('Security code').fill(next);
    await sharer.getByRole('button', { name: 'Submit' }).click();
    await expect(sharer.getByText('Your organization allows Remote Help only on devices it manages.')).toBeVisible();
    await shot(sharer, 'compliance-02-sharer-refused-unenrolled');
    // The helper's code still waits.
    await expect(codeBox).toBeVisible();
    await expect(helper.getByTestId('peer-card')).toHaveCount(0);
  } finally {
    expect((await admin.call('PUT', '/api/v1/tenant/settings', SETTINGS)).status).toBe(200);
  }
});

/** Runs `remote-help-agent` with tsx under `env`. */
function agent(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/agent/src/cli.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function stop(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

test('an enrolled agent on Xvfb that fails the policy: the helper sees the compliance warning with the failing rules', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const admin = await adminApi(browser);
  const policy = await admin.call('POST', '/api/v1/compliance-policies', {
    name: 'Workstation baseline',
    rules: [{ type: 'notVirtualMachine' }, { type: 'firewall' }],
    assignment: { kind: 'allDevices' },
  });
  expect(policy.status).toBe(201);
  const token = (await admin.call('POST', '/api/v1/enrollment-tokens', {})).body.token as string;

  const xvfb = await startXvfb('1280x720x24');
  const dir = mkdtempSync(join(tmpdir(), 'rh-compliance-e2e-'));
  const urlFile = join(dir, 'urls.txt');
  const env = {
    DISPLAY: xvfb.display,
    REMOTE_HELP_CONFIG_DIR: join(dir, 'config'),
    REMOTE_HELP_BROWSER: `${process.execPath} e2e/agent/recordUrl.mjs`,
    RH_URL_FILE: urlFile,
  };
  const opened = (): string[] => (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim().split('\n') : []);
  let running: ChildProcess | null = null;
  try {
    // Enroll with the inventory the agent really collects on this box.
    const enroll = agent(['enroll', '--server', E2E_URL, '--token', token], env);
    const code = await new Promise<number | null>((resolve) => enroll.child.once('exit', resolve));
    expect(code, enroll.output()).toBe(0);
    const devices = (await admin.call('GET', '/api/v1/devices')).body.devices as DeviceView[];
    const device = devices.at(-1)!;
    console.log(`reported inventory: ${JSON.stringify(device.inventory)}; compliance ${device.compliance}`);
    expect(device.compliance).toBe('noncompliant');

    const run = agent(['share', '--no-window', '--server', E2E_URL], env);
    running = run.child;
    await expect.poll(() => WINDOW_URL.exec(run.output())?.[0] ?? '', { timeout: 30_000 }).not.toBe('');
    const win = await (await browser.newContext({ viewport: { width: 560, height: 760 } })).newPage();
    await win.goto(WINDOW_URL.exec(run.output())?.[0] as string);
    await win.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signInThroughIdp(browser, opened);
    await expect(win.getByRole('heading', { name: 'Enter security code' })).toBeVisible();

    // The administrator helps (so the device page link shows: devices.read).
    const helper: Page = admin.page;
    await helper.goto('/help');
    await helper.getByRole('button', { name: 'Get a security code' }).click();
    const codeBox = helper.getByTestId('security-code');
    await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
    await win.getByLabel('Security code').fill((await codeBox.textContent())!.replace(/\D/g, ''));
    await win.getByRole('button', { name: 'Submit' }).click();

    const warning = helper.getByTestId('compliance-warning');
    await expect(warning).toBeVisible({ timeout: 15_000 });
    await expect(warning).toContainText("This device does not meet your organization's compliance policies");
    await expect(warning).toContainText('The firewall must be on; this could not be confirmed.');
    const vm = device.inventory.isVirtualMachine;
    const vmText =
      vm === true
        ? 'It must not be a virtual machine; it is one.'
        : 'It must not be a virtual machine; this could not be confirmed.';
    if (vm === false) await expect(warning).not.toContainText('virtual machine');
    else await expect(warning).toContainText(vmText);
    await expect(warning).toContainText('(policy: Workstation baseline)');
    await expect(warning.getByRole('link', { name: 'Open the device page' })).toHaveAttribute(
      'href',
      `/admin/devices/${device.id}`,
    );
    await expect(helper.getByTestId('unenrolled-notice')).toHaveCount(0);
    await expect(helper.getByRole('button', { name: 'View only' })).toBeEnabled();
    await expect(helper.getByRole('button', { name: 'Full control' })).toBeEnabled();
    await shot(helper, 'compliance-03-helper-noncompliant-agent');
    await helper.getByRole('button', { name: 'Leave' }).click();
  } finally {
    await stop(running);
    await xvfb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
