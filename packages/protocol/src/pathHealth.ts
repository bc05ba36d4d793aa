/**
 * @module pathHealth
 * The heartbeat both peers run on every WebRTC connection, so that each side sees a
 * dead network path within two seconds (ICE consent freshness reports it only after
 * several seconds). It travels on a pre-negotiated data channel that neither side
 * announces: both create it with the same id, unordered and never retransmitted. Each
 * side sends {@link HEARTBEAT_MESSAGE} every {@link HEARTBEAT_INTERVAL_MS}; a side that
 * hears nothing for {@link PATH_DEAD_AFTER_MS} treats the path as dead and restarts ICE
 * (the offerer) or waits for the offerer's restart (the answerer).
 *
 * Silence alone does not tell a dead path from a busy peer: a helper page whose main
 * thread stalls for two seconds (a slow machine painting a full screen) sends no heartbeat
 * either, while its network thread goes on acknowledging SCTP data and answering ICE
 * consent checks. Taking such a stall for a dead path restarted ICE and refreshed signaling
 * every few seconds, which kept the slow peer busier still (seen on CI). So when the
 * heartbeat is late, the monitor also reads what the selected candidate pair received
 * (`getStats`): packets still arriving within the silence limit mean
 * the path works and only the peer's application is slow, and the path stays up. A path
 * that really died brings neither heartbeats nor packets.
 *
 * Each heartbeat is one SCTP DATA chunk, and the side that receives it owes an SCTP
 * acknowledgement (SACK), which the stacks delay by up to 200 ms hoping to put it in the same
 * packet as data of their own. With two independent 250 ms timers that hope depends on how the
 * timers happen to fall against each other: a side that beats less than ~50 ms or more than
 * ~200 ms after the other's beat arrives sends a SACK on its own, up to eight packets a second
 * each way instead of four, and the timers drift through every phase within minutes (an idle
 * agent measured 4.3–6.8 kbit/s toward the helper across runs). So one side, the sharer
 * (`phase: 'follow'`), beats half an interval after each heartbeat it hears: each side's next
 * beat then comes ≈ 125 ms after the other's, inside both delays, and every acknowledgement
 * rides on a heartbeat (a one-way delay up to ≈ 60 ms keeps both inside). The helper leads on its
 * own clock. A follower that hears nothing beats on its own interval, and a peer that sends
 * heartbeats faster than the interval cannot hold the follower's beats back by more than half an
 * interval.
 */

/** Label of the heartbeat data channel. */
export const HEARTBEAT_CHANNEL = 'heartbeat';
/** SCTP stream id of the heartbeat channel (negotiated out of band: the same on both sides). */
export const HEARTBEAT_CHANNEL_ID = 1000;
/** How often each side sends a heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 250;
/** Silence after which the path counts as dead. */
export const PATH_DEAD_AFTER_MS = 1250;
/** The heartbeat's payload (its content does not matter; any message counts). */
export const HEARTBEAT_MESSAGE = 'hb';
/** While the path stays dead, the offerer restarts ICE again after this long. */
export const ICE_RESTART_RETRY_MS = 5000;

/** The state of the path: `unknown` until the first heartbeat. */
export type PathState = 'unknown' | 'up' | 'down';

/** Timing of a {@link PathMonitor} (defaults: the constants above). */
export interface PathMonitorOptions {
  intervalMs?: number;
  deadAfterMs?: number;
  /** The clock (default `performance.now`). */
  now?: () => number;
  /**
   * Called after each heartbeat is sent, on the same timer: work that has to run about as often
   * (the agent's address check) rides on this wake-up instead of costing one of its own.
   */
  onTick?: () => void;
  /**
   * `lead` (default): beat on this side's own clock. `follow`: beat half an interval after each
   * heartbeat heard, so that the SCTP acknowledgements of both sides ride on heartbeats (see the
   * module's note). Exactly one side of a connection should follow: the sharer.
   */
  phase?: 'lead' | 'follow';
}

