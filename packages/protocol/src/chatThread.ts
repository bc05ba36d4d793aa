/**
 * @module chatThread
 * The client core of a session's chat, shared by the web apps and the agent: the thread
 * held by `seq` (a message that comes twice is held once; a gap — one missed while away,
 * or one that overtook another — is reported so the client asks for what follows the last
 * contiguous one), and the outbox of own messages not stored yet (by client id, in the order
 * they were typed; `sending` until the own message comes back, `failed` after a refusal).
 * No transport and no timers: the web's `ChatStore` and the agent's `AgentChat` drive it.
 */
import type { ApiError } from './api/ApiError.js';
import type { ChatMessage } from './chat.js';
import type { Role } from './sessions.js';

/** An own message not stored yet. */
export interface OutgoingMessage {
  clientId: string;
  text: string;
  /** When it was typed (ms since the epoch). */
  createdAt: number;
  state: 'sending' | 'failed';
  /** Why it failed (`failed` only). */
  error?: ApiError | undefined;
}

/** What {@link ChatThread.hold} found. */
export interface Held {
  /** False when the `seq` was held already. */
  added: boolean;
  /** True when messages before this one are missing. */
  gap: boolean;
  /** The own outgoing message this one acknowledges (its client id), if any. */
  acknowledged: string | null;
}

/** A client id: 24 hex digits from a CSPRNG (`crypto.getRandomValues`, in browsers and Node). */
export function newChatClientId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** See the module description. */
export class ChatThread {
  readonly #bySeq = new Map<number, ChatMessage>();
  readonly #outbox = new Map<string, OutgoingMessage>();
  #contiguous = 0;
  #sorted: ChatMessage[] | null = null;

  constructor(
    /** This side: its own messages acknowledge the outbox. */
    readonly role: Role,
  ) {}

  /** The highest `n` such that messages 1…n are all held. */
  get contiguous(): number {
    return this.#contiguous;
  }

  /** Stored messages in `seq` order. */
  get messages(): readonly ChatMessage[] {
    this.#sorted ??= [...this.#bySeq.values()].sort((a, b) => a.seq - b.seq);
    return this.#sorted;
  }

  /** Own messages not stored yet, in the order they were typed. */
  get outgoing(): readonly OutgoingMessage[] {
    return [...this.#outbox.values()];
  }

  /** Takes a stored message (pushed or from a resume). */
  hold(message: ChatMessage): Held {
    const gap = message.seq > this.#contiguous + 1;
    if (this.#bySeq.has(message.seq)) return { added: false, gap: false, acknowledged: null };
    this.#bySeq.set(message.seq, message);
    this.#sorted = null;
    while (this.#bySeq.has(this.#contiguous + 1)) this.#contiguous++;
    const acknowledged = message.from === this.role && this.#outbox.delete(message.clientId) ? message.clientId : null;
    return { added: true, gap, acknowledged };
  }

  /** Puts a message in the outbox (`sending`). */
  queue(text: string, clientId = newChatClientId(), createdAt = Date.now()): OutgoingMessage {
    const message: OutgoingMessage = { clientId, text, createdAt, state: 'sending' };
    this.#outbox.set(clientId, message);
    return message;
  }

  /** An outbox message by client id. */
  outgoingOf(clientId: string): OutgoingMessage | undefined {
    return this.#outbox.get(clientId);
  }

  /** Marks an outbox message `failed` (with why) or `sending` again; false when it is not there. */
  mark(clientId: string, state: 'sending' | 'failed', error?: ApiError): boolean {
    const message = this.#outbox.get(clientId);
    if (!message) return false;
    this.#outbox.set(clientId, { ...message, state, error: state === 'failed' ? error : undefined });
    return true;
  }

  /** Drops a failed message from the outbox; false when there is no such failed message. */
  discard(clientId: string): boolean {
    if (this.#outbox.get(clientId)?.state !== 'failed') return false;
    return this.#outbox.delete(clientId);
  }
}
