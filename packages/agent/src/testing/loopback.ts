/**
 * @module testing/loopback
 * An in-process stand-in for the helper's browser: a second wrtc RTCPeerConnection
 * that answers the agent's offer, decodes its video with `RTCVideoSink` or paints its
 * damage tiles with the helper app's own `TileReceiver`, and talks on the data channels. Signaling goes through JSON and the protocol's `ClientMessage`
 * schema, as it will over the server WebSocket.
 */
import { ClientMessage, TileReceiver, type Painter, type SignalPayload } from '@remote-help/protocol';
import { loadWrtc, type RawVideoFrame, type WrtcDataChannel, type WrtcPeerConnection } from '../rtc/wrtc.js';
import { waitFor } from './xvfb.js';

export interface LoopbackHelper {
  pc: WrtcPeerConnection;
  channels: Map<string, WrtcDataChannel>;
  /** `label:data` of every data channel message received. */
  received: string[];
  /** Number of answers sent (1 per negotiation). */
  answers: number;
  /** The receiver of the `tiles` channel, once it opened. */
  tiles: TileReceiver | null;
  close(): void;
}

/** What the loopback needs of the agent's side: an `AgentPeer` or a whole `ScreenShare`. */
export interface LoopbackPeer {
  on(event: 'signal', listener: (payload: SignalPayload) => void): unknown;
  handleSignal(payload: SignalPayload): Promise<void>;
  start(): Promise<void>;
}

/** Relays a payload the way the server does: validated, serialized, parsed back. */
export function relay(payload: SignalPayload): SignalPayload {
  const frame = ClientMessage.parse(JSON.parse(JSON.stringify({ type: 'signal', sessionId: 'session-1', payload })));
  if (frame.type !== 'signal') throw new Error('not a signal frame');
  return frame.payload;
}

/**
 * Connects `peer` to a new loopback helper; `onFrame` gets every decoded I420 frame, and
 * `painter` (if given) the tiles of the `tiles` channel.
 */
export async function connectLoopback(
  peer: LoopbackPeer,
  onFrame: (frame: RawVideoFrame) => void,
  painter?: Painter,
): Promise<LoopbackHelper> {
  const wrtc = loadWrtc();
  const pc = new wrtc.RTCPeerConnection();
  const sinks: { stop(): void }[] = [];
  const helper: LoopbackHelper = {
    pc,
    channels: new Map(),
    received: [],
    answers: 0,
    tiles: null,
    close() {
      for (const sink of sinks) sink.stop();
      pc.close();
    },
  };
  peer.on('signal', (payload) => {
    const relayed = relay(payload);
    void (async () => {
      if (relayed.kind === 'sdp') {
        await pc.setRemoteDescription(relayed.description);
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        await peer.handleSignal(relay({ kind: 'sdp', description: { type: 'answer', sdp: answer.sdp } }));
        helper.answers++;
      } else if (relayed.kind === 'ice' && relayed.candidate) {
        await pc.addIceCandidate(relayed.candidate);
      }
    })().catch(() => undefined); // the test closed the connection mid-negotiation
  });
  pc.onicecandidate = ({ candidate }) => {
    const init = candidate ? (candidate.toJSON?.() ?? candidate) : null;
    const ice = init && {
      candidate: init.candidate,
      sdpMid: init.sdpMid ?? null,
      sdpMLineIndex: init.sdpMLineIndex ?? null,
    };
    void peer.handleSignal(relay({ kind: 'ice', candidate: ice })).catch(() => undefined);
  };
  pc.ondatachannel = ({ channel }) => {
    helper.channels.set(channel.label, channel);
    if (channel.label === 'tiles' && painter) {
      channel.binaryType = 'arraybuffer';
      const receiver = new TileReceiver((data) => channel.readyState === 'open' && channel.send(data), painter);
      helper.tiles = receiver;
      channel.onmessage = ({ data }) => receiver.handle(data);
      return;
    }
    channel.onmessage = ({ data }) => helper.received.push(`${channel.label}:${String(data)}`);
  };
  pc.ontrack = ({ track }) => {
    const sink = new wrtc.nonstandard.RTCVideoSink(track);
    sinks.push(sink);
    sink.onframe = ({ frame }) => onFrame(frame);
  };
  await peer.start();
  await waitFor(() => pc.connectionState === 'connected', 10_000, 'the WebRTC connection');
  return helper;
}
