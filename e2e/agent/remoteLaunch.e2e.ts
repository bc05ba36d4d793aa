/**
 * Remote launch end to end, with no security code typed anywhere: an admin makes an
 * enrollment token, the device enrolls (`remote-help-agent enroll`) and runs
 * (`remote-help-agent run --no-window`, under a private Xvfb); a helper starts a
 * session on it from `/help`, the agent window offers it, the sharer opens it (signing
 * in through the IdP if asked), allows View only, and the helper's video plays.
 */
import { type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { expect, test } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { framesDecoded, remoteScreen, shot, signIn, closeContexts } from '../support.js';
import {
  WINDOW_URL,
  agent,
  agentCommand,
  agentDesktop,
  enrollmentToken,
  signInThroughIdp,
  stopAgent,
} from './agentProcess.js';

test.afterEach(closeContexts);

test('a helper starts a session on an enrolled device: launch prompt, Open Remote Help, View only, video', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const desktop = await agentDesktop('rh-launch-e2e-');
  const { env, opened } = desktop;
  let running: ChildProcess | null = null;
  try {
    // Not enrolled yet: run refuses with a clear message.
    const early = await agentCommand(['run', '--no-window'], env);
    expect(early.code).toBe(2);
    expect(early.output).toContain('This device is not enrolled. Run remote-help-agent enroll');

    const refused = await agentCommand(['enroll', '--server', E2E_URL, '--token', `rhe_${'x'.repeat(43)}`], env);
    expect(refused.code).toBe(1);

    const token = await enrollmentToken(browser);
    const enrolled = await agentCommand(['enroll', '--server', E2E_URL, '--token', token], env);
    expect(enrolled.output).toContain(`Enrolled ${hostname()} in `);
    expect(enrolled.code).toBe(0);

    const run = agent(['run', '--no-window'], env);
    running = run.child;
    await expect.poll(run.output, { timeout: 30_000 }).toContain('a helper can start a session on this device');

    const helper = await (await browser.newContext()).newPage();
    await signIn(helper, '/help', 'helper@contoso.example');
    const start = helper
      .getByTestId('device-list')
      .getByRole('button', { name: `Start a session on ${hostname()}` })
      .last();
    await expect(start).toBeEnabled({ timeout: 20_000 });
    await shot(helper, 'launch-01-helper-devices');
    await start.click();
    await expect(helper.getByTestId('launch-waiting')).toBeVisible();

    // The agent prints the window's one-time address when the launch arrives.
    await expect.poll(() => WINDOW_URL.exec(run.output())?.[0] ?? '', { timeout: 20_000 }).not.toBe('');
    const win = await (await browser.newContext({ viewport: { width: 560, height: 760 } })).newPage();
    await win.goto(WINDOW_URL.exec(run.output())?.[0] as string);
    await expect(win.getByRole('heading', { name: /^Daniel Okafor from .+ wants to help you$/ })).toBeVisible();
    await expect(win.getByText('Domain asserted by the administrator: contoso.example')).toBeVisible();
    await shot(win, 'launch-02-agent-prompt');
    await win.getByRole('button', { name: 'Open Remote Help' }).click();

    // Not signed in on this device yet: sign in through the IdP the agent opened.
    await expect(win.getByRole('heading', { name: 'Continue in your browser' })).toBeVisible();
    const idp = await signInThroughIdp(browser, opened);
    await expect(idp.getByRole('heading', { name: 'You are signed in' })).toBeVisible();

    await expect(win.getByRole('heading', { name: 'You are connected to' })).toBeVisible({ timeout: 15_000 });
    await expect(win.getByText('Daniel Okafor', { exact: true })).toBeVisible();
    await expect(helper.getByTestId('peer-card')).toContainText('Lena Fischer');
    // Nobody entered a code: the helper reads that the person accepted on their device.
    await expect(helper.getByTestId('trust-intro')).toHaveText(
      `Lena Fischer accepted your request on the device “\u2068${hostname()}\u2069”. Make sure this is the person you expect before you continue.`,
    );
    await expect(helper).toHaveTitle('Lena Fischer accepted your request – Remote Help');
    await shot(helper, 'launch-03-helper-trust');

    await helper.getByRole('button', { name: 'View only' }).click();
    await expect(win.getByRole('heading', { name: 'Daniel Okafor wants to see your screen' })).toBeVisible();
    await win.getByRole('button', { name: 'Allow' }).click();
    await expect(remoteScreen(helper)).toBeVisible();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await shot(win, 'launch-04-agent-sharing');
    await shot(helper, 'launch-05-helper-video');
  } finally {
    await stopAgent(running);
    await desktop.stop();
  }
});
