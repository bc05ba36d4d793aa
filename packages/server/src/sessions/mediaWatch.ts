/**
 * @module sessions/mediaWatch
 * Media paths that never come back. Signaling and media travel apart: both WebSockets can
 * stay up while the peer-to-peer path is dead (a firewall that starts dropping UDP, a
 * relay that went away, an ICE restart that finds no pair). Each side reports its path
 * (`{type:'path'}` over the WebSocket); when a side reports `down` and neither side says
 * `up` again within the grace period, `onLost` fires and the session ends with
 * `connection_lost`, the same reason and grace as a participant who does not come back.
 *
 * The grace timer lives on the node that received the `down` report (like {@link Presence}).
 * The clients refresh their sockets when the path dies, so the `up` often arrives on another
 * node: with a bus that crosses nodes ({@link MediaWatch.share}), whatever settles a session's
 * path here (`up`, or the session having no path any more) is announced on
 * `session:<id>:path`, and a node runs its timer subscribed to that topic, so the `up` cancels
 * it wherever it runs. A node ignores its own announcements (an `up` then a `down` here must
 * not have the `up`'s echo cancel the newer timer). If the timer's node dies, its timer goes
 * with it: the sides it held come back through presence (or end after its grace, on the node
 * that noticed), and the path is watched again from the next `down` a side reports.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '@remote-help/protocol';
import type { Bus } from '../bus/bus.js';
import type { PathSettled } from '../bus/messages.js';
import type { SessionRow } from './repo.js';

/** Bus topic on which a node says that a session's path is settled (nothing to wait for any more). */
export const pathTopic = (sessionId: string): string => `session:${sessionId}:path`;

/** True while the session should have a media path: active, and the sharer sharing (or paused). */
export const hasMediaPath = (row: Pick<SessionRow, 'state' | 'sharer_status'>): boolean =>
  row.state === 'active' && (row.sharer_status === 'sharing' || row.sharer_status === 'paused');

export interface MediaWatchOptions {
  /** How long a path may stay down before the session counts as lost. */
  graceMs: number;
  onLost: (sessionId: string, role: Role) => void;
  /** The bus between nodes (or {@link MediaWatch.share} it later); only one that crosses nodes is used. */
  bus?: Bus;
}

export class MediaWatch {
  private readonly down = new Map<string, { roles: Set<Role>; timer: NodeJS.Timeout; unlisten: () => void }>();
  /** Tells this node's announcements from other nodes'. */
  private readonly node = randomUUID();
  private bus: Bus | undefined;
  private closed = false;

  constructor(private readonly options: MediaWatchOptions) {
    if (options.bus) this.share(options.bus);
  }

  /**
   * Settles paths across nodes through `bus` from now on (the first bus given wins). A bus
   * that does not cross nodes changes nothing: this node hears everything already.
   */
  share(bus: Bus): void {
    if (!this.bus && bus.crossesNodes) this.bus = bus;
  }

  /** A side's path went down or came back (reported on this node). */
  report(sessionId: string, role: Role, state: 'up' | 'down'): void {
    if (this.closed) return;
    if (state === 'up') {
      // Either side hearing the other again means the path works: nothing is lost, on any node.
      this.settle(sessionId, 'up');
      return;
    }
    const entry = this.down.get(sessionId);
    if (entry) {
      entry.roles.add(role);
      return;
    }
    const timer = setTimeout(() => {
      const current = this.down.get(sessionId);
      this.drop(sessionId);
      if (!this.closed && current) this.options.onLost(sessionId, role);
    }, this.options.graceMs);
    timer.unref();
    const unlisten =
      this.bus?.subscribe(pathTopic(sessionId), (message) => {
        // Another node settled the path (checked against its schema when it crossed Redis).
        if ((message as PathSettled).node !== this.node) this.drop(sessionId);
      }) ?? (() => undefined);
    this.down.set(sessionId, { roles: new Set([role]), timer, unlisten });
  }

  /** True while a down report for the session waits for its grace on this node. */
  isDown(sessionId: string): boolean {
    return this.down.has(sessionId);
  }

  /** Forgets a session (ended, or it has no path to lose any more), on every node. */
  forget(sessionId: string): void {
    if (this.closed) return;
    this.settle(sessionId, 'none');
  }

  close(): void {
    this.closed = true;
    for (const sessionId of [...this.down.keys()]) this.drop(sessionId);
  }

  /** Nothing to wait for: the timer here stops, and other nodes are told to stop theirs. */
  private settle(sessionId: string, state: PathSettled['state']): void {
    this.drop(sessionId);
    const settled: PathSettled = { node: this.node, state };
    // At most once, like every bus message: one lost (Redis unreachable or reconnecting) leaves that
    // node's timer to run out, as it did before paths were settled across nodes.
    this.bus?.publish(pathTopic(sessionId), settled).catch(() => undefined);
  }

  /** Stops this node's timer for the session, if any. */
  private drop(sessionId: string): void {
    const entry = this.down.get(sessionId);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.unlisten();
    this.down.delete(sessionId);
  }
}
