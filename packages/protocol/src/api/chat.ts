/**
 * @module api/chat
 * The chat thread of a session over HTTP, for reading it after the session (or beside a live
 * one): its two participants, and the organization's people with `reports.read` (an
 * administrator reading someone else's thread is audited as `chat.thread_read`). Messages are
 * sent on the signaling WebSocket (`signaling.ts`, `chat.*` frames), not here.
 */
import { ChatThreadQuery, ChatThreadResponse } from '../chat.js';
import { IdParams, endpoint } from './contract.js';

export const getChatThread = endpoint({
  name: 'getChatThread',
  method: 'GET',
  path: '/api/v1/sessions/:id/chat',
  summary: 'The chat thread of a session, oldest first, paged by sequence number',
  description:
    'For the session’s helper and sharer, and for people of the same organization whose role grants `reports.read` (audited as `chat.thread_read`); anyone else gets `not_participant`, another organization `session_not_found`. Kept as long as the session’s history (report retention). The chat is not end-to-end encrypted: the server stores it (ADR 0017).',
  tag: 'Sessions',
  params: IdParams,
  query: ChatThreadQuery,
  status: 200,
  response: ChatThreadResponse,
  caller: 'user',
  command: false,
});
