/**
 * @module chat/routes
 * The chat endpoint of the contract (`api/chat.ts`) to the service. Caller and parsing are
 * `http/endpoint.ts`'s; who may read a thread is the service's.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../http/endpoint.js';
import type { ChatService } from './service.js';

export async function chatRoutes(app: FastifyInstance, o: { chat: ChatService; publicOrigin: string }): Promise<void> {
  registerEndpoints(app, o, {
    getChatThread: async ({ principal, params, query }) => o.chat.thread(principal, params.id, query),
  });
}
