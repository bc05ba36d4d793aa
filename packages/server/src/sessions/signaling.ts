/**
 * @module sessions/signaling
 * The session side of the WebSocket: attach to a session you take part in (and so be
 * present in it), receive its updates, and relay WebRTC signaling to the other
 * participant only (once the helper has asked: `requested` or `active`). Every step
 * re-checks participation on the server.
 *
 * Each session has at most one {@link SessionFeed} per node, however many sockets are
 * attached: one bus subscription, one load per change (coalesced), one serialisation
 * per role. One user may attach only a few connections to one session.
 *
 * Relayed signaling has a byte budget per session and sender ({@link SIGNAL_BUDGET}): past
 * it, a signal is refused to its sender with `rate_limited` and not relayed, so that one
 * side cannot bury the other's socket (closed as a slow consumer past 1 MiB unsent, with
 * every session attached to it) under SDP that the frame limits alone would let through.
 */
import type { ClientMessage, Role, SessionState, SignalPayload } from '@remote-help/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Bus } from '../bus/bus.js';
import type { SessionChange } from '../bus/messages.js';
import type { ChatFrames } from '../chat/signaling.js';
import type { ChatAnnouncement, TypingAnnouncement } from '../chat/service.js';
import { chatTopic, typingTopic } from '../chat/service.js';
import { TokenBuckets } from '../devices/launchLimits.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import type { Connection } from '../ws/connection.js';
import { SessionFeed } from './feed.js';
import { roleIn, sideOf } from './policy.js';
import type { MediaWatch } from './mediaWatch.js';
import { hasMediaPath } from './mediaWatch.js';
import type { Presence } from './presence.js';
import type { SessionRow, SessionsRepo } from './repo.js';
import type { SessionService } from './service.js';
import { sessionTopic } from './service.js';
import { systemClock } from '../time.js';
import type { SessionIceServers } from '../turn/sessionIce.js';

/** Bus topic carrying signaling payloads addressed to one side of a session. */
export const signalTopic = (id: string, to: Role): string => `session:${id}:to:${to}`;

interface SignalEnvelope {
  from: Role;
  payload: SignalPayload;
  /** When the signal's frame arrived on its socket (`ops/observe` times the relay by it). */
  arrivedAt?: number;
}

export interface SessionChannelOptions {
  service: SessionService;
  repo: SessionsRepo;
  bus: Bus;
  presence: Presence;
  /** Media paths reported down and waiting to come back. */
  media: MediaWatch;
  log: FastifyBaseLogger;
  /** Connections of one user attached to one session at once. */
  attachmentsPerUserPerSession: number;
  /** The session's chat frames (`chat/signaling`), for connections attached to it. */
  chat: ChatFrames;
  /** Mints a participant's ICE servers for a session (`turn/sessionIce`); without it, none. */
  ice?: (sessionId: string, userId: string) => SessionIceServers;
  /** Each person's signalling budget (default {@link SIGNAL_BUDGET}). */
  signalBudget?: SignalBudget | undefined;
}

/**
 * How many bytes of signaling (payloads as relayed, JSON) one person may send, across every session
 * they take part in: a burst of `burstBytes`, refilled at `bytesPerSecond`. Real negotiation stays far below: an
 * offer or answer is 2–20 KB (60 KB at most, `SdpPayload`), an ICE candidate a few hundred
 * bytes, so a whole negotiation with its candidates is 10–40 KB and an ICE restart about the
 * same; the burst holds a dozen of them back to back, or eight SDPs of the largest size, and
 * the refill one of the largest every second for as long as the session lasts. A flood gets
 * no further: at most 512 KiB at once reach the other side (half the 1 MiB a socket may
 * leave unsent before it is closed as a slow consumer, `ws/connection`), then 64 KiB/s
 * (0.5 Mbit/s), which any link that carries a screen share reads. The budget is the person's, not
 * the session's: someone who shares several sessions with one victim (a socket follows up to 8)
 * would otherwise get one budget for each and fill that socket past its limit all the same. A
 * helper negotiating eight sessions at once, an ICE restart each, spends about 320 KB of it.
 *
 * The sender's node keeps the budget, and refuses past it; a sender may hold sockets on
 * several nodes, so the node that relays to the other side keeps the same budget again for
 * what reaches it from every node, with `relaySlackBytes` more burst for the bus's jitter, and
 * drops the excess (logged). In memory, per node: a restart refills it (one more burst).
 */
