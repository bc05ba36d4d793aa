/**
 * @module ReceiverPeer
 * The helper's side of WebRTC: it only answers and only receives. It takes signaling
 * payloads through {@link ReceiverPeer.handle}, sends its own through the `send`
 * callback, and emits the remote stream, the connection state and the data channels
 * the offerer opened (the native agent opens `input`, `input-fast`, `control` and `tiles`, and
 * `warm`, which is left unread); a channel of any other label, or one more than
 * {@link MAX_CHANNELS} on a connection, is closed at once. Payloads are
 * processed one at a time, in order; remote ICE candidates wait until the remote
 * description is set. Every reset closes the connection's data channels with it.
 *
 * Network changes: a {@link PathMonitor} heartbeat on every connection sees a dead path
 * within 1.5 s (1.25 s of silence); the state then reads `disconnected` (shown as reconnecting) until the
 * offerer's ICE restart brings it back, and `path` events let the caller refresh its
 * signaling socket. When signaling comes back while the path is still down, the helper
 * asks the offerer for an ICE restart ({@link ReceiverPeer.signalingRestored}), because
 * the restart offer may have been lost with the old socket.
 */
import type { SignalPayload } from '@remote-help/protocol';
import { Emitter } from '../common/Emitter';
import {
  ConnectionCheckWatch,
  INPUT_FAST_CHANNEL,
  PathMonitor,
  sdpSessionId,
  TILES_CHANNEL,
  WARM_CHANNEL,
} from '@remote-help/protocol';
import { keepTileBacklog } from './tiles/tileBacklog';
import { CONTROL_LABEL, INPUT_LABEL } from './control/useDataChannels';
import type { PathState } from '@remote-help/protocol';
import { addRemoteCandidate, icePayload, iceUfrag, reconfigureIce, relayProblem } from '../common/rtc';
import type { RelayProblem, RemoteCandidate } from '../common/rtc';

/** Events of {@link ReceiverPeer}. */
export interface ReceiverEvents {
  /** The remote screen, or null after a reset. */
  stream: MediaStream | null;
  /**
   * `RTCPeerConnection.connectionState` (`new` when there is no connection); `disconnected`
   * while the heartbeat says the path is dead, even before ICE notices.
   */
  state: RTCPeerConnectionState;
  /** The network path of the current connection (see {@link PathMonitor}). */
  path: PathState;
  /** The data channels of the current connection by label (a new map on every change; empty after a reset). */
  channels: ReadonlyMap<string, RTCDataChannel>;
  /**
   * The relay (TURN) failed this connection's gathering: refused its credentials or never
   * answered (`refused` wins over `unreachable`); null after a reset.
   */
  relay: RelayProblem | null;
  /**
   * The connection check both people can compare (`connectionCheck` in the protocol), once the
   * handshake is done, from the certificates it used; null after a reset.
   */
  check: string | null;
}

/** The labels of the channels the agent opens (each once per connection). */
const KNOWN_CHANNELS: ReadonlySet<string> = new Set([
  INPUT_LABEL,
  INPUT_FAST_CHANNEL,
  CONTROL_LABEL,
  TILES_CHANNEL,
  WARM_CHANNEL,
]);
/**
 * Channels taken from one connection at most: each known one, and as many again replacing one
 * (each taken channel makes a new map for the view, which then sets up its listeners again).
 */
export const MAX_CHANNELS = 2 * KNOWN_CHANNELS.size;

/** See the module description. */
export class ReceiverPeer extends Emitter<ReceiverEvents> {
  private pc: RTCPeerConnection | null = null;
  private dataChannels: ReadonlyMap<string, RTCDataChannel> = new Map();
  private remoteSdpSession: string | null = null;
  private pending: RemoteCandidate[] = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly checks = new ConnectionCheckWatch((check) => this.emit('check', check));
  private monitor: PathMonitor | null = null;
  /** The path reads down because the offerer restarted ICE (`markDown`), not by this side's heartbeat. */
  private restartTold = false;
  private relay: RelayProblem | null = null;
  /** Channels the current connection opened that were taken (see MAX_CHANNELS). */
  private channelsTaken = 0;

  constructor(
    private readonly send: (payload: SignalPayload) => void,
    private readonly configuration: () => RTCConfiguration,
  ) {
    super();
  }

  /** True while a peer connection exists (an offer has been received). */
  get hasConnection(): boolean {
    return this.pc !== null;
  }

  /** The data channels of the current connection, by label. */
  get channels(): ReadonlyMap<string, RTCDataChannel> {
    return this.dataChannels;
  }

  /** Queues a payload from the sharer. */
  handle(payload: SignalPayload): void {
    this.queue = this.queue.then(() => this.process(payload)).catch(() => this.reset());
  }

  /** Gives the current connection fresh ICE servers (TURN credentials) for its next ICE restart. */
  reconfigure(): void {
    reconfigureIce(this.pc, this.configuration());
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    this.reset();
    this.removeAllListeners();
  }

  /** Closes the current connection (if any); the next offer starts a fresh one. */
  reset(): void {
    const pc = this.pc;
    this.pc = null;
    this.remoteSdpSession = null;
    this.pending = [];
    this.monitor?.close();
    this.monitor = null;
    this.restartTold = false;
    if (this.relay !== null) {
      this.relay = null;
      this.emit('relay', null);
    }
    if (!pc) return;
    pc.ontrack = null;
    pc.onicecandidate = null;
    pc.onicecandidateerror = null;
    pc.onconnectionstatechange = null;
    pc.ondatachannel = null;
    const channels = this.dataChannels;
    this.dataChannels = new Map();
    for (const channel of channels.values()) channel.close();
    pc.close();
    this.emit('stream', null);
    this.emit('state', 'new');
    this.emit('check', null);
    if (channels.size > 0) this.emit('channels', this.dataChannels);
  }

