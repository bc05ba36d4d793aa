/**
 * @module rtc/peer
 * The agent's side of the WebRTC connection to the helper. The agent offers: it
 * opens the data channels `input` (ordered, reliable: helper → agent pointer and keys),
 * `input-fast` (unordered, never retransmitted: a second copy of each of them),
 * `control` (ordered, reliable: laser pointer, display selection) and, for the tiles
 * pixel path, `tiles` (unordered, never retransmitted: the screen as damage tiles, see
 * `tileSender`) and `warm` (padding sent once before the first picture, see `warmWindow`);
 * for the video pixel path it adds the screen track instead, and the tiles
 * path's video-area track joins a running connection (`addTrack`) when the first area plays.
 * Signaling is transport-free: feed the other side's payloads
 * to `handleSignal` and relay every `signal` event; both use the protocol's
 * `SignalPayload` shape, so they map 1:1 onto the server WebSocket's `signal` frames.
 *
 * Network changes: a `PathMonitor` heartbeat (pre-negotiated channel `heartbeat`) reports
 * a dead path within 1.5 s (1.25 s of silence) as a `path` event; `restartIce` then offers with fresh ICE
 * credentials on the same connection (remote candidates wait for its answer).
 *
 * The heartbeat needs 1.25 s of silence; the machine itself knows sooner. While the path is
 * up, the peer reads the machine's addresses on every heartbeat tick ({@link ADDRESS_CHECK_MS}): when the local
 * address of the selected candidate pair is gone (Wi-Fi left, cable pulled, VPN down), the
 * path is down at once, and the restart gathers on the addresses the machine has now.
 */
import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import {
  ConnectionCheckWatch,
  INPUT_FAST_CHANNEL,
  PACKED_INPUT_PROTOCOL,
  parseWith,
  SignalPayload,
  TILES_CHANNEL,
  WARM_CHANNEL,
  type IceServer,
} from '@remote-help/protocol';
import { AgentError } from '../errors.js';
import { trace } from '../trace.js';
import {
  HEARTBEAT_INTERVAL_MS,
  PathMonitor,
  selectedCandidatePairs,
  type PathState,
  type StatsReport,
} from '@remote-help/protocol';
import {
  loadWrtc,
  type IceCandidateInit,
  type WrtcDataChannel,
  type WrtcModule,
  type WrtcPeerConnection,
  type WrtcTrack,
} from './wrtc.js';

/** Data channel labels, as the helper app expects them. */
export const INPUT_CHANNEL = 'input';
export const CONTROL_CHANNEL = 'control';
export type ChannelLabel =
  typeof INPUT_CHANNEL | typeof INPUT_FAST_CHANNEL | typeof CONTROL_CHANNEL | typeof TILES_CHANNEL;

/** Events of `AgentPeer`. */
export interface AgentPeerEvents {
  /** A payload to relay to the helper (`{ type: 'signal', sessionId, payload }` on the WebSocket). */
  signal: [payload: SignalPayload];
  /** A message on the `input` or `input-fast` channel (parse it with `InputDispatcher`). */
  input: [data: string | ArrayBuffer];
  /** A message on the `control` channel. */
  control: [data: string | ArrayBuffer];
  /** A message on the `tiles` channel (acknowledgements from the viewer). */
  tiles: [data: string | ArrayBuffer];
  /** `RTCPeerConnection.connectionState` changed. */
  connectionstatechange: [state: string];
  channelopen: [label: ChannelLabel];
  channelclose: [label: ChannelLabel];
  /** The network path of the connection (heartbeat): `down` means silent for 1.25 s. */
  path: [state: PathState];
  /** Negotiation failed; the connection is unusable until `restart`. */
  error: [error: AgentError];
  /**
   * The connection check to compare with the helper's (`connectionCheck` in the protocol): once
   * each handshake is done, from the two certificates it used (this side's and the one the
   * helper's end proved), never from what the SDP says.
   */
  check: [check: string];
}