export const SIGNAL_BUDGET: SignalBudget = {
  burstBytes: 512 * 1024,
  bytesPerSecond: 64 * 1024,
  relaySlackBytes: 64 * 1024,
};

/** See {@link SIGNAL_BUDGET}. */
export interface SignalBudget {
  burstBytes: number;
  bytesPerSecond: number;
  relaySlackBytes: number;
}

/** Byte buckets of a budget's rate: one token a byte. */
const byteBuckets = (burstBytes: number, budget: SignalBudget): TokenBuckets =>
  new TokenBuckets(systemClock, { burst: burstBytes, refillMs: 1000 / budget.bytesPerSecond });

/** What a signal costs: its payload as the relay writes it (the envelope around it is small and fixed). */
const signalBytes = (payload: SignalPayload): number => Buffer.byteLength(JSON.stringify(payload));

/** States in which signaling is relayed: the request being read, and the session itself. */
const SIGNALING_STATES: ReadonlySet<string> = new Set<SessionState>(['requested', 'active']);
const otherRole = (role: Role): Role => (role === 'helper' ? 'sharer' : 'helper');
/** Sessions one connection may follow at once. */
const MAX_SESSIONS_PER_CONNECTION = 8;

export class SessionChannel {
  private readonly feeds = new Map<string, { feed: SessionFeed<Connection>; close: () => void }>();
  private readonly loading = new Map<string, Promise<SessionRow>>();
  /** What each person may still send through this node (`<tenant>:<user>`), over all their sessions. */
  private readonly sent: TokenBuckets;
  /** What each person may still have relayed to others by this node, from any node (`<tenant>:<user>`). */
  private readonly relayed: TokenBuckets;

  constructor(private readonly o: SessionChannelOptions) {
    const budget = o.signalBudget ?? SIGNAL_BUDGET;
    this.sent = byteBuckets(budget.burstBytes, budget);
    this.relayed = byteBuckets(budget.burstBytes + budget.relaySlackBytes, budget);
    // A row this node wrote goes to its feed as it is: the feed need not load it again.
    o.service.onWritten((row) => this.feeds.get(row.id)?.feed.offer(row));
    // A path reported `up` here cancels a grace timer that another node runs (scale-out).
    o.media.share(o.bus);
  }

  /** `arrivedAt`: when the frame came in (`ops/observe`), carried by a signal's envelope to time its relay. */
  async handle(conn: Connection, message: ClientMessage, arrivedAt?: number): Promise<void> {
    switch (message.type) {
      case 'attach':
        return this.attach(conn, message.sessionId);
      case 'detach':
        conn.attachments.get(message.sessionId)?.();
        conn.attachments.delete(message.sessionId);
        return;
      case 'signal':
        return this.signal(conn, message.sessionId, message.payload, arrivedAt);
      case 'ping':
        conn.send({ type: 'pong', ...(message.id ? { id: message.id } : {}) });
        return;
      case 'path':
        return this.path(conn, message.sessionId, message.state);
      case 'ice.servers':
        return this.iceServers(conn, message.sessionId);
      case 'chat.send':
      case 'chat.resume':
      case 'chat.typing':
        if (!conn.attachments.has(message.sessionId))
          throw new AppError('bad_request', 'Attach to the session before chatting.');
        return this.o.chat.handle(conn, message);
    }
  }

  /** How many sessions have a feed on this node (for tests and diagnostics). */
  get feedCount(): number {
    return this.feeds.size;
  }

