/**
 * A long full-control session through the product, for memory (`npm run bench:soak`; not part of
 * the test command). The native agent (`share`, on its own Xvfb), the real server and the helper
 * app in Chromium: the helper takes full control and, for `SOAK_MINUTES` (default 10), moves the
 * pointer over the remote screen without a pause while the bench's X worker draws its busy screen
 * (20 random rectangles every 33 ms) half of each cycle. Every cycle samples the agent's and the
 * server's resident memory (/proc), the agent's CPU, the helper page's JavaScript heap and the
 * frames drawn. Printed and written to `bench/results/soak-latest.md`, not asserted (docs/bench.md,
 * "Long sessions"); what is asserted is that the session lasts: frames keep coming and the
 * pointer keeps reaching the sharer's desktop to the end.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { pointerLocation } from '../../packages/agent/src/testing/xvfb.js';
import { closeContexts, framesDecoded, pagePointFor } from '../support.js';
import { cpuSeconds, startBusyPainter } from './busyWork.js';
import { agent, agentDesktop, requestFromAgent, stopAgent, WINDOW_URL } from './agentProcess.js';

test.afterEach(closeContexts);
test.use({ trace: 'off' });

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
/** One cycle: busy screen for half, still for the other half; the pointer moves throughout. */
const CYCLE_MS = 20_000;

interface Sample {
  minute: number;
  agentRssMiB: number;
  serverRssMiB: number;
  helperHeapMiB: number;
  agentCpu: number;
  frames: number;
  moves: number;
}

/** Resident memory of `pid` in MiB (VmRSS). */
function rssMiB(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : NaN;
}

/** The server process: the one listening on the test port. */
function serverPid(): number {
  const port = new URL(E2E_URL).port;
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(out)?.[1];
  if (!pid) throw new Error(`no process listens on ${port}`);
  return Number(pid);
}

function helperHeapMiB(helper: Page): Promise<number> {
  return helper
    .evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN)
    .then((bytes) => bytes / 2 ** 20);
}

/** Least-squares slope of `y` against `x`. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

test(`a ${MINUTES}-minute full-control session: memory over time (printed, not asserted)`, async ({ browser }) => {
  test.setTimeout((MINUTES * 60 + 240) * 1000);
  const desk = await agentDesktop('rh-soak-');
  const run = agent(['share', '--no-window', '--server', E2E_URL], desk.env);
  let painter: Awaited<ReturnType<typeof startBusyPainter>> | undefined;
  try {
    painter = await startBusyPainter(desk.env.DISPLAY!);
    await expect.poll(() => WINDOW_URL.exec(run.output())?.[0] ?? '', { timeout: 30_000 }).not.toBe('');
    const win = await (await browser.newContext({ viewport: { width: 560, height: 760 } })).newPage();
    await win.goto(WINDOW_URL.exec(run.output())![0]);
    const helperPage = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
    const { helper, allow } = await requestFromAgent(browser, win, desk.opened, 'Full control', helperPage);
    await allow.click();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect(helper.getByTestId('mode-pill')).toHaveText('Full control');

    const agentPid = run.child.pid!;
    const server = serverPid();
    const samples: Sample[] = [];
    const started = performance.now();
    let moves = 0;
    let angle = 0;
    /** Moves the helper's pointer around a circle on the remote screen until `until` resolves. */
    const movePointer = async (until: Promise<unknown>) => {
      let done = false;
      void until.finally(() => (done = true));
      const [a, b] = [await pagePointFor(helper, 0, 0), await pagePointFor(helper, 1, 1)];
      while (!done) {
        angle += 0.15;
        const [x, y] = [0.5 + 0.3 * Math.cos(angle), 0.5 + 0.3 * Math.sin(angle)];
        await helper.mouse.move(a.x + x * (b.x - a.x), a.y + y * (b.y - a.y));
        moves++;
        await helper.waitForTimeout(16);
      }
    };

    const sample = async (cpu: number) => {
      samples.push({
        minute: (performance.now() - started) / 60_000,
        agentRssMiB: rssMiB(agentPid),
        serverRssMiB: rssMiB(server),
        helperHeapMiB: await helperHeapMiB(helper),
        agentCpu: cpu,
        frames: await framesDecoded(helper),
        moves,
      });
      const s = samples.at(-1)!;
      console.log(
        `${s.minute.toFixed(1)} min: agent ${s.agentRssMiB.toFixed(1)} MiB (${cpu.toFixed(1)} % CPU), ` +
          `server ${s.serverRssMiB.toFixed(1)} MiB, helper heap ${s.helperHeapMiB.toFixed(1)} MiB, ` +
          `${s.frames} frames, ${s.moves} moves`,
      );
    };

    await sample(0);
    while (performance.now() - started < MINUTES * 60_000) {
      const c0 = cpuSeconds(agentPid);
      const t0 = performance.now();
      await movePointer(painter.busy(CYCLE_MS / 2));
      await movePointer(helper.waitForTimeout(CYCLE_MS / 2));
      const cpu = ((cpuSeconds(agentPid) - c0) / ((performance.now() - t0) / 1000)) * 100;
      await sample(cpu);
      // The session lasts: frames keep coming while the screen is busy.
      expect(samples.at(-1)!.frames).toBeGreaterThan(samples.at(-2)!.frames);
    }
    // The pointer still reaches the sharer's desktop at the end.
    const end = await pagePointFor(helper, 0.25, 0.25);
    await helper.mouse.move(end.x, end.y);
    await expect
      .poll(async () => {
        const p = await pointerLocation(desk.env.DISPLAY!);
        return Math.abs(p.x - 320) <= 3 && Math.abs(p.y - 180) <= 3;
      })
      .toBe(true);

    writeReport(samples);
  } finally {
    painter?.stop();
    await stopAgent(run.child);
    await desk.stop();
  }
});

