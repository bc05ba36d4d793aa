/**
 * The X client of the benchmark, in its own process so that its timestamps are not
 * delayed by the orchestrator's work: it builds the desktop (a grey full-screen window,
 * the flip window with its sequence cells, the click window), performs the flips and the
 * busy workload, and timestamps the input that reaches the display (MotionNotify on the
 * desktop, ButtonPress on the click window, which switches colour right away).
 *
 * Protocol: one JSON command per stdin line, one JSON reply per stdout line (same `id`).
 * Times are CLOCK_MONOTONIC ms (`process.hrtime`), shared by every process of the machine.
 *
 *   DISPLAY=:N node --import tsx bench/src/xworker.ts
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { geometryFor, type Geometry } from './geometry.js';

interface XEvent {
  name?: string;
  wid?: number;
  rootx?: number;
  rooty?: number;
  x?: number;
  y?: number;
}

interface XClient {
  AllocID(): number;
  CreateWindow(
    id: number,
    parent: number,
    x: number,
    y: number,
    w: number,
    h: number,
    border: number,
    depth: number,
    cls: number,
    visual: number,
    values: Record<string, number | boolean>,
  ): void;
  ChangeWindowAttributes(id: number, values: Record<string, number | boolean>): void;
  ClearArea(id: number, x: number, y: number, w: number, h: number, exposures: number): void;
  MapWindow(id: number): void;
  RaiseWindow(id: number): void;
  CreateGC(id: number, drawable: number, values: Record<string, number>): void;
  ChangeGC(id: number, values: Record<string, number>): void;
  PolyFillRectangle(drawable: number, gc: number, rects: number[]): void;
  sync(): Promise<void>;
  on(event: 'event', fn: (e: XEvent) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  close(cb?: () => void): void;
}

interface XDisplay {
  client: XClient;
  screen: { root: number; root_depth: number; root_visual: number }[];
}

const require = createRequire(import.meta.url);
const x11 = require('x11') as {
  createClient(o: { display?: string; bufferRequests?: boolean }, cb: (e: Error | null, d: XDisplay) => void): void;
};

/** CLOCK_MONOTONIC in ms: the same clock in every process of the machine. */
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BLACK = 0x000000;
const WHITE = 0xffffff;
const GREY = 0x707070;
const PointerMotion = 0x40;
const ButtonPress = 0x04;

const display = await new Promise<XDisplay>((resolve, reject) =>
  x11.createClient({ display: process.env['DISPLAY'], bufferRequests: true }, (e, d) => (e ? reject(e) : resolve(d))),
);
const X = display.client;
X.on('error', (e) => process.stderr.write(`x error: ${e.message}\n`));
const screen = display.screen[0]!;

let geo: Geometry | null = null;
let desktop = 0;
let flipWin = 0;
let clickWin = 0;
let gc = 0;
const cells: number[] = [];
let seq = 0;
let clickColour = BLACK;
const motions: { t: number; x: number; y: number }[] = [];
const presses: { t: number; x: number; y: number; colour: number }[] = [];

X.on('event', (e) => {
  const t = nowMs();
  if (e.name === 'MotionNotify') {
    if (motions.length < 100_000) motions.push({ t, x: e.rootx ?? -1, y: e.rooty ?? -1 });
  } else if (e.name === 'ButtonPress' && e.wid === clickWin) {
    clickColour = clickColour === BLACK ? WHITE : BLACK;
    setColour(clickWin, clickColour);
    presses.push({ t, x: e.rootx ?? -1, y: e.rooty ?? -1, colour: clickColour });
  }
});

function window(x: number, y: number, w: number, h: number, colour: number, eventMask = 0): number {
  const id = X.AllocID();
  X.CreateWindow(id, screen.root, x, y, w, h, 0, 0, 0, 0, {
    backgroundPixel: colour,
    overrideRedirect: true,
    ...(eventMask ? { eventMask } : {}),
  });
  X.MapWindow(id);
  return id;
}

/** A window's new colour: its background (so exposures keep it) and an immediate clear. */
function setColour(id: number, colour: number): void {
  X.ChangeWindowAttributes(id, { backgroundPixel: colour });
  X.ClearArea(id, 0, 0, 0, 0, 0);
}

function paintSeq(n: number, previous: number): void {
  for (let i = 0; i < 8; i++) {
    const bit = (n >> i) & 1;
    if (bit !== ((previous >> i) & 1) || previous < 0) setColour(cells[i]!, bit ? WHITE : BLACK);
  }
}

