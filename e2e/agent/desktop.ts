/**
 * A real X desktop for the agent journeys: a private Xvfb, a headed Chromium window on it
 * with a text field (the "application" the helper works in), and the agent process.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { PASSWORD, signIn } from '../support.js';
import { startXvfb, startXvnc } from '../../packages/agent/src/testing/xvfb.js';

export { pointerLocation } from '../../packages/agent/src/testing/xvfb.js';

export const SCREEN = { width: 1280, height: 720 };

export interface Desktop {
  display: string;
  app: Page;
  stop(): Promise<void>;
}

/**
 * Starts Xvfb on a free display and a Chromium window with a text field on it. `xvnc`: TigerVNC's
 * Xvnc instead, whose resolution `xrandr` can change (Xvfb's one mode is fixed).
 */
export async function startDesktop(options: { xServer?: 'xvfb' | 'xvnc' } = {}): Promise<Desktop> {
  const xvfb =
    options.xServer === 'xvnc'
      ? await startXvnc(`${SCREEN.width}x${SCREEN.height}`)
      : await startXvfb(`${SCREEN.width}x${SCREEN.height}x24`);
  const display = xvfb.display;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: false,
      env: { ...process.env, DISPLAY: display },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--kiosk',
        '--window-position=0,0',
        `--window-size=${SCREEN.width},${SCREEN.height}`,
      ],
    });
    const app = await browser.newPage({ viewport: null });
    await app.setContent(`<!doctype html><html><body style="margin:0;background:#fff;font:20px sans-serif">
      <textarea id="notes" style="position:absolute;left:100px;top:100px;width:500px;height:200px;font-size:24px"></textarea>
      <div id="status" style="position:absolute;left:100px;top:340px">ready</div></body></html>`);
    return {
      display,
      app,
      async stop() {
        await browser?.close().catch(() => undefined);
        await xvfb.stop();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await xvfb.stop();
    throw error;
  }
}

export interface AgentProcess {
  /** The agent window's one-time address. */
  windowUrl: string;
  /** URLs the agent asked the system browser to open (its sign-in). */
  openedUrls(): string[];
  output(): string;
  stop(): Promise<void>;
}

/** Starts `remote-help-agent share --no-window` against `server` on `display`. */
export async function startAgent(server: string, display: string): Promise<AgentProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-e2e-agent-'));
  const urlLog = join(dir, 'urls.log');
  const child: ChildProcess = spawn(
    process.execPath,
    ['packages/agent/dist/cli.js', 'share', '--server', server, '--no-window'],
    {
      env: {
        ...process.env,
        DISPLAY: display,
        REMOTE_HELP_CONFIG_DIR: join(dir, 'config'),
        REMOTE_HELP_BROWSER: `${process.execPath} ${join(process.cwd(), 'e2e/agent/recordUrl.mjs')}`,
        RH_URL_FILE: urlLog,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 20_000;
  let windowUrl = '';
  while (!windowUrl) {
    windowUrl = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output)?.[1] ?? '';
    if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the agent printed no window address:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    windowUrl,
    openedUrls: () => (existsSync(urlLog) ? readFileSync(urlLog, 'utf8').split('\n').filter(Boolean) : []),
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 1500));
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Opens the agent window (its address works once) at the size of the app's window. */
export async function openAgentWindow(browser: Browser, agent: AgentProcess): Promise<Page> {
  const win = await (await browser.newContext({ viewport: { width: 520, height: 720 } })).newPage();
  await win.goto(agent.windowUrl);
  return win;
}

/**
 * The sharer's first steps: the agent window opens (or `opened`, already open), Sign in goes through the
 * "system browser" (a page of its own on the IdP), and the window asks for the security code. Returns the window.
 */
export async function signInAgentWindow(browser: Browser, agent: AgentProcess, opened?: Page): Promise<Page> {
  const win = opened ?? (await openAgentWindow(browser, agent));
  await win.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect.poll(() => agent.openedUrls().length, { timeout: 15_000 }).toBeGreaterThan(0);
  const idp = await (await browser.newContext()).newPage();
  await idp.goto(agent.openedUrls()[0]!);
  await idp.getByLabel('Email').fill('sharer@contoso.example');
  await idp.getByLabel('Password').fill(PASSWORD);
  await idp.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(win.getByLabel('Security code')).toBeVisible({ timeout: 20_000 });
  return win;
}

/** The helper signs in, gets a security code and the sharer enters it in the agent window. Returns the helper's page. */
export async function redeemHelperCode(browser: Browser, win: Page, helperPage?: Page): Promise<Page> {
  const helper = helperPage ?? (await (await browser.newContext()).newPage());
  await signIn(helper, '/help', 'helper@contoso.example');
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  const code = (await helper.getByTestId('security-code').textContent())!.replace(/\D/g, '');
  await win.getByLabel('Security code').fill(code);
  await win.getByRole('button', { name: 'Submit' }).click();
  return helper;
}

/**
 * Runs a journey on a fresh desktop with the agent on it (`startDesktop`, `startAgent`): prints the agent's output
 * if the journey fails, and stops both whatever happens.
 */
export async function onAgentDesktop(
  server: string,
  options: { xServer?: 'xvfb' | 'xvnc' },
  journey: (run: { desktop: Desktop; agent: AgentProcess }) => Promise<void>,
): Promise<void> {
  const desktop = await startDesktop(options);
  const agent = await startAgent(server, desktop.display);
  try {
    await journey({ desktop, agent });
  } catch (error) {
    console.log(agent.output());
    throw error;
  } finally {
    await agent.stop();
    await desktop.stop();
  }
}
