/**
 * The remote-view benchmark: remote-help's agent pipeline against TigerVNC and x11vnc, on
 * the same machine, same workloads, same run. See docs/bench.md for the method.
 *
 *   node bench/run.mjs [--quick] [--only agent,tigervnc,...] [--profiles local,lossy,fast] [--res 720,1080]
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeClicks, analyzeFlips, analyzeMoves, r1, summarize, type Flip } from './analyze.js';
import { centre, type Geometry } from './geometry.js';
import { Link, PROFILES, diffCounters, type LinkProfile } from './netem.js';
import { PIPELINES, REPO, startPipeline, type PipelineDef, type RunningPipeline } from './pipelines.js';
import { CpuMeter, LineChannel, cleanupAll, log, nowMs, run, sleep, start, threadCpuMs, waitFor } from './proc.js';
import { renderMarkdown } from './report.js';
import { launchViewer, probeCounters, probeState, type Viewer, type ViewerPage } from './viewer.js';

type Workload = 'flips' | 'input' | 'click' | 'static' | 'idle' | 'busy' | 'text' | 'video';

interface Plan {
  firstFrameSamples: number;
  flips: number;
  flipGapMs: [number, number];
  moves: number;
  clicks: number;
  seconds: number;
  /** Length of the `idle` window (the agent's idle cost is a fraction of a percent: it needs a long one). */
  idleSeconds: number;
  workloads: Workload[];
}

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profiles: { type: 'string' },
    res: { type: 'string' },
    out: { type: 'string' },
    workloads: { type: 'string' },
    latest: { type: 'boolean', default: false },
  },
});

const QUICK = opts.quick ?? false;
/**
 * Only a full run replaces `latest.{json,md}` (unless `--latest`): a quick or partial run
 * (`--only`, `--profiles`, `--res`, `--workloads`) goes to its timestamped files alone, so the
 * last full comparison is not lost to a check of one pipeline. Nor does an experiment with the agent's
 * Node flags (`BENCH_AGENT_NODE_ARGS`), as the load bench does with its servers'.
 */
const WRITES_LATEST =
  (opts.latest ?? false) ||
  (!QUICK && !opts.only && !opts.profiles && !opts.res && !opts.workloads && !process.env['BENCH_AGENT_NODE_ARGS']);
/** `--workloads static,idle`: run only these (first frame is always measured, it opens the session). */
const ONLY_WORKLOADS = opts.workloads?.split(',');
/** The limits: --quick under 3 minutes, the full run within 25. */
const BUDGET_S = QUICK ? 175 : 24 * 60;
const FULL_LOCAL: Plan = {
  firstFrameSamples: 3,
  flips: 100,
  flipGapMs: [60, 100],
  moves: 80,
  clicks: 20,
  seconds: 10,
  idleSeconds: 30,
  workloads: ['flips', 'input', 'click', 'static', 'idle', 'busy', 'text', 'video'],
};
const FULL_LINK: Plan = {
  firstFrameSamples: 2,
  flips: 100,
  flipGapMs: [60, 100],
  // 100, not 40: the pointer's p95 across a link is one of the targets, and with 40 moves it was the
  // second largest sample.
  moves: 100,
  clicks: 15,
  seconds: 10,
  idleSeconds: 0,
  workloads: ['flips', 'input', 'click', 'busy'],
};
const QUICK_LOCAL: Plan = {
  firstFrameSamples: 1,
  flips: 40,
  flipGapMs: [60, 100],
  moves: 20,
  clicks: 6,
  seconds: 3,
  idleSeconds: 10,
  workloads: ['flips', 'input', 'click', 'static', 'idle', 'busy', 'text', 'video'],
};

const TEXT_FILE = '/tmp/remote-help-bench/scroll.txt';

function ensureTextFile(): void {
  if (existsSync(TEXT_FILE)) return;
  mkdirSync('/tmp/remote-help-bench', { recursive: true });
  const words = ['const', 'frame', 'await', 'capture', 'return', 'session', 'helper', 'encode', 'pixels', 'damage'];
  const lines: string[] = [];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 200_000; i++) {
    const n = 3 + Math.floor(rnd() * 14);
    const ws = Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]);
    lines.push(`${String(i).padStart(6, '0')}  ${' '.repeat(Math.floor(rnd() * 8))}${ws.join(' ')};`);
  }
  writeFileSync(TEXT_FILE, `${lines.join('\n')}\n`);
}

interface Ctx {
  def: PipelineDef;
  link: Link;
  pipe: RunningPipeline;
  xw: LineChannel;
  xwPid: number;
  xwOffset: number;
  viewer: Viewer;
  vp: ViewerPage;
  geo: Geometry;
}

