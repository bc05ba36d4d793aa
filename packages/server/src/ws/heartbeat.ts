/**
 * @module ws/heartbeat
 * Keeps every connection's liveness: closes those silent for `deadAfterMs`, and pings those
 * silent for {@link PING_IF_SILENT_FOR} beats (`intervalMs`). The web app pings every beat
 * itself (a page cannot see WebSocket pings; the `hello` tells it the beat), so its sockets
 * are not pinged twice; sockets that stay silent (the agent, a page whose timers the browser
 * throttles: the browser answers WebSocket pings without the page) are pinged once a beat.
 *
 * The verdict runs {@link CHECKS_PER_BEAT} times a beat (a comparison per connection), so a
 * socket is closed at most a quarter of a beat after its deadline: with the default 2 s beat
 * and 4.5 s deadline, a dead browser or network is known within 5 s of its last frame (ADR
 * 0004). The beat was 1 s until the load benchmark showed what it costs (issue 12): at 1 s a
 * web client's idle cost is a frame each way every second, one read and one write system
 * call on the server, and 20,000 sockets would have needed more than a core for that alone.
 *
 * Each check measures its own lateness first: when the event loop was stalled (the timer
 * fired late), every deadline moves forward by the stall, because the clients' frames were
 * waiting unread in the server's buffers, not missing. The verdict runs in `setImmediate`,
 * after the poll phase has read whatever arrived meanwhile.
 *
 * The pings go out {@link PING_CHUNK} at a time, yielding to I/O between chunks: one ping is a
 * frame and a write system call, and pinging thousands of sockets in one synchronous loop held
 * the event loop 112 ms (median; p99 324 ms) with 2,000–4,000 sockets (`npm run bench:load`,
 * 2026-12-01): every frame that arrived meanwhile, a relayed signal too, waited for all of it.
 * Pings a check could not send before the next check go out first, at once.
 */

import type { Connection } from './connection.js';

/** Sockets pinged per turn of the event loop (a few milliseconds of writes). */
export const PING_CHUNK = 200;

/** A socket silent for this many beats is pinged (once a beat while it stays silent). */
export const PING_IF_SILENT_FOR = 1.25;

/** Verdicts per beat: how late after its deadline a dead socket may be closed, in beats. */
export const CHECKS_PER_BEAT = 4;

export interface HeartbeatOptions {
  intervalMs: number;
  deadAfterMs: number;
  connections: () => Iterable<Connection>;
  /** Called with the stall in ms whenever a check's timer fired more than a beat late. */
  onStall?: (stallMs: number) => void;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  /** The turn that sends the next chunk of this check's pings, and what is left to ping. */
  private pinging: NodeJS.Immediate | undefined;
  private unpinged: { living: readonly Connection[]; from: number } | null = null;
  private expectedAt = 0;
  private readonly checkMs: number;

  constructor(private readonly o: HeartbeatOptions) {
    this.checkMs = Math.max(1, Math.round(o.intervalMs / CHECKS_PER_BEAT));
  }

  start(): void {
    this.expectedAt = Date.now() + this.checkMs;
    this.timer = setInterval(() => this.tick(), this.checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearImmediate(this.pinging);
    this.unpinged = null;
  }

  /** One check: excuse the server's own lag, then (after pending I/O) close the dead and ping the silent. */
  tick(now = Date.now()): void {
    const lag = Math.max(0, now - this.expectedAt);
    this.expectedAt = now + this.checkMs;
    if (lag > 0) for (const conn of this.o.connections()) conn.lastPongAt += lag;
    if (lag > this.o.intervalMs) this.o.onStall?.(lag);
    // Pings the last check has not sent yet (a loop too busy to give it enough turns) go now, at once.
    clearImmediate(this.pinging);
    if (this.unpinged) this.pingChunk(this.unpinged.living, this.unpinged.from, Infinity);
    this.pinging = setImmediate(() => {
      const at = Date.now();
      const pingAfter = this.o.intervalMs * PING_IF_SILENT_FOR;
      const living: Connection[] = [];
      for (const conn of this.o.connections()) {
        const silent = at - conn.lastPongAt;
        if (silent > this.o.deadAfterMs) conn.socket.terminate();
        else if (conn.open && silent >= pingAfter && at - conn.lastPingAt >= this.o.intervalMs) {
          conn.lastPingAt = at;
          living.push(conn);
        }
      }
      this.pingChunk(living, 0, PING_CHUNK);
    });
  }

  /** Pings `count` of `living` from `from`, and schedules the rest for the next turn of the loop. */
  private pingChunk(living: readonly Connection[], from: number, count: number): void {
    const to = Math.min(living.length, from + count);
    for (let i = from; i < to; i++) {
      const conn = living[i];
      if (conn?.open) conn.socket.ping();
    }
    if (to < living.length) {
      this.unpinged = { living, from: to };
      this.pinging = setImmediate(() => this.pingChunk(living, to, PING_CHUNK));
    } else {
      this.unpinged = null;
      this.pinging = undefined;
    }
  }
}
