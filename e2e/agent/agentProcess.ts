/**
 * The native agent as the agent journeys run it: `remote-help-agent` through tsx on a private
 * Xvfb, with its own configuration folder and a "system browser" that records the URLs the
 * agent opens (see `recordUrl.mjs`), and an enrollment token made through the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { startXvfb } from '../../packages/agent/src/testing/xvfb.js';
import { PASSWORD, signIn } from '../support.js';

/** The one-time address of the agent's window, as `run --no-window` prints it when a launch arrives. */
export const WINDOW_URL = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/;

/** A running agent process and everything it printed so far. */
export interface AgentProcess {
  child: ChildProcess;
  output: () => string;
}

/**
 * Runs `remote-help-agent` with tsx (or, with `E2E_AGENT_BUILD=1`, the build in `packages/agent/dist`, as a
 * measurement of the agent without tsx's own memory wants); the caller reads its output and ends it.
 */
export function agent(args: string[], env: Record<string, string>): AgentProcess {
  let output = '';
  // E2E_AGENT_NODE_ARGS: flags for the agent's Node (`--cpu-prof`, which NODE_OPTIONS refuses), for measurements.
  const nodeArgs = process.env.E2E_AGENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const entry =
    process.env.E2E_AGENT_BUILD === '1'
      ? ['packages/agent/dist/cli.js']
      : ['--import', 'tsx', 'packages/agent/src/cli.ts'];
  const child = spawn(process.execPath, [...nodeArgs, ...entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Runs a short agent command to its end. */
export async function agentCommand(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const run = agent(args, env);
  const code = await new Promise<number>((resolve) => run.child.once('exit', (c) => resolve(c ?? 1)));
  return { code, output: run.output() };
}

/** Ends a long-running agent (`run`) and waits for it to exit. */
export async function stopAgent(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

/** An enrollment token made by the admin through the API, as the admin console does. */
export async function enrollmentToken(browser: Browser): Promise<string> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, '/help', 'admin@contoso.example');
  const { csrfToken: csrf } = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  const response = await page.request.post('/api/v1/enrollment-tokens', {
    data: {},
    headers: { 'x-csrf-token': csrf },
  });
  expect(response.status()).toBe(201);
  const token = ((await response.json()) as { token: string }).token;
  await page.context().close();
  return token;
}

/** A private X display and configuration folder for one agent, and the URLs it asked the browser to open. */
export interface AgentDesktop {
  /** The agent's environment: `DISPLAY`, its configuration folder, the recording browser. */
  env: Record<string, string>;
  /** URLs the agent opened in "the system browser", oldest first. */
  opened: () => string[];
  /** The enrolled device's id (from the agent's `device.json`), or null before enrollment. */
  deviceId: () => string | null;
  /** Stops the display and removes the folder. */
  stop: () => Promise<void>;
}

/** Starts Xvfb and a configuration folder for an agent. */
export async function agentDesktop(prefix: string): Promise<AgentDesktop> {
  const xvfb = await startXvfb('1280x720x24');
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const urlFile = join(dir, 'urls.txt');
  const configDir = join(dir, 'config');
  return {
    env: {
      DISPLAY: xvfb.display,
      REMOTE_HELP_CONFIG_DIR: configDir,
      // The system browser: records the URL for the test to open (see recordUrl.mjs).
      REMOTE_HELP_BROWSER: `${process.execPath} e2e/agent/recordUrl.mjs`,
      RH_URL_FILE: urlFile,
    },
    opened: () => (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim().split('\n') : []),
    deviceId: () => {
      const file = join(configDir, 'device.json');
      return existsSync(file)
        ? ((JSON.parse(readFileSync(file, 'utf8')) as { deviceId: string }).deviceId ?? null)
        : null;
    },
    async stop() {
      await xvfb.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * From the agent window's sign-in screen to both trust screens: the sharer signs in through
 * the IdP's page (the "system browser"), the helper (Daniel Okafor) gets a code, the sharer
 * enters it. Returns the helper's page: `helperPage` when given (a context set up by the
 * caller), else a new one.
 */
export async function joinFromAgent(
  browser: Browser,
  win: Page,
  opened: () => string[],
  helperPage?: Page,
): Promise<Page> {
  await expect(win.getByRole('heading', { name: 'Sign in to get help' })).toBeVisible();
  await win.getByRole('button', { name: 'Sign in', exact: true }).click();
  await signInThroughIdp(browser, opened);
  await expect(win.getByRole('heading', { name: 'Enter security code' })).toBeVisible();

  const helper = helperPage ?? (await (await browser.newContext()).newPage());
  await helperJoinsAgent(helper, win);
  return helper;
}

/** The helper (Daniel Okafor) signs in on `helper`, gets a security code and the sharer enters it in the agent window `win`. */
export async function helperJoinsAgent(helper: Page, win: Page): Promise<void> {
  await signIn(helper, '/help', 'helper@contoso.example');
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  const codeBox = helper.getByTestId('security-code');
  await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
  await win.getByLabel('Security code').fill((await codeBox.textContent())!.replace(/\D/g, ''));
  await win.getByRole('button', { name: 'Submit' }).click();
}

/** {@link joinFromAgent}, then the helper asks for `mode`: returns the helper's page and the (unclicked) Allow button. */
export async function requestFromAgent(
  browser: Browser,
  win: Page,
  opened: () => string[],
  mode: 'View only' | 'Full control',
  helperPage?: Page,
): Promise<{ helper: Page; allow: Locator }> {
  const helper = await joinFromAgent(browser, win, opened, helperPage);
  await expect(win.getByText('Daniel Okafor', { exact: true })).toBeVisible();
  await helper.getByRole('button', { name: mode }).click();
  const allow = win.getByRole('button', { name: 'Allow' });
  await expect(allow).toBeVisible();
  return { helper, allow };
}

/**
 * The sharer (Lena Fischer) signs in on the IdP's page that the agent opened in "the system
 * browser" (RFC 8252): waits for the agent to open it, fills it in, and returns that page.
 */
export async function signInThroughIdp(browser: Browser, opened: () => string[]): Promise<Page> {
  await expect.poll(() => opened().at(-1) ?? '', { timeout: 10_000 }).toContain('/oidc/auth');
  const idp = await (await browser.newContext()).newPage();
  await idp.goto(opened().at(-1) as string);
  await idp.getByLabel('Email').fill('sharer@contoso.example');
  await idp.getByLabel('Password').fill(PASSWORD);
  await idp.getByRole('button', { name: 'Sign in', exact: true }).click();
  return idp;
}