/** What the monitor needs of a data channel: the browser's `RTCDataChannel` and wrtc's both fit. */
export interface HeartbeatChannel {
  readonly readyState: string;
  onmessage: ((event: never) => void) | null;
  send(data: string): void;
  close(): void;
}

/** One entry of a stats report, as far as the monitor reads it. */
export interface TransportStat {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly selectedCandidatePairId?: unknown;
  readonly packetsReceived?: unknown;
  readonly bytesReceived?: unknown;
}

/** What the monitor needs of a peer connection (browser `RTCPeerConnection` or wrtc's). */
export interface HeartbeatPeer {
  createDataChannel(
    label: string,
    init: { negotiated: boolean; id: number; ordered: boolean; maxRetransmits: number },
  ): HeartbeatChannel;
  /** The connection's statistics; without it, silence alone decides. */
  getStats?(): Promise<{ forEach(callback: (stat: TransportStat) => void): void }>;
}

/** What arrived on the selected candidate pair: packets, else bytes (any increase counts). */
export interface PathReceived {
  pair: string;
  received: number;
}

/** A stats report as both runtimes give it (`RTCStatsReport`, wrtc's map): iterable with `forEach`. */
export interface StatsReport<T> {
  forEach(callback: (stat: T) => void): void;
}

/**
 * The selected candidate pair of each transport in a stats report (one with BUNDLE), found
 * through the transport's `selectedCandidatePairId`, with every stat of the report by id
 * (to follow a pair to its candidates).
 */
export function selectedCandidatePairs<T extends TransportStat>(
  report: StatsReport<T>,
): { pairs: T[]; byId: Map<unknown, T> } {
  const selected = new Set<unknown>();
  const byId = new Map<unknown, T>();
  report.forEach((stat) => {
    if (stat.type === 'transport' && stat.selectedCandidatePairId) selected.add(stat.selectedCandidatePairId);
    byId.set(stat.id, stat);
  });
  const pairs = [...selected].flatMap((id) => {
    const pair = byId.get(id);
    return pair?.type === 'candidate-pair' ? [pair] : [];
  });
  return { pairs, byId };
}

/**
 * What the connection received on its selected candidate pair, or null when the report
 * does not say. Only the selected pair counts: ICE checks on a spare pair that still
 * works must not hide a dead selected one (ICE would switch to the spare, later).
 */
export async function pathReceived(peer: HeartbeatPeer): Promise<PathReceived | null> {
  if (typeof peer.getStats !== 'function') return null;
  const ids: string[] = [];
  let received = 0;
  for (const pair of selectedCandidatePairs(await peer.getStats()).pairs) {
    const n = typeof pair.packetsReceived === 'number' ? pair.packetsReceived : pair.bytesReceived;
    if (typeof n !== 'number') continue;
    ids.push(String(pair.id));
    received += n;
  }
  return ids.length > 0 ? { pair: ids.join(','), received } : null;
}

/**
 * One end of the heartbeat, runtime-neutral (the helper and sharer web apps and the agent
 * run the same code): creates the channel on `pc`, sends every interval, and reports the
 * path `up` once a heartbeat arrives and `down` after {@link PATH_DEAD_AFTER_MS} of silence.
 */
export class PathMonitor {
  private readonly channel: HeartbeatChannel;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly follow: boolean;
  private readonly deadAfterMs: number;
  private readonly intervalMs: number;
  private lastHeardAt = 0;
  private current: PathState = 'unknown';
  /** The selected pair's counter at the last probe (null: none yet in this silence). */
  private lastReceived: PathReceived | null = null;
  /** When the last probe that found new packets was asked for. */
  private transportAliveAt = 0;
  private probing = false;
  private closed = false;
  private lastTickAt: number;
  private readonly now: () => number;
  private readonly onTick: (() => void) | undefined;

