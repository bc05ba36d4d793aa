/**
 * Loopback: the agent's peer sends to a second wrtc RTCPeerConnection in this
 * process, standing in for the helper's browser. Signaling goes through JSON and the
 * protocol's `ClientMessage` schema, as it will over the server WebSocket.
 */
import { ProtocolError, type SignalPayload } from '@remote-help/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScreenFrame } from '../platform/types.js';
import { connectLoopback, type LoopbackHelper } from '../testing/loopback.js';
import { waitFor } from '../testing/xvfb.js';
import { AgentPeer } from './peer.js';
import { ScreenVideoSource } from './videoSource.js';
import type { RawVideoFrame } from './wrtc.js';

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
});
