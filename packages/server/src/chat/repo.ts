/**
 * @module chat/repo
 * The only SQL about chat messages. Every query names the tenant. A message's `seq` is taken
 * in the same statement that stores it (the next number of its session), so two senders
 * cannot get the same one; the primary key (session, seq) would refuse it if they did. SQLite
 * runs one writer at a time; on PostgreSQL two concurrent sends can read the same MAX(seq), and the
 * one the primary key refuses takes the next number (ADR 0020).
 */
import type { ChatMessage, Role } from '@remote-help/protocol';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/dialect.js';
import type { ChatMessagesTable } from '../db/schema.js';

export type ChatRow = Selectable<ChatMessagesTable>;

/** A row as the protocol shows it. */
export const presentMessage = (row: ChatRow): ChatMessage => ({
  seq: row.seq,
  clientId: row.client_id,
  from: row.sender_role as Role,
  senderId: row.sender_id,
  text: row.text,
  sentAt: row.sent_at,
});

export interface NewMessage {
  tenantId: string;
  sessionId: string;
  senderId: string;
  senderRole: Role;
  clientId: string;
  text: string;
  sentAt: string;
}

/** How much one session's thread may hold (protocol's `CHAT_THREAD_MAX_*` unless a test sets less). */
export interface ThreadLimits {
  maxMessages: number;
  /** Unicode code points of all its messages, as the database's LENGTH counts them. */
  maxCharacters: number;
}

/** Retries of a message whose `seq` another writer took first (see `insert`). */
const MAX_SEQ_RETRIES = 64;

export class ChatRepo {
  constructor(private readonly db: Db) {}

  /** The message a sender already sent with `clientId` in the session, if any. */
  async byClientId(tenantId: string, sessionId: string, senderId: string, clientId: string) {
    return this.db
      .selectFrom('chat_messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('session_id', '=', sessionId)
      .where('sender_id', '=', senderId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
  }

  /**
   * Stores a message as the session's next `seq`, if the thread stays within `limits`. Returns
   * undefined when the sender's `clientId` is already stored (a repeated send that raced its first
   * copy) or when the thread is full: the caller tells them apart by looking the `clientId` up.
   */
  async insert(m: NewMessage, limits: ThreadLimits): Promise<ChatRow | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.insertOnce(m, limits);
      } catch (error) {
        // Each round of a race, one writer gets the next number: n writers at once need up to
        // n − 1 retries (8 was too few for the 20 of engines.integration.test on PostgreSQL).
        if (attempt < MAX_SEQ_RETRIES && isUniqueViolation(error, 'seq')) continue;
        throw error;
      }
    }
  }

  private async insertOnce(m: NewMessage, limits: ThreadLimits): Promise<ChatRow | undefined> {
    // The bounds are checked in the statement that takes the number: two senders cannot both pass
    // the last free place on PostgreSQL any more than they can take the same `seq`.
    const inserted = await sql<ChatRow>`
      INSERT INTO chat_messages (tenant_id, session_id, seq, sender_id, sender_role, client_id, text, sent_at)
      SELECT ${m.tenantId}, ${m.sessionId}, COALESCE(MAX(seq), 0) + 1, ${m.senderId}, ${m.senderRole},
             ${m.clientId}, ${m.text}, ${m.sentAt}
      FROM chat_messages WHERE session_id = ${m.sessionId}
      HAVING COUNT(*) < ${limits.maxMessages}
         AND COALESCE(SUM(LENGTH(text)), 0) + LENGTH(${m.text}) <= ${limits.maxCharacters}
      ON CONFLICT (session_id, sender_id, client_id) DO NOTHING
      RETURNING *`.execute(this.db);
    return inserted.rows[0];
  }

  /**
   * What one page after `afterSeq` may hold, for {@link fitPage}: of the next `limit + 1` messages,
   * in order, those that start before `maxBytes` code points of text (every code point is at least
   * one byte of the page's JSON, so a message past that cannot fit, and its text is not sent from
   * the database to this node); the first is always there. `following`: how many of the next `limit + 1` there
   * are, the ones left out included.
   */
  async pageAfter(
    tenantId: string,
    sessionId: string,
    afterSeq: number,
    limit: number,
    maxBytes: number,
  ): Promise<{ rows: ChatRow[]; following: number }> {
    // The window functions run over the next `limit + 1` rows only (the inner LIMIT), both engines.
    const found = await sql<ChatRow & { following: number }>`
      SELECT tenant_id, session_id, seq, sender_id, sender_role, client_id, text, sent_at, following
      FROM (
        SELECT next_rows.*,
               COALESCE(SUM(LENGTH(text)) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                 AS chars_before,
               COUNT(*) OVER () AS following
        FROM (
          SELECT * FROM chat_messages
          WHERE tenant_id = ${tenantId} AND session_id = ${sessionId} AND seq > ${afterSeq}
          ORDER BY seq LIMIT ${limit + 1}
        ) AS next_rows
      ) AS counted
      WHERE chars_before < ${maxBytes}
      ORDER BY seq`.execute(this.db);
    const rows = found.rows.map(({ following: _, ...row }) => row);
    return { rows, following: Number(found.rows[0]?.following ?? 0) };
  }

  /** Up to `limit` messages after `afterSeq`, in order. */
  async after(tenantId: string, sessionId: string, afterSeq: number, limit: number): Promise<ChatRow[]> {
    return this.db
      .selectFrom('chat_messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('session_id', '=', sessionId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }
}

/**
 * One page of a thread out of {@link ChatRepo.pageAfter}'s rows: in order, at most `limit`
 * messages and at most `maxBytes` bytes of their JSON (UTF-8, a comma each), but always the
 * first, so reading page after page gets through any thread. `more`: messages follow the page.
 */
export function fitPage(
  found: { rows: ChatRow[]; following: number },
  limit: number,
  maxBytes: number,
): { messages: ChatMessage[]; more: boolean } {
  const messages: ChatMessage[] = [];
  let bytes = 0;
  for (const row of found.rows) {
    if (messages.length >= limit) break;
    const message = presentMessage(row);
    const size = Buffer.byteLength(JSON.stringify(message)) + 1;
    if (messages.length > 0 && bytes + size > maxBytes) break;
    messages.push(message);
    bytes += size;
  }
  return { messages, more: messages.length < found.following };
}
