/**
 * Loopback: the agent's peer sends to a second wrtc RTCPeerConnection in this
 * process, standing in for the helper's browser. Signaling goes through JSON and the
 * protocol's `ClientMessage` schema, as it will over the server WebSocket.
 */
import {
  connectionCheckCode,
  connectionCheckOfPeer,
  PACKED_INPUT_PROTOCOL,
  packPointerMove,
  PathMonitor,
  ProtocolError,
  sdpFingerprints,
  type PathState,
  type SignalPayload,
} from '@remote-help/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseInputMessage } from '../input/inputMessages.js';
import type { ScreenFrame } from '../platform/types.js';
import { connectLoopback, type LoopbackHelper, type LoopbackPeer } from '../testing/loopback.js';
import { waitFor } from '../testing/xvfb.js';
import { AgentPeer, candidateBase, CONTROL_CHANNEL, machineAddresses, selectedLocalCandidate } from './peer.js';
import { ScreenVideoSource } from './videoSource.js';
import { loadWrtc, type RawVideoFrame, type WrtcModule } from './wrtc.js';

const W = 1280;
const H = 720;

/** A solid BGRX frame. */
function solid(r: number, g: number, b: number): ScreenFrame {
  const data = new Uint8Array(W * H * 4);
  const px = new Uint32Array(data.buffer);
  px.fill((r << 16) | (g << 8) | b);
  return { width: W, height: H, data, stride: W * 4, format: 'bgra', timestamp: performance.now() };
}

/** BT.601 limited-range Y and V of an RGB colour, as libyuv computes them. */
function yv(r: number, g: number, b: number): [number, number] {
  return [0.257 * r + 0.504 * g + 0.098 * b + 16, 0.439 * r - 0.368 * g - 0.071 * b + 128];
}

interface Helper extends LoopbackHelper {
  frames: RawVideoFrame[];
}

/** Connects to a loopback helper that keeps the first Y, U and V samples of each decoded I420 frame. */
async function connect(peer: AgentPeer): Promise<Helper> {
  const frames: RawVideoFrame[] = [];
  const helper = await connectLoopback(peer, (frame) => {
    const u = frame.width * frame.height;
    const v = u + (frame.width / 2) * (frame.height / 2);
    const d = frame.data;
    frames.push({ width: frame.width, height: frame.height, data: Uint8Array.of(d[0] ?? 0, d[u] ?? 0, d[v] ?? 0) });
  });
  return Object.assign(helper, { frames });
}

