/**
 * The remote-help agent's media and input path, run as its own process for the bench:
 * X11 capture (DAMAGE + MIT-SHM) → the agent's ScreenShare (damage tiles on the `tiles`
 * channel, or with `--mode video` the VP8 track) → AgentPeer (libwebrtc), with the
 * `input` data channel going through InputDispatcher behind an open ConsentGate
 * (mode `control` + local consent) into XTEST on the agent's own X connection, and the `control` channel run by the
 * agent's ControlLink with the local pointer from the platform's desktop services (cursor
 * messages while it moves), as a session in full control has it. These are the agent's own modules,
 * imported from packages/agent/src; only the signaling glue is the bench's: a tiny
 * WebSocket relay the viewer page connects to directly (`{type:'signal', payload}` frames,
 * the protocol's SignalPayload, the same shape the server WebSocket carries).
 *
 *
 * Control: JSON lines on stdin (`stats`, `trace`, `quit`), replies on stdout.
 *
 *   DISPLAY=:N node --import tsx bench/src/agentSender.ts --listen 10.250.0.1 --port 7000
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { boundingBox } from '../../packages/agent/src/capture/rects.js';
import { ConsentGate } from '../../packages/agent/src/input/consentGate.js';
import { InputDispatcher } from '../../packages/agent/src/input/inputDispatcher.js';
import { createLinuxPlatform } from '../../packages/agent/src/platform/linux/index.js';
import type { InputInjector, ScreenFrame, ScreenSource } from '../../packages/agent/src/platform/types.js';
import { loadWrtc, type WrtcModule } from '../../packages/agent/src/rtc/wrtc.js';
import { ControlLink } from '../../packages/agent/src/session/controlLink.js';
import { ScreenShare } from '../../packages/agent/src/session/screenShare.js';
import type { SignalPayload } from '@remote-help/protocol';

const { values: args } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '7000' },
    'max-fps': { type: 'string', default: '60' },
    mode: { type: 'string', default: 'tiles' },
  },
});

/** CLOCK_MONOTONIC in ms: the same clock in every process of the machine. */
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const out = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);

// Trace of the media path for the per-flip breakdown: when a capture read finished
// (with the bounding box of what changed) and when a frame was handed to libwebrtc.
const TRACE_MAX = 20_000;
const trace: { captured: [number, number, number, number, number][]; encoderIn: number[] } = {
  captured: [],
  encoderIn: [],
};

// The agent's own wrtc module, with the video source's onFrame wrapped (through the
// ScreenVideoSource `wrtc` option) so the bench sees when each frame enters libwebrtc.
const baseWrtc = loadWrtc();
const BaseSource = baseWrtc.nonstandard.RTCVideoSource;
/** Diagnostic: BENCH_AGENT_SCREENCAST=0 makes the source a non-screencast one (default: as the agent does). */
const screencastOverride = process.env['BENCH_AGENT_SCREENCAST'];
class TracedSource extends BaseSource {
  constructor(init?: { isScreencast?: boolean; needsDenoising?: boolean }) {
    super(screencastOverride === undefined ? init : { ...init, isScreencast: screencastOverride !== '0' });
  }

  override onFrame(frame: Parameters<InstanceType<typeof BaseSource>['onFrame']>[0]): void {
    if (trace.encoderIn.length < TRACE_MAX) trace.encoderIn.push(nowMs());
    super.onFrame(frame);
  }
}
const wrtc: WrtcModule = { ...baseWrtc, nonstandard: { ...baseWrtc.nonstandard, RTCVideoSource: TracedSource } };

const platform = createLinuxPlatform({ display: process.env['DISPLAY'] });
const source: ScreenSource = await platform.openScreenSource();
const [display] = await source.listDisplays();
if (!display) throw new Error('no display');
const injector: InputInjector = await platform.createInputInjector(display);
const gate = new ConsentGate(injector);
gate.setSessionMode('control');
gate.setLocalConsent(true);
const dispatcher = new InputDispatcher(gate, injector);
// The sharer's desktop services, as a session opens them (the pointer for cursor messages).
const desktop = await platform.openDesktop();

interface Session {
  ws: WebSocket;
  connectedAt: number;
  share: ScreenShare | null;
  control: ControlLink | null;
  close(): Promise<void>;
}
let session: Session | null = null;
/** performance.now() → CLOCK_MONOTONIC ms (frame timestamps are performance.now()). */
const perfToMono = nowMs() - performance.now();

function traceFrame(frame: ScreenFrame): void {
  if (trace.captured.length >= TRACE_MAX) return;
  const box = frame.changed?.length
    ? boundingBox(frame.changed)
    : { x: 0, y: 0, width: frame.width, height: frame.height };
  trace.captured.push([frame.timestamp + perfToMono, box.x, box.y, box.x + box.width, box.y + box.height]);
}