type Json = Record<string, unknown>;

async function xworkerOffset(xw: LineChannel): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 15; i++) {
    const t0 = nowMs();
    const r = await xw.request({ cmd: 'ping' });
    const t1 = nowMs();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: (t0 + t1) / 2 - Number(r['t']) };
  }
  return best.offset;
}

/** `promise`, or `fallback` after `ms` (the promise is left to settle on its own). */
async function bounded<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The page's benchStats() (getStats for WebRTC pages), bounded: a busy viewer must not stall the bench. */
function viewerStats(ctx: Ctx): Promise<unknown> {
  return bounded(
    ctx.vp.page.evaluate(() => (window as unknown as { benchStats(): Promise<unknown> }).benchStats()),
    2000,
    null,
  );
}

function agentStats(ctx: Ctx): Promise<Json | null> {
  return ctx.pipe.agent ? bounded(ctx.pipe.agent.request({ cmd: 'stats' }, 2000), 2500, null) : Promise.resolve(null);
}

/** Link bytes, CPU and viewer paints over `body`. */
async function measure(ctx: Ctx, extraPids: Record<string, number[]>, body: () => Promise<void>): Promise<Json> {
  const meter = new CpuMeter({ ...ctx.pipe.cpuGroups, viewer: [ctx.viewer.pid], workload: [ctx.xwPid], ...extraPids });
  const s0 = ctx.def.mode === 'tiles' ? null : await viewerStats(ctx);
  const out0 = await agentStats(ctx);
  const c0 = await ctx.link.counters();
  // Where the agent's CPU goes: the JS thread (`node`), libuv/V8 helpers, libwebrtc's threads.
  const agentPid = ctx.def.kind === 'agent' ? ctx.pipe.cpuGroups['sender']?.[0] : undefined;
  const threads0 = agentPid ? threadCpuMs(agentPid) : null;
  const t0 = performance.now();
  const b0 = nowMs();
  meter.start();
  await body();
  const cpu = meter.stop();
  const threads1 = agentPid ? threadCpuMs(agentPid) : null;
  const threadsElapsed = performance.now() - t0;
  const b1 = nowMs();
  const c1 = await ctx.link.counters();
  const seconds = (performance.now() - t0) / 1000;
  // Paints in [b0, b1], counted from the page's own timestamps (robust to a busy page).
  const from = b0 - ctx.vp.timeOrigin - ctx.vp.offsetMs;
  const to = b1 - ctx.vp.timeOrigin - ctx.vp.offsetMs;
  const paints = await bounded(
    ctx.vp.page.evaluate(
      ([a, b]) =>
        (window as unknown as { bench: { paintTimes: number[] } }).bench.paintTimes.filter((t) => t >= a! && t < b!)
          .length,
      [from, to],
    ),
    20_000,
    null,
  );
  const s1 = ctx.def.mode === 'tiles' ? null : await viewerStats(ctx);
  const out1 = await agentStats(ctx);
  const d = diffCounters(c0, c1);
  const result: Json = {
    seconds: r1(seconds),
    downKbitPerS: r1((d.down.bytes * 8) / 1000 / seconds),
    upKbitPerS: r1((d.up.bytes * 8) / 1000 / seconds),
    link: d,
    cpuPercent: cpu,
    viewerUpdatesPerS: paints === null ? null : r1(paints / seconds),
  };
  if (threads0 && threads1) {
    const threads: Record<string, number> = {};
    for (const [name, ms] of threads1) {
      const pct = Math.round(((ms - (threads0.get(name) ?? 0)) / threadsElapsed) * 1000) / 10;
      if (pct > 0) threads[name] = pct;
    }
    result['senderThreadsCpuPercent'] = threads;
  }
  if (ctx.def.kind === 'agent' && ctx.def.mode !== 'tiles') {
    Object.assign(result, rtcDelta(s0, s1, out0, out1, seconds));
  } else if (ctx.def.mode === 'tiles') {
    const t0 = (out0?.['tiles'] as Json | undefined) ?? {};
    const t1 = (out1?.['tiles'] as Json | undefined) ?? {};
    result['tileMessagesPerS'] = r1((num(t1, 'messages') - num(t0, 'messages')) / seconds);
    result['tileFramesPerS'] = r1((num(t1, 'frames') - num(t0, 'frames')) / seconds);
    result['tileEncodeMsAvg'] = r1(num(t1, 'encodeMsAvg'));
    result['tileFramesLost'] = num(t1, 'lost') - num(t0, 'lost');
    result['tileFramesDuplicated'] = num(t1, 'duplicated') - num(t0, 'duplicated');
    // The hybrid path: frames of the video area handed to the encoder, and the area at the end.
    const v0 = ((out0?.['videoAreas'] as Json | undefined)?.['video'] as Json | undefined) ?? {};
    const areas1 = out1?.['videoAreas'] as Json | undefined;
    const v1 = (areas1?.['video'] as Json | undefined) ?? {};
    result['videoAreaFramesPerS'] = r1((num(v1, 'framesSent') - num(v0, 'framesSent')) / seconds);
    // The copy of each area frame into the encoder's image, ms (the agent's average since its start).
    result['videoAreaCopyMsAvg'] = Math.round(num(v1, 'copyMsAvg') * 100) / 100;
    result['videoArea'] = areas1?.['area'] ?? null;
  } else {
    const f0 = (s0 as { flips?: number } | null)?.flips ?? 0;
    const f1 = (s1 as { flips?: number } | null)?.flips ?? 0;
    result['framebufferUpdatesPerS'] = r1((f1 - f0) / seconds);
  }
  return result;
}