export interface AgentPeerOptions {
  /** The screen track (`ScreenVideoSource.track`), for the video pixel path. */
  track?: WrtcTrack | undefined;
  /** Open the `tiles` channel, for the tiles pixel path. */
  tiles?: boolean;
  /** STUN/TURN servers from the server's `hello` frame. */
  iceServers?: IceServer[];
  wrtc?: WrtcModule;
  /** The machine's addresses now (default: from `os.networkInterfaces()`); tests replace it. */
  localAddresses?: () => ReadonlySet<string>;
}

/**
 * How often the machine's addresses are read while the path is up: on each heartbeat tick, the
 * same timer, so that an idle session wakes the agent once per beat rather than twice.
 */
export const ADDRESS_CHECK_MS = HEARTBEAT_INTERVAL_MS;

/**
 * Size of each padding message of `warmWindow`: a loss abandons at most this much of the
 * padding (the channel never retransmits), and a few sends carry all of it.
 */
export const WARM_MESSAGE_BYTES = 4096;

/** The machine's addresses, all interfaces (IPv6 without its zone). */
export function machineAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) addresses.add(entry.address.replace(/%.*$/, ''));
  return addresses;
}

/**
 * The machine address under a gathered candidate (`candidate:<foundation> <component>
 * <transport> <priority> <address> <port> typ <type> [raddr <a> rport <p>] …`): the
 * address itself for a host candidate, the base (`raddr`) for the others. Keyed by the
 * candidate's own address and port, as the stats name the selected pair's local candidate.
 */
export function candidateBase(candidate: string): { key: string; base: string } | null {
  const parts = candidate.split(' ');
  const [address, port] = [parts[4], parts[5]];
  const after = (word: string) => (parts.includes(word) ? parts[parts.indexOf(word) + 1] : undefined);
  const type = after('typ');
  if (!address || !port || !type) return null;
  const base = type === 'host' ? address : after('raddr');
  return base ? { key: `${address} ${port}`, base } : null;
}

/** `address port` of the selected candidate pair's local candidate in a stats report, or null. */
export function selectedLocalCandidate(report: StatsReport<Record<string, unknown>>): string | null {
  const { pairs, byId } = selectedCandidatePairs(report);
  const stats = [...byId.values()];
  // Older reports: the pair flagged `selected`, else the nominated one that succeeded.
  const pair =
    pairs[0] ??
    stats.find((s) => s.type === 'candidate-pair' && s.selected === true) ??
    stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  const local = pair && byId.get(pair.localCandidateId);
  const address = local?.address ?? local?.ip;
  return typeof address === 'string' && local?.port !== undefined ? `${address} ${String(local.port)}` : null;
}

/** One peer connection from the agent to one helper. */
export class AgentPeer extends EventEmitter<AgentPeerEvents> {
  readonly #pc: WrtcPeerConnection;
  readonly #channels: Partial<Record<ChannelLabel, WrtcDataChannel>>;
  #pendingCandidates: IceCandidateInit[] = [];
  #closed = false;
  readonly #checks = new ConnectionCheckWatch((check) => this.emit('check', check));
  readonly #monitor: PathMonitor;
  /** Local addresses this connection has gathered candidates on. */
  readonly #localAddresses = new Set<string>();
  #restartedForAddress = false;
  /** The last offer is still gathering candidates (until its end-of-candidates). */
  #gathering = false;
  /**
   * Machine address under each gathered candidate, by `address port` of the candidate, with the
   * ICE restart it was gathered in. Once a pair of a later restart is selected, the earlier
   * ones' entries go: a connection that lives through many network changes keeps a few.
   */
  readonly #candidateBases = new Map<string, { base: string; round: number }>();
  /** ICE restarts offered so far. */
  #iceRound = 0;
  /** The machine address the selected pair leaves from, while the path is up and it is known. */
  #selectedBase: string | null = null;
  #learning = false;
  #addressChecks = 0;
  /** The last selected local candidate whose machine address could not be told (traced once). */
  #unknownLocal: string | null = null;
  readonly #machineAddresses: () => ReadonlySet<string>;
  /** `addTrack` callers whose track no offer has carried yet. */
  #toOffer: ((answered: boolean) => void)[] = [];
  /** `addTrack` callers whose track an offer sent (set as the local description) carries: the next answer settles them. */
  #offered: ((answered: boolean) => void)[] = [];
  /** A track was added while an offer was outstanding: offer again once it is answered. */
  #offerAfterAnswer = false;
  /** An offer is being made (until it is the local description). */
  #offering = false;
  /** The padding channel (tiles path only). */
  readonly #warm: WrtcDataChannel | null;
  /** Padding asked for before the channel opened: sent when it opens (bytes). */
  #warmDue = 0;

