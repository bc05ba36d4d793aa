/**
 * The remote-help agent's media and input path, run as its own process for the bench:
 * X11 capture (DAMAGE + MIT-SHM) → ScreenVideoSource → AgentPeer (libwebrtc), with the
 * `input` data channel going through InputDispatcher behind an open ConsentGate
 * (mode `control` + local consent) into libnut/XTEST. These are the agent's own modules,
 * imported from packages/agent/src; only the signaling glue is the bench's: a tiny
 * WebSocket relay the viewer page connects to directly (`{type:'signal', payload}` frames,
 * the protocol's SignalPayload, the same shape the server WebSocket carries).
 *
 * `--mode tiles` swaps the video track for the bench's PROTOTYPE alternative (tiles.ts):
 * damage tiles on a data channel, same capture and input path.
 *
 * Control: JSON lines on stdin (`stats`, `trace`, `quit`), replies on stdout.
 *
 *   DISPLAY=:N node --import tsx bench/src/agentSender.ts --listen 10.250.0.1 --port 7000
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConsentGate } from '../../packages/agent/src/input/consentGate.js';
import { InputDispatcher } from '../../packages/agent/src/input/inputDispatcher.js';
import { createLinuxPlatform } from '../../packages/agent/src/platform/linux/index.js';
import type { InputInjector, ScreenFrame, ScreenSource } from '../../packages/agent/src/platform/types.js';
import { AgentPeer } from '../../packages/agent/src/rtc/peer.js';
import { ScreenVideoSource } from '../../packages/agent/src/rtc/videoSource.js';
import { loadWrtc, type IceCandidateInit, type WrtcModule } from '../../packages/agent/src/rtc/wrtc.js';
import { TileSender } from './tiles.js';

const { values: args } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '7000' },
    'max-fps': { type: 'string', default: '60' },
    mode: { type: 'string', default: 'video' },
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

interface Session {
  ws: WebSocket;
  capturing: boolean;
  connectedAt: number;
  pushFrame(frame: ScreenFrame): void;
  getStats(): Promise<Record<string, unknown>[]>;
  extraStats(): Record<string, unknown>;
  close(): Promise<void>;
}
let session: Session | null = null;

function onFrame(s: Session, frame: ScreenFrame): void {
  if (trace.captured.length < TRACE_MAX) {
    const c = frame.changed ?? [{ x: 0, y: 0, width: frame.width, height: frame.height }];
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const r of c) {
      x0 = Math.min(x0, r.x);
      y0 = Math.min(y0, r.y);
      x1 = Math.max(x1, r.x + r.width);
      y1 = Math.max(y1, r.y + r.height);
    }
    trace.captured.push([nowMs(), x0, y0, x1, y1]);
  }
  s.pushFrame(frame);
}

/** Capture starts when media can flow: its first frame is the whole display. */
function onConnected(s: Session): void {
  if (s.capturing || !display) return;
  s.capturing = true;
  s.connectedAt = nowMs();
  source
    .start(display.id, (frame) => onFrame(s, frame), { maxFps: Number(args['max-fps']) })
    .catch((e: unknown) => process.stderr.write(`capture: ${String(e)}\n`));
}

function parseSignal(raw: unknown): unknown {
  try {
    const msg = JSON.parse(String(raw)) as { type?: string; payload?: unknown };
    return msg.type === 'signal' ? msg.payload : undefined;
  } catch {
    return undefined;
  }
}

/** The agent as it is: ScreenVideoSource → AgentPeer's video track; input through AgentPeer. */
function videoSession(ws: WebSocket): Session {
  const video = new ScreenVideoSource({ maxFps: Number(args['max-fps']), wrtc });
  const peer = new AgentPeer({ track: video.track, wrtc });
  const s: Session = {
    ws,
    capturing: false,
    connectedAt: 0,
    pushFrame: (frame) => video.pushFrame(frame),
    getStats: () => peer.getStats(),
    extraStats: () => ({ video: video.stats() }),
    async close() {
      if (session === s) session = null;
      await source.stop();
      video.stop();
      peer.close();
      ws.close();
    },
  };
  peer.on('signal', (payload) => ws.send(JSON.stringify({ type: 'signal', payload })));
  peer.on('input', (data) => dispatcher.handle(data));
  peer.on('connectionstatechange', (state) => {
    if (state === 'connected') onConnected(s);
  });
  peer.on('error', (e) => process.stderr.write(`peer: ${e.message}\n`));
  ws.on('message', (raw) => {
    const payload = parseSignal(raw);
    if (payload) void peer.handleSignal(payload).catch(() => undefined);
  });
  void peer.start().catch((e: unknown) => process.stderr.write(`offer: ${String(e)}\n`));
  return s;
}

