/**
 * @module sessions/presence
 * Who of a session's two participants has a live connection on this node. When a side
 * that was present loses its last connection and does not come back within the grace
 * period (a reload, a brief network blip), `onGone` fires and the session ends with
 * `connection_lost`. After a restart, {@link Presence.expect} gives the people of sessions
 * that were live a longer grace to come back (see `sessions/sweeper`). Once closed
 * (shutdown), it starts no timers: sockets closing because the server stops end nothing.
 */
import type { Role } from '@remote-help/protocol';

export interface PresenceOptions {
  /** How long a side may be away before it counts as gone. */
  graceMs: number;
  onGone: (sessionId: string, role: Role) => void;
  onChange: (sessionId: string) => void;
}

export class Presence {
  private readonly counts = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: PresenceOptions) {}

  private key = (sessionId: string, role: Role): string => `${sessionId}:${role}`;

  isPresent(sessionId: string, role: Role): boolean {
    return (this.counts.get(this.key(sessionId, role)) ?? 0) > 0;
  }

  join(sessionId: string, role: Role): void {
    const key = this.key(sessionId, role);
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count === 1) this.options.onChange(sessionId);
  }

  leave(sessionId: string, role: Role): void {
    const key = this.key(sessionId, role);
    const count = (this.counts.get(key) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(key, count);
      return;
    }
    this.counts.delete(key);
    if (this.closed) return;
    this.options.onChange(sessionId);
    this.startGrace(sessionId, role, this.options.graceMs);
  }

  /**
   * A side that was present before a restart: unless it joins within `graceMs`, it is gone.
   * Does nothing for a side already present or already on a grace timer.
   */
  expect(sessionId: string, role: Role, graceMs: number): void {
    const key = this.key(sessionId, role);
    if (this.closed || this.isPresent(sessionId, role) || this.timers.has(key)) return;
    this.startGrace(sessionId, role, graceMs);
  }

  private startGrace(sessionId: string, role: Role, graceMs: number): void {
    const key = this.key(sessionId, role);
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (!this.closed && !this.isPresent(sessionId, role)) this.options.onGone(sessionId, role);
    }, graceMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Forgets a session (it ended): no timers fire for it afterwards. */
  forget(sessionId: string): void {
    for (const role of ['helper', 'sharer'] as const) {
      const key = this.key(sessionId, role);
      const timer = this.timers.get(key);
      if (timer) clearTimeout(timer);
      this.timers.delete(key);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.counts.clear();
  }
}