/** The samples as a Markdown table, with each process's growth after the first two minutes. */
function writeReport(samples: Sample[]): void {
  const settled = samples.filter((s) => s.minute >= 2);
  const perMinute = (pick: (s: Sample) => number) =>
    settled.length >= 3 ? slope(settled.map((s) => ({ x: s.minute, y: pick(s) }))).toFixed(2) : 'n/a';
  const last = samples.at(-1)!;
  const lines = [
    `# Long full-control session through the product, ${new Date().toISOString()}`,
    '',
    `Method: docs/bench.md, "Long sessions". ${MINUTES} min; each ${CYCLE_MS / 1000} s cycle: busy screen for ` +
      `half (20 rectangles every 33 ms), still for the other half; the helper's pointer moves all the time ` +
      `(${last.moves} moves, ${last.frames} frames drawn). Agent run ${
        process.env.E2E_AGENT_BUILD === '1' ? 'from its build (packages/agent/dist)' : 'with tsx from the source tree'
      }.`,
    '',
    '| process | first sample MiB | last sample MiB | growth after minute 2 (MiB/min, least squares) |',
    '| --- | ---: | ---: | ---: |',
    `| agent RSS | ${samples[0]!.agentRssMiB.toFixed(1)} | ${last.agentRssMiB.toFixed(1)} | ${perMinute((s) => s.agentRssMiB)} |`,
    `| server RSS | ${samples[0]!.serverRssMiB.toFixed(1)} | ${last.serverRssMiB.toFixed(1)} | ${perMinute((s) => s.serverRssMiB)} |`,
    `| helper page JS heap | ${samples[0]!.helperHeapMiB.toFixed(1)} | ${last.helperHeapMiB.toFixed(1)} | ${perMinute((s) => s.helperHeapMiB)} |`,
    '',
    '| minute | agent RSS MiB | agent CPU % (cycle) | server RSS MiB | helper heap MiB | frames | moves |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...samples.map(
      (s) =>
        `| ${s.minute.toFixed(1)} | ${s.agentRssMiB.toFixed(1)} | ${s.agentCpu.toFixed(1)} | ` +
        `${s.serverRssMiB.toFixed(1)} | ${s.helperHeapMiB.toFixed(1)} | ${s.frames} | ${s.moves} |`,
    ),
    '',
  ];
  const text = lines.join('\n');
  const stamp = new Date().toISOString().replace(/:/g, '-').slice(0, 19);
  writeFileSync(`bench/results/soak-${stamp}.md`, text);
  writeFileSync('bench/results/soak-latest.md', text);
  console.log(text);
}
