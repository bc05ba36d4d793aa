/**
 * First frame after Allow, measured through the product: the native agent (`share`, on its
 * own Xvfb), the real server and the helper app in Chromium. The helper asks to view, the
 * sharer reads the request for a moment (as people do: the agent may set up the connection
 * meanwhile, ADR 0023) and clicks Allow; the time from that click (in the agent window) to
 * the helper's first complete tile frame (the canvas' `data-frames`, as `framesDecoded`
 * reads it) is printed, not asserted. Both are wall-clock times of the same machine.
 * Run it with `--repeat-each=3` for three figures (docs/bench.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { framesDecoded, closeContexts, shot } from '../support.js';
import { requestFromAgent, WINDOW_URL } from './agentProcess.js';
import { allowAndTimeFirstFrame, watchFirstFrame } from './firstFrameWatch.js';

test.afterEach(closeContexts);
// Playwright's trace takes DOM snapshots inside the pages around each action, the helper's too: 20–50 ms of its
// main thread in the second after Allow (seen in a CPU profile of the helper page). Not part of what a user gets.
test.use({ trace: 'off' });

/** How long the sharer "reads" the request before Allow (the same before and after a change). */
const READING_MS = 2000;

/** Xvfb on the first free display of :150–:159 (the displays this machine leaves to these runs). */
async function startDisplay(): Promise<{ display: string; stop: () => Promise<void> }> {
  for (let n = 150; n <= 159; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    const child = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x720x24', '-nolisten', 'tcp', '-noreset'], {
      stdio: 'ignore',
    });
    const up = await expect
      .poll(() => existsSync(`/tmp/.X11-unix/X${n}`) || child.exitCode !== null, { timeout: 10_000 })
      .toBe(true)
      .then(() => child.exitCode === null);
    if (!up) continue;
    return {
      display: `:${n}`,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
  throw new Error('no free display in :150–:159');
}

async function startAgent(browser: Browser, display: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rh-first-frame-'));
  const urlFile = join(dir, 'urls.txt');
  let output = '';
  const agent: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'packages/agent/src/cli.ts', 'share', '--no-window', '--server', E2E_URL],
    {
      env: {
        ...process.env,
        DISPLAY: display,
        REMOTE_HELP_CONFIG_DIR: join(dir, 'config'),
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
    win,
    opened: () => (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim().split('\n') : []),
    async stop() {
      if (agent.exitCode === null) {
        const exited = new Promise((resolve) => agent.once('exit', resolve));
        agent.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('first frame after Allow with the native agent (printed, not asserted)', async ({ browser }) => {
  test.setTimeout(120_000);
  const x = await startDisplay();
  const agent = await startAgent(browser, x.display);
  const { win } = agent;
  try {
    const { helper, allow } = await requestFromAgent(browser, win, agent.opened, 'View only');
    // The sharer reads the request; nothing is shown to the helper meanwhile (the view may be mounted, hidden).
    await win.waitForTimeout(READING_MS);
    await expect(helper.getByTestId('remote-canvas')).toBeHidden();
    const mountedEarly = (await helper.getByTestId('remote-view').count()) > 0;
    await shot(helper, 'first-frame-01-helper-requested'); // the view may be mounted: it must not show
    if (mountedEarly) {
      // Laid out where it will show and sized to the sharer's screen (the agent's screen message), still invisible:
      // Allow then only paints it (no style and layout of a whole view, no canvas allocation on the first picture).
      const early = await helper.getByTestId('remote-canvas').evaluate((canvas: HTMLCanvasElement) => ({
        width: canvas.width,
        height: canvas.height,
        laidOut: canvas.getBoundingClientRect().width > 0,
        visibility: getComputedStyle(canvas).visibility,
      }));
      expect(early).toEqual({ width: 1280, height: 720, laidOut: true, visibility: 'hidden' });
      await expect(helper.getByTestId('waiting-for-allow')).toBeVisible();
    }
    await watchFirstFrame(helper);
    const { allowAt, firstFrameAt } = await allowAndTimeFirstFrame(helper, allow);
    expect(await framesDecoded(helper)).toBeGreaterThan(0);
    console.log(
      `first frame after Allow: ${firstFrameAt - allowAt} ms ` +
        `(Allow ${new Date(allowAt).toISOString()}, first frame ${new Date(firstFrameAt).toISOString()}; ` +
        `remote view mounted before Allow: ${mountedEarly ? 'yes' : 'no'})`,
    );
  } finally {
    await agent.stop();
    await x.stop();
  }
});
