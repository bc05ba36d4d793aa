/**
 * @module sessions/feed
 * One live view of a session on this node, shared by every connection attached to it.
 * A change on the bus loads the row once, presents it once per role and sends the same
 * serialised frame to every connection of that role. Changes that arrive while a load is
 * in flight mark the feed dirty and cause exactly one more load afterwards, so a burst
 * of N changes costs at most two loads, however many sockets listen. Pushes leave in
 * the order they were loaded, so each connection sees versions in order.
 *
 * Not every push needs a load: a row this node has just written (`offer`, the row the
 * compare-and-set update returned) or just read to authorize an attach is as current as a
 * load would be, a change announced with a version the feed already shows needs nothing,
 * and a presence change or a newcomer's role is presented from the row the feed holds
 * (`repaint`). A row only ever replaces an older version.
 */
import type { Role, ServerMessage } from '@remote-help/protocol';
import type { SessionRow } from './repo.js';

export interface FeedSource {
  /** The session's current row (of the feed's tenant), or undefined when it is gone. */
  load(): Promise<SessionRow | undefined>;
  /** The frame one role sees for `row`. */
  present(row: SessionRow, role: Role): Promise<ServerMessage>;
  /** A load or present failed: tell the members, log it. */
  failed(error: unknown): void;
}

/** A connection as the feed sees it: something that takes serialised frames. */
export interface FeedMember {
  readonly userId: string;
  sendText(text: string): void;
}

export class SessionFeed<M extends FeedMember = FeedMember> {
  readonly members = new Map<M, Role>();
  /** The latest row seen (for authorization of further attaches without a query). */
  row: SessionRow;
  /** The latest frame per role and the row version it shows, sent at once to a connection that attaches. */
  private readonly frames = new Map<Role, { text: string; version: number }>();
  private loading = false;
  /** What the next turn of the loop must do: nothing, present the newest known row again, or load it first. */
  private wanted: 'none' | 'repaint' | 'load' = 'none';
  /** A row newer than `row`, known current at its version (this node wrote or read it), not yet presented. */
  private offered: SessionRow | undefined;
  private closed = false;

  constructor(
    row: SessionRow,
    private readonly source: FeedSource,
  ) {
    this.row = row;
  }

  /** The newest row this node knows of the session: one offered and not yet presented, else the one shown. */
  get newest(): SessionRow {
    return this.offered && this.offered.version > this.row.version ? this.offered : this.row;
  }

  /** How many connections of `userId` are members. */
  countOf(userId: string): number {
    let n = 0;
    for (const member of this.members.keys()) if (member.userId === userId) n++;
    return n;
  }

  add(member: M, role: Role): void {
    this.members.set(member, role);
    this.resend(member);
  }

  /**
   * The latest frame to one member now. A role's frame is only as new as the last load that
   * found a member of that role: when it shows an older row than the feed knows, or a load is
   * under way (whose roles were fixed before this member came), one more load follows, so a
   * member never stays on a stale view (a helper whose socket was replaced while the sharer
   * joined used to). A role without a frame is presented from the row the feed holds: the
   * row is as new as the feed knows (every change announced since has been or will be loaded).
   */
  resend(member: M): void {
    const role = this.members.get(member);
    const frame = role && this.frames.get(role);
    if (frame) member.sendText(frame.text);
    if (!frame || frame.version !== this.row.version || this.loading) this.repaint();
  }

  remove(member: M): void {
    this.members.delete(member);
  }

  /** Sends one frame to every member of `role` (chat, typing), serialised once. */
  relay(role: Role, message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const [member, r] of this.members) if (r === role) member.sendText(text);
  }

  /**
   * Sends a frame to the newest attached member of `role` only (signaling). A peer connection
   * has one end per side: while a client moves to a fresh socket (make-before-break) both
   * sockets are attached, and relaying a signal to both made the client answer each offer
   * twice; with two tabs, both answered. The newest attachment is the one that took the
   * session last, so it is the one negotiating.
   */
  relayToNewest(role: Role, message: ServerMessage): void {
    let newest: M | undefined;
    for (const [member, r] of this.members) if (r === role) newest = member;
    newest?.sendText(JSON.stringify(message));
  }

  close(): void {
    this.closed = true;
    this.members.clear();
  }

  /** Reloads and pushes, coalescing: while a load is in flight, later calls cost one more load in all. */
  refresh(): void {
    this.want('load');
  }

  /**
   * The row changed to `version` (as the bus announced it): nothing to do when the feed
   * already shows that version or a newer one (this node wrote it and offered the row), a
   * load otherwise.
   */
  changed(version: number): void {
    if (version <= Math.max(this.row.version, this.offered?.version ?? -1)) return;
    this.refresh();
  }

  /**
   * A row of this session known to be current at its version, because this node has just
   * written it (the row the compare-and-set update returned) or read it: presented instead of
   * loading again when it is newer than what the feed holds, ignored otherwise.
   */
  offer(row: SessionRow): void {
    if (this.closed || row.version <= Math.max(this.row.version, this.offered?.version ?? -1)) return;
    this.offered = row;
    this.want('repaint');
  }

  /** Presents the newest known row again without loading it (a side's presence changed, a role has no frame yet). */
  repaint(): void {
    this.want('repaint');
  }

  private want(what: 'repaint' | 'load'): void {
    if (this.closed) return;
    if (what === 'load' || this.wanted === 'none') this.wanted = what;
    if (this.loading) return;
    this.loading = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.wanted !== 'none' && !this.closed) {
        const what = this.wanted;
        this.wanted = 'none';
        let row = this.row;
        if (what === 'load') {
          const loaded = await this.source.load();
          if (!loaded || this.closed) break;
          if (loaded.version >= row.version) row = loaded;
        }
        // A row offered meanwhile (or before) that is newer than the one loaded is the newest known.
        const offered = this.offered;
        this.offered = undefined;
        if (offered && offered.version > row.version) row = offered;
        this.row = row;
        const roles = new Set(this.members.values());
        for (const role of roles) {
          const text = JSON.stringify(await this.source.present(row, role));
          if (this.closed) return;
          // Every member of the role has had this very frame (when it was made, or on attaching).
          if (this.frames.get(role)?.text === text) continue;
          this.frames.set(role, { text, version: row.version });
          for (const [member, r] of this.members) if (r === role) member.sendText(text);
        }
      }
    } catch (error) {
      this.source.failed(error);
    } finally {
      this.loading = false;
    }
  }
}