const num = (o: unknown, k: string): number => Number((o as Record<string, unknown> | null | undefined)?.[k] ?? 0);

/** Deltas of the viewer's inbound-rtp and the agent's outbound-rtp over a window. */
function rtcDelta(s0: unknown, s1: unknown, o0: Json | null, o1: Json | null, seconds: number): Json {
  const i0 = (s0 as { inbound?: unknown } | null)?.inbound;
  const i1 = (s1 as { inbound?: unknown } | null)?.inbound;
  const dv = (k: string) => num(i1, k) - num(i0, k);
  const decoded = dv('framesDecoded');
  const emitted = dv('jitterBufferEmittedCount');
  const outb = (o: Json | null) => (o?.['outbound'] as Json[] | undefined)?.[0];
  const ob0 = outb(o0);
  const ob1 = outb(o1);
  const dob = (k: string) => num(ob1, k) - num(ob0, k);
  const encoded = dob('framesEncoded');
  const packets = dob('packetsSent');
  return {
    viewerFramesDecodedPerS: r1(decoded / seconds),
    jitterBufferDelayMsAvg: emitted ? r1((dv('jitterBufferDelay') / emitted) * 1000) : null,
    jitterBufferTargetDelayMsAvg: emitted ? r1((dv('jitterBufferTargetDelay') / emitted) * 1000) : null,
    jitterBufferMinimumDelayMsAvg: emitted ? r1((dv('jitterBufferMinimumDelay') / emitted) * 1000) : null,
    decodeMsAvg: decoded ? r1((dv('totalDecodeTime') / decoded) * 1000) : null,
    processingDelayMsAvg: decoded ? r1((dv('totalProcessingDelay') / decoded) * 1000) : null,
    assemblyMsAvg: dv('framesAssembledFromMultiplePackets')
      ? r1((dv('totalAssemblyTime') / dv('framesAssembledFromMultiplePackets')) * 1000)
      : null,
    framesDropped: dv('framesDropped'),
    freezeCount: dv('freezeCount'),
    nackCount: dv('nackCount'),
    pliCount: dv('pliCount'),
    packetsLost: dv('packetsLost'),
    decoderImplementation: (i1 as Json | undefined)?.['decoderImplementation'] ?? null,
    senderFramesEncodedPerS: r1(encoded / seconds),
    encodeMsAvg: encoded ? r1((dob('totalEncodeTime') / encoded) * 1000) : null,
    packetSendDelayMsAvg: packets ? r1((dob('totalPacketSendDelay') / packets) * 1000) : null,
    encoderImplementation: ob1?.['encoderImplementation'] ?? null,
    qualityLimitationReason: ob1?.['qualityLimitationReason'] ?? null,
    senderKbitPerS: r1((dob('bytesSent') * 8) / 1000 / seconds),
    retransmittedKbitPerS: r1((dob('retransmittedBytesSent') * 8) / 1000 / seconds),
  };
}

