/**
 * @module sessions/presence
 * Who of a session's two participants has a live connection, on any node. This node counts
 * its own connections per side and tells the shared {@link PresenceDirectory} when a side
 * starts or stops being held here; `isPresent` asks the directory when this node has none.
 * When a side that was present loses its last connection and does not come back (to any
 * node) within the grace period (a reload, a brief network blip), `onGone` fires and the
 * session ends with `connection_lost`. A side whose node died is reported `lost` by the
 * directory on whichever node noticed: that node tells the other side (`onChange`) and runs
 * the grace. After a restart, {@link Presence.expect} gives the people of sessions that
 * were live a longer grace to come back (see `sessions/sweeper`). Once closed (shutdown),
 * it starts no timers: sockets closing because the server stops end nothing here (other
 * nodes take this node's people back when its heartbeat stops).
 */
import type { Role } from '@remote-help/protocol';
import type { PresenceDirectory } from '../bus/presenceDirectory.js';
import { MemoryPresenceDirectory } from '../bus/presenceDirectory.js';

export interface PresenceOptions {
  /** How long a side may be away before it counts as gone. */
  graceMs: number;
  onGone: (sessionId: string, role: Role) => void;
  onChange: (sessionId: string) => void;
  /** Where every node's presence is known (default: this node only). */
  directory?: PresenceDirectory;
  /** How long to wait before asking again when the directory could not answer at the end of a grace. */
  retryMs?: number;
}

const PREFIX = 's:';
const keyOf = (sessionId: string, role: Role): string => `${PREFIX}${sessionId}:${role}`;
const parse = (key: string): { sessionId: string; role: Role } | null => {
  const m = /^s:(.+):(helper|sharer)$/.exec(key);
  return m ? { sessionId: m[1] ?? '', role: m[2] as Role } : null;
};

export class Presence {
  private readonly counts = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly directory: PresenceDirectory;
  private readonly unlisten: () => void;
  private closed = false;

  constructor(private readonly options: PresenceOptions) {
    this.directory = options.directory ?? new MemoryPresenceDirectory();
    this.unlisten = this.directory.listen(PREFIX, {
      // Another node died holding these sides: tell the other side now, end after the grace.
      lost: (keys) => {
        for (const key of keys) {
          const side = parse(key);
          if (!side || this.closed) continue;
          this.options.onChange(side.sessionId);
          if (!this.isHere(side.sessionId, side.role)) this.startGrace(side.sessionId, side.role, this.options.graceMs);
        }
      },
      // This node's sides were written again after Redis forgot them: others may have shown them offline.
      restored: (keys) => {
        for (const sessionId of new Set(keys.map((key) => parse(key)?.sessionId))) {
          if (sessionId && !this.closed) this.options.onChange(sessionId);
        }
      },
    });
  }

  /** Whether this node holds a connection of the side. */
  isHere(sessionId: string, role: Role): boolean {
    return (this.counts.get(keyOf(sessionId, role)) ?? 0) > 0;
  }

  /**
   * Whether the side has a connection on any node. If the shared directory cannot answer
   * (Redis unreachable), what this node knows.
   */
  async isPresent(sessionId: string, role: Role): Promise<boolean> {
    if (this.isHere(sessionId, role)) return true;
    try {
      return await this.directory.has(keyOf(sessionId, role));
    } catch {
      return false;
    }
  }

  join(sessionId: string, role: Role): void {
    const key = keyOf(sessionId, role);
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count === 1) {
      this.directory.add(key);
      this.options.onChange(sessionId);
    }
  }

  leave(sessionId: string, role: Role): void {
    const key = keyOf(sessionId, role);
    const count = (this.counts.get(key) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(key, count);
      return;
    }
    this.counts.delete(key);
    if (this.closed) return;
    this.directory.remove(key);
    this.options.onChange(sessionId);
    this.startGrace(sessionId, role, this.options.graceMs);
  }

  /**
   * A side that was present before a restart: unless it joins (on any node) within `graceMs`,
   * it is gone. Does nothing for a side held here or already on a grace timer.
   */
  expect(sessionId: string, role: Role, graceMs: number): void {
    const key = keyOf(sessionId, role);
    if (this.closed || this.isHere(sessionId, role) || this.timers.has(key)) return;
    this.startGrace(sessionId, role, graceMs);
  }

  private startGrace(sessionId: string, role: Role, graceMs: number): void {
    const key = keyOf(sessionId, role);
    clearTimeout(this.timers.get(key));
    const timer: NodeJS.Timeout = setTimeout(() => void this.endOfGrace(sessionId, role, timer), graceMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  /**
   * The grace is over: gone unless held on some node. Without an answer, ask again later (never
   * end blind). A join, a `forget` or a newer grace while the directory answers wins.
   */
  private async endOfGrace(sessionId: string, role: Role, timer: NodeJS.Timeout): Promise<void> {
    const key = keyOf(sessionId, role);
    let present: boolean;
    try {
      present = this.isHere(sessionId, role) || (await this.directory.has(key));
    } catch {
      if (this.timers.get(key) === timer) this.startGrace(sessionId, role, this.options.retryMs ?? 5000);
      return;
    }
    if (this.timers.get(key) !== timer) return;
    this.timers.delete(key);
    if (!this.closed && !present) this.options.onGone(sessionId, role);
  }

  /** Forgets a session (it ended): no timers fire for it afterwards. */
  forget(sessionId: string): void {
    for (const role of ['helper', 'sharer'] as const) {
      const key = keyOf(sessionId, role);
      const timer = this.timers.get(key);
      if (timer) clearTimeout(timer);
      this.timers.delete(key);
    }
  }

  close(): void {
    this.closed = true;
    this.unlisten();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.counts.clear();
  }
}