/** PROTOTYPE: damage tiles on an unordered data channel (tiles.ts); same input path. */
function tilesSession(ws: WebSocket): Session {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const input = pc.createDataChannel('input', { ordered: true });
  const channel = pc.createDataChannel('tiles', { ordered: false });
  channel.binaryType = 'arraybuffer';
  const tiles = new TileSender(channel);
  input.onmessage = ({ data }) => dispatcher.handle(data);
  const pending: IceCandidateInit[] = [];
  const signal = (payload: unknown) => ws.send(JSON.stringify({ type: 'signal', payload }));
  const s: Session = {
    ws,
    capturing: false,
    connectedAt: 0,
    pushFrame: (frame) => tiles.pushFrame(frame),
    getStats: async () => [...(await pc.getStats()).values()],
    extraStats: () => ({ tiles: tiles.stats() }),
    async close() {
      if (session === s) session = null;
      await source.stop();
      tiles.close();
      pc.close();
      ws.close();
    },
  };
  // Start capture only when the tiles channel can carry the first (full) frame.
  channel.onopen = () => onConnected(s);
  pc.onicecandidate = ({ candidate }) => {
    const c = candidate ? (candidate.toJSON?.() ?? candidate) : null;
    signal({
      kind: 'ice',
      candidate: c && { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null },
    });
  };
  ws.on('message', (raw) => {
    const p = parseSignal(raw) as
      | { kind: 'sdp'; description: { type: 'offer' | 'answer'; sdp: string } }
      | { kind: 'ice'; candidate: IceCandidateInit | null }
      | undefined;
    void (async () => {
      if (p?.kind === 'sdp' && p.description.type === 'answer') {
        await pc.setRemoteDescription(p.description);
        for (const c of pending.splice(0)) await pc.addIceCandidate(c);
      } else if (p?.kind === 'ice' && p.candidate) {
        if (pc.remoteDescription) await pc.addIceCandidate(p.candidate);
        else pending.push(p.candidate);
      }
    })().catch(() => undefined);
  });
  void (async () => {
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    signal({ kind: 'sdp', description: { type: 'offer', sdp: offer.sdp } });
  })().catch((e: unknown) => process.stderr.write(`offer: ${String(e)}\n`));
  return s;
}

const wss = new WebSocketServer({ host: args.listen, port: Number(args.port) });
wss.on('connection', (ws) => {
  void (async () => {
    if (session) await session.close();
    const s = args.mode === 'tiles' ? tilesSession(ws) : videoSession(ws);
    session = s;
    ws.on('close', () => {
      if (session === s) void s.close();
    });
  })().catch((e: unknown) => process.stderr.write(`session: ${String(e)}\n`));
});

async function stats(): Promise<Record<string, unknown>> {
  const s = session;
  const reports = s ? await s.getStats() : [];
  const pick = (type: string) => reports.filter((r) => r['type'] === type);
  return {
    outbound: pick('outbound-rtp').filter((r) => r['kind'] === 'video'),
    candidatePairs: pick('candidate-pair').filter((r) => r['state'] === 'succeeded' || r['nominated']),
    dataChannels: pick('data-channel'),
    transport: pick('transport'),
    capture: source.stats(),
    ...(s?.extraStats() ?? {}),
    input: dispatcher.stats(),
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
  await source.close().catch(() => undefined);
  process.exit(0);
}
rl.on('close', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

// A bounded lifetime, whatever happens to the orchestrator.
setTimeout(() => void shutdown(), 30 * 60_000).unref();
wss.on('listening', () => out({ ready: true, t: nowMs(), detection: source.stats().detection }));