async function firstFrame(
  ctx: Omit<Ctx, 'vp'>,
  options: Json,
): Promise<{ vp: ViewerPage; ms: number; connectMs: number; agent?: Json }> {
  const vp = await ctx.viewer.open(ctx.def.viewer.page, options);
  await vp.page.evaluate(() => (window as unknown as { benchConnect(): void }).benchConnect());
  await vp.page
    .waitForFunction(() => (window as unknown as { bench: { firstPaint: number } }).bench.firstPaint > 0, undefined, {
      timeout: 20_000,
      polling: 20,
    })
    .catch(async (error: unknown) => {
      const extra = await vp.page.evaluate(() => JSON.stringify((window as unknown as { bench: unknown }).bench));
      throw new Error(
        `no first frame: ${String(error)}; page: ${vp.errors.join(' | ')}; state: ${extra.slice(0, 500)}`,
      );
    });
  const s = await probeState(vp.page);
  const out: { vp: ViewerPage; ms: number; connectMs: number; agent?: Json } = {
    vp,
    ms: r1(s.firstPaint - s.connectStart),
    connectMs: r1((s.extra['connectedAt'] ?? 0) - s.connectStart),
  };
  if (ctx.pipe.agent) {
    // Agent side: when it saw the connection up and when its first frame entered libwebrtc.
    const start = vp.toEpoch(s.connectStart);
    const st = await ctx.pipe.agent.request({ cmd: 'stats' });
    const tr = await ctx.pipe.agent.request({ cmd: 'trace' });
    const connectedAt = Number(st['connectedAt']);
    const firstIn = (tr['encoderIn'] as number[]).find((t) => t >= connectedAt);
    out.agent = {
      agentConnectedMs: r1(connectedAt - start),
      firstFrameIntoEncoderMs: firstIn ? r1(firstIn - start) : null,
    };
  }
  return out;
}

async function flipsWorkload(ctx: Ctx, plan: Plan): Promise<Json> {
  const before = (await probeState(ctx.vp.page)).seqEvents.length;
  if (ctx.pipe.agent) await ctx.pipe.agent.request({ cmd: 'trace' }); // clear
  let flips: Flip[] = [];
  const m = await measure(ctx, {}, async () => {
    const r = await ctx.xw.request(
      { cmd: 'flips', count: plan.flips, minGapMs: plan.flipGapMs[0], maxGapMs: plan.flipGapMs[1], maxMs: 60_000 },
      90_000,
    );
    flips = (r['flips'] as Flip[]).map((f) => ({ seq: f.seq, t: f.t + ctx.xwOffset }));
    // Let the last flips arrive (bounded).
    const last = flips.at(-1)?.seq ?? 0;
    await waitFor(
      async () => {
        const s = await probeState(ctx.vp.page);
        const seen = s.seqEvents.at(-1)?.seq ?? -1;
        return seen === (last & 255);
      },
      5000,
      'the last flip',
    ).catch(() => undefined);
  });
  const state = await probeState(ctx.vp.page);
  const events = state.seqEvents.slice(before).map((e) => ({ t: ctx.vp.toEpoch(e.t), seq: e.seq, meta: e }));
  const result = analyzeFlips(flips, events);
  const out: Json = { ...result, measure: m };
  delete out['shownBy'];
  if (ctx.pipe.agent) out['breakdown'] = await agentBreakdown(ctx, flips, events, result.shownBy);
  else out['breakdown'] = vncBreakdown(ctx, flips, events, result.shownBy);
  return out;
}

/** Where the time goes for the agent: X paint → capture → libwebrtc → viewer receive → paint. */
async function agentBreakdown(
  ctx: Ctx,
  flips: Flip[],
  events: { t: number; seq: number; meta: Record<string, number> }[],
  shownBy: number[],
): Promise<Json> {
  const trace = await ctx.pipe.agent!.request({ cmd: 'trace' });
  const captured = trace['captured'] as [number, number, number, number, number][];
  const encoderIn = trace['encoderIn'] as number[];
  const f = ctx.geo.flip;
  const parts: Record<string, number[]> = {
    paintToCapture: [],
    captureToEncoderInput: [],
    encoderInputToLastPacketReceived: [],
    receivedToDecoded: [],
    decodedToProbe: [],
    receivedToProbe: [],
  };
  flips.forEach((flip, i) => {
    const cap = captured.find(
      ([t, x0, y0, x1, y1]) => t >= flip.t && x1 > f.x && x0 < f.x + f.width && y1 > f.y && y0 < f.y + f.height,
    );
    if (!cap) return;
    parts['paintToCapture']!.push(cap[0] - flip.t);
    const enc = encoderIn.find((t) => t >= cap[0]);
    if (enc !== undefined) parts['captureToEncoderInput']!.push(enc - cap[0]);
    const ev = events[shownBy[i] ?? -1];
    if (!ev || ev.seq !== (flip.seq & 255)) return;
    const drawn = ev.meta['drawnAt'];
    if (drawn && ctx.def.mode === 'tiles') {
      // damage tiles: no video encoder; captured → drawn on the canvas → painted
      const arrived = ev.meta['arrivedAt'];
      if (arrived) {
        (parts['captureToMessageArrived'] ??= []).push(ctx.vp.toEpoch(arrived) - cap[0]);
        (parts['arrivedToCanvasDrawn'] ??= []).push(drawn - arrived);
      }
      (parts['captureToCanvasDrawn'] ??= []).push(ctx.vp.toEpoch(drawn) - cap[0]);
      (parts['canvasDrawnToProbe'] ??= []).push(ev.t - ctx.vp.toEpoch(drawn));
      return;
    }
    if (drawn) {
      // video track drawn on a canvas: decoded frame drawn → painted
      (parts['frameDrawnToProbe'] ??= []).push(ev.t - ctx.vp.toEpoch(drawn));
      if (enc !== undefined) (parts['encoderInputToFrameDrawn'] ??= []).push(ctx.vp.toEpoch(drawn) - enc);
      return;
    }
    const recv = ev.meta['receiveTime'];
    if (recv === undefined || !(recv > 0)) return;
    const recvEpoch = ctx.vp.toEpoch(recv);
    if (enc !== undefined) parts['encoderInputToLastPacketReceived']!.push(recvEpoch - enc);
    const proc = (ev.meta['processingDuration'] ?? NaN) * 1000;
    if (Number.isFinite(proc)) {
      parts['receivedToDecoded']!.push(proc);
      parts['decodedToProbe']!.push(ev.t - recvEpoch - proc);
    }
    parts['receivedToProbe']!.push(ev.t - recvEpoch);
  });
  return Object.fromEntries(
    Object.entries(parts)
      .filter(([, v]) => v.length > 0)
      .map(([k, v]) => [k, summarize(v)]),
  );
}

