/**
 * @module chat/service
 * The use cases of a session's chat (ADR 0017). Sending: the caller must be a participant,
 * the organization must not have turned chat off, the session must be between the trust
 * screen and its end (joined, requested, active), the text must pass `chatTextProblem`, and
 * the sender must be within their rate. A `clientId` already stored answers with the stored
 * message (idempotent sends), whatever the session's state now. Stored messages are announced
 * on the bus in `seq` order per session on this node; clients fill any gap with `resume`.
 *
 * Messages are not audited one by one (the thread itself is the record, kept as long as the
 * session's history); an administrator reading someone else's thread is (`chat.thread_read`).
 */
import type { ChatMessage, ChatThreadResponse, Role } from '@remote-help/protocol';
import {
  CHAT_MAX_GRAPHEMES,
  CHAT_PAGE_MAX,
  CHAT_PAGE_MAX_BYTES,
  CHAT_THREAD_MAX_CHARACTERS,
  CHAT_THREAD_MAX_MESSAGES,
  chatTextProblem,
} from '@remote-help/protocol';
import type { AuditLog } from '../audit/audit.js';
import type { Bus } from '../bus/bus.js';
import type { TokenBucketOptions } from '../devices/launchLimits.js';
import { TokenBuckets } from '../devices/launchLimits.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { roleIn } from '../sessions/policy.js';
import type { SessionRow } from '../sessions/repo.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { ChatRepo, ThreadLimits } from './repo.js';
import { fitPage, presentMessage } from './repo.js';

/** Per sender: 20 messages back to back, then one every 500 ms (a person typing fast, or pasting lines). */
export const DEFAULT_CHAT_LIMITS: TokenBucketOptions = { burst: 20, refillMs: 500 };

/** Bus topic on which a session's stored chat messages are announced. */
export const chatTopic = (sessionId: string): string => `session:${sessionId}:chat`;
/** Bus topic on which one side's typing state goes to the other. */
export const typingTopic = (sessionId: string): string => `session:${sessionId}:typing`;

/** What the bus carries on {@link chatTopic}. */
export interface ChatAnnouncement {
  message: ChatMessage;
}
/** What the bus carries on {@link typingTopic}. */
export interface TypingAnnouncement {
  from: Role;
  typing: boolean;
}

/** States in which people can chat: from the trust screen until the session ends. */
const CHAT_STATES: ReadonlySet<string> = new Set(['joined', 'requested', 'active']);

export interface ChatServiceDeps {
  repo: ChatRepo;
  /** A session of the caller's tenant, or `session_not_found`. */
  loadSession: (principal: Principal, id: string) => Promise<SessionRow>;
  /** Whether the organization turned chat off (tenant setting "Disable chat"). */
  chatDisabled: (tenantId: string) => Promise<boolean>;
  audit: AuditLog;
  bus: Bus;
  clock: Clock;
  limits?: TokenBucketOptions;
  /** How much one thread may hold; the protocol's bounds unless a test sets less. */
  thread?: ThreadLimits;
  /**
   * Conditional access for the admin center: a thread read by someone who is not in the session
   * (`reports.read`, the session report) is an admin-center read and passes it like one.
   */
  adminGate: (principal: Principal) => Promise<void>;
}

const DEFAULT_THREAD_LIMITS: ThreadLimits = {
  maxMessages: CHAT_THREAD_MAX_MESSAGES,
  maxCharacters: CHAT_THREAD_MAX_CHARACTERS,
};

export class ChatService {
  private readonly buckets: TokenBuckets;
  /** Per session on this node: the stores under way, chained so announcements leave in `seq` order. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly d: ChatServiceDeps) {
    this.buckets = new TokenBuckets(d.clock, d.limits ?? DEFAULT_CHAT_LIMITS);
  }

  /**
   * Stores and announces a message. Returns it with `repeated: true` when its `clientId` was
   * already stored (then nothing is announced again; the caller acknowledges to the sender).
   */
  async send(
    principal: Principal,
    sessionId: string,
    clientId: string,
    text: string,
  ): Promise<{ message: ChatMessage; repeated: boolean }> {
    // Three reads at once, not one after another: on PostgreSQL each is a round trip that waits for
    // a turn of a busy node's loop (chat p50 180–300 ms with 9,700 sessions live, docs/bench.md).
    // A session is read within the principal's organization, so its tenant and id are known; what
    // the other two found is used only once the session is found and the sender is in it.
    const [row, known, disabled] = await Promise.all([
      this.d.loadSession(principal, sessionId),
      this.d.repo.byClientId(principal.tenantId, sessionId, principal.userId, clientId),
      this.d.chatDisabled(principal.tenantId),
    ]);
    const role = roleIn(row, principal);
    if (known) return this.repeatOf(known, text);
    this.assertMayChat(row, disabled);
    const problem = chatTextProblem(text);
    if (problem === 'empty') throw new AppError('message_empty', 'Type a message before sending it.');
    if (problem === 'too_long') {
      throw new AppError('message_too_long', `Messages are limited to ${CHAT_MAX_GRAPHEMES} characters.`, {
        maxCharacters: CHAT_MAX_GRAPHEMES,
      });
    }
    if (problem === 'malformed') {
      throw new AppError('validation_failed', 'Messages cannot contain control characters or broken characters.');
    }
    const wait = this.buckets.take(principal.userId);
    if (wait > 0) {
      throw new AppError('rate_limited', `Too many messages. Try again in ${wait} s.`, { retryAfterSeconds: wait });
    }
    const stored = await this.serialized(row.id, async () => {
      const inserted = await this.d.repo.insert(
        {
          tenantId: row.tenant_id,
          sessionId: row.id,
          senderId: principal.userId,
          senderRole: role,
          clientId,
          text,
          sentAt: iso(this.d.clock.now()),
        },
        this.d.thread ?? DEFAULT_THREAD_LIMITS,
      );
      if (!inserted) return undefined;
      const message = presentMessage(inserted);
      await this.d.bus.publish(chatTopic(row.id), { message } satisfies ChatAnnouncement);
      return message;
    });
    if (stored) return { message: stored, repeated: false };
    // The same clientId raced its first copy (two sockets of one sender): that copy is the message.
    const first = await this.d.repo.byClientId(row.tenant_id, row.id, principal.userId, clientId);
    if (first) return this.repeatOf(first, text);
    // Not stored and not sent before: the thread holds all it may.
    const { maxMessages, maxCharacters } = this.d.thread ?? DEFAULT_THREAD_LIMITS;
    throw new AppError(
      'chat_full',
      `This session's chat is full (at most ${maxMessages} messages and ${maxCharacters} characters). Start a new session to go on.`,
      { maxMessages, maxCharacters },
    );
  }