function parseSignal(raw: unknown): unknown {
  try {
    const msg = JSON.parse(String(raw)) as { type?: string; payload?: unknown };
    return msg.type === 'signal' ? msg.payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The agent's own ScreenShare, as a session uses it: capture starts with the offer, the
 * pixels go as damage tiles (`--mode tiles`, the default) or on the video track
 * (`--mode video`, i.e. `--pixels video`), input goes through the consent gate.
 */
function shareSession(ws: WebSocket): Session {
  const s: Session = {
    ws,
    connectedAt: 0,
    share: null,
    control: null,
    async close() {
      if (session === s) session = null;
      s.control?.close();
      await s.share?.close();
      ws.close();
    },
  };
  const early: unknown[] = [];
  ws.on('message', (raw) => {
    const payload = parseSignal(raw);
    if (!payload) return;
    if (s.share) void s.share.handleSignal(payload as SignalPayload).catch(() => undefined);
    else early.push(payload);
  });
  void (async () => {
    const share = await ScreenShare.open({
      screen: await platform.openScreenSource(),
      iceServers: [],
      pixels: args.mode === 'video' ? 'video' : 'tiles',
      maxFps: Number(args['max-fps']),
      wrtc,
    });
    s.share = share;
    // The control channel as ActiveMedia wires it in a session.
    const control = new ControlLink({
      send: (text) => share.sendControl(text),
      gate,
      display: () => share.display,
      displays: () => share.displays(),
      pointer: () => desktop.pointerPosition(),
      watchPointer: desktop.watchPointer ? (onMove) => desktop.watchPointer?.(onMove) ?? null : undefined,
      onLaser: () => undefined,
      onSelectDisplay: () => undefined,
    });
    s.control = control;
    share.on('control', (data) => control.handle(data));
    share.on('channelopen', (label) => label === 'control' && control.open());
    share.on('signal', (payload) => ws.send(JSON.stringify({ type: 'signal', payload })));
    share.on('input', (data) => dispatcher.handle(data));
    share.on('frame', traceFrame);
    share.on('connectionstatechange', (state) => {
      if (state === 'connected') s.connectedAt = nowMs();
    });
    share.on('error', (e) => process.stderr.write(`share: ${e.message}\n`));
    await share.start();
    for (const payload of early.splice(0)) await share.handleSignal(payload as SignalPayload).catch(() => undefined);
  })().catch((e: unknown) => process.stderr.write(`session: ${String(e)}\n`));
  return s;
}

const wss = new WebSocketServer({ host: args.listen, port: Number(args.port) });
wss.on('connection', (ws) => {
  void (async () => {
    if (session) await session.close();
    const s = shareSession(ws);
    session = s;
    ws.on('close', () => {
      if (session === s) void s.close();
    });
  })().catch((e: unknown) => process.stderr.write(`session: ${String(e)}\n`));
});

async function stats(): Promise<Record<string, unknown>> {
  const s = session;
  const share = s?.share ? await s.share.stats() : null;
  const reports = share?.rtc ?? [];
  const pick = (type: string) => reports.filter((r) => r['type'] === type);
  return {
    outbound: pick('outbound-rtp').filter((r) => r['kind'] === 'video'),
    candidatePairs: pick('candidate-pair').filter((r) => r['state'] === 'succeeded' || r['nominated']),
    dataChannels: pick('data-channel'),
    transport: pick('transport'),
    capture: share?.capture ?? source.stats(),
    ...(share?.video ? { video: share.video } : {}),
    ...(share?.tiles ? { tiles: share.tiles } : {}),
    ...(share?.videoAreas ? { videoAreas: share.videoAreas } : {}),
    input: dispatcher.stats(),
    control: s?.control?.stats() ?? null,
    connectedAt: s?.connectedAt ?? 0,
  };
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let c: { id?: string; cmd?: string };
  try {
    c = JSON.parse(line) as typeof c;
  } catch {
    return;
  }
  void (async () => {
    switch (c.cmd) {
      case 'stats':
        return out({ id: c.id, ...(await stats()) });
      case 'trace': {
        const t = { captured: trace.captured.splice(0), encoderIn: trace.encoderIn.splice(0) };
        return out({ id: c.id, ...t });
      }
      case 'ping':
        return out({ id: c.id, t: nowMs() });
      case 'quit':
        out({ id: c.id });
        return shutdown();
      default:
        return out({ id: c.id, error: `unknown command ${String(c.cmd)}` });
    }
  })().catch((e: unknown) => out({ id: c.id, error: String(e) }));
});

let shuttingDown = false;
async function shutdown(): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  setTimeout(() => process.exit(0), 2000).unref();
  await session?.close().catch(() => undefined);
  wss.close();
  await injector.close().catch(() => undefined);
  await desktop.close().catch(() => undefined);
  await source.close().catch(() => undefined);
  process.exit(0);
}
rl.on('close', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

// A bounded lifetime, whatever happens to the orchestrator.
setTimeout(() => void shutdown(), 30 * 60_000).unref();
wss.on('listening', () => out({ ready: true, t: nowMs(), detection: source.stats().detection }));
