/**
 * @module pathHealth
 * The heartbeat both peers run on every WebRTC connection, so that each side sees a
 * dead network path within two seconds (ICE consent freshness reports it only after
 * several seconds). It travels on a pre-negotiated data channel that neither side
 * announces: both create it with the same id, unordered and never retransmitted. Each
 * side sends {@link HEARTBEAT_MESSAGE} every {@link HEARTBEAT_INTERVAL_MS}; a side that
 * hears nothing for {@link PATH_DEAD_AFTER_MS} treats the path as dead and restarts ICE
 * (the offerer) or waits for the offerer's restart (the answerer).
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
}

/** What the monitor needs of a data channel: the browser's `RTCDataChannel` and wrtc's both fit. */
export interface HeartbeatChannel {
  readonly readyState: string;
  onmessage: ((event: never) => void) | null;
  send(data: string): void;
  close(): void;
}

/** What the monitor needs of a peer connection (browser `RTCPeerConnection` or wrtc's). */
export interface HeartbeatPeer {
  createDataChannel(
    label: string,
    init: { negotiated: boolean; id: number; ordered: boolean; maxRetransmits: number },
  ): HeartbeatChannel;
}

/**
 * One end of the heartbeat, runtime-neutral (the helper and sharer web apps and the agent
 * run the same code): creates the channel on `pc`, sends every interval, and reports the
 * path `up` once a heartbeat arrives and `down` after {@link PATH_DEAD_AFTER_MS} of silence.
 */
export class PathMonitor {
  private readonly channel: HeartbeatChannel;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly deadAfterMs: number;
  private lastHeardAt = 0;
  private current: PathState = 'unknown';

  /** Creates the heartbeat channel on `pc` (both sides, before or right after the offer is applied). */
  constructor(
    pc: HeartbeatPeer,
    private readonly onChange: (state: PathState) => void,
    options: PathMonitorOptions = {},
  ) {
    this.deadAfterMs = options.deadAfterMs ?? PATH_DEAD_AFTER_MS;
    this.channel = pc.createDataChannel(HEARTBEAT_CHANNEL, {
      negotiated: true,
      id: HEARTBEAT_CHANNEL_ID,
      ordered: false,
      maxRetransmits: 0,
    });
    this.channel.onmessage = () => {
      this.lastHeardAt = performance.now();
      this.set('up');
    };
    this.timer = setInterval(() => this.tick(), options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
    // In Node (the agent) the heartbeat must not keep the process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** The current state. */
  get state(): PathState {
    return this.current;
  }

  /** Stops the heartbeat (the channel closes with its connection). */
  close(): void {
    clearInterval(this.timer);
    this.channel.onmessage = null;
    if (this.channel.readyState === 'open') this.channel.close();
  }

  private tick(): void {
    if (this.channel.readyState === 'open') {
      try {
        this.channel.send(HEARTBEAT_MESSAGE);
      } catch {
        // A channel that fails to send is as good as silent: the silence check decides.
      }
    }
    if (this.current !== 'up') return;
    if (performance.now() - this.lastHeardAt > this.deadAfterMs) this.set('down');
  }

  private set(state: PathState): void {
    if (state === this.current) return;
    this.current = state;
    this.onChange(state);
  }
}
