/**
 * @module sessions/mediaWatch
 * Media paths that never come back. Signaling and media travel apart: both WebSockets can
 * stay up while the peer-to-peer path is dead (a firewall that starts dropping UDP, a
 * relay that went away, an ICE restart that finds no pair). Each side reports its path
 * (`{type:'path'}` over the WebSocket); when a side reports `down` and neither side says
 * `up` again within the grace period, `onLost` fires and the session ends with
 * `connection_lost`, the same reason and grace as a participant who does not come back.
 *
 * Timers live on the node that received the report (like {@link Presence}); a side that
 * reports on another node starts its own there.
 */
import type { Role } from '@remote-help/protocol';
import type { SessionRow } from './repo.js';

/** True while the session should have a media path: active, and the sharer sharing (or paused). */
export const hasMediaPath = (row: Pick<SessionRow, 'state' | 'sharer_status'>): boolean =>
  row.state === 'active' && (row.sharer_status === 'sharing' || row.sharer_status === 'paused');

export interface MediaWatchOptions {
  /** How long a path may stay down before the session counts as lost. */
  graceMs: number;
  onLost: (sessionId: string, role: Role) => void;
}

export class MediaWatch {
  private readonly down = new Map<string, { roles: Set<Role>; timer: NodeJS.Timeout }>();
  private closed = false;

  constructor(private readonly options: MediaWatchOptions) {}

  /** A side's path went down or came back. */
  report(sessionId: string, role: Role, state: 'up' | 'down'): void {
    if (this.closed) return;
    const entry = this.down.get(sessionId);
    if (state === 'up') {
      // Either side hearing the other again means the path works: nothing is lost.
      if (entry) this.forget(sessionId);
      return;
    }
    if (entry) {
      entry.roles.add(role);
      return;
    }
    const timer = setTimeout(() => {
      const current = this.down.get(sessionId);
      this.down.delete(sessionId);
      if (!this.closed && current) this.options.onLost(sessionId, role);
    }, this.options.graceMs);
    timer.unref();
    this.down.set(sessionId, { roles: new Set([role]), timer });
  }

  /** True while a down report for the session waits for its grace. */
  isDown(sessionId: string): boolean {
    return this.down.has(sessionId);
  }

  /** Forgets a session (ended, or its path is back). */
  forget(sessionId: string): void {
    const entry = this.down.get(sessionId);
    if (entry) clearTimeout(entry.timer);
    this.down.delete(sessionId);
  }

  close(): void {
    this.closed = true;
    for (const entry of this.down.values()) clearTimeout(entry.timer);
    this.down.clear();
  }
}