  constructor(options: AgentPeerOptions) {
    super();
    const wrtc = options.wrtc ?? loadWrtc();
    this.#pc = new wrtc.RTCPeerConnection({ iceServers: options.iceServers ?? [] });
    if (options.track) this.#pc.addTrack(options.track);
    this.#channels = {
      // Their protocol tells the helper that pointer moves may come packed (13 bytes, not JSON).
      input: this.#openChannel(INPUT_CHANNEL, { ordered: true, protocol: PACKED_INPUT_PROTOCOL }),
      // The second copy of each input message: never waits for a retransmission.
      'input-fast': this.#openChannel(INPUT_FAST_CHANNEL, {
        ordered: false,
        maxRetransmits: 0,
        protocol: PACKED_INPUT_PROTOCOL,
      }),
      control: this.#openChannel(CONTROL_CHANNEL, { ordered: true }),
      ...(options.tiles ? { tiles: this.#openChannel(TILES_CHANNEL, { ordered: false, maxRetransmits: 0 }) } : {}),
    };
    this.#warm = options.tiles ? this.#openWarm() : null;
    this.#machineAddresses = options.localAddresses ?? machineAddresses;
    this.#monitor = new PathMonitor(
      this.#pc,
      (state) => {
        if (state === 'up') this.#restartedForAddress = false;
        this.#selectedBase = null; // learned again once up (a restart may select another pair)
        if (!this.#closed) this.emit('path', state);
      },
      // The sharer follows the helper's beat, so that SCTP's acknowledgements ride on heartbeats.
      { onTick: () => this.#checkAddress(), phase: 'follow' },
    );
    this.#pc.onicecandidate = ({ candidate }) => {
      if (this.#closed) return;
      const init = candidate ? (candidate.toJSON?.() ?? candidate) : null;
      this.emit('signal', {
        kind: 'ice',
        candidate: init && {
          candidate: init.candidate,
          sdpMid: init.sdpMid ?? null,
          sdpMLineIndex: init.sdpMLineIndex ?? null,
          ...(init.usernameFragment ? { usernameFragment: init.usernameFragment } : {}),
        },
      });
      if (init) {
        const base = candidateBase(init.candidate);
        if (base) this.#candidateBases.set(base.key, { base: base.base, round: this.#iceRound });
        this.#noteLocalAddress(init.candidate);
      } else this.#gathering = false;
    };
    this.#pc.onconnectionstatechange = () => {
      trace('net', () => `connection ${this.#pc.connectionState}`);
      this.emit('connectionstatechange', this.#pc.connectionState);
      if (this.#pc.connectionState === 'connected') this.#updateCheck();
    };
  }

  get connectionState(): string {
    return this.#pc.connectionState;
  }

  /** The network path as the heartbeat sees it. */
  get pathState(): PathState {
    return this.#monitor.state;
  }

  /** ICE servers for the next gathering, i.e. the next ICE restart (fresh TURN credentials). */
  setIceServers(iceServers: IceServer[]): void {
    if (this.#closed) return;
    try {
      this.#pc.setConfiguration?.({ iceServers });
    } catch (error) {
      trace('net', () => `ICE servers not updated: ${String(error)}`);
    }
  }

  /** Offers again with fresh ICE credentials on the same connection (its path died). */
  async restartIce(): Promise<void> {
    if (this.#closed) return;
    await this.#offer(true);
  }

  /** Creates the offer and emits it as a `signal` event. */
  async start(): Promise<void> {
    await this.#offer(false);
  }

  /**
   * Adds a track to the connection as it runs and offers again on it (same ICE, no new
   * connection), or after the outstanding offer is answered. Resolves true once the helper's
   * answer covers the track, false if the connection closes first. A track costs libwebrtc
   * a send controller ticking every few milliseconds for the rest of the connection, so it
   * is added only when there is something to carry (ADR 0024).
   */
  addTrack(track: WrtcTrack): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    this.#pc.addTrack(track);
    const answered = new Promise<boolean>((resolve) => this.#toOffer.push(resolve));
    if (this.#offering || this.#pc.signalingState !== 'stable') {
      this.#offerAfterAnswer = true; // an offer is out (it may not carry the track): again once answered
    } else if (this.#pc.localDescription) {
      void this.#offer(false).catch(() => undefined); // a failure is the peer's `error`
    } // else: nothing offered yet; the first offer carries it
    return answered;
  }

  /** Applies a payload from the helper. Throws `ProtocolError('validation_failed')` for malformed payloads. */
  async handleSignal(input: unknown): Promise<void> {
    if (this.#closed) return;
    const payload = parseWith(SignalPayload, input, 'signal payload');
    try {
      switch (payload.kind) {
        case 'sdp':
          await this.#applyDescription(payload.description);
          return;
        case 'ice':
          if (!payload.candidate) return; // end of candidates: nothing to do in libwebrtc
          // During an ICE restart the helper's new candidates belong to the coming answer.
          if (!this.#pc.remoteDescription || this.#pc.signalingState !== 'stable') {
            this.#pendingCandidates.push(payload.candidate);
          } else await this.#pc.addIceCandidate(payload.candidate);
          return;
        case 'restart':
          await this.#offer(true);
          return;
      }
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /**
   * Sends on the `control` channel; false when it is not open. The `readyState` read here can
   * still say `open` after libwebrtc's thread closed the channel (the helper left: its close
   * reaches this thread later), and then `send` throws: that is a closed channel too, not an
   * error to crash the agent on (a session that ends sends its last control state into it).
   */
  sendControl(data: string): boolean {
    const channel = this.#channels.control;
    if (channel?.readyState !== 'open') return false;
    try {
      channel.send(data);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether a data channel is open. */
  isOpen(label: ChannelLabel): boolean {
    return this.#channels[label]?.readyState === 'open';
  }

  /** The `tiles` channel, when this peer has one. */
  get tilesChannel(): WrtcDataChannel | undefined {
    return this.#channels.tiles;
  }

  /** Emits the connection check of the current handshake (see `check`). */
  #updateCheck(): void {
    void this.#checks.update(this.#pc, () => !this.#closed);
  }

  /** `RTCPeerConnection.getStats()` as plain records. */
  async getStats(): Promise<Record<string, unknown>[]> {
    return [...(await this.#pc.getStats()).values()];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const settle of [...this.#offered, ...this.#toOffer]) settle(false);
    this.#offered = [];
    this.#toOffer = [];
    this.#monitor.close();
    for (const channel of Object.values(this.#channels)) channel?.close();
    this.#pc.close();
  }

  async #offer(iceRestart: boolean): Promise<void> {
    // Whatever was added so far goes with this offer: settled by an answer that comes after it.
    const carried = this.#toOffer;
    this.#toOffer = [];
    this.#offerAfterAnswer = false;
    try {
      this.#offering = true;
      let sdp: string;
      try {
        if (iceRestart) this.#iceRound++;
        const offer = await this.#pc.createOffer(iceRestart ? { iceRestart } : undefined);
        await this.#pc.setLocalDescription(offer);
        sdp = offer.sdp;
      } finally {
        this.#offering = false;
      }
      this.#offered.push(...carried);
      this.#gathering = true;
      if (iceRestart) this.#pendingCandidates = [];
      trace('net', () => `offer${iceRestart ? ' (ICE restart)' : ''} set, signaling state ${this.#pc.signalingState}`);
      this.emit('signal', { kind: 'sdp', description: { type: 'offer', sdp } });
    } catch (error) {
      for (const settle of carried) settle(false);
      throw this.#fail(error);
    }
  }

  async #applyDescription(description: { type: 'offer' | 'answer'; sdp: string }): Promise<void> {
    if (description.type === 'answer') {
      if (this.#pc.signalingState !== 'have-local-offer') {
        trace('net', () => `answer ignored in signaling state ${this.#pc.signalingState}`);
        return; // a repeated or late answer
      }
      // Only offers sent before this answer came are answered by it (one may be in the making).
      const covered = this.#offered;
      this.#offered = [];
      try {
        await this.#pc.setRemoteDescription(description);
      } catch (error) {
        for (const settle of covered) settle(false);
        throw error;
      }
      trace('net', () => 'answer applied');
      for (const settle of covered) settle(true);
    } else {
      // The helper re-offered (e.g. after reloading its page): answer it.
      await this.#pc.setRemoteDescription(description);
      const answer = await this.#pc.createAnswer();
      await this.#pc.setLocalDescription(answer);
      this.emit('signal', { kind: 'sdp', description: { type: 'answer', sdp: answer.sdp } });
    }
    this.#updateCheck();
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const candidate of pending) await this.#pc.addIceCandidate(candidate);
    if (this.#offerAfterAnswer && !this.#closed && !this.#offering && this.#pc.signalingState === 'stable')
      await this.#offer(false);
  }

  /**
   * Opens SCTP's congestion window before the first picture, while the sharer reads the request:
   * `bytes` of padding on the `warm` channel, all queued at once, so that the association keeps
   * its window full and every acknowledgement grows it (slow start; a window that is not full
   * does not grow). A new association may have about 12 KB in flight; after 32 KB of padding,
   * about 28 KB, so a first picture of that size goes in one round trip instead of two or three.
   * The window stays open while the connection idles (libwebrtc's SCTP does not shrink an idle
   * window; a loss halves it). Sent once the channel is open; `stopWarming` drops what has not
   * gone yet. Only before the picture: queued padding would share the path with it.
   */
  warmWindow(bytes: number): void {
    if (this.#closed || !this.#warm || bytes <= 0) return;
    if (this.#warm.readyState !== 'open') {
      this.#warmDue = bytes;
      return;
    }
    this.#sendWarm(this.#warm, bytes);
  }

  /** Padding asked for and not yet sent is not sent (the picture is about to go). */
  stopWarming(): void {
    this.#warmDue = 0;
  }

  #openWarm(): WrtcDataChannel {
    const channel = this.#pc.createDataChannel(WARM_CHANNEL, { ordered: false, maxRetransmits: 0 });
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => {
      const due = this.#warmDue;
      this.#warmDue = 0;
      if (due > 0 && !this.#closed) this.#sendWarm(channel, due);
    };
    return channel;
  }

  #sendWarm(channel: WrtcDataChannel, bytes: number): void {
    const message = new Uint8Array(WARM_MESSAGE_BYTES);
    let sent = 0;
    try {
      while (sent < bytes) {
        channel.send(message);
        sent += message.byteLength;
      }
    } catch (error) {
      // Closing meanwhile: the padding has no use any more.
      trace('net', () => `padding stopped: ${String(error)}`);
    }
    trace('net', () => `padding sent: ${sent} bytes`);
  }

  #openChannel(
    label: ChannelLabel,
    init: { ordered: boolean; maxRetransmits?: number; protocol?: string },
  ): WrtcDataChannel {
    const channel = this.#pc.createDataChannel(label, init);
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => this.emit('channelopen', label);
    channel.onclose = () => this.emit('channelclose', label);
    channel.onmessage = ({ data }) => this.emit(label === INPUT_FAST_CHANNEL ? INPUT_CHANNEL : label, data);
    return channel;
  }

  /**
   * A candidate on an address this connection had not used: libwebrtc noticed a new network
   * (it polls the interfaces every few seconds). While the path is down, the restart made
   * before may have offered only the dead address: restart again with the new one. Not
   * while that restart is still gathering: the new address is one of its own candidates
   * and goes out with it. A second offer then replaced the first one, the helper answered
   * both, and the first answer was applied to the second offer (seen in the network
   * journey's trace: "answer ignored", picture back ~1 s later).
   */
  #noteLocalAddress(candidate: string): void {
    // `candidate:<foundation> <component> <transport> <priority> <address> <port> typ …`
    const address = candidate.split(' ')[4];
    if (!address || this.#localAddresses.has(address)) return;
    this.#localAddresses.add(address);
    trace('net', () => `new local address ${address} (path ${this.#monitor.state})`);
    // Once per dead spell: the other addresses of the same new network come with it.
    if (this.#monitor.state !== 'down' || this.#restartedForAddress || this.#gathering) return;
    this.#restartedForAddress = true;
    void this.restartIce().catch(() => undefined);
  }

  /** While the path is up: is the selected pair's machine address still there? */
  #checkAddress(): void {
    if (this.#closed || this.#monitor.state !== 'up') return;
    // Read again every 2 s: ICE may move to another pair without the path going down.
    if (this.#selectedBase === null || ++this.#addressChecks % 8 === 0) this.#learnSelectedBase();
    if (this.#selectedBase === null || this.#machineAddresses().has(this.#selectedBase)) return;
    const gone = this.#selectedBase;
    trace('net', () => `local address ${gone} gone: path down`);
    this.#monitor.markDown();
  }

  /** Reads which machine address the selected pair leaves from (one stats read at a time). */
  #learnSelectedBase(): void {
    if (this.#learning) return;
    this.#learning = true;
    this.#pc
      .getStats()
      .then((report) => {
        const local = selectedLocalCandidate(report);
        const entry = local === null ? undefined : this.#candidateBases.get(local);
        if (entry) this.#forgetBefore(entry.round);
        const base = entry?.base;
        // Only an address the machine has now: a relay's `raddr` is the TURN server's view, not ours.
        if (base === undefined || this.#monitor.state !== 'up' || !this.#machineAddresses().has(base)) {
          if (this.#selectedBase === null && this.#unknownLocal !== local) {
            this.#unknownLocal = local;
            trace('net', () => `local address of the selected pair unknown (${local})`);
          }
          return;
        }
        if (base !== this.#selectedBase) trace('net', () => `watching local address ${base}`);
        this.#selectedBase = base;
      })
      .catch(() => undefined) // no stats: the heartbeat alone decides
      .finally(() => {
        this.#learning = false;
      });
  }

  /** Drops the candidates of ICE restarts before `round` (a pair of `round` is selected). */
  #forgetBefore(round: number): void {
    for (const [key, entry] of this.#candidateBases) if (entry.round < round) this.#candidateBases.delete(key);
  }

  /** How many gathered candidates the address check still knows (diagnostics and tests). */
  get knownCandidateCount(): number {
    return this.#candidateBases.size;
  }

  #fail(error: unknown): AgentError {
    const failure = new AgentError('rtc_failed', `WebRTC negotiation failed: ${String(error)}`, undefined, {
      cause: error,
    });
    if (this.listenerCount('error') > 0) this.emit('error', failure);
    return failure;
  }
}
