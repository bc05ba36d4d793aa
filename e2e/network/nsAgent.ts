/**
 * The native agent inside the sharer's namespace of a {@link NetnsLab}:
 * `remote-help-agent share --no-window` run through `ip netns exec`, capturing the given X
 * display, its window and sign-in page opened in a Chromium of the same namespace (the
 * agent's loopback address is only reachable there), signed in as the Contoso sharer and
 * left on the code screen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Browser, type Page } from '@playwright/test';
import { PASSWORD } from '../support.js';
import { labContext } from './lab.js';
import type { NetnsLab } from './netns.js';

const WINDOW_URL = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/;

export interface NsAgent {
  /** The agent's window (on the code screen when started). */
  win: Page;
  /** What the agent printed so far. */
  output(): string;
  /** The agent's process id (the namespace wrapper execs it: the same process). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts the agent for `url` on X display `display` (with `env` added); its pages open in `browser` (the sharer's namespace). */
export async function startNsAgent(
  lab: Pick<NetnsLab, 'wrapper' | 'sharerNs'>,
  url: string,
  display: string,
  browser: Browser,
  env: Record<string, string> = {},
): Promise<NsAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-agent-netns-'));
  const urlFile = join(dir, 'urls.txt');
  let output = '';
  const agent: ChildProcess = spawn(
    lab.wrapper(lab.sharerNs, process.execPath),
    ['--import', 'tsx', 'packages/agent/src/cli.ts', 'share', '--no-window', '--allow-http', '--server', url],
    {
      env: {
        ...process.env,
        DISPLAY: display,
        REMOTE_HELP_CONFIG_DIR: join(dir, 'config'),
        REMOTE_HELP_BROWSER: `${process.execPath} e2e/agent/recordUrl.mjs`,
        RH_URL_FILE: urlFile,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  agent.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  agent.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (process.env.RH_NET_DEBUG) console.log(`agent output:\n${output.replace(/^\[trace .*\n/gm, '')}`);
    if (agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGINT');
      const timer = setTimeout(() => agent.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await expect.poll(() => WINDOW_URL.exec(output)?.[0] ?? '', { timeout: 30_000 }).not.toBe('');
    const context = await labContext(browser, url);
    const win = await context.newPage();
    await win.setViewportSize({ width: 560, height: 760 });
    await win.goto(WINDOW_URL.exec(output)?.[0] as string);
    await expect(win.getByRole('heading', { name: 'Sign in to get help' })).toBeVisible();
    await win.getByRole('button', { name: 'Sign in', exact: true }).click();
    const opened = () => (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim().split('\n') : []);
    await expect.poll(() => opened().at(-1) ?? '', { timeout: 10_000 }).toContain('/oidc/auth');
    const idp = await context.newPage();
    await idp.goto(opened().at(-1) as string);
    await idp.getByLabel('Email').fill('sharer@contoso.example');
    await idp.getByLabel('Password').fill(PASSWORD);
    await idp.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(idp.getByRole('heading', { name: 'You are signed in' })).toBeVisible();
    await expect(win.getByRole('heading', { name: 'Enter security code' })).toBeVisible();
    return { win, output: () => output, pid: agent.pid!, stop };
  } catch (error) {
    console.log(`agent output:\n${output}`);
    await stop();
    throw error;
  }
}