  private async process(payload: SignalPayload): Promise<void> {
    if (this.closed) return;
    if (payload.kind === 'restart') {
      if (payload.ice !== true) this.reset(); // an ICE restart is the offerer's to make
      return;
    }
    if (payload.kind === 'ice') {
      if (this.pc?.remoteDescription) await addRemoteCandidate(this.pc, payload.candidate);
      else this.pending.push(payload.candidate);
      return;
    }
    if (payload.description.type !== 'offer') return; // The helper never offers, so never gets answers.
    await this.answer(payload.description.sdp);
  }

  private async answer(sdp: string): Promise<void> {
    const sdpSession = sdpSessionId(sdp);
    if (this.pc && (sdpSession === null || sdpSession !== this.remoteSdpSession)) {
      // A fresh offer from a fresh connection: start over, keeping candidates that came first.
      const early = this.pending;
      this.reset();
      this.pending = early;
    }
    const pc = this.pc ?? this.create();
    // The same connection with new ICE credentials: the offerer's ICE restart, made because it saw the path die.
    const previous = pc.remoteDescription?.sdp;
    const iceRestart = previous !== undefined && iceUfrag(previous) !== iceUfrag(sdp);
    await pc.setRemoteDescription({ type: 'offer', sdp });
    if (pc !== this.pc) return;
    this.remoteSdpSession = sdpSession;
    if (iceRestart && this.monitor?.state === 'up') {
      // Shown as reconnecting until the heartbeat is back, though this side's own verdict may never come.
      this.restartTold = true;
      this.monitor.markDown();
    }
    // The heartbeat channel is pre-negotiated: created once the offer (with its SCTP section) is applied.
    this.monitor ??= new PathMonitor(pc, (state) => this.handlePath(pc, state));
    const early = this.pending;
    this.pending = [];
    for (const candidate of early) await addRemoteCandidate(pc, candidate);
    await pc.setLocalDescription(await pc.createAnswer());
    const local = pc.localDescription;
    if (pc !== this.pc || !local) return;
    this.send({ kind: 'sdp', description: { type: 'answer', sdp: local.sdp } });
    this.updateCheck(pc);
  }

  /** Signaling is back (re-attached): if the path is still down, ask the offerer to restart ICE (again). */
  signalingRestored(): void {
    if (!this.closed && this.pc && this.monitor?.state === 'down') this.send({ kind: 'restart', ice: true });
  }

  /** The connection's state as the app shows it: `disconnected` while the path is dead. */
  private emitState(pc: RTCPeerConnection): void {
    const down = this.monitor?.state === 'down' && pc.connectionState === 'connected';
    this.emit('state', down ? 'disconnected' : pc.connectionState);
  }

  private handlePath(pc: RTCPeerConnection, state: PathState): void {
    if (pc !== this.pc || this.closed) return;
    // A path the offerer declared dead (`markDown`): its signaling works (the offer came on it) and
    // it has told the server, so no `path` event (which refreshes signaling and reports) for it.
    const told = this.restartTold && state === 'down';
    if (state !== 'down') this.restartTold = false;
    this.emitState(pc);
    if (!told) this.emit('path', state);
  }

  /** Emits the connection check of `pc`'s current handshake, while `pc` is this receiver's connection. */
  private updateCheck(pc: RTCPeerConnection): void {
    void this.checks.update(pc, () => pc === this.pc && !this.closed);
  }

  private create(): RTCPeerConnection {
    const pc = new RTCPeerConnection(this.configuration());
    this.pc = pc;
    this.channelsTaken = 0;
    pc.ontrack = (event) => {
      this.emit('stream', event.streams[0] ?? new MediaStream([event.track]));
    };
    pc.onicecandidate = (event) => {
      const payload = icePayload(event.candidate);
      if (payload) this.send(payload);
    };
    pc.onicecandidateerror = (event) => {
      const problem = relayProblem(event);
      if (pc !== this.pc || problem === null || this.relay === problem || this.relay === 'refused') return;
      this.relay = problem;
      this.emit('relay', problem);
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      this.emitState(pc);
      if (pc.connectionState === 'connected') this.updateCheck(pc);
    };
    pc.ondatachannel = (event) => {
      if (pc !== this.pc) return;
      const channel = event.channel;
      // Only the agent's own channels, and only so many: anything else is closed unread.
      if (!KNOWN_CHANNELS.has(channel.label) || this.channelsTaken >= MAX_CHANNELS) {
        channel.close();
        return;
      }
      this.channelsTaken++;
      // The agent's padding before the first picture: nothing to read (its messages are dropped).
      if (channel.label === WARM_CHANNEL) return;
      // A second channel with the same label replaces the first (the later one is the live one).
      this.dataChannels.get(channel.label)?.close();
      this.dataChannels = new Map(this.dataChannels).set(channel.label, channel);
      // The agent's first picture may come before the view listens: kept for it (`tileBacklog`).
      if (channel.label === TILES_CHANNEL) keepTileBacklog(channel);
      this.emit('channels', this.dataChannels);
    };
    this.emit('state', pc.connectionState);
    return pc;
  }
}
