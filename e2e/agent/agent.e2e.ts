/**
 * The native agent end to end, in real Chromium: the agent (`remote-help-agent share`,
 * under a private Xvfb) and its window, the helper in the web helper app. The sharer
 * signs in through the IdP's real page (RFC 8252 loopback redirect), the helper asks
 * for full control, the sharer allows it in the agent window, the helper's pointer
 * lands on the sharer's X display and its laser shows in the window; Stop control and
 * Stop sharing end it, all from the agent window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { pointerLocation, startXvfb, type Xvfb } from '../../packages/agent/src/testing/xvfb.js';
import { framesDecoded, pagePointFor, PASSWORD, shot, signIn, closeContexts } from '../support.js';

test.afterEach(closeContexts);

const WINDOW_URL = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/;

interface RunningAgent {
  xvfb: Xvfb;
  /** The agent window, opened from the agent's one-time address. */
  win: Page;
  /** URLs the agent asked the "system browser" to open, oldest first. */
  opened(): string[];
  stop(): Promise<void>;
}

/** Starts Xvfb and `remote-help-agent share --no-window`, and opens its window in Chromium. */
async function startAgent(browser: Browser): Promise<RunningAgent> {
  const xvfb = await startXvfb('1280x720x24');
  const dir = mkdtempSync(join(tmpdir(), 'rh-agent-e2e-'));
  const urlFile = join(dir, 'urls.txt');
  let output = '';
  const agent: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'packages/agent/src/cli.ts', 'share', '--no-window', '--server', E2E_URL],
    {
      env: {
        ...process.env,
        DISPLAY: xvfb.display,
        REMOTE_HELP_CONFIG_DIR: join(dir, 'config'),
        // The system browser: records the URL for the test to open (see recordUrl.mjs).
        REMOTE_HELP_BROWSER: `${process.execPath} e2e/agent/recordUrl.mjs`,
        RH_URL_FILE: urlFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  agent.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  agent.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await expect.poll(() => WINDOW_URL.exec(output)?.[0] ?? '', { timeout: 30_000 }).not.toBe('');
  const win = await (await browser.newContext({ viewport: { width: 560, height: 760 } })).newPage();
  await win.goto(WINDOW_URL.exec(output)?.[0] as string);
  return {
    xvfb,
    win,
    opened: () => (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim().split('\n') : []),
    async stop() {
      if (agent.exitCode === null) {
        const exited = new Promise((resolve) => agent.once('exit', resolve));
        agent.kill('SIGINT');
        await exited;
      }
      await xvfb.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Clicks Sign in in the agent window and returns the authorization URL the agent opened. */
async function startSignIn(agent: RunningAgent): Promise<string> {
  await expect(agent.win.getByRole('heading', { name: 'Sign in to get help' })).toBeVisible();
  await agent.win.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(agent.win.getByRole('heading', { name: 'Continue in your browser' })).toBeVisible();
  await expect.poll(() => agent.opened().at(-1) ?? '', { timeout: 10_000 }).toContain('/oidc/auth');
  return agent.opened().at(-1) as string;
}

test('a sharer gets help with the native agent: sign-in, code, full control, laser, Stop control, Stop sharing', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const agent = await startAgent(browser);
  const { win, xvfb } = agent;
  try {
    await shot(win, 'agent-01-sign-in');
    // RFC 8252: the agent opens the IdP in the "system browser" (here a page of this browser),
    // and the IdP sends that browser back to the agent's loopback redirect.
    const idp = await (await browser.newContext()).newPage();
    await idp.goto(await startSignIn(agent));
    await idp.getByLabel('Email').fill('sharer@contoso.example');
    await idp.getByLabel('Password').fill(PASSWORD);
    await idp.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(idp.getByRole('heading', { name: 'You are signed in' })).toBeVisible();
    await expect(win.getByRole('heading', { name: 'Enter security code' })).toBeVisible();
    await expect(win.getByText('Signed in as Lena Fischer')).toBeVisible();

    const helper = await (await browser.newContext()).newPage();
    await signIn(helper, '/help', 'helper@contoso.example');
    await helper.getByRole('button', { name: 'Get a security code' }).click();
    const codeBox = helper.getByTestId('security-code');
    await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
    const code = (await codeBox.textContent())!.replace(/\D/g, '');

    await win.getByLabel('Security code').fill(code);
    await shot(win, 'agent-02-code');
    await win.getByRole('button', { name: 'Submit' }).click();
    await expect(win.getByText('Daniel Okafor', { exact: true })).toBeVisible();
    await expect(win.getByText('Domain asserted by the administrator: contoso.example')).toBeVisible();
    await expect(win.locator('#person-photo')).toBeVisible();
    await shot(win, 'agent-03-trust');

    await helper.getByRole('button', { name: 'Full control' }).click();
    await expect(
      win.getByRole('heading', { name: 'Daniel Okafor wants to take full control of your mouse and keyboard' }),
    ).toBeVisible();
    // The connection is up while the sharer reads the request (ADR 0023): both can compare the check before Allow.
    const requestCheck = win.locator('#request-check .check-digits');
    await expect(requestCheck).toHaveText(/^\d{4} \d{4} \d{4}$/, { timeout: 10_000 });
    await expect(helper.getByTestId('connection-check')).toHaveText((await requestCheck.textContent())!);
    // Before Allow, the way out it names is Decline.
    await expect(win.locator('#request-check .check-info-request')).toContainText('If they differ, decline');
    await shot(win, 'agent-04-request');
    await shot(helper, 'agent-04b-helper-waiting');
    const checkBeforeAllow = await requestCheck.textContent();
    await win.getByRole('button', { name: 'Allow' }).click();

    await expect(
      win.getByRole('region', { name: 'Sharing' }).getByText('You are sharing your screen with Daniel Okafor'),
    ).toBeVisible();
    await expect(win.getByRole('button', { name: 'Stop control' })).toBeVisible();
    await expect(win.getByRole('heading', { name: 'Daniel Okafor can use your mouse and keyboard.' })).toBeVisible();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    // The agent sends its screen as damage tiles, painted on a canvas (not a video track).
    await expect(helper.getByTestId('remote-canvas')).toBeVisible();
    // The same connection after Allow: the same check, on both sides.
    await expect(win.locator('#check .check-digits')).toHaveText(checkBeforeAllow!);
    await expect(helper.getByTestId('connection-check')).toHaveText(checkBeforeAllow!);

    // The helper's pointer over the remote screen lands on the sharer's X display.
    const quarter = await pagePointFor(helper, 0.25, 0.25);
    await helper.mouse.click(quarter.x, quarter.y);
    // Screen pixel (320, 180) of 1280×720, within a few pixels of scaling and rounding.
    const offBy = async () => {
      const { x, y } = await pointerLocation(xvfb.display);
      return Math.max(Math.abs(x - 320), Math.abs(y - 180));
    };
    await expect.poll(offBy, { timeout: 10_000 }).toBeLessThanOrEqual(4);
    await expect(win.locator('#preview')).toBeVisible();
    await shot(win, 'agent-05-sharing-control');
    await shot(helper, 'agent-06-helper-control');

    await win.getByRole('button', { name: 'Stop control' }).click();
    await expect(win.getByRole('heading', { name: 'Daniel Okafor can see your screen.' })).toBeVisible();
    await expect(win.getByRole('button', { name: 'Stop control' })).toBeHidden();
    await expect(helper.getByText('Lena Fischer took back control of their mouse and keyboard.')).toBeVisible();
    const before = await pointerLocation(xvfb.display);
    const far = await pagePointFor(helper, 0.8, 0.8);
    await helper.mouse.move(far.x, far.y, { steps: 5 });
    await helper.waitForTimeout(300);
    expect(await pointerLocation(xvfb.display)).toEqual(before);

    // The helper's laser pointer shows in the agent window, on the preview.
    await helper.getByRole('button', { name: 'Laser pointer' }).click();
    const spot = await pagePointFor(helper, 0.5, 0.5);
    await helper.mouse.move(spot.x, spot.y, { steps: 3 });
    await expect(win.locator('#laser')).toBeVisible();
    await expect(win.getByText('Laser pointer at 50 % across, 50 % down')).toBeVisible();
    await shot(win, 'agent-06b-laser');
    await helper.getByRole('button', { name: 'Laser pointer' }).click();
    await expect(win.locator('#laser')).toBeHidden();

    await win.getByRole('button', { name: 'Stop sharing' }).click();
    await expect(win.getByRole('heading', { name: 'The session ended' })).toBeVisible();
    await expect(win.getByText('You ended the session.')).toBeVisible();
    // The page's words, not the screen reader's live region that says the same.
    await expect(
      helper.getByText('Lena Fischer left the session.').and(helper.locator(':not([aria-live])')),
    ).toBeVisible({
      timeout: 5000,
    });
    await shot(win, 'agent-07-ended');
  } finally {
    await agent.stop();
  }
});