describe('AgentPeer + ScreenVideoSource loopback (wrtc)', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  it('streams screen frames of the right size and colour, and carries data channel messages both ways', async () => {
    const video = new ScreenVideoSource({ keepAliveMs: 300 });
    const peer = new AgentPeer({ track: video.track });
    cleanup.push(
      () => peer.close(),
      () => video.stop(),
    );
    const inputs: string[] = [];
    peer.on('input', (data) => inputs.push(String(data)));
    const helper = await connect(peer);
    cleanup.push(() => helper.close());

    const [r, g, b] = [200, 50, 50];
    video.pushFrame(solid(r, g, b));
    await waitFor(() => helper.frames.length > 0, 10_000, 'a decoded frame');
    const frame = helper.frames.at(-1) as RawVideoFrame;
    expect([frame.width, frame.height]).toEqual([W, H]);
    const [y, v] = yv(r, g, b);
    expect(Math.abs((frame.data[0] ?? 0) - y), 'luma of a red frame').toBeLessThan(6);
    // V (red difference) tells red from blue: a swapped BGRA→RGBA order would give ~117.
    expect(Math.abs((frame.data[2] ?? 0) - v), 'V of a red frame').toBeLessThan(8);

    await waitFor(
      () => helper.channels.get('input')?.readyState === 'open' && peer.isOpen('control'),
      10_000,
      'data channels',
    );
    helper.channels.get('input')?.send(JSON.stringify({ type: 'pointerMove', x: 0.25, y: 0.75 }));
    expect(peer.sendControl(JSON.stringify({ type: 'laser', x: 0.5, y: 0.5 }))).toBe(true);
    await waitFor(() => inputs.length > 0 && helper.received.length > 0, 5000, 'data channel messages');
    expect(JSON.parse(inputs[0] as string)).toEqual({ type: 'pointerMove', x: 0.25, y: 0.75 });
    // Both input channels tell the helper that moves may go packed, and a packed one arrives as its bytes.
    expect(helper.channels.get('input')?.protocol).toBe(PACKED_INPUT_PROTOCOL);
    expect(helper.channels.get('input-fast')?.protocol).toBe(PACKED_INPUT_PROTOCOL);
    expect(helper.channels.get('control')?.protocol).toBe('');
    const packed: unknown[] = [];
    peer.on('input', (data) => packed.push(data));
    helper.channels.get('input-fast')?.send(packPointerMove({ x: 0.5, y: 0.125, seq: 3 }));
    await waitFor(() => packed.length > 0, 5000, 'the packed move');
    expect(parseInputMessage(packed[0])).toEqual({ type: 'pointerMove', x: 0.5, y: 0.125, seq: 3 });
    expect(helper.received).toEqual(['control:{"type":"laser","x":0.5,"y":0.5}']);
  });

  it('sends only on change, at most maxFps, plus a keep-alive on a still screen', async () => {
    const video = new ScreenVideoSource({ keepAliveMs: 300, maxFps: 30 });
    const peer = new AgentPeer({ track: video.track });
    cleanup.push(
      () => peer.close(),
      () => video.stop(),
    );
    const helper = await connect(peer);
    cleanup.push(() => helper.close());

    const frame = solid(10, 20, 30);
    for (let i = 0; i < 50; i++) video.pushFrame(frame); // a burst: merged, not queued
    await new Promise((r) => setTimeout(r, 100));
    expect(video.stats().framesIn).toBe(50);
    expect(video.stats().framesSent).toBeLessThanOrEqual(5);

    const before = helper.frames.length;
    const keepAlivesBefore = video.stats().keepAlives;
    await new Promise((r) => setTimeout(r, 1000));
    expect(video.stats().keepAlives - keepAlivesBefore).toBeGreaterThanOrEqual(2);
    expect(helper.frames.length).toBeGreaterThan(before);
  });

  it('wakes an idle session once per heartbeat: one timer for the peer, none for a paused video source', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    try {
      const peer = new AgentPeer({});
      // The heartbeat's timer also runs the address check (no interval of its own).
      expect(vi.getTimerCount()).toBe(1);
      const video = new ScreenVideoSource();
      expect(vi.getTimerCount()).toBe(2); // the keep-alive of a running source
      video.setPaused(true);
      expect(vi.getTimerCount()).toBe(1); // a paused source (the hybrid areas' before any area) wakes nobody
      video.setPaused(false);
      expect(vi.getTimerCount()).toBe(2);
      video.stop();
      video.setPaused(true);
      video.setPaused(false); // a stopped source starts nothing again
      peer.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sendControl on a channel libwebrtc closed after its state read open: false, no throw', () => {
    // The helper leaves: libwebrtc's thread closes the channel while this thread still reads `open`, and
    // wrtc's `send` throws (seen in a journey: the agent crashed sending the ended session's control state).
    const real = loadWrtc();
    let attempts = 0;
    class ClosingUnderneath extends real.RTCPeerConnection {
      override createDataChannel(
        ...args: Parameters<InstanceType<typeof real.RTCPeerConnection>['createDataChannel']>
      ) {
        const channel = super.createDataChannel(...args);
        if (args[0] !== CONTROL_CHANNEL) return channel;
        return new Proxy(channel, {
          get: (target, key) => {
            if (key === 'readyState') return 'open';
            if (key === 'send')
              return () => {
                attempts++;
                throw new DOMException("RTCDataChannel.readyState is not 'open'", 'InvalidStateError');
              };
            const value = Reflect.get(target, key, target) as unknown;
            return typeof value === 'function' ? (value as () => void).bind(target) : value;
          },
          set: (target, key, value) => Reflect.set(target, key, value, target),
        });
      }
    }
    const peer = new AgentPeer({ wrtc: { ...real, RTCPeerConnection: ClosingUnderneath } as WrtcModule });
    cleanup.push(() => peer.close());
    expect(peer.sendControl('{"type":"controlState"}')).toBe(false);
    expect(attempts).toBe(1);
  });

  it('rejects malformed signal payloads with a protocol error', async () => {
    const video = new ScreenVideoSource();
    const peer = new AgentPeer({ track: video.track });
    cleanup.push(
      () => peer.close(),
      () => video.stop(),
    );
    await expect(peer.handleSignal({ kind: 'sdp', description: { type: 'offer' } })).rejects.toBeInstanceOf(
      ProtocolError,
    );
    await expect(peer.handleSignal({ kind: 'bogus' })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('takes the connection check from the handshake, not from a decoy fingerprint put in the SDP', async () => {
    const peer = new AgentPeer({ tiles: true });
    cleanup.push(() => peer.close());
    const checks: string[] = [];
    peer.on('check', (check) => checks.push(check));
    // What a server in the middle could do to show an honest fingerprint while the handshake
    // runs against its own: a second `a=fingerprint` before the media section's.
    const decoy = 'sha-256 ' + Array.from({ length: 32 }, () => 'AB').join(':');
    const tampering: LoopbackPeer = {
      on: (event, listener) => peer.on(event, listener),
      start: () => peer.start(),
      handleSignal: (payload) =>
        peer.handleSignal(
          payload.kind === 'sdp'
            ? {
                ...payload,
                description: {
                  ...payload.description,
                  sdp: payload.description.sdp?.replace(/\r\nm=/, `\r\na=fingerprint:${decoy}\r\nm=`),
                },
              }
            : payload,
        ),
    };
    const helper = await connectLoopback(tampering, () => undefined);
    cleanup.push(() => helper.close());
    const helperCheck = await connectionCheckOfPeer(helper.pc);
    expect(helperCheck).toMatch(/^\d{4} \d{4} \d{4}$/);
    await waitFor(() => checks.length > 0, 5000, 'the agent’s connection check');
    expect(checks.at(-1), 'the check of the certificates both handshakes used').toBe(helperCheck);
    const agentOwn = sdpFingerprints(helper.pc.remoteDescription?.sdp ?? '')[0] as string;
    expect(checks, 'never the decoy’s').not.toContain(await connectionCheckCode(agentOwn, decoy));
  });

  it('answers a restart request with a new offer', async () => {
    const video = new ScreenVideoSource();
    const peer = new AgentPeer({ track: video.track });
    cleanup.push(
      () => peer.close(),
      () => video.stop(),
    );
    const helper = await connect(peer);
    cleanup.push(() => helper.close());
    const offers: SignalPayload[] = [];
    peer.on('signal', (p) => p.kind === 'sdp' && offers.push(p));
    await peer.handleSignal({ kind: 'restart' });
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ kind: 'sdp', description: { type: 'offer' } });
    await waitFor(() => helper.answers === 2, 5000, 'the helper to answer the new offer');
  });

  it('adds a track to a running connection: one more offer on the same ICE, answered, and frames flow', async () => {
    const video = new ScreenVideoSource({ keepAliveMs: 300 });
    const peer = new AgentPeer({ tiles: true });
    cleanup.push(
      () => peer.close(),
      () => video.stop(),
    );
    const offers: string[] = [];
    peer.on('signal', (p) => p.kind === 'sdp' && offers.push(p.description.sdp));
    const helper = await connect(peer);
    cleanup.push(() => helper.close());
    expect(offers).toHaveLength(1);
    expect(offers[0]).not.toMatch(/^m=video/m); // no track, no send controller ticking

    const answered = peer.addTrack(video.track);
    // Added again while that offer waits for its answer: one more offer after it, not a glare.
    const again = new ScreenVideoSource({ keepAliveMs: 300 });
    cleanup.push(() => again.stop());
    const answeredAgain = peer.addTrack(again.track);
    expect(await answered).toBe(true);
    expect(await answeredAgain).toBe(true);
    expect(offers).toHaveLength(3);
    expect(offers[1]).toMatch(/^m=video/m);
    expect(offers[2]?.match(/^m=video/gm)).toHaveLength(2);
    const ufrag = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
    expect(ufrag(offers[2])).toBe(ufrag(offers[0])); // the same connection: no ICE restart
    await waitFor(() => helper.answers === 3, 5000, 'the helper to answer each offer');
    expect(helper.pc.connectionState).toBe('connected');

    video.pushFrame(solid(10, 200, 10));
    await waitFor(() => helper.frames.length > 0, 10_000, 'a decoded frame on the added track');
  });

  it('settles a track added to a connection that closes before its answer with false', async () => {
    const video = new ScreenVideoSource();
    const peer = new AgentPeer({ tiles: true });
    cleanup.push(() => video.stop());
    const answered = peer.addTrack(video.track);
    peer.close();
    expect(await answered).toBe(false);
    expect(await peer.addTrack(video.track)).toBe(false);
  });

  it('takes the path down at once when the machine address of the selected pair is gone, not for another address', async () => {
    let addresses: ReadonlySet<string> = new Set([...machineAddresses(), '192.0.2.7']);
    const peer = new AgentPeer({ localAddresses: () => addresses });
    cleanup.push(() => peer.close());
    const helper = await connect(peer);
    // The helper's end of the heartbeat, as the web app runs it.
    const helperPath = new PathMonitor(helper.pc, () => undefined);
    cleanup.push(
      () => helperPath.close(),
      () => helper.close(),
    );
    const states: PathState[] = [];
    peer.on('path', (state) => states.push(state));
    await waitFor(() => peer.pathState === 'up', 10_000, 'the heartbeat');
    states.length = 0;
    const local = selectedLocalCandidate(await peer.getStats());
    expect(local).toMatch(/^\S+ \d+$/);
    const address = local!.split(' ')[0]!;
    expect(addresses.has(address)).toBe(true);

    // An address the connection does not leave from goes away: nothing happens (8 checks).
    addresses = new Set([...addresses].filter((a) => a !== '192.0.2.7'));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(states).toEqual([]);

    // The selected pair's own address goes away. The heartbeat still flows (the address is
    // really there), so only the address check can take the path down.
    addresses = new Set([...addresses].filter((a) => a !== address));
    await waitFor(() => states.includes('down'), 5000, 'the path down');
    // ... and the heartbeat, which still arrives here, brings it back up.
    await waitFor(() => states.at(-1) === 'up', 5000, 'the path up again');
  });
});

