/**
 * @module session/agentChat
 * The chat of the agent's session, over the agent's signaling connection (ADR 0017): the
 * protocol's client core (`ChatThread`) fed with `chat.*` frames. Every `attached` (the
 * first, and each after a reconnect) resumes the thread from the last contiguous `seq` and
 * sends the outbox again (the server stores a client id once). A refused send is `failed`
 * until Retry; `rate_limited` waits and sends again by itself; no acknowledgement within
 * {@link ACK_TIMEOUT_MS} on an open connection is `failed` too. The other side's typing
 * fades after {@link TYPING_SHOWN_MS}.
 */
import { EventEmitter } from 'node:events';
import { ApiError, ChatThread } from '@remote-help/protocol';
import type { ChatMessage, OutgoingMessage, Role } from '@remote-help/protocol';
import type { ChatFrame, ServerErrorFrame, SignalingClient } from './signalingClient.js';

/** An own send unacknowledged for this long on an open connection is shown as failed. */
export const ACK_TIMEOUT_MS = 15_000;
/** The other side's "typing" fades after this long without news. */
export const TYPING_SHOWN_MS = 6_000;
/** "Typing" is said again at most this often while one keeps typing. */
export const TYPING_REPEAT_MS = 3_000;

/** The part of the signaling client the chat uses. */
export type ChatSignaling = Pick<SignalingClient, 'on' | 'off' | 'sendChat' | 'status' | 'attachedTo'>;

/** What the window shows of the chat. */
export interface AgentChatSnapshot {
  enabled: boolean;
  loaded: boolean;
  messages: readonly ChatMessage[];
  outgoing: readonly OutgoingMessage[];
  peerTyping: boolean;
}

