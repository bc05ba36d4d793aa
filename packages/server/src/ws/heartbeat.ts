/**
 * @module ws/heartbeat
 * Pings every connection each `intervalMs` and closes those that stayed silent for
 * `deadAfterMs`. It measures its own lateness first: when the event loop was stalled
 * (the timer fired late), every deadline moves forward by the stall, because the
 * clients' pongs were waiting unread in the server's buffers, not missing. The verdict
 * runs in `setImmediate`, after the poll phase has read whatever arrived meanwhile.
 */
import type { Connection } from './connection.js';

export interface HeartbeatOptions {
  intervalMs: number;
  deadAfterMs: number;
  connections: () => Iterable<Connection>;
  /** Called with the stall in ms whenever the timer fired more than one interval late. */
  onStall?: (stallMs: number) => void;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private expectedAt = 0;

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    this.expectedAt = Date.now() + this.o.intervalMs;
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One beat: excuse the server's own lag, then (after pending I/O) ping the living and close the dead. */
  tick(now = Date.now()): void {
    const lag = Math.max(0, now - this.expectedAt);
    this.expectedAt = now + this.o.intervalMs;
    if (lag > 0) for (const conn of this.o.connections()) conn.lastPongAt += lag;
    if (lag > this.o.intervalMs) this.o.onStall?.(lag);
    setImmediate(() => {
      const at = Date.now();
      for (const conn of this.o.connections()) {
        if (at - conn.lastPongAt > this.o.deadAfterMs) conn.socket.terminate();
        else if (conn.open) conn.socket.ping();
      }
    });
  }
}