describe('AgentPeer through ICE restarts (wrtc)', () => {
  it('forgets the candidates of earlier restarts once a pair of a later one is selected', async () => {
    const peer = new AgentPeer({});
    const keys = new Set<string>();
    let gatherings = 0;
    peer.on('signal', (p) => {
      if (p.kind !== 'ice') return;
      const base = p.candidate ? candidateBase(p.candidate.candidate) : null;
      if (base) keys.add(base.key);
      if (!p.candidate) gatherings++; // end of candidates
    });
    const helper = await connect(peer);
    const helperPath = new PathMonitor(helper.pc, () => undefined);
    try {
      await waitFor(() => peer.pathState === 'up' && gatherings === 1, 10_000, 'the heartbeat');
      expect(peer.knownCandidateCount).toBe(keys.size);
      for (let round = 1; round <= 3; round++) {
        const before = keys.size;
        await peer.handleSignal({ kind: 'restart' });
        await waitFor(() => helper.answers === round + 1 && gatherings === round + 1, 10_000, 'the restart');
        // Each restart gathers on new ports: kept, they would add up ...
        const fresh = keys.size - before;
        expect(fresh).toBeGreaterThan(0);
        // ... but the address check selects a pair of this restart within 2 s and drops the rest.
        await waitFor(() => peer.knownCandidateCount === fresh, 10_000, 'the earlier candidates to be forgotten');
      }
      expect(peer.pathState).toBe('up');
    } finally {
      helperPath.close();
      helper.close();
      peer.close();
    }
  });
});

