/**
 * @module ws/heartbeat
 * Pings every connection each `intervalMs` and closes those that stayed silent for
 * `deadAfterMs`. It measures its own lateness first: when the event loop was stalled
 * (the timer fired late), every deadline moves forward by the stall, because the
 * clients' pongs were waiting unread in the server's buffers, not missing. The verdict
 * runs in `setImmediate`, after the poll phase has read whatever arrived meanwhile.
 *
 * The pings themselves go out {@link PING_CHUNK} at a time, yielding to I/O between chunks:
 * one ping is a frame and a write system call, and pinging every socket in one synchronous
 * loop held the event loop 112 ms per beat (median; p99 324 ms) with 2,000–4,000 sockets on
 * the shared 2-core machine (`npm run bench:load`, 2026-12-01): every frame that arrived
 * meanwhile, a relayed signal too, waited for the whole loop. A chunk took 6.7 ms (median).
 * The verdict stays one pass over all connections (a comparison each), so what counts as
 * dead is unchanged, and a beat that could not send all its pings before the next one sends
 * the rest at once: every living socket that needs it is still pinged every beat.
 *
 * A socket that was heard from in the last {@link PING_IF_SILENT_FOR} of a beat needs no ping:
 * any frame it sent shows it is alive as well as a pong would. The web app pings every second
 * itself (it cannot see WebSocket pings), so its sockets are not pinged twice; sockets that
 * stay silent (the agent, a page whose timers the browser throttles) are pinged every beat.
 * A silent socket is pinged within 1.75 beats of its last frame, so a pong has 0.75 s to come
 * back before the 2.5 s verdict (it had 1.5 s when every socket was pinged every beat).
 */

import type { Connection } from './connection.js';

/** Sockets pinged per turn of the event loop (a few milliseconds of writes). */
export const PING_CHUNK = 200;

/** A socket heard from within this share of a beat is not pinged in it. */
export const PING_IF_SILENT_FOR = 0.75;

export interface HeartbeatOptions {
  intervalMs: number;
  deadAfterMs: number;
  connections: () => Iterable<Connection>;
  /** Called with the stall in ms whenever the timer fired more than one interval late. */
  onStall?: (stallMs: number) => void;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  /** The turn that sends the next chunk of this beat's pings, and what is left to ping. */
  private pinging: NodeJS.Immediate | undefined;
  private unpinged: { living: readonly Connection[]; from: number } | null = null;
  private expectedAt = 0;

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    this.expectedAt = Date.now() + this.o.intervalMs;
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearImmediate(this.pinging);
    this.unpinged = null;
  }

  /** One beat: excuse the server's own lag, then (after pending I/O) ping the living and close the dead. */
  tick(now = Date.now()): void {
    const lag = Math.max(0, now - this.expectedAt);
    this.expectedAt = now + this.o.intervalMs;
    if (lag > 0) for (const conn of this.o.connections()) conn.lastPongAt += lag;
    if (lag > this.o.intervalMs) this.o.onStall?.(lag);
    // Pings the last beat has not sent yet (a loop too busy to give it enough turns) go now, at
    // once: every living socket is pinged every beat, the last ones of a long list too.
    clearImmediate(this.pinging);
    if (this.unpinged) this.pingChunk(this.unpinged.living, this.unpinged.from, Infinity);
    this.pinging = setImmediate(() => {
      const at = Date.now();
      const silentFor = this.o.intervalMs * PING_IF_SILENT_FOR;
      const living: Connection[] = [];
      for (const conn of this.o.connections()) {
        if (at - conn.lastPongAt > this.o.deadAfterMs) conn.socket.terminate();
        else if (conn.open && at - conn.lastPongAt >= silentFor) living.push(conn);
      }
      this.pingChunk(living, 0, PING_CHUNK);
    });
  }

  /** Pings `count` of `living` from `from`, and schedules the rest for the next turn of the loop. */
  private pingChunk(living: readonly Connection[], from: number, count: number): void {
    const to = Math.min(living.length, from + count);
    for (const conn of living.slice(from, to)) if (conn.open) conn.socket.ping();
    if (to < living.length) {
      this.unpinged = { living, from: to };
      this.pinging = setImmediate(() => this.pingChunk(living, to, PING_CHUNK));
    } else {
      this.unpinged = null;
      this.pinging = undefined;
    }
  }
}
