/**
 * @module ws/connection
 * One authenticated WebSocket: typed sends, a serial queue per topic so updates keep
 * their order, and a small token bucket against floods. Knows nothing of sessions.
 */
import type { ErrorCode, ServerMessage } from '@remote-help/protocol';
import type { WebSocket } from 'ws';
import type { Principal } from '../identity/principal.js';
import { newId } from '../ids.js';

export class Connection {
  readonly id = newId();
  /** Cleanups to run when the socket closes, by key (e.g. one per attached session). */
  readonly attachments = new Map<string, () => void>();
  private readonly queues = new Map<string, Promise<void>>();
  private tokens: number;
  private lastRefill = Date.now();
  lastPongAt = Date.now();

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    private readonly bucket = { capacity: 200, perSecond: 50 },
  ) {
    this.tokens = bucket.capacity;
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(message: ServerMessage): void {
    if (this.open) this.socket.send(JSON.stringify(message));
  }

  sendError(error: ErrorCode, message: string, replyTo?: string, data?: Record<string, unknown>): void {
    this.send({ type: 'error', ok: false, error, message, ...(replyTo ? { replyTo } : {}), ...(data ? { data } : {}) });
  }

  /** Runs `task` after every earlier task of the same key; failures are reported, never thrown. */
  enqueue(key: string, task: () => Promise<void>, onError: (error: unknown) => void): void {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch(onError);
    this.queues.set(key, next);
    void next.then(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
  }

  /** Takes one token; false when the client sends faster than allowed. */
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(
      this.bucket.capacity,
      this.tokens + ((now - this.lastRefill) / 1000) * this.bucket.perSecond,
    );
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  closeAll(): void {
    for (const cleanup of this.attachments.values()) cleanup();
    this.attachments.clear();
  }
}
