/**
 * @module SenderPeer
 * The sharer's side of WebRTC: it offers and only sends the captured screen. Every
 * negotiation uses a fresh `RTCPeerConnection` (on start, on the helper's `restart`,
 * and after the connection failed), so the helper can tell a new negotiation by its
 * SDP session id. Payloads are processed one at a time, in order; remote ICE
 * candidates wait until the answer is applied.
 *
 * Network changes: a {@link PathMonitor} heartbeat sees a dead path within 1.5 s (1.25 s of silence); the
 * peer then reports `disconnected` (shown as reconnecting), emits `path: 'down'` (the
 * caller refreshes its signaling socket, which may have died with the path) and restarts
 * ICE on the same connection (`createOffer({ iceRestart: true })`), again every 5 s
 * while the path stays down, when the helper asks (`restart` with `ice`) and when
 * signaling comes back ({@link SenderPeer.signalingRestored}).
 */
import { ConnectionCheckWatch, ICE_RESTART_RETRY_MS } from '@remote-help/protocol';
import type { SignalPayload } from '@remote-help/protocol';
import { Emitter } from '../common/Emitter';
import { PathMonitor } from '@remote-help/protocol';
import type { PathState } from '@remote-help/protocol';
import { addRemoteCandidate, icePayload, reconfigureIce } from '../common/rtc';
import type { RemoteCandidate } from '../common/rtc';

/** Events of {@link SenderPeer}. */
export interface SenderEvents {
  /**
   * `RTCPeerConnection.connectionState` (`new` between connections); `disconnected` while
   * the heartbeat says the path is dead, even before ICE notices.
   */
  state: RTCPeerConnectionState;
  /** The network path of the current connection (see {@link PathMonitor}). */
  path: PathState;
  /**
   * The connection check to compare with the helper's (`connectionCheck`), once the handshake is
   * done, from the certificates it used; null between connections.
   */
  check: string | null;
}

/** A second ICE restart within this long of the last one waits for the first. */
const RESTART_COALESCE_MS = 1000;

/** Delay before renegotiating after a failure; doubles up to the last value. */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

/** See the module description. */
export class SenderPeer extends Emitter<SenderEvents> {
  private pc: RTCPeerConnection | null = null;
  private pending: RemoteCandidate[] = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly checks = new ConnectionCheckWatch((check) => this.emit('check', check));
  private failures = 0;
  private retryTimer: number | undefined;
  /** While true, the video senders carry no track: no pixels leave the device. */
  private paused = false;
  private monitor: PathMonitor | null = null;
  /** Local addresses the current connection has gathered candidates on. */
  private localAddresses = new Set<string>();
  private iceRestartTimer: number | undefined;
  private lastIceRestartAt = -Infinity;
  private pathWasDown = false;

  constructor(
    private readonly stream: MediaStream,
    private readonly send: (payload: SignalPayload) => void,
    private readonly configuration: () => RTCConfiguration,
  ) {
    super();
  }

  /** Sends the first offer. */
  start(): void {
    this.enqueue(() => this.negotiate());
  }

  /** Gives the current connection fresh ICE servers (TURN credentials) for its next ICE restart. */
  reconfigure(): void {
    reconfigureIce(this.pc, this.configuration());
  }

  /** Queues a payload from the helper. */
  handle(payload: SignalPayload): void {
    this.enqueue(() => this.process(payload));
  }

  /**
   * Pauses sharing: every video sender stops sending — its track is taken away
   * (`replaceTrack(null)`, no pixels leave the device) and its encodings are deactivated (no
   * RTP at all, not even padding) — and connections negotiated while paused start that way
   * too. Resolves once the senders are stopped. No renegotiation is needed either way.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.applyPause();
  }

  /** Resumes sharing on the same connection (`replaceTrack(track)`, encodings active again). */
  async resume(): Promise<void> {
    this.paused = false;
    await this.applyPause();
  }