/** noVNC: X paint → FramebufferUpdate drawn on the canvas (server, network, decode) → painted. */
function vncBreakdown(
  ctx: Ctx,
  flips: Flip[],
  events: { t: number; seq: number; meta: Record<string, number> }[],
  shownBy: number[],
): Json {
  const toCanvas: number[] = [];
  const canvasToProbe: number[] = [];
  flips.forEach((flip, i) => {
    const ev = events[shownBy[i] ?? -1];
    const at = ev?.meta['flipAt'];
    if (!ev || ev.seq !== (flip.seq & 255) || !at) return;
    toCanvas.push(ctx.vp.toEpoch(at) - flip.t);
    canvasToProbe.push(ev.t - ctx.vp.toEpoch(at));
  });
  return { paintToCanvasUpdated: summarize(toCanvas), canvasUpdatedToProbe: summarize(canvasToProbe) };
}

function movePath(geo: Geometry, n: number): { x: number; y: number }[] {
  const w = geo.work.width - 200;
  const h = geo.height - 200;
  return Array.from({ length: n }, (_, i) => ({ x: 100 + ((i * 37) % w), y: 100 + ((i * 53) % h) }));
}

async function inputWorkload(ctx: Ctx, plan: Plan): Promise<Json> {
  const page = ctx.vp.page;
  await page.mouse.move(50, 50);
  await sleep(300);
  await ctx.xw.request({ cmd: 'events' }); // clear
  const before = (await probeState(page)).inputs.length;
  for (const p of movePath(ctx.geo, plan.moves)) {
    await page.mouse.move(p.x, p.y);
    await sleep(30 + Math.random() * 30);
  }
  await sleep(Math.max(500, ctx.link.profile.delayMs * 4));
  const ev = await ctx.xw.request({ cmd: 'events' });
  const inputs = (await probeState(page)).inputs.slice(before).filter((i) => i.type === 'mousemove');
  const sent = inputs.map((i) => ({ t: ctx.vp.toEpoch(i.t), x: i.x, y: i.y }));
  const received = (ev['motions'] as { t: number; x: number; y: number }[]).map((m) => ({
    ...m,
    t: m.t + ctx.xwOffset,
  }));
  const r = analyzeMoves(sent, received);
  const stats = ctx.pipe.agent ? await ctx.pipe.agent.request({ cmd: 'stats' }) : null;
  return { ...r, motionNotifies: received.length, agentDispatch: stats?.['input'] ?? null };
}

