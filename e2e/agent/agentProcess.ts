/**
 * The native agent as the agent journeys run it: `remote-help-agent` through tsx on a private
 * Xvfb, with its own configuration folder and a "system browser" that records the URLs the
 * agent opens (see `recordUrl.mjs`), and an enrollment token made through the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Browser } from '@playwright/test';
import { startXvfb } from '../../packages/agent/src/testing/xvfb.js';
import { signIn } from '../support.js';

/** The one-time address of the agent's window, as `run --no-window` prints it when a launch arrives. */
export const WINDOW_URL = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/;

/** A running agent process and everything it printed so far. */
export interface AgentProcess {
  child: ChildProcess;
  output: () => string;
}

/** Runs `remote-help-agent` with tsx; the caller reads its output and ends it. */
export function agent(args: string[], env: Record<string, string>): AgentProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/agent/src/cli.ts', ...args], {
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