  private async applyPause(): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    const paused = this.paused;
    const track = paused ? null : (this.stream.getVideoTracks()[0] ?? null);
    const senders = pc.getSenders().filter((sender) => sender.track?.kind !== 'audio');
    await Promise.all(
      senders.map(async (sender) => {
        if (paused) await sender.replaceTrack(null);
        const parameters = sender.getParameters();
        if (parameters.encodings.length > 0) {
          for (const encoding of parameters.encodings) encoding.active = !paused;
          await sender.setParameters(parameters);
        }
        if (!paused) await sender.replaceTrack(track);
      }),
    );
  }

  /** Stops for good (does not stop the captured tracks; they belong to the caller). */
  close(): void {
    this.closed = true;
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.iceRestartTimer);
    this.teardown();
    this.removeAllListeners();
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch(() => this.scheduleRetry());
  }

  private async process(payload: SignalPayload): Promise<void> {
    if (this.closed) return;
    if (payload.kind === 'restart' && payload.ice === true) {
      await this.restartIce();
      return;
    }
    if (payload.kind === 'restart') {
      this.failures = 0;
      await this.negotiate();
      return;
    }
    const pc = this.pc;
    if (payload.kind === 'ice') {
      // During an ICE restart the candidates belong to the coming answer: they wait for it.
      if (pc?.remoteDescription && pc.signalingState === 'stable') await addRemoteCandidate(pc, payload.candidate);
      else this.pending.push(payload.candidate);
      return;
    }
    // The sharer always offers; only an answer to the current offer is meaningful.
    if (payload.description.type !== 'answer' || !pc || pc.signalingState !== 'have-local-offer') return;
    await pc.setRemoteDescription({ type: 'answer', sdp: payload.description.sdp });
    this.updateCheck(pc);
    // Encodings exist once negotiated: a connection made while paused deactivates them now.
    if (this.paused) await this.applyPause();
    const early = this.pending;
    this.pending = [];
    for (const candidate of early) await addRemoteCandidate(pc, candidate);
  }

  private teardown(): void {
    const pc = this.pc;
    this.pc = null;
    this.pending = [];
    this.monitor?.close();
    this.monitor = null;
    this.localAddresses = new Set();
    this.pathWasDown = false;
    window.clearTimeout(this.iceRestartTimer);
    if (!pc) return;
    pc.onicecandidate = null;
    pc.onconnectionstatechange = null;
    pc.close();
    this.emit('state', 'new');
    this.emit('check', null);
  }

  private async negotiate(): Promise<void> {
    if (this.closed) return;
    window.clearTimeout(this.retryTimer);
    this.teardown();
    const pc = new RTCPeerConnection(this.configuration());
    this.pc = pc;
    for (const track of this.stream.getVideoTracks()) pc.addTrack(track, this.stream);
    // The sharer follows the helper's beat, so that SCTP's acknowledgements ride on heartbeats.
    this.monitor = new PathMonitor(pc, (state) => this.handlePath(pc, state), { phase: 'follow' });
    if (this.paused) await this.applyPause();
    if (pc !== this.pc) return;
    pc.onicecandidate = (event) => {
      const payload = icePayload(event.candidate);
      if (payload && pc === this.pc) this.send(payload);
      if (event.candidate && pc === this.pc) this.noteLocalAddress(event.candidate.address);
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      this.emitState(pc);
      if (pc.connectionState === 'connected') {
        this.failures = 0;
        this.updateCheck(pc);
      }
      if (pc.connectionState === 'failed') this.scheduleRetry();
    };
    this.emitState(pc);
    await pc.setLocalDescription(await pc.createOffer());
    const local = pc.localDescription;
    if (pc !== this.pc || !local) return;
    this.send({ kind: 'sdp', description: { type: 'offer', sdp: local.sdp } });
  }

  /** Signaling is back (re-attached): a restart offer sent while it was down may be lost, so restart again. */
  signalingRestored(): void {
    if (this.monitor?.state === 'down') this.enqueue(() => this.restartIce());
  }

  /** Emits the connection check of `pc`'s current handshake, while `pc` is this sender's connection. */
  private updateCheck(pc: RTCPeerConnection): void {
    void this.checks.update(pc, () => pc === this.pc && !this.closed);
  }

  /** The connection's state as the app shows it: `disconnected` while the path is dead. */
  private emitState(pc: RTCPeerConnection): void {
    const down = this.monitor?.state === 'down' && pc.connectionState === 'connected';
    this.emit('state', down ? 'disconnected' : pc.connectionState);
  }

  private handlePath(pc: RTCPeerConnection, state: PathState): void {
    if (pc !== this.pc || this.closed) return;
    this.emitState(pc);
    this.emit('path', state);
    window.clearTimeout(this.iceRestartTimer);
    if (state === 'down') this.enqueue(() => this.restartIce());
    if (state === 'up' && this.pathWasDown) void this.requestKeyFrame(pc).catch(() => undefined);
    this.pathWasDown = state === 'down';
  }

  /**
   * A candidate on an address this connection had not used: the browser noticed a new
   * network (it does so a second or two after the change). While the path is down, the
   * restart made before may have had only the dead address: restart again with the new one.
   */
  private noteLocalAddress(address: string | null): void {
    if (!address || this.localAddresses.has(address)) return;
    this.localAddresses.add(address);
    if (this.monitor?.state === 'down') this.enqueue(() => this.restartIce(true));
  }

  /**
   * The path is back: what the receiver missed cannot be decoded until a key frame, and it
   * asks for one only every few seconds. Switching the encodings off and on again makes the
   * encoder start over with a key frame now.
   */
  private async requestKeyFrame(pc: RTCPeerConnection): Promise<void> {
    if (this.paused) return; // resuming sends the picture anew
    for (const sender of pc.getSenders()) {
      if (!sender.track || sender.track.kind !== 'video') continue;
      const off = sender.getParameters();
      if (off.encodings.length === 0) continue;
      for (const encoding of off.encodings) encoding.active = false;
      await sender.setParameters(off);
      const on = sender.getParameters();
      for (const encoding of on.encodings) encoding.active = true;
      await sender.setParameters(on);
    }
  }

  /**
   * Restarts ICE on the current connection (new credentials, fresh candidates on whatever
   * network is up now); while the path stays down, again every {@link ICE_RESTART_RETRY_MS}.
   * Restarts coalesce: none within a second of the last, and none while the last restart
   * offer still waits for its answer, until the retry (an answer to an older offer applied
   * to a newer one would leave ICE with the wrong credentials). `force` (the retry) skips both.
   */
  private async restartIce(force = false): Promise<void> {
    const pc = this.pc;
    if (this.closed || !pc || pc.signalingState === 'closed') return;
    window.clearTimeout(this.iceRestartTimer);
    this.iceRestartTimer = window.setTimeout(() => {
      if (pc === this.pc && this.monitor?.state === 'down') this.enqueue(() => this.restartIce(true));
    }, ICE_RESTART_RETRY_MS);
    const now = performance.now();
    const waiting = pc.signalingState === 'have-local-offer' && now - this.lastIceRestartAt < ICE_RESTART_RETRY_MS;
    if (!force && (now - this.lastIceRestartAt < RESTART_COALESCE_MS || waiting)) return;
    this.lastIceRestartAt = now;
    this.pending = [];
    await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
    const local = pc.localDescription;
    if (pc !== this.pc || !local) return;
    this.send({ kind: 'sdp', description: { type: 'offer', sdp: local.sdp } });
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)] ?? 8000;
    this.failures += 1;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.enqueue(() => this.negotiate()), delay);
  }
}
