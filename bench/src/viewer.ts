/**
 * The viewer: Debian's Chromium, headless, started inside the link's viewer namespace
 * (`ip netns exec`, as root with --no-sandbox) through playwright-core. The pages and
 * noVNC are served by request interception (no server, no network), so the only traffic
 * between the namespaces is the pipeline's own.
 */
import { buildSync } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Geometry } from './geometry.js';
import { nowMs } from './proc.js';
import { REPO } from './pipelines.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** Where noVNC is: the root devDependency, or NOVNC_DIR. */
export function novncDir(): string | null {
  const candidates = [process.env['NOVNC_DIR'], join(REPO, 'node_modules', '@novnc', 'novnc')];
  for (const c of candidates) if (c && existsSync(join(c, 'core', 'rfb.js'))) return c;
  return null;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
};

export interface Viewer {
  browser: Browser;
  /** Root pid of the Chromium process tree. */
  pid: number;
  open(page: string, options: Record<string, unknown>): Promise<ViewerPage>;
  close(): Promise<void>;
}

export interface ViewerPage {
  page: Page;
  /** Add to a page time (`timeOrigin + t`) to get the bench clock (ms). */
  offsetMs: number;
  /** Best round trip of the calibration, ms (offset uncertainty is half of it). */
  rttMs: number;
  timeOrigin: number;
  /** Page `performance.now()` value → bench clock ms. */
  toEpoch(t: number): number;
  /** Page errors and console messages (first 50). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * The helper app's own tile receiver (protocol), canvas painter and hello (packages/web/src/helper/tiles) and
 * input channels (packages/web/src/helper/control/ControlChannels), and the path heartbeat every helper
 * runs (PathMonitor), bundled as one ES module for the viewer page: the bench measures the product's code.
 */
function bundleHelperTiles(): string {
  const dir = join(REPO, 'packages', 'web', 'src', 'helper', 'tiles');
  const result = buildSync({
    stdin: {
      contents: [
        `export { PathMonitor, TileReceiver } from '@remote-help/protocol';`,
        `export { CanvasPainter } from './CanvasPainter';`,
        `export { VideoAreaCompositor } from './VideoAreaCompositor';`,
        `export { keepTileBacklog, takeTileBacklog } from './tileBacklog';`,
        `export { ControlChannels } from '../control/ControlChannels';`,
      ].join('\n'),
      resolveDir: dir,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
  });
  return result.outputFiles[0]?.text ?? '';
}

export async function launchViewer(netns: string, width: number, height: number): Promise<Viewer> {
  const dir = '/tmp/remote-help-bench';
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, `chromium-${netns}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${netns} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const browser = await chromium.launch({ executablePath: wrapper, headless: true, args: ARGS, timeout: 30_000 });
  const pid = chromiumRoot();
  const novnc = novncDir();
  const web = join(REPO, 'bench', 'web');
  const helperTiles = bundleHelperTiles();

  return {
    browser,
    pid,
    async open(pageName, options) {
      const context = await browser.newContext({
        viewport: { width, height },
        deviceScaleFactor: 1,
        // The pages reach the sender at a private address (Local Network Access).
        permissions: ['local-network-access'],
      });
      await context.route('http://localhost/**', async (route) => {
        const path = new URL(route.request().url()).pathname;
        let file: string | null = null;
        if (path === '/helper/tiles.js') {
          return route.fulfill({ status: 200, body: helperTiles, headers: { 'content-type': TYPES['.js'] as string } });
        }
        if (path.startsWith('/bench/')) file = join(web, normalize(path.slice('/bench/'.length)));
        else if (path.startsWith('/novnc/') && novnc) file = join(novnc, normalize(path.slice('/novnc/'.length)));
        if (!file || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
        return route.fulfill({
          status: 200,
          body: readFileSync(file),
          headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' },
        });
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (errors.length < 50) errors.push(`console.${m.type()}: ${m.text()}`);
      });
      const hash = encodeURIComponent(JSON.stringify(options));
      await page.goto(`http://localhost/bench/${pageName}#${hash}`);
      await page
        .waitForFunction(() => 'benchConnect' in window, undefined, { timeout: 10_000 })
        .catch(() => {
          throw new Error(`viewer page did not load: ${errors.join('; ')}`);
        });
      const { offsetMs, rttMs, timeOrigin } = await calibrate(page);
      return {
        page,
        offsetMs,
        rttMs,
        timeOrigin,
        toEpoch: (t: number) => timeOrigin + t + offsetMs,
        errors,
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/** The browser process: our child whose command line runs Chromium (the wrapper execs into it). */
function chromiumRoot(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('chromium')) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return -1;
}

/**
 * Offset between the page's clock (`performance.timeOrigin + performance.now()`) and
 * ours (CLOCK_MONOTONIC): 25 round trips over the DevTools pipe, the one with the shortest round trip wins
 * (its midpoint is assumed to be when the page read its clock).
 */
async function calibrate(page: Page): Promise<{ offsetMs: number; rttMs: number; timeOrigin: number }> {
  let best = { rtt: Infinity, offset: 0 };
  let timeOrigin = 0;
  for (let i = 0; i < 25; i++) {
    const t0 = nowMs();
    const [origin, now] = await page.evaluate(() => [performance.timeOrigin, performance.now()] as const);
    const t1 = nowMs();
    timeOrigin = origin;
    const rtt = t1 - t0;
    if (rtt < best.rtt) best = { rtt, offset: (t0 + t1) / 2 - (origin + now) };
  }
  return { offsetMs: best.offset, rttMs: best.rtt, timeOrigin };
}

/** Shape of `window.bench` in the pages (probe.js). */
export interface ProbeState {
  connectStart: number;
  firstPaint: number;
  paints: number;
  paintTimes: number[];
  seqEvents: ({ t: number; seq: number } & Record<string, number>)[];
  clickEvents: { t: number; colour: number }[];
  inputs: { t: number; type: string; x: number; y: number }[];
  probeMs: number;
  extra: Record<string, number>;
}

export async function probeState(page: Page): Promise<ProbeState> {
  return page.evaluate(() => (window as unknown as { bench: ProbeState }).bench);
}

/** Small counters only (cheap to poll). */
export async function probeCounters(
  page: Page,
): Promise<{ paints: number; seq: number; clicks: number; firstPaint: number }> {
  return page.evaluate(() => {
    const b = (window as unknown as { bench: ProbeState }).bench;
    return { paints: b.paints, seq: b.seqEvents.length, clicks: b.clickEvents.length, firstPaint: b.firstPaint };
  });
}

export type { Geometry };
