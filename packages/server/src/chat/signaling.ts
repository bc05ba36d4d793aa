/**
 * @module chat/signaling
 * The chat frames of the signaling WebSocket (`chat.send`, `chat.resume`, `chat.typing`) for
 * a connection attached to the session (`sessions/signaling` checks that and hands them
 * here). A stored message reaches both sides through the session's feed (`chatTopic`); a
 * repeated send is acknowledged to its connection alone. A refused send's error frame carries
 * the message's `clientId` in `data`, so the sender can mark exactly that message failed.
 */
import type { ClientMessage } from '@remote-help/protocol';
import { AppError } from '../errors.js';
import type { Connection } from '../ws/connection.js';
import type { ChatService } from './service.js';

type ChatFrame = Extract<ClientMessage, { type: 'chat.send' | 'chat.resume' | 'chat.typing' }>;

export class ChatFrames {
  /** Per session and sender, the send being stored (see {@link ChatFrames.handle}). */
  readonly #sending = new Map<string, Promise<unknown>>();

  constructor(private readonly chat: ChatService) {}

  /**
   * One sender's sends are stored one after another, in the order this node received them,
   * whichever of the sender's sockets they came on. A connection that drops with a send on the
   * wire, and whose client resends it and the next ones on a new socket, used to have the next
   * ones stored while the old socket's send was still being stored: the thread then showed that
   * side's messages out of the order they were typed (seen once in the 20-drop chat test).
   */
  #inOrder<T>(key: string, store: () => Promise<T>): Promise<T> {
    const before = this.#sending.get(key);
    const mine = before ? before.catch(() => undefined).then(store) : store();
    this.#sending.set(key, mine);
    const forget = () => {
      if (this.#sending.get(key) === mine) this.#sending.delete(key);
    };
    mine.then(forget, forget);
    return mine;
  }

  async handle(conn: Connection, frame: ChatFrame): Promise<void> {
    switch (frame.type) {
      case 'chat.send': {
        let result;
        try {
          result = await this.#inOrder(`${frame.sessionId}:${conn.principal.userId}`, () =>
            this.chat.send(conn.principal, frame.sessionId, frame.clientId, frame.text),
          );
        } catch (error) {
          if (error instanceof AppError) {
            throw new AppError(error.code, error.message, { ...error.data, clientId: frame.clientId });
          }
          throw error;
        }
        if (result.repeated) conn.send({ type: 'chat.message', sessionId: frame.sessionId, message: result.message });
        return;
      }
      case 'chat.resume': {
        const page = await this.chat.resume(conn.principal, frame.sessionId, frame.afterSeq);
        conn.send({ type: 'chat.history', sessionId: frame.sessionId, afterSeq: frame.afterSeq, ...page });
        return;
      }
      case 'chat.typing':
        return this.chat.typing(conn.principal, frame.sessionId, frame.typing);
    }
  }
}