describe('which machine address a candidate leaves from', () => {
  it('reads host, server-reflexive and relay candidates', () => {
    expect(candidateBase('candidate:1 1 udp 2122260223 10.0.0.5 50123 typ host generation 0')).toEqual({
      key: '10.0.0.5 50123',
      base: '10.0.0.5',
    });
    expect(
      candidateBase('candidate:2 1 udp 1686052607 203.0.113.9 40001 typ srflx raddr 10.0.0.5 rport 50123 generation 0'),
    ).toEqual({ key: '203.0.113.9 40001', base: '10.0.0.5' });
    expect(candidateBase('candidate:3 1 udp 41885439 198.51.100.2 3478 typ relay generation 0')).toBeNull();
    expect(candidateBase('garbage')).toBeNull();
  });

  it('finds the selected pair by the transport, else by the pair flagged selected', () => {
    const local = { id: 'L1', type: 'local-candidate', address: '10.0.0.5', port: 50123 };
    const pair = { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', state: 'succeeded', nominated: true };
    const other = { id: 'P2', type: 'candidate-pair', localCandidateId: 'L2', state: 'failed' };
    expect(
      selectedLocalCandidate([local, pair, other, { id: 'T', type: 'transport', selectedCandidatePairId: 'P1' }]),
    ).toBe('10.0.0.5 50123');
    expect(
      selectedLocalCandidate([
        { ...local, address: undefined, ip: '10.0.0.6' },
        { ...pair, selected: true },
      ]),
    ).toBe('10.0.0.6 50123');
    expect(selectedLocalCandidate([local, other])).toBeNull();
  });
});