async function clickWorkload(ctx: Ctx, plan: Plan): Promise<Json> {
  const page = ctx.vp.page;
  const c = centre(ctx.geo.click);
  await ctx.xw.request({ cmd: 'events' });
  const s0 = await probeState(page);
  const inputsBefore = s0.inputs.length;
  const clicksBefore = s0.clickEvents.length;
  for (let i = 0; i < plan.clicks; i++) {
    const x = c.x + Math.round((Math.random() - 0.5) * 120);
    const y = c.y + Math.round((Math.random() - 0.5) * 120);
    await page.mouse.move(x, y);
    await sleep(60);
    const n = (await probeCounters(page)).clicks;
    await page.mouse.down();
    await sleep(20);
    await page.mouse.up();
    await waitFor(async () => (await probeCounters(page)).clicks > n, 3000, 'the click to show').catch(() => undefined);
    await sleep(100 + Math.random() * 100);
  }
  await sleep(300);
  const s = await probeState(page);
  const ev = await ctx.xw.request({ cmd: 'events' });
  const downs = s.inputs
    .slice(inputsBefore)
    .filter((i) => i.type === 'mousedown')
    .map((i) => i.t);
  const changes = s.clickEvents.slice(clicksBefore).map((e) => e.t);
  const presses = (ev['presses'] as { t: number }[]).map(
    (p) => p.t + ctx.xwOffset - ctx.vp.timeOrigin - ctx.vp.offsetMs,
  );
  return analyzeClicks(downs, changes, presses);
}

async function windowWorkload(ctx: Ctx, plan: Plan, kind: 'text' | 'video'): Promise<Json> {
  const env = {
    DISPLAY: ctx.pipe.display,
    SDL_AUDIODRIVER: 'dummy',
    SDL_RENDER_DRIVER: 'software',
    SDL_VIDEODRIVER: 'x11',
  };
  const limit = String(plan.seconds + 60); // killed right after the measurement anyway
  const g = ctx.geo;
  const proc =
    kind === 'text'
      ? start(
          'xterm',
          'xterm',
          [
            '-geometry',
            `${g.terminal.columns}x${g.terminal.rows}+0+0`,
            '-e',
            'timeout',
            limit,
            'sh',
            '-c',
            `for i in $(seq 1 200); do cat ${TEXT_FILE}; done`,
          ],
          { env, netns: ctx.link.senderNs },
        )
      : start(
          'ffplay',
          'ffplay',
          [
            '-f',
            'lavfi',
            '-i',
            'testsrc=size=640x360:rate=30',
            '-an',
            '-noborder',
            '-left',
            String(g.video.x),
            '-top',
            String(g.video.y),
            '-loglevel',
            'error',
            '-t',
            limit,
            '-autoexit',
          ],
          { env, netns: ctx.link.senderNs },
        );
  try {
    await sleep(1000);
    if (proc.child.exitCode !== null) throw new Error(`${kind} program exited: ${proc.stderr().slice(-1000)}`);
    return await measure(ctx, { program: [proc.pid] }, () => sleep(plan.seconds * 1000));
  } finally {
    await proc.stop();
    await sleep(500);
  }
}

