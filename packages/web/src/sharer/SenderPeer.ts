/**
 * @module SenderPeer
 * The sharer's side of WebRTC: it offers and only sends the captured screen. Every
 * negotiation uses a fresh `RTCPeerConnection` (on start, on the helper's `restart`,
 * and after the connection failed), so the helper can tell a new negotiation by its
 * SDP session id. Payloads are processed one at a time, in order; remote ICE
 * candidates wait until the answer is applied.
 */
import type { SignalPayload } from '@remote-help/protocol';
import { Emitter } from '../common/Emitter';
import { addRemoteCandidate, icePayload } from '../common/rtc';
import type { RemoteCandidate } from '../common/rtc';

/** Events of {@link SenderPeer}. */
export interface SenderEvents {
  /** `RTCPeerConnection.connectionState` (`new` between connections). */
  state: RTCPeerConnectionState;
}

/** Delay before renegotiating after a failure; doubles up to the last value. */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

/** See the module description. */
export class SenderPeer extends Emitter<SenderEvents> {
  private pc: RTCPeerConnection | null = null;
  private pending: RemoteCandidate[] = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private failures = 0;
  private retryTimer: number | undefined;

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

  /** Queues a payload from the helper. */
  handle(payload: SignalPayload): void {
    this.enqueue(() => this.process(payload));
  }

  /** Stops for good (does not stop the captured tracks; they belong to the caller). */
  close(): void {
    this.closed = true;
    window.clearTimeout(this.retryTimer);
    this.teardown();
    this.removeAllListeners();
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch(() => this.scheduleRetry());
  }

  private async process(payload: SignalPayload): Promise<void> {
    if (this.closed) return;
    if (payload.kind === 'restart') {
      this.failures = 0;
      await this.negotiate();
      return;
    }
    const pc = this.pc;
    if (payload.kind === 'ice') {
      if (pc?.remoteDescription) await addRemoteCandidate(pc, payload.candidate);
      else this.pending.push(payload.candidate);
      return;
    }
    // The sharer always offers; only an answer to the current offer is meaningful.
    if (payload.description.type !== 'answer' || !pc || pc.signalingState !== 'have-local-offer') return;
    await pc.setRemoteDescription({ type: 'answer', sdp: payload.description.sdp });
    const early = this.pending;
    this.pending = [];
    for (const candidate of early) await addRemoteCandidate(pc, candidate);
  }

  private teardown(): void {
    const pc = this.pc;
    this.pc = null;
    this.pending = [];
    if (!pc) return;
    pc.onicecandidate = null;
    pc.onconnectionstatechange = null;
    pc.close();
    this.emit('state', 'new');
  }

  private async negotiate(): Promise<void> {
    if (this.closed) return;
    window.clearTimeout(this.retryTimer);
    this.teardown();
    const pc = new RTCPeerConnection(this.configuration());
    this.pc = pc;
    for (const track of this.stream.getVideoTracks()) pc.addTrack(track, this.stream);
    pc.onicecandidate = (event) => {
      const payload = icePayload(event.candidate);
      if (payload && pc === this.pc) this.send(payload);
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      this.emit('state', pc.connectionState);
      if (pc.connectionState === 'connected') this.failures = 0;
      if (pc.connectionState === 'failed') this.scheduleRetry();
    };
    this.emit('state', pc.connectionState);
    await pc.setLocalDescription(await pc.createOffer());
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