  /**
   * The caller's row and role. A feed's row answers without a query when it names the
   * caller; otherwise (say, the sharer joined a moment ago) the database decides.
   */
  private async authorize(principal: Principal, sessionId: string): Promise<{ row: SessionRow; role: Role }> {
    const cached = this.feeds.get(sessionId)?.feed.newest;
    if (cached) {
      // Another tenant's session: the same answer the database would give, without asking it.
      if (cached.tenant_id !== principal.tenantId) throw errors.sessionNotFound();
      const role = sideOf(cached, principal);
      if (role) return { row: cached, role };
    }
    // Attaches that arrive together (a reconnect storm) share one query.
    const key = `${principal.tenantId}:${sessionId}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.o.service.load(principal, sessionId).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    const row = await pending;
    return { row, role: roleIn(row, principal) };
  }

  private async attach(conn: Connection, sessionId: string): Promise<void> {
    const existing = this.feeds.get(sessionId)?.feed;
    if (conn.attachments.has(sessionId) && existing) {
      conn.send({ type: 'attached', sessionId });
      existing.resend(conn);
      return;
    }
    const tooMany = () => new AppError('bad_request', 'Too many sessions on one connection.');
    if (conn.attachments.size >= MAX_SESSIONS_PER_CONNECTION) throw tooMany();
    const { row, role } = await this.authorize(conn.principal, sessionId);
    if (!conn.open) return;
    if (conn.attachments.has(sessionId)) {
      // The same attach twice at once: both are answered, once attached.
      conn.send({ type: 'attached', sessionId });
      this.feeds.get(sessionId)?.feed.resend(conn);
      return;
    }
    if (conn.attachments.size >= MAX_SESSIONS_PER_CONNECTION) throw tooMany();
    const feed = this.feedFor(row);
    // The row authorize read may be newer than the feed's (a change announced from another node
    // and not yet here): the newcomer is shown that one, not an older view.
    feed.offer(row);
    if (feed.countOf(conn.principal.userId) >= this.o.attachmentsPerUserPerSession) {
      throw new AppError(
        'rate_limited',
        `Too many connections attached to this session (at most ${this.o.attachmentsPerUserPerSession} per person).`,
        { retryAfterSeconds: 1 },
      );
    }
    const live = feed.row.state !== 'ended';
    conn.attachments.set(sessionId, () => {
      feed.remove(conn);
      if (live) this.o.presence.leave(sessionId, role);
      this.closeFeedIfUnused(sessionId);
    });
    conn.send({ type: 'attached', sessionId });
    feed.add(conn, role);
    if (live) this.o.presence.join(sessionId, role);
  }

  /** The session's feed on this node, made (and subscribed) on first use. */
  private feedFor(row: SessionRow): SessionFeed<Connection> {
    const known = this.feeds.get(row.id);
    if (known) return known.feed;
    const feed: SessionFeed<Connection> = new SessionFeed<Connection>(row, {
      load: () => this.o.repo.find(row.tenant_id, row.id),
      present: async (current, role) => ({ type: 'session', session: await this.o.service.present(current, role) }),
      failed: (error) => {
        this.o.log.error({ err: error, sessionId: row.id }, 'could not load a session for its connections');
        for (const member of feed.members.keys()) member.sendError('internal_error', 'Could not load the session.');
      },
    });
    const offChanges = this.o.bus.subscribe(sessionTopic(row.id), (message) => {
      const change = message as SessionChange;
      // Presence changes only who is online: the row the feed holds is presented again.
      if (change.type === 'presence') feed.repaint();
      else if (change.type === 'changed' && change.version !== undefined) {
        // Another node's change brings its row (and people): presented without a load.
        const carried = this.o.service.carriedRow(change, row.id, row.tenant_id);
        if (carried) feed.offer(carried);
        else feed.changed(change.version);
      } else feed.refresh();
    });
    const dropLogged = new Set<Role>();
    const offSignals = (['helper', 'sharer'] as const).map((to) =>
      this.o.bus.subscribe(signalTopic(row.id, to), (message) => {
        const { from, payload } = message as SignalEnvelope;
        if (from !== otherRole(to) || !this.hasMember(feed, to)) return;
        // Each node admits a sender's budget; together they may admit more: this one relays one budget.
        const sender = `${row.tenant_id}:${from === 'helper' ? row.helper_id : row.sharer_id}`;
        if (this.relayed.take(sender, signalBytes(payload)) > 0) {
          if (!dropLogged.has(from)) {
            dropLogged.add(from);
            this.o.log.warn(
              { sessionId: row.id, from },
              'signals over their sender’s budget dropped (sent through several nodes); further drops not logged',
            );
          }
          return;
        }
        feed.relayToNewest(to, { type: 'signal', sessionId: row.id, from, payload });
      }),
    );
    // Chat: a stored message goes to both sides; typing to the other side only.
    const offChat = this.o.bus.subscribe(chatTopic(row.id), (message) => {
      const frame = {
        type: 'chat.message',
        sessionId: row.id,
        message: (message as ChatAnnouncement).message,
      } as const;
      for (const role of ['helper', 'sharer'] as const) feed.relay(role, frame);
    });
    const offTyping = this.o.bus.subscribe(typingTopic(row.id), (message) => {
      const { from, typing } = message as TypingAnnouncement;
      feed.relay(otherRole(from), { type: 'chat.typing', sessionId: row.id, from, typing });
    });
    this.feeds.set(row.id, {
      feed,
      close: () => {
        offChanges();
        offChat();
        offTyping();
        for (const off of offSignals) off();
        feed.close();
      },
    });
    return feed;
  }

  /** Whether a connection of `role` is attached to the feed on this node. */
  private hasMember(feed: SessionFeed<Connection>, role: Role): boolean {
    for (const r of feed.members.values()) if (r === role) return true;
    return false;
  }

  private closeFeedIfUnused(sessionId: string): void {
    const entry = this.feeds.get(sessionId);
    if (!entry || entry.feed.members.size > 0) return;
    entry.close();
    this.feeds.delete(sessionId);
  }

  /** A side's media path went down or came back (only an active session has one). */
  private async path(conn: Connection, sessionId: string, state: 'up' | 'down'): Promise<void> {
    if (!conn.attachments.has(sessionId)) throw new AppError('bad_request', 'Attach to the session before reporting.');
    const { row, role } = await this.authorize(conn.principal, sessionId);
    if (row.state === 'ended') throw errors.sessionEnded();
    if (row.state !== 'active' || !hasMediaPath(row)) {
      // No path to lose: the sharer is choosing what to share again, or cannot share.
      this.o.media.forget(sessionId);
      return;
    }
    this.o.media.report(sessionId, role, state);
  }

  /** A participant's ICE servers for the session (TURN credentials minted for it and them). */
  private async iceServers(conn: Connection, sessionId: string): Promise<void> {
    if (!conn.attachments.has(sessionId))
      throw new AppError('bad_request', 'Attach to the session before asking for its ICE servers.');
    const { row } = await this.authorize(conn.principal, sessionId);
    if (row.state === 'ended') throw errors.sessionEnded();
    const minted = this.o.ice?.(row.id, conn.principal.userId) ?? { iceServers: [], ttlSeconds: null };
    conn.send({ type: 'ice.servers', sessionId: row.id, ...minted });
  }

  private async signal(conn: Connection, sessionId: string, payload: SignalPayload, arrivedAt?: number): Promise<void> {
    if (!conn.attachments.has(sessionId)) throw new AppError('bad_request', 'Attach to the session before signaling.');
    const from = await this.signalingRole(conn.principal, sessionId);
    const { tenantId, userId } = conn.principal;
    const retryAfterSeconds = this.sent.take(`${tenantId}:${userId}`, signalBytes(payload));
    if (retryAfterSeconds > 0) {
      throw new AppError('rate_limited', `Too much signaling from you. Try again in ${retryAfterSeconds} s.`, {
        retryAfterSeconds,
      });
    }
    const envelope: SignalEnvelope = arrivedAt === undefined ? { from, payload } : { from, payload, arrivedAt };
    await this.o.bus.publish(signalTopic(sessionId, otherRole(from)), envelope);
  }

  /**
   * The caller's role in a session that relays signaling now. Signals are most of what a socket
   * sends while a connection is made (the offer, the answer, every ICE candidate), so the feed's
   * row answers when it allows the signal, without a query; the row follows every change of the
   * session (this node's writes at once, other nodes' through the bus). Only a refusal is
   * confirmed by the database, so that a change this node has not heard of yet (the request made
   * through another node a moment ago) never refuses a signal wrongly.
   */
  private async signalingRole(principal: Principal, sessionId: string): Promise<Role> {
    const cached = this.feeds.get(sessionId)?.feed.newest;
    const side = cached && SIGNALING_STATES.has(cached.state) ? sideOf(cached, principal) : undefined;
    if (side) return side;
    const row = await this.o.service.load(principal, sessionId);
    const role = roleIn(row, principal);
    if (row.state === 'ended') throw errors.sessionEnded();
    // While the sharer reads the request the two sides may already connect (ADR 0023): the
    // connection carries no pixels and no input until the sharer allows, which the agent and
    // its consent gate enforce. Before a request there is nothing to connect for.
    if (!SIGNALING_STATES.has(row.state))
      throw errors.invalidTransition('Signaling starts once the helper asks and the sharer is reading the request.');
    return role;
  }
}
