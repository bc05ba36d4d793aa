/**
 * @module chatStore
 * The chat of one session on one side, kept in step with the server over the signaling
 * socket (see `protocol/chat.ts`, ADR 0017). The thread and the outbox are the protocol's
 * client core (`ChatThread`): a message that comes twice is held once, and a gap is filled
 * by asking for what follows the last contiguous one. The outbox is kept in
 * `sessionStorage`, so a reload does not lose what was not stored yet; each (re)attach
 * resumes the thread and sends the outbox again, which the server stores once. A send the server refuses is `failed` (with its error) until Retry;
 * `rate_limited` waits and tries again by itself; no answer within {@link ACK_TIMEOUT_MS}
 * on an open socket is `failed` too.
 */
import { ChatThread } from '@remote-help/protocol';
import type { ChatMessage, OutgoingMessage, Role } from '@remote-help/protocol';
import { ApiError } from '../api';
import { Emitter } from '../Emitter';
import type { ChatFrame, ErrorFrame, SignalingClient } from '../SignalingClient';

export type { OutgoingMessage };

/** What the chat panel shows. */
export interface ChatSnapshot {
  /** False when the organization turned chat off: the panel is not shown. */
  enabled: boolean;
  /** True once the thread was loaded at least once. */
  loaded: boolean;
  /** Stored messages, in `seq` order. */
  messages: readonly ChatMessage[];
  /** Own messages not stored yet, in the order they were typed. */
  outgoing: readonly OutgoingMessage[];
  /** Messages of the other side not seen yet. */
  unread: number;
  /** The other side is typing. */
  peerTyping: boolean;
  /** The latest message from the other side, for the screen-reader announcement. */
  lastIncoming: ChatMessage | null;
}

/** An own send unacknowledged for this long on an open socket is shown as failed. */
export const ACK_TIMEOUT_MS = 15_000;
/** The other side's "typing" fades after this long without news. */
export const TYPING_SHOWN_MS = 6_000;
/** "Typing" is said again at most this often while one keeps typing. */
export const TYPING_REPEAT_MS = 3_000;

type Timer = ReturnType<typeof setTimeout>;

const storageKey = (sessionId: string) => `rh.chat.outbox.${sessionId}`;
const draftKey = (sessionId: string) => `rh.chat.draft.${sessionId}`;

/** Where the outbox and the draft are kept across reloads (this tab's session storage). */
export type OutboxStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function sessionStorageOrNull(): OutboxStorage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage blocked by the browser
  }
}

/** See the module description. */
export class ChatStore extends Emitter<{ change: ChatSnapshot }> {
  private readonly thread: ChatThread;
  private readonly ackTimers = new Map<string, Timer>();
  private readonly offs: (() => void)[] = [];
  private snapshot: ChatSnapshot;
  private enabled = true;
  private loaded = false;
  private unreadSeqs = new Set<number>();
  private peerTyping = false;
  private peerTypingTimer: Timer | undefined;
  private lastIncoming: ChatMessage | null = null;
  private lastTypingSent = 0;
  private typingSent = false;
  private retryTimer: Timer | undefined;
  /** Whether the reader sees the newest messages now (then incoming ones are read at once). */
  private watching = false;

  constructor(
    private readonly client: SignalingClient,
    readonly sessionId: string,
    readonly role: Role,
    private readonly storage: OutboxStorage | null = sessionStorageOrNull(),
  ) {
    super();
    this.thread = new ChatThread(role);
    this.restoreOutbox();
    this.snapshot = this.build();
    // Idempotent: the session is normally attached already; chat frames wait for `attached` if not.
    client.attach(sessionId);
    this.offs.push(
      client.on('attached', ({ sessionId }) => {
        if (sessionId === this.sessionId) this.resync();
      }),
      client.on('chat', (frame) => {
        if (frame.sessionId === this.sessionId) this.receive(frame);
      }),
      client.on('error', (frame) => this.refused(frame)),
    );
    // Attached already (the store came after the session): load the thread now.
    this.resync();
  }

  /** The current state (a new object after every change). */
  get current(): ChatSnapshot {
    return this.snapshot;
  }

  dispose(): void {
    for (const off of this.offs) off();
    for (const timer of this.ackTimers.values()) clearTimeout(timer);
    clearTimeout(this.peerTypingTimer);
    clearTimeout(this.retryTimer);
  }

  /** What was typed and not sent yet, as it was before a reload of this tab ('' for none). */
  get draft(): string {
    try {
      return this.storage?.getItem(draftKey(this.sessionId)) ?? '';
    } catch {
      return '';
    }
  }

  /** Keeps what is typed and not sent, so that a reload does not lose it ('' forgets it). */
  saveDraft(text: string): void {
    try {
      if (text) this.storage?.setItem(draftKey(this.sessionId), text);
      else this.storage?.removeItem(draftKey(this.sessionId));
    } catch {
      // Storage full or unavailable: the draft lives in the box only.
    }
  }

  /** Sends `text` exactly as typed (the caller checked it with `chatTextProblem`); the draft is gone. */
  send(text: string): void {
    const { clientId } = this.thread.queue(text);
    this.saveOutbox();
    this.saveDraft('');
    this.transmit(clientId);
    this.typing(false);
    this.changed();
  }

  /** Sends a failed message again (same client id: the server stores it at most once). */
  retry(clientId: string): void {
    if (!this.thread.mark(clientId, 'sending')) return;
    this.transmit(clientId);
    this.changed();
  }

  /** Drops a failed message from the outbox. */
  discard(clientId: string): void {
    if (!this.thread.discard(clientId)) return;
    this.saveOutbox();
    this.changed();
  }

