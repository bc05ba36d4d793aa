/**
 * The busy screen's cost measured through the product (the bench's `busy` row, without its
 * shortcut): the native agent (`share`, on its own Xvfb), the real server and the helper app in
 * Chromium at Actual size, full control allowed. The bench's X worker draws 20 random rectangles
 * every 33 ms; the agent process's CPU (utime + stime of /proc/<pid>/stat, children excluded)
 * and the bytes the helper received (its peer connection's transport stats) over the same
 * window are printed, not asserted (docs/bench.md); that the helper drew the busy frames, and
 * none on the still screen, is. Then the same for a still screen (idle, control on).
 */
import { expect, test, type Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { closeContexts, framesDecoded, recordPeerConnections } from '../support.js';
import { cpuSeconds, startBusyPainter } from './busyWork.js';
import { agent, agentDesktop, requestFromAgent, stopAgent, WINDOW_URL } from './agentProcess.js';

test.afterEach(closeContexts);
test.use({ trace: 'off' });

/** How long each window lasts (the bench's busy row measures 30 s; 12 s keeps the journey short). */
const BUSY_MS = 12_000;
async function receivedBytes(helper: Page): Promise<number> {
  return helper.evaluate(async () => {
    const pcs = (window as unknown as { __peers?: RTCPeerConnection[] }).__peers ?? [];
    let bytes = 0;
    for (const pc of pcs) {
      const report = await pc.getStats();
      report.forEach((s: { type: string; bytesReceived?: number }) => {
        if (s.type === 'transport') bytes += s.bytesReceived ?? 0;
      });
    }
    return bytes;
  });
}

test('busy and still screen through the product (printed, not asserted)', async ({ browser }) => {
  test.setTimeout(180_000);
  const desk = await agentDesktop('rh-busy-');
  const run = agent(['share', '--no-window', '--server', E2E_URL], {
    ...desk.env,
    ...(process.env.BUSY_TRACE ? { REMOTE_HELP_TRACE: 'tiles', REMOTE_HELP_TRACE_FILE: process.env.BUSY_TRACE } : {}),
  });
  let painter: Awaited<ReturnType<typeof startBusyPainter>> | undefined;
  try {
    painter = await startBusyPainter(desk.env.DISPLAY!);
    const { busy } = painter;
    await expect.poll(() => WINDOW_URL.exec(run.output())?.[0] ?? '', { timeout: 30_000 }).not.toBe('');
    const win = await (await browser.newContext({ viewport: { width: 560, height: 760 } })).newPage();
    await win.goto(WINDOW_URL.exec(run.output())![0]);
    const helperContext = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await recordPeerConnections(helperContext); // for the bytes received
    const { helper, allow } = await requestFromAgent(
      browser,
      win,
      desk.opened,
      'Full control',
      await helperContext.newPage(),
    );
    await allow.click();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await helper.getByRole('button', { name: 'Actual size' }).click();
    await helper.waitForTimeout(3000);
    const pid = run.child.pid!;
    for (const [label, work] of [
      ['busy', () => busy(BUSY_MS)],
      ['still', () => helper.waitForTimeout(BUSY_MS)],
    ] as const) {
      const t0 = performance.now();
      const c0 = cpuSeconds(pid);
      const b0 = await receivedBytes(helper);
      const f0 = await framesDecoded(helper);
      await work();
      const frames = (await framesDecoded(helper)) - f0;
      const seconds = (performance.now() - t0) / 1000;
      const cpu = ((cpuSeconds(pid) - c0) / seconds) * 100;
      const kbit = (((await receivedBytes(helper)) - b0) * 8) / 1000 / seconds;
      console.log(
        `${label}: agent CPU ${cpu.toFixed(1)} % of a core, ${kbit.toFixed(0)} kbit/s toward the helper, ` +
          `${frames} frames drawn, ${seconds.toFixed(1)} s`,
      );
      // What can fail: the busy screen reaches the helper (360 frames drawn at 30 a second), a still one sends none.
      if (label === 'busy') expect(frames).toBeGreaterThan(50);
      else expect(frames).toBeLessThanOrEqual(2);
    }
  } finally {
    painter?.stop();
    await stopAgent(run.child);
    await desk.stop();
  }
});
