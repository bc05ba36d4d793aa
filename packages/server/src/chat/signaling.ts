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
  constructor(private readonly chat: ChatService) {}

  async handle(conn: Connection, frame: ChatFrame): Promise<void> {
    switch (frame.type) {
      case 'chat.send': {
        let result;
        try {
          result = await this.chat.send(conn.principal, frame.sessionId, frame.clientId, frame.text);
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