/** See the module description. */
export class AgentChat extends EventEmitter<{ change: [] }> {
  readonly #thread: ChatThread;
  readonly #ackTimers = new Map<string, NodeJS.Timeout>();
  #enabled = true;
  #loaded = false;
  #peerTyping = false;
  #peerTypingTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #typingSent = false;
  #lastTypingSent = 0;
  readonly #onAttached = (sessionId: string): void => {
    if (sessionId === this.sessionId) this.#resync();
  };
  readonly #onChat = (frame: ChatFrame): void => {
    if (frame.sessionId === this.sessionId) this.#receive(frame);
  };
  readonly #onError = (frame: ServerErrorFrame): void => this.#refused(frame);

  constructor(
    private readonly signaling: ChatSignaling,
    readonly sessionId: string,
    readonly role: Role = 'sharer',
  ) {
    super();
    this.#thread = new ChatThread(role);
    signaling.on('attached', this.#onAttached);
    signaling.on('chat', this.#onChat);
    signaling.on('serverError', this.#onError);
    // Attached already (the chat came after the session): load the thread now. Otherwise on
    // `attached`: the server refuses chat frames for a session not attached on the connection.
    if (signaling.attachedTo(sessionId)) this.#resync();
  }

  snapshot(): AgentChatSnapshot {
    return {
      enabled: this.#enabled,
      loaded: this.#loaded,
      messages: this.#thread.messages,
      outgoing: this.#thread.outgoing,
      peerTyping: this.#peerTyping,
    };
  }

  dispose(): void {
    this.signaling.off('attached', this.#onAttached);
    this.signaling.off('chat', this.#onChat);
    this.signaling.off('serverError', this.#onError);
    for (const timer of this.#ackTimers.values()) clearTimeout(timer);
    clearTimeout(this.#peerTypingTimer);
    clearTimeout(this.#retryTimer);
  }

  /** Sends `text` exactly as typed (the caller checked it with `chatTextProblem`). */
  send(text: string): void {
    if (!this.#enabled) return;
    const { clientId } = this.#thread.queue(text);
    this.#transmit(clientId);
    this.typing(false);
    this.#changed();
  }

  /** Sends a failed message again, under the same client id. */
  retry(clientId: string): void {
    if (!this.#thread.mark(clientId, 'sending')) return;
    this.#transmit(clientId);
    this.#changed();
  }

  /** Drops a failed message. */
  discard(clientId: string): void {
    if (this.#thread.discard(clientId)) this.#changed();
  }

  /** Tells the other side this side is typing (throttled) or stopped. */
  typing(active: boolean): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (active && this.#typingSent && now - this.#lastTypingSent < TYPING_REPEAT_MS) return;
    if (!active && !this.#typingSent) return;
    this.#typingSent = active;
    this.#lastTypingSent = now;
    this.signaling.sendChat({ type: 'chat.typing', sessionId: this.sessionId, typing: active });
  }

  #resync(): void {
    this.#resume();
    for (const message of this.#thread.outgoing) if (message.state === 'sending') this.#transmit(message.clientId);
  }

  #resume(): void {
    this.signaling.sendChat({ type: 'chat.resume', sessionId: this.sessionId, afterSeq: this.#thread.contiguous });
  }

  #transmit(clientId: string): void {
    const message = this.#thread.outgoingOf(clientId);
    if (!message || !this.#enabled) return;
    // Not attached yet: it stays `sending` and goes with the resync on `attached`.
    if (!this.signaling.attachedTo(this.sessionId)) return;
    this.signaling.sendChat({ type: 'chat.send', sessionId: this.sessionId, clientId, text: message.text });
    clearTimeout(this.#ackTimers.get(clientId));
    const timer = setTimeout(() => {
      this.#ackTimers.delete(clientId);
      // Only an open connection that stays silent means trouble; a closed one re-sends on attach.
      if (this.#thread.outgoingOf(clientId)?.state !== 'sending' || this.signaling.status !== 'open') return;
      this.#thread.mark(clientId, 'failed', new ApiError('network_error', 'No acknowledgement'));
      this.#changed();
    }, ACK_TIMEOUT_MS);
    timer.unref();
    this.#ackTimers.set(clientId, timer);
  }

  #receive(frame: ChatFrame): void {
    switch (frame.type) {
      case 'chat.message':
        if (this.#hold(frame.message)) this.#resume();
        break;
      case 'chat.history':
        this.#loaded = true;
        this.#enabled = frame.enabled;
        for (const message of frame.messages) this.#hold(message);
        if (frame.more) this.#resume();
        break;
      case 'chat.typing':
        if (frame.from === this.role) return;
        clearTimeout(this.#peerTypingTimer);
        this.#peerTyping = frame.typing;
        if (frame.typing) {
          this.#peerTypingTimer = setTimeout(() => {
            this.#peerTyping = false;
            this.#changed();
          }, TYPING_SHOWN_MS);
          this.#peerTypingTimer.unref();
        }
        break;
    }
    this.#changed();
  }

  /** Holds a stored message; true when messages before it are missing. */
  #hold(message: ChatMessage): boolean {
    const { added, gap, acknowledged } = this.#thread.hold(message);
    if (acknowledged) {
      clearTimeout(this.#ackTimers.get(acknowledged));
      this.#ackTimers.delete(acknowledged);
    }
    if (added && message.from !== this.role) {
      this.#peerTyping = false;
      clearTimeout(this.#peerTypingTimer);
    }
    return gap;
  }

  #refused(frame: ServerErrorFrame): void {
    if (frame.error === 'chat_disabled') {
      this.#enabled = false;
      this.#changed();
    }
    const clientId = frame.data?.['clientId'];
    const message = typeof clientId === 'string' ? this.#thread.outgoingOf(clientId) : undefined;
    if (!message) return;
    if (frame.error === 'rate_limited') {
      const seconds = Number(frame.data?.['retryAfterSeconds'] ?? 1);
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => this.#resync(), Math.max(1, seconds) * 1000);
      this.#retryTimer.unref();
      return;
    }
    clearTimeout(this.#ackTimers.get(message.clientId));
    this.#thread.mark(message.clientId, 'failed', new ApiError(frame.error, frame.message, { data: frame.data }));
    this.#changed();
  }

  #changed(): void {
    this.emit('change');
  }
}
