/**
 * The whole agent pipeline on Xvfb, in one process: an X client repaints a window →
 * DAMAGE → MIT-SHM read → RGBA → libwebrtc VP8 encode → loopback transport → decode
 * in a second RTCPeerConnection (the "helper"). Measures glass-to-glass latency
 * (paint request → decoded pixel changed), frame rates while animating, and the
 * bitrate and CPU of an idle screen.
 *
 *   npx tsx packages/agent/bench/latencyBench.ts [1280x720|1920x1080]
 */
import { X11ScreenSource } from '../src/platform/linux/x11ScreenSource.js';
import { AgentPeer } from '../src/rtc/peer.js';
import { ScreenVideoSource } from '../src/rtc/videoSource.js';
import { connectLoopback } from '../src/testing/loopback.js';
import { openPainter } from '../src/testing/xpainter.js';
import { hasCommand, startXvfb, waitFor } from '../src/testing/xvfb.js';

const size = process.argv[2] ?? '1280x720';
const [W = 1280, H = 720] = size.split('x').map(Number);
const PROBE = { x: 300, y: 250 };
const DARK = { rgb: 0x202020, y: 44 };
const LIGHT = { rgb: 0xe0e0e0, y: 208 };
const ROUNDS = 40;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;
const r1 = (n: number) => Math.round(n * 10) / 10;

async function outboundBytes(peer: AgentPeer): Promise<number> {
  const reports = await peer.getStats();
  return reports
    .filter((r) => r['type'] === 'outbound-rtp' && r['kind'] === 'video')
    .reduce((sum, r) => sum + Number(r['bytesSent'] ?? 0), 0);
}

async function main(): Promise<void> {
  if (!hasCommand('Xvfb')) return void process.stdout.write('Xvfb is not installed; nothing to measure\n');
  const xvfb = await startXvfb(`${W}x${H}x24`);
  const painter = await openPainter(xvfb.display);
  const source = await X11ScreenSource.open({ display: xvfb.display });
  const video = new ScreenVideoSource({ maxFps: 60 });
  const peer = new AgentPeer({ track: video.track });
  let probeY = -1;
  let decoded = 0;
  let captured = 0;
  const helper = await connectLoopback(peer, (frame) => {
    decoded++;
    probeY = frame.data[PROBE.y * frame.width + PROBE.x] ?? -1;
  });
  try {
    const win = await painter.fill(100, 100, 400, 300, DARK.rgb);
    const [display] = await source.listDisplays();
    if (!display) throw new Error('no display');
    let captureAt = 0;
    await source.start(display.id, (frame) => {
      captured++;
      captureAt = performance.now();
      video.pushFrame(frame);
    });
    await waitFor(() => Math.abs(probeY - DARK.y) < 12, 10_000, 'the first frame');

    // Glass-to-glass: flip the window's colour, wait for the decoded pixel to follow.
    const total: number[] = [];
    const toCapture: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const target = i % 2 === 0 ? LIGHT : DARK;
      await sleep(60 + Math.random() * 90);
      const t0 = performance.now();
      captureAt = 0;
      await painter.paint(win, 0, 0, 400, 300, target.rgb);
      await waitFor(() => Math.abs(probeY - target.y) < 12, 5000, 'the change');
      total.push(performance.now() - t0);
      if (captureAt) toCapture.push(captureAt - t0);
    }

    // Animation: a 100x100 square moving at 60 Hz for 3 s.
    const before = { decoded, captured, sent: video.stats().framesSent, bytes: await outboundBytes(peer) };
    const started = performance.now();
    for (let i = 0; performance.now() - started < 3000; i++) {
      await painter.paint(win, (i * 7) % 300, (i * 5) % 200, 100, 100, i % 2 ? LIGHT.rgb : DARK.rgb);
      await sleep(1000 / 60);
    }
    const secs = (performance.now() - started) / 1000;
    const animation = {
      capturedFps: r1((captured - before.captured) / secs),
      sentFps: r1((video.stats().framesSent - before.sent) / secs),
      decodedFps: r1((decoded - before.decoded) / secs),
      kbitPerS: r1(((await outboundBytes(peer)) - before.bytes) / 125 / secs),
    };

    // Idle: nothing changes for 5 s (keep-alive frames only).
    await sleep(1500);
    const idleStart = { bytes: await outboundBytes(peer), cpu: process.cpuUsage(), t: performance.now(), decoded };
    await sleep(5000);
    const idleSecs = (performance.now() - idleStart.t) / 1000;
    const cpu = process.cpuUsage(idleStart.cpu);
    const idle = {
      kbitPerS: r1(((await outboundBytes(peer)) - idleStart.bytes) / 125 / idleSecs),
      cpuPercentOfOneCore: r1(((cpu.user + cpu.system) / 1000 / (idleSecs * 1000)) * 100),
      decodedFps: r1((decoded - idleStart.decoded) / idleSecs),
    };

    const ms = (xs: number[]) => ({ median: r1(pct(xs, 0.5)), p95: r1(pct(xs, 0.95)), min: r1(Math.min(...xs)) });
    const result = {
      size,
      rounds: ROUNDS,
      glassToGlassMs: ms(total),
      paintToCaptureMs: ms(toCapture),
      animation,
      idle,
      capture: source.stats(),
      video: video.stats(),
      note: 'encoder and decoder run in this one process (2 cores); CPU includes both',
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await source.close();
    video.stop();
    peer.close();
    helper.close();
    await painter.close();
    await xvfb.stop();
  }
}

await main();