async function setup(width: number, height: number): Promise<Geometry> {
  const g = geometryFor(width, height);
  geo = g;
  desktop = window(0, 0, width, height, GREY, PointerMotion);
  flipWin = window(g.flip.x, g.flip.y, g.flip.width, g.flip.height, BLACK);
  for (const c of g.seqCells) cells.push(window(c.x, c.y, c.width, c.height, BLACK));
  clickWin = window(g.click.x, g.click.y, g.click.width, g.click.height, BLACK, ButtonPress);
  gc = X.AllocID();
  X.CreateGC(gc, desktop, { foreground: GREY });
  seq = 0;
  paintSeq(0, -1);
  await X.sync();
  return g;
}

/** Flip number `n`: sequence cells first, then the window, all before one flush. */
function flip(n: number): number {
  const t = nowMs();
  paintSeq(n, seq);
  setColour(flipWin, n % 2 ? WHITE : BLACK);
  seq = n;
  return t;
}

async function flips(count: number, minGapMs: number, maxGapMs: number, maxMs: number) {
  const out: { seq: number; t: number }[] = [];
  const started = Date.now();
  for (let i = 0; i < count && Date.now() - started < maxMs; i++) {
    await sleep(minGapMs + Math.random() * (maxGapMs - minGapMs));
    const n = seq + 1;
    out.push({ seq: n, t: flip(n) });
    await X.sync();
  }
  return out;
}

async function busy(durationMs: number, periodMs: number, rects: number) {
  const g = geo!;
  const started = performance.now();
  let ticks = 0;
  const maxTicks = Math.ceil(durationMs / periodMs) + 1;
  while (performance.now() - started < durationMs && ticks < maxTicks) {
    for (let i = 0; i < rects; i++) {
      const w = 20 + Math.floor(Math.random() * 180);
      const h = 20 + Math.floor(Math.random() * 180);
      const x = Math.floor(Math.random() * (g.work.width - w));
      const y = Math.floor(Math.random() * (g.work.height - h));
      X.ChangeGC(gc, { foreground: Math.floor(Math.random() * 0xffffff) });
      X.PolyFillRectangle(desktop, gc, [x, y, w, h]);
    }
    await X.sync();
    ticks++;
    const next = started + ticks * periodMs;
    await sleep(Math.max(0, next - performance.now()));
  }
  // Back to a plain desktop.
  X.ClearArea(desktop, 0, 0, 0, 0, 0);
  await X.sync();
  return { ticks, seconds: (performance.now() - started) / 1000 };
}

type Command = { id: string; cmd: string } & Record<string, unknown>;

async function handle(c: Command): Promise<Record<string, unknown>> {
  switch (c.cmd) {
    case 'setup':
      return { geometry: await setup(Number(c['width']), Number(c['height'])) };
    case 'ping':
      return { t: nowMs() };
    case 'flips':
      return {
        flips: await flips(Number(c['count']), Number(c['minGapMs']), Number(c['maxGapMs']), Number(c['maxMs'])),
      };
    case 'busy':
      return await busy(Number(c['durationMs']), Number(c['periodMs']), Number(c['rects']));
    case 'raise':
      for (const id of [flipWin, ...cells, clickWin]) X.RaiseWindow(id);
      await X.sync();
      return {};
    case 'clear':
      X.ClearArea(desktop, 0, 0, 0, 0, 0);
      await X.sync();
      return {};
    case 'events': {
      const out = { motions: motions.splice(0), presses: presses.splice(0), seq, clickColour };
      return out;
    }
    case 'quit':
      setTimeout(() => X.close(() => process.exit(0)), 10);
      setTimeout(() => process.exit(0), 1000).unref();
      return {};
    default:
      throw new Error(`unknown command ${c.cmd}`);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let c: Command;
  try {
    c = JSON.parse(line) as Command;
  } catch {
    return;
  }
  handle(c).then(
    (r) => process.stdout.write(`${JSON.stringify({ id: c.id, cmd: c.cmd, ...r })}\n`),
    (e: unknown) => process.stdout.write(`${JSON.stringify({ id: c.id, cmd: c.cmd, error: String(e) })}\n`),
  );
});
rl.on('close', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ ready: true, t: nowMs() })}\n`);
