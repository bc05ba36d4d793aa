/**
 * @module testing/remoteViewer
 * The helper's remote view for integration tests: a wrtc RTCPeerConnection that
 * answers the agent's offer over the real server WebSocket (the helper's cookie
 * session), takes the screen as damage tiles with the helper app's own `TileReceiver`
 * (or, for `--pixels video`, decodes the track with `RTCVideoSink`), and talks on the
 * data channels.
 */
import {
  AgentControlMessage,
  encodeInput,
  PACKED_INPUT_PROTOCOL,
  TileReceiver,
  type Painter,
  type HelperControlMessage,
  type InputMessageInput,
  sdpSessionId,
} from '@remote-help/protocol';
import { loadWrtc, type WrtcDataChannel, type WrtcPeerConnection } from '../rtc/wrtc.js';
import type { TestSocket } from './browserClient.js';
import { waitFor } from './xvfb.js';

/** The helper's side of one connection, as tests see it. */
export interface RemoteViewer {
  pc: WrtcPeerConnection;
  channels: Map<string, WrtcDataChannel>;
  /** Parsed messages from the agent on `control`. */
  control: AgentControlMessage[];
  /** Offers that replaced the peer connection (the agent built a new one: a restart, a rejoin). */
  renewals: number;
  /** Frames shown: complete tile frames, or decoded video frames. */
  frames: number;
  /** Every message that arrived on the `tiles` channel (counted before it is parsed). */
  tileMessages: number;
  /** Pointer moves sent packed (the agent's input channel said it reads them). */
  packedMoves: number;
  /** `performance.now()` of the first frame shown. */
  firstFrameAt: number | null;
  /** `performance.now()` when the offer arrived and when the connection was up. */
  offerAt: number | null;
  connectedAt: number | null;
  lastSize: { width: number; height: number } | null;
  waitForChannels(): Promise<void>;
  sendInput(message: InputMessageInput): void;
  sendControl(message: HelperControlMessage): void;
  close(): void;
}

/**
 * Starts answering the agent's offers for `sessionId` on the helper's socket. `painter`
 * (e.g. `testing/picture`) gets the tiles' pixels; by default they are dropped.
 */
export function startRemoteViewer(socket: TestSocket, sessionId: string, painter?: Painter): RemoteViewer {
  const wrtc = loadWrtc();
  let pc = new wrtc.RTCPeerConnection();
  const sinks: { stop(): void }[] = [];
  const viewer: RemoteViewer = {
    pc,
    channels: new Map(),
    control: [],
    frames: 0,
    renewals: 0,
    tileMessages: 0,
    packedMoves: 0,
    firstFrameAt: null,
    offerAt: null,
    connectedAt: null,
    lastSize: null,
    waitForChannels: () =>
      waitFor(
        () => ['input', 'control'].every((label) => viewer.channels.get(label)?.readyState === 'open'),
        10_000,
        'the data channels',
      ),
    // As the helper app does: a pointer move packed when the agent's channel says it reads them.
    sendInput: (message) => {
      const channel = viewer.channels.get('input');
      const wire = encodeInput(message, channel?.protocol === PACKED_INPUT_PROTOCOL);
      if (wire instanceof Uint8Array) viewer.packedMoves++;
      channel?.send(wire ?? JSON.stringify(message)); // a test's invalid message goes as it is
    },
    sendControl: (message) => viewer.channels.get('control')?.send(JSON.stringify(message)),
    close() {
      unsubscribe();
      for (const sink of sinks) sink.stop();
      pc.close();
    },
  };
  const signal = (payload: unknown): void => socket.send({ type: 'signal', sessionId, payload });
  const unsubscribe = socket.onMessage((message) => {
    if (message.type !== 'signal' || message.sessionId !== sessionId) return;
    const payload = message.payload;
    void (async () => {
      if (payload.kind === 'sdp' && payload.description.type === 'offer') {
        viewer.offerAt ??= performance.now();
        // An offer from another SDP session is a new connection; the same session offers again
        // on this one (an ICE restart, a track added as it runs), like the helper app tells them.
        const remote = pc.remoteDescription?.sdp;
        if (remote && sdpSessionId(remote) !== sdpSessionId(payload.description.sdp)) renew();
        await pc.setRemoteDescription(payload.description);
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        signal({ kind: 'sdp', description: { type: 'answer', sdp: answer.sdp } });
      } else if (payload.kind === 'ice' && payload.candidate) {
        await pc.addIceCandidate(payload.candidate);
      }
    })().catch(() => undefined);
  });
  /** Replaces the peer connection with a fresh one for the agent's new offer. */
  const renew = (): void => {
    const old = pc;
    old.onicecandidate = null;
    old.ondatachannel = null;
    old.onconnectionstatechange = null;
    old.ontrack = null;
    // A sink left on a track of a closed connection crashes wrtc later (the tiles path has a video track too: ADR 0024).
    for (const sink of sinks.splice(0)) sink.stop();
    old.close();
    pc = new wrtc.RTCPeerConnection();
    viewer.pc = pc;
    viewer.channels.clear();
    viewer.renewals++;
    wire();
  };
  const wire = (): void => {
    pc.onicecandidate = ({ candidate }) => {
      const init = candidate ? (candidate.toJSON?.() ?? candidate) : null;
      signal({
        kind: 'ice',
        candidate: init && {
          candidate: init.candidate,
          sdpMid: init.sdpMid ?? null,
          sdpMLineIndex: init.sdpMLineIndex ?? null,
        },
      });
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') viewer.connectedAt ??= performance.now();
    };
    pc.ondatachannel = ({ channel }) => {
      viewer.channels.set(channel.label, channel);
      if (channel.label === 'tiles') {
        channel.binaryType = 'arraybuffer';
        const receiver = new TileReceiver(
          (data) => channel.readyState === 'open' && channel.send(data),
          painter ?? { resize: () => undefined, fill: () => undefined, copy: () => undefined, put: () => undefined },
        );
        channel.onmessage = ({ data }) => {
          viewer.tileMessages++;
          const before = receiver.stats.frames;
          receiver.handle(data);
          if (receiver.stats.frames === before) return;
          viewer.frames++;
          viewer.firstFrameAt ??= performance.now();
          viewer.lastSize = receiver.screen;
        };
        return;
      }
      channel.onmessage = ({ data }) => {
        if (channel.label === 'control') viewer.control.push(AgentControlMessage.parse(JSON.parse(String(data))));
      };
    };
    pc.ontrack = ({ track }) => {
      const sink = new wrtc.nonstandard.RTCVideoSink(track);
      sinks.push(sink);
      sink.onframe = ({ frame }) => {
        viewer.frames++;
        viewer.firstFrameAt ??= performance.now();
        viewer.lastSize = { width: frame.width, height: frame.height };
      };
    };
  };
  wire();
  return viewer;
}