async function runPipeline(def: PipelineDef, width: number, height: number, link: Link, plan: Plan): Promise<Json> {
  log(`── ${def.id} ${width}x${height} over ${link.profile.name}`);
  let pipe: RunningPipeline;
  try {
    pipe = await startPipeline(def, width, height, link);
  } catch (error) {
    log(`${def.id} did not start: ${String(error)}`);
    return { pipeline: def.id, profile: link.profile.name, resolution: `${width}x${height}`, error: String(error) };
  }
  let viewer: Viewer | null = null;
  let vp: ViewerPage | null = null;
  const xwProc = start('xworker', process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'src', 'xworker.ts')], {
    netns: link.senderNs,
    stdin: true,
    env: { DISPLAY: pipe.display },
    cwd: REPO,
  });
  const result: Json = {
    pipeline: def.id,
    label: def.label,
    profile: link.profile.name,
    resolution: `${width}x${height}`,
    loadAverageAtStart: loadavg().map(r1),
  };
  try {
    const xw = new LineChannel(xwProc);
    await xw.next((m) => m['ready'] === true, 20_000, 'the X worker');
    const geo = (await xw.request({ cmd: 'setup', width, height }))['geometry'] as Geometry;
    const xwOffset = await xworkerOffset(xw);
    viewer = await launchViewer(link.viewerNs, width, height);
    const options = {
      geometry: geo,
      ws: pipe.wsUrl,
      playout: def.viewer.playout ?? 'default',
      render: def.viewer.render ?? 'video',
    };
    const base = { def, link, pipe, xw, xwPid: xwProc.pid, xwOffset, viewer, geo };
    const samples: number[] = [];
    const connects: number[] = [];
    const details: Json[] = [];
    for (let i = 0; i < plan.firstFrameSamples; i++) {
      const ff = await firstFrame(base, options);
      samples.push(ff.ms);
      connects.push(ff.connectMs);
      if (ff.agent) details.push(ff.agent);
      if (i < plan.firstFrameSamples - 1) {
        await ff.vp.page.evaluate(() => (window as unknown as { benchDisconnect(): void }).benchDisconnect());
        await ff.vp.close();
        await sleep(500);
      } else vp = ff.vp;
    }
    result['firstFrame'] = { samples, connectedMs: connects, agent: details, median: summarize(samples).p50 };
    result['clock'] = { pageOffsetMs: r1(vp!.offsetMs), pageRttMs: r1(vp!.rttMs), xworkerOffsetMs: r1(xwOffset) };
    const ctx: Ctx = { ...base, vp: vp! };
    await sleep(1000);
    for (const w of plan.workloads) {
      if (ONLY_WORKLOADS && !ONLY_WORKLOADS.includes(w)) continue;
      // Idle with full control on is the agent's own scenario (the VNC peers have no control channel).
      if (w === 'idle' && def.kind !== 'agent') continue;
      const t0 = performance.now();
      try {
        if (w === 'flips') result['flips'] = await flipsWorkload(ctx, plan);
        else if (w === 'input') result['input'] = await inputWorkload(ctx, plan);
        else if (w === 'click') result['click'] = await clickWorkload(ctx, plan);
        else if (w === 'static') {
          await sleep(QUICK ? 1000 : 2000);
          result['static'] = await measure(ctx, {}, () => sleep(plan.seconds * 1000));
        } else if (w === 'idle') {
          result['idle'] = await idleWorkload(ctx, plan);
        } else if (w === 'busy') {
          result['busy'] = await measure(ctx, {}, async () => {
            const r = await ctx.xw.request(
              { cmd: 'busy', durationMs: plan.seconds * 1000, periodMs: 33, rects: 20 },
              60_000,
            );
            (result as Record<string, unknown>)['busyTicks'] = r['ticks'];
          });
          await sleep(500);
        } else result[w] = await windowWorkload(ctx, plan, w);
      } catch (error) {
        result[w] = { error: String(error) };
        log(`${def.id}: ${w} failed: ${String(error)}; processes: ${pipe.status()}`);
      }
      log(`${def.id}: ${w} done in ${((performance.now() - t0) / 1000).toFixed(1)} s ${summaryLine(w, result[w])}`);
    }
    if (pipe.agent) result['agentStats'] = await pipe.agent.request({ cmd: 'stats' }).catch(() => null);
    const fin = await vp!.page.evaluate(() => (window as unknown as { benchStats(): Promise<unknown> }).benchStats());
    result['viewerStats'] = fin;
  } catch (error) {
    result['error'] = String(error);
    log(`${def.id} ${width}x${height} ${link.profile.name} failed: ${String(error)}; processes: ${pipe.status()}`);
  } finally {
    await vp?.close().catch(() => undefined);
    await viewer?.close().catch(() => undefined);
    await xwProc.stop();
    await pipe.stop();
  }
  return result;
}

/**
 * Idle with full control on: the session is in control mode with local consent, the viewer
 * runs the helper's path heartbeat and holds the `control` channel (the agent follows the
 * local pointer for cursor messages), and nothing moves or changes for `idleSeconds`.
 */
async function idleWorkload(ctx: Ctx, plan: Plan): Promise<Json> {
  await sleep(2000);
  const before = await agentStats(ctx);
  const result = await measure(ctx, {}, () => sleep(plan.idleSeconds * 1000));
  const after = await agentStats(ctx);
  const control0 = (before?.['control'] as Json | null | undefined) ?? null;
  const control1 = (after?.['control'] as Json | null | undefined) ?? null;
  result['controlOpen'] = num(control1, 'sent') > 0;
  result['cursorMessages'] = num(control1, 'cursorUpdates') - num(control0, 'cursorUpdates');
  return result;
}

function summaryLine(w: string, r: unknown): string {
  const o = r as Record<string, unknown> | undefined;
  if (!o) return '';
  if (o['error']) return `ERROR ${String(o['error']).slice(0, 200)}`;
  if (w === 'idle') {
    return `down ${String(o['downKbitPerS'])} up ${String(o['upKbitPerS'])} kbit/s, cpu ${JSON.stringify(o['cpuPercent'])}, agent threads ${JSON.stringify(o['senderThreadsCpuPercent'])}, cursor messages ${String(o['cursorMessages'])}`;
  }
  if (w === 'flips') {
    const g = o['g2g'] as { p50: number; p95: number };
    return `g2g p50 ${g.p50} p95 ${g.p95} ms, freeze ${String(o['longestFreezeMs'])} ms, missed ${String(o['missed'])}`;
  }
  if (w === 'input') {
    const l = o['latency'] as { p50: number; p95: number };
    return `one-way p50 ${l.p50} p95 ${l.p95} ms (${String(o['matched'])}/${String(o['sent'])})`;
  }
  if (w === 'click') {
    const l = o['clickToPhoton'] as { p50: number; p95: number };
    return `click-to-photon p50 ${l.p50} p95 ${l.p95} ms (${String(o['shown'])}/${String(o['clicks'])})`;
  }
  const threads = o['senderThreadsCpuPercent'] ? `, agent threads ${JSON.stringify(o['senderThreadsCpuPercent'])}` : '';
  return `down ${String(o['downKbitPerS'])} kbit/s, updates ${String(o['viewerUpdatesPerS'])}/s, cpu ${JSON.stringify(o['cpuPercent'])}${threads}`;
}