  /** Creates the heartbeat channel on `pc` (both sides, before or right after the offer is applied). */
  constructor(
    private readonly pc: HeartbeatPeer,
    private readonly onChange: (state: PathState) => void,
    options: PathMonitorOptions = {},
  ) {
    this.deadAfterMs = options.deadAfterMs ?? PATH_DEAD_AFTER_MS;
    this.intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.now = options.now ?? (() => performance.now());
    this.onTick = options.onTick;
    this.follow = options.phase === 'follow';
    this.lastTickAt = this.now();
    this.channel = pc.createDataChannel(HEARTBEAT_CHANNEL, {
      negotiated: true,
      id: HEARTBEAT_CHANNEL_ID,
      ordered: false,
      maxRetransmits: 0,
    });
    this.channel.onmessage = () => {
      const now = this.now();
      this.lastHeardAt = now;
      this.lastReceived = null;
      this.set('up');
      // Half an interval after the beat heard, but never more than one and a half after this side's last.
      if (this.follow && !this.closed)
        this.schedule(Math.min(now + this.intervalMs / 2, this.lastTickAt + 1.5 * this.intervalMs) - now);
    };
    this.schedule(this.intervalMs);
  }

  /** The current state. */
  get state(): PathState {
    return this.current;
  }

  /**
   * The other side says the path died (the offerer's ICE-restart offer came): down now,
   * until a heartbeat arrives again. This side's own verdict may not come at all: a restart
   * faster than its silence limit, or ticks of a busy page that came late (no verdict).
   */
  markDown(): void {
    if (this.closed || this.current !== 'up') return;
    this.lastReceived = null;
    this.set('down');
  }

  /** Stops the heartbeat (the channel closes with its connection). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.channel.onmessage = null;
    if (this.channel.readyState === 'open') this.channel.close();
  }

  /** The next tick in `delayMs`, replacing the one scheduled. */
  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), Math.max(0, delayMs));
    // In Node (the agent) the heartbeat must not keep the process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private tick(): void {
    this.beat();
    this.onTick?.();
    if (!this.closed) this.schedule(this.intervalMs);
  }

  private beat(): void {
    // Sent without asking `readyState` first: in the agent (wrtc) each is a blocking call into
    // libwebrtc's thread, four a second on an idle session; a channel that is not open throws.
    try {
      this.channel.send(HEARTBEAT_MESSAGE);
    } catch {
      // Not open yet, or failing to send: as good as silent; the silence check decides.
    }
    const now = this.now();
    // This side's own thread stood still (a busy page, a blocked event loop): heartbeats that
    // arrived meanwhile still wait behind this tick, so no verdict on this one.
    const late = now - this.lastTickAt > 2 * this.intervalMs;
    this.lastTickAt = now;
    if (this.current !== 'up') return;
    const silence = now - this.lastHeardAt;
    // A heartbeat two intervals late: watch the transport, so that the verdict below has a baseline.
    if (silence > 2 * this.intervalMs) this.probe(now);
    const heardOrReceived = Math.max(this.lastHeardAt, this.transportAliveAt);
    if (!late && now - heardOrReceived > this.deadAfterMs) this.set('down');
  }

  /** Reads the transport counter; an increase since the last read means the path carried packets. */
  private probe(askedAt: number): void {
    if (this.probing || typeof this.pc.getStats !== 'function') return;
    this.probing = true;
    pathReceived(this.pc)
      .then((now) => {
        if (this.closed || now === null) return;
        const before = this.lastReceived;
        // Another selected pair is a new baseline, not proof of life.
        if (before && before.pair === now.pair && now.received > before.received)
          this.transportAliveAt = Math.max(this.transportAliveAt, askedAt);
        this.lastReceived = now;
      })
      .catch(() => undefined) // no stats: silence alone decides
      .finally(() => {
        this.probing = false;
      });
  }

  private set(state: PathState): void {
    if (state === this.current) return;
    this.current = state;
    this.onChange(state);
  }
}