  /** The messages after `afterSeq` for a participant (a page), and whether chat is on. */
  async resume(
    principal: Principal,
    sessionId: string,
    afterSeq: number,
  ): Promise<{ messages: ChatMessage[]; more: boolean; enabled: boolean }> {
    const row = await this.d.loadSession(principal, sessionId);
    roleIn(row, principal);
    if (await this.d.chatDisabled(row.tenant_id)) return { messages: [], more: false, enabled: false };
    return { ...(await this.page(row, afterSeq, CHAT_PAGE_MAX)), enabled: true };
  }

  /**
   * The thread over HTTP: for the session's two participants, and for people of its
   * organization with `reports.read` (audited, since it is someone else's conversation).
   */
  async thread(
    principal: Principal,
    sessionId: string,
    query: { afterSeq: number; limit: number },
  ): Promise<ChatThreadResponse> {
    const row = await this.d.loadSession(principal, sessionId);
    const participant = row.helper_id === principal.userId || row.sharer_id === principal.userId;
    if (!participant) {
      if (!can(principal, 'reports.read')) throw errors.notParticipant();
      await this.d.adminGate(principal);
      await this.d.audit.record({
        tenantId: row.tenant_id,
        actor: { type: 'user', id: principal.userId },
        action: 'chat.thread_read',
        target: { type: 'session', id: row.id },
        ip: principal.ip,
        data: { afterSeq: query.afterSeq },
      });
    }
    return { sessionId: row.id, ...(await this.page(row, query.afterSeq, query.limit)) };
  }

  /** Tells the other side that the caller is typing (or stopped), when they may chat now. */
  async typing(principal: Principal, sessionId: string, typing: boolean): Promise<void> {
    const [row, disabled] = await Promise.all([
      this.d.loadSession(principal, sessionId),
      this.d.chatDisabled(principal.tenantId),
    ]);
    const from = roleIn(row, principal);
    this.assertMayChat(row, disabled);
    await this.d.bus.publish(typingTopic(row.id), { from, typing } satisfies TypingAnnouncement);
  }

  private assertMayChat(row: SessionRow, chatDisabled: boolean): void {
    if (chatDisabled) {
      throw new AppError('chat_disabled', 'Your organization has turned chat off.');
    }
    if (row.state === 'ended') throw errors.sessionEnded();
    if (!CHAT_STATES.has(row.state)) throw errors.invalidTransition('Chat opens when the other person joins.');
  }

  private repeatOf(known: Parameters<typeof presentMessage>[0], text: string) {
    if (known.text !== text) {
      throw new AppError('conflict', 'This message id was already used for a different message.');
    }
    return { message: presentMessage(known), repeated: true };
  }

  /**
   * One page after `afterSeq`, for `chat.history` and the HTTP thread alike: at most `limit`
   * messages and {@link CHAT_PAGE_MAX_BYTES} of their JSON, at least one (`fitPage`). Bounded by
   * size, not only by count: a frame over the socket's 1 MiB slow-consumer bound is closed
   * (`ws/connection.ts`), and a client that asks again on reconnect would be closed again.
   */
  private async page(row: SessionRow, afterSeq: number, limit: number) {
    const found = await this.d.repo.pageAfter(row.tenant_id, row.id, afterSeq, limit, CHAT_PAGE_MAX_BYTES);
    return fitPage(found, limit, CHAT_PAGE_MAX_BYTES);
  }

  /** Runs `work` after the session's earlier stores on this node. */
  private serialized<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(sessionId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.chains.set(sessionId, tail);
    void tail.then(() => {
      if (this.chains.get(sessionId) === tail) this.chains.delete(sessionId);
    });
    return next;
  }
}