function versions(): Json {
  const v = (cmd: string, args: string[]) => {
    try {
      return run(cmd, args, 5000).split('\n')[0]?.trim() ?? null;
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? e).split('\n')[0] ?? null;
    }
  };
  const dpkg = (p: string) => v('dpkg-query', ['-W', '-f=${Version}', p]);
  return {
    node: process.version,
    chromium: dpkg('chromium'),
    tigervnc: dpkg('tigervnc-standalone-server'),
    x11vnc: dpkg('x11vnc'),
    websockify: dpkg('websockify'),
    xvfb: dpkg('xvfb'),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const only = opts.only?.split(',');
  const pipelines = PIPELINES.filter((p) => (only ? only.includes(p.id) : !p.optional));
  const resolutions: [number, number][] = (opts.res?.split(',') ?? (QUICK ? ['720'] : ['720', '1080'])).map((r) =>
    r === '1080' ? [1920, 1080] : [1280, 720],
  );
  const profileNames = opts.profiles?.split(',') ?? (QUICK ? ['local'] : PROFILES.map((p) => p.name));
  const profiles = PROFILES.filter((p) => profileNames.some((n) => p.name.startsWith(n)));
  ensureTextFile();
  const runs: Json[] = [];
  // Order: local at the first resolution, the emulated links (first resolution only), then
  // local at the other resolutions, so the time budget can only cut the last ones.
  const stages: { profile: LinkProfile; res: [number, number] }[] = [];
  const local = profiles.filter((p) => p.name === 'local');
  const links = profiles.filter((p) => p.name !== 'local');
  const [firstRes, ...otherRes] = resolutions;
  if (firstRes) {
    for (const p of local) stages.push({ profile: p, res: firstRes });
    for (const p of links) stages.push({ profile: p, res: firstRes });
    for (const r of otherRes) for (const p of local) stages.push({ profile: p, res: r });
  }
  for (const { profile, res } of stages) {
    const isLocal = profile.name === 'local';
    const plan = !isLocal ? FULL_LINK : QUICK ? QUICK_LOCAL : FULL_LOCAL;
    const [w, h] = res;
    const link = await Link.open(profile);
    try {
      for (const def of pipelines) {
        // Stay inside the time budget: skip what would not finish in time.
        const elapsed = (Date.now() - started) / 1000;
        const estimate = QUICK ? 45 : isLocal ? 95 : 40;
        if (elapsed + estimate > BUDGET_S) {
          log(`skipping ${def.id} ${w}x${h} ${profile.name}: time budget (${BUDGET_S} s) would be exceeded`);
          runs.push({
            pipeline: def.id,
            profile: profile.name,
            resolution: `${w}x${h}`,
            error: 'skipped: time budget',
          });
          continue;
        }
        runs.push(await runPipeline(def, w, h, link, plan));
      }
    } finally {
      await link.close();
    }
  }
  const doc = {
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    quick: QUICK,
    versions: versions(),
    profiles,
    pipelines: pipelines.map((p) => ({ id: p.id, label: p.label })),
    runs,
  };
  const dir = opts.out ?? join(REPO, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const md = renderMarkdown(doc);
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  if (WRITES_LATEST) {
    writeFileSync(join(dir, 'latest.json'), json);
    writeFileSync(join(dir, 'latest.md'), md);
  }
  writeFileSync(join(dir, `${stamp}${QUICK ? '-quick' : ''}.json`), json);
  writeFileSync(join(dir, `${stamp}${QUICK ? '-quick' : ''}.md`), md);
  process.stdout.write(md);
  log(`done in ${doc.durationS} s; results in ${dir}`);
}

let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    log(`${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}
// The whole run is bounded: a full run takes ~20 min.
const hardLimit = setTimeout(
  () => {
    log('time limit reached: cleaning up');
    void cleanupAll().finally(() => process.exit(124));
  },
  (QUICK ? 5 : 32) * 60_000,
);
hardLimit.unref();

try {
  await main();
} catch (error) {
  log(`failed: ${String((error as Error).stack ?? error)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