  /** Tells the other side this side is typing (throttled) or stopped. */
  typing(active: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (active && this.typingSent && now - this.lastTypingSent < TYPING_REPEAT_MS) return;
    if (!active && !this.typingSent) return;
    this.typingSent = active;
    this.lastTypingSent = now;
    this.client.send({ type: 'chat.typing', sessionId: this.sessionId, typing: active });
  }

  /** Whether the reader sees the newest messages (panel open, scrolled down, page visible). */
  setWatching(watching: boolean): void {
    this.watching = watching;
    if (watching && this.unreadSeqs.size > 0) {
      this.unreadSeqs = new Set();
      this.changed();
    }
  }

  /** After (re)attaching: what was missed, and what never got its acknowledgement. */
  private resync(): void {
    this.resume();
    for (const message of this.thread.outgoing) if (message.state === 'sending') this.transmit(message.clientId);
  }

  private resume(): void {
    this.client.send({ type: 'chat.resume', sessionId: this.sessionId, afterSeq: this.thread.contiguous });
  }

  private transmit(clientId: string): void {
    const message = this.thread.outgoingOf(clientId);
    if (!message || !this.enabled) return;
    this.client.send({ type: 'chat.send', sessionId: this.sessionId, clientId, text: message.text });
    clearTimeout(this.ackTimers.get(clientId));
    this.ackTimers.set(
      clientId,
      setTimeout(() => {
        this.ackTimers.delete(clientId);
        // Only an open socket that stays silent means trouble; a closed one re-sends on attach.
        if (this.thread.outgoingOf(clientId)?.state !== 'sending' || this.client.status !== 'open') return;
        this.thread.mark(clientId, 'failed', new ApiError('network_error', 'timeout'));
        this.changed();
      }, ACK_TIMEOUT_MS),
    );
  }

  private receive(frame: ChatFrame): void {
    switch (frame.type) {
      case 'chat.message':
        if (this.hold(frame.message, this.loaded)) this.resume();
        break;
      case 'chat.history': {
        if (frame.enabled !== this.enabled) this.setEnabled(frame.enabled);
        // The thread as it was on arrival is history; what a later resume brings was missed news.
        const news = this.loaded;
        for (const message of frame.messages) this.hold(message, news);
        this.loaded = true;
        if (frame.more) this.resume();
        break;
      }
      case 'chat.typing':
        if (frame.from === this.role) return;
        clearTimeout(this.peerTypingTimer);
        this.peerTyping = frame.typing;
        if (frame.typing) {
          this.peerTypingTimer = setTimeout(() => {
            this.peerTyping = false;
            this.changed();
          }, TYPING_SHOWN_MS);
        }
        break;
    }
    this.changed();
  }

  /** Holds a stored message; true when messages before it are missing. */
  private hold(message: ChatMessage, news: boolean): boolean {
    const { added, gap, acknowledged } = this.thread.hold(message);
    if (acknowledged) {
      clearTimeout(this.ackTimers.get(acknowledged));
      this.ackTimers.delete(acknowledged);
      this.saveOutbox();
    }
    if (!added || message.from === this.role) return gap;
    // A message from the other side ends their "typing".
    this.peerTyping = false;
    clearTimeout(this.peerTypingTimer);
    if (!news) return gap;
    this.lastIncoming = message;
    if (!this.watching) this.unreadSeqs.add(message.seq);
    return gap;
  }

  /** An error frame about one of this store's sends (its `data.clientId`). */
  private refused(frame: ErrorFrame): void {
    if (frame.error === 'chat_disabled' && frame.sessionId === this.sessionId) this.setEnabled(false);
    const clientId = frame.data?.['clientId'];
    const message = typeof clientId === 'string' ? this.thread.outgoingOf(clientId) : undefined;
    if (!message) return;
    if (frame.error === 'rate_limited') {
      const seconds = Number(frame.data?.['retryAfterSeconds'] ?? 1);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.resync(), Math.max(1, seconds) * 1000);
      return;
    }
    clearTimeout(this.ackTimers.get(message.clientId));
    this.thread.mark(message.clientId, 'failed', new ApiError(frame.error, frame.message, { data: frame.data }));
    this.changed();
  }

  private setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.changed();
  }

  private restoreOutbox(): void {
    try {
      const saved = JSON.parse(this.storage?.getItem(storageKey(this.sessionId)) ?? '[]') as unknown;
      if (!Array.isArray(saved)) return;
      for (const item of saved as { clientId?: unknown; text?: unknown; createdAt?: unknown }[]) {
        if (typeof item.clientId !== 'string' || typeof item.text !== 'string') continue;
        const createdAt = typeof item.createdAt === 'number' ? item.createdAt : Date.now();
        this.thread.queue(item.text, item.clientId, createdAt);
      }
    } catch {
      // A damaged outbox is dropped, not fatal.
    }
  }

  private saveOutbox(): void {
    try {
      const items = this.thread.outgoing.map(({ clientId, text, createdAt }) => ({ clientId, text, createdAt }));
      if (items.length === 0) this.storage?.removeItem(storageKey(this.sessionId));
      else this.storage?.setItem(storageKey(this.sessionId), JSON.stringify(items));
    } catch {
      // Storage full or unavailable: the outbox lives in memory only.
    }
  }

  private build(): ChatSnapshot {
    return {
      enabled: this.enabled,
      loaded: this.loaded,
      messages: this.thread.messages,
      outgoing: this.thread.outgoing,
      unread: this.unreadSeqs.size,
      peerTyping: this.peerTyping,
      lastIncoming: this.lastIncoming,
    };
  }

  private changed(): void {
    this.snapshot = this.build();
    this.emit('change', this.snapshot);
  }
}
