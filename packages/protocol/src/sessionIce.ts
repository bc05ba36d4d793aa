/**
 * @module sessionIce
 * The ICE servers of one session as a client keeps them; the web app and the agent share
 * this core. Asked for with `ice.servers` once attached (and after every re-attach), used
 * for every peer connection of the session, and asked for again when half their lifetime
 * has passed, so that an ICE restart, which makes new TURN allocations, finds credentials
 * with at least half their lifetime left ({@link SessionIce.fresh} asks first when they do
 * not). Until the first answer, or from a server that does not answer `ice.servers`, the
 * connection's `hello` servers stand in. A lifetime is counted on this client's clock from
 * the answer's arrival (`ttlSeconds` is relative), so a skewed clock does not matter.
 */
import type { IceServer } from './signaling.js';

/** How long {@link SessionIce.fresh} waits for an answer before going on with what it has. */
export const ICE_ANSWER_WAIT_MS = 2000;

/** What a {@link SessionIce} needs from its client. */
export interface SessionIcePorts {
  /** Sends `{ type: 'ice.servers', sessionId }` for this session. */
  request(): void;
  /** The connection's `hello` servers (the fallback), or null before the first hello. */
  fallback(): readonly IceServer[] | null;
  /** Runs `run` after `ms`; returns what cancels it. */
  schedule(run: () => void, ms: number): () => void;
  now(): number;
}

/** The part of an `ice.servers` answer a client keeps. */
export interface SessionIceAnswer {
  iceServers: IceServer[];
  ttlSeconds: number | null;
}

/** One session's ICE servers on one client; see the module description. */
export class SessionIce {
  #answer: { servers: IceServer[]; staleAt: number } | null = null;
  #cancelRefresh: (() => void) | null = null;
  #waiters = new Set<() => void>();
  #listeners = new Set<(servers: IceServer[]) => void>();
  #closed = false;

  constructor(
    readonly sessionId: string,
    private readonly ports: SessionIcePorts,
  ) {}

  /** The servers to configure a peer connection with now. */
  get servers(): IceServer[] {
    return this.#answer?.servers ?? [...(this.ports.fallback() ?? [])];
  }

  /** True before the first answer, and once half the answer's lifetime has passed. */
  get stale(): boolean {
    return !this.#answer || this.ports.now() >= this.#answer.staleAt;
  }

  /** Asks the server for this session's servers (again). */
  ask(): void {
    if (!this.#closed) this.ports.request();
  }

  /** An `ice.servers` answer for this session arrived. */
  receive(answer: SessionIceAnswer): void {
    if (this.#closed) return;
    const halfLife = answer.ttlSeconds === null ? Infinity : (answer.ttlSeconds * 1000) / 2;
    this.#answer = { servers: answer.iceServers, staleAt: this.ports.now() + halfLife };
    this.#cancelRefresh?.();
    this.#cancelRefresh = Number.isFinite(halfLife) ? this.ports.schedule(() => this.ask(), halfLife) : null;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
    for (const listener of this.#listeners) listener(answer.iceServers);
  }

  /**
   * The servers for a new allocation (a peer connection or an ICE restart): when stale,
   * asks first and waits for the answer, at most `waitMs`, then goes on with what it has.
   */
  async fresh(waitMs = ICE_ANSWER_WAIT_MS): Promise<IceServer[]> {
    if (!this.stale || this.#closed) return this.servers;
    await new Promise<void>((resolve) => {
      const done = () => {
        cancel();
        this.#waiters.delete(done);
        resolve();
      };
      const cancel = this.ports.schedule(done, waitMs);
      this.#waiters.add(done);
      this.ask();
    });
    return this.servers;
  }

  /** Calls `listener` with every new answer's servers; returns what stops it. */
  onChange(listener: (servers: IceServer[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops refreshing and lets waiters go on. */
  close(): void {
    this.#closed = true;
    this.#cancelRefresh?.();
    this.#cancelRefresh = null;
    this.#listeners.clear();
    for (const wake of [...this.#waiters]) wake();
  }
}
