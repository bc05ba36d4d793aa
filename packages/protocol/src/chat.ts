/**
 * @module chat
 * The chat of a Remote Help session: one thread between its helper and its sharer, from
 * the trust screen until the session ends, stored on the server (ADR 0017) and ordered by
 * a per-session sequence number. Frames travel on the signaling WebSocket
 * (`signaling.ts`); the finished thread is read over HTTP (`api/chat.ts`).
 *
 * Text is plain text and is stored exactly as typed: no trimming, no Unicode
 * normalisation (NFC would rewrite what some input methods produce; readers compare and
 * show the bytes that were sent). The rules every side applies the same way are in
 * {@link chatTextProblem}: not blank, at most {@link CHAT_MAX_GRAPHEMES} user-perceived
 * characters (grapheme clusters, `Intl.Segmenter`) and {@link CHAT_MAX_UNITS} UTF-16
 * units (one cluster can hold any number of combining marks), well-formed UTF-16, and no
 * control characters other than tab and line breaks.
 */
import { z } from 'zod';
import { Id } from './people.js';
import { Role } from './sessions.js';

/** Most user-perceived characters (grapheme clusters) in one message. */
export const CHAT_MAX_GRAPHEMES = 4000;
/** Most UTF-16 code units in one message (bounds clusters stacked with combining marks). */
export const CHAT_MAX_UNITS = 16_000;
/**
 * Most messages one session's thread keeps, and most characters (Unicode code points, as the
 * database counts them) in all of them: past either, a send is refused with `chat_full`. A
 * real help session stays far below (a few hundred messages); without a bound, one participant
 * sending at the allowed rate for days would fill the shared database.
 */
export const CHAT_THREAD_MAX_MESSAGES = 5000;
export const CHAT_THREAD_MAX_CHARACTERS = 2_000_000;
/** Most messages one `chat.history` frame or one HTTP page carries. */
export const CHAT_PAGE_MAX = 200;
/**
 * Most bytes of its messages' JSON (UTF-8) one `chat.history` frame or one HTTP page carries: a
 * page ends before the message that would pass it, with `more` set, so readers ask again from its
 * last `seq`. 200 messages of 16,000 UTF-16 units each are several megabytes; a frame that large
 * is closed by the server as a slow consumer (1 MiB waiting per socket) and refused by the agent
 * (1 MiB frames), and the reader asking again would get it again. One message is at most about
 * 48 KB of JSON (16,000 units of 3 bytes each), so a page always holds at least one; a page in
 * flight for each of a connection's 8 sessions is about half of that 1 MiB.
 */
export const CHAT_PAGE_MAX_BYTES = 64 * 1024;
/**
 * Largest sequence number of a thread: the server stores `seq` as a 32-bit integer (PostgreSQL
 * `integer`), so a larger one, even only to read after, is refused as invalid input.
 */
export const CHAT_SEQ_MAX = 2 ** 31 - 1;

/** Where to read a thread from: the messages after this sequence number (0: from the start). */
export const ChatAfterSeq = z.number().int().min(0).max(CHAT_SEQ_MAX);

/** A client's own id for a message it sends: the same id sent again is the same message. */
export const ChatClientId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an identifier');

/** One stored message as both sides (and an administrator) see it. */
export const ChatMessage = z.object({
  /** Position in the session's thread: 1, 2, 3, … without gaps. */
  seq: z.number().int().min(1).max(CHAT_SEQ_MAX),
  /** The sender's own id for it (see {@link ChatClientId}). */
  clientId: z.string(),
  /** Which side sent it. */
  from: Role,
  /** The sender's user id. */
  senderId: Id,
  /** The text exactly as it was sent. */
  text: z.string(),
  /** When the server stored it (ISO 8601, UTC). */
  sentAt: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Why a text cannot be sent, or null when it can. */
export type ChatTextProblem = 'empty' | 'too_long' | 'malformed';

/** Whitespace and invisible format characters: a message of nothing else is blank. */
const BLANK = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;
/** Unpaired UTF-16 surrogates (cannot be stored or shown as sent). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0 controls other than tab, line feed and carriage return; DEL; C1 controls. */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;

let segmenter: Intl.Segmenter | undefined;

/** User-perceived characters in `text` (grapheme clusters), counting no further than `stopAt`. */
export function graphemeCount(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let n = 0;
  for (const _ of segmenter.segment(text)) if (++n > stopAt) break;
  return n;
}

/** The rule a message breaks, or null: the same check on every side (see the module comment). */
export function chatTextProblem(text: string): ChatTextProblem | null {
  if (text.length > CHAT_MAX_UNITS) return 'too_long';
  if (LONE_SURROGATE.test(text) || CONTROL.test(text)) return 'malformed';
  if (BLANK.test(text)) return 'empty';
  if (graphemeCount(text, CHAT_MAX_GRAPHEMES) > CHAT_MAX_GRAPHEMES) return 'too_long';
  return null;
}

/** The text of a `chat.send` frame (the rules above are checked by the server, with typed errors). */
export const ChatText = z.string().max(CHAT_MAX_UNITS * 2);

/** The thread of a session over HTTP (`GET /api/v1/sessions/:id/chat`). */
export const ChatThreadQuery = z.object({
  /** Messages after this sequence number (default 0: from the start). */
  afterSeq: z.coerce.number().int().min(0).max(CHAT_SEQ_MAX).default(0),
  limit: z.coerce.number().int().min(1).max(CHAT_PAGE_MAX).default(CHAT_PAGE_MAX),
});
export type ChatThreadQuery = z.infer<typeof ChatThreadQuery>;

export const ChatThreadResponse = z.object({
  sessionId: Id,
  messages: z.array(ChatMessage),
  /**
   * True when more messages follow the last one given (ask again with its `seq`): a page holds at
   * most `limit` messages and {@link CHAT_PAGE_MAX_BYTES} of them, so it can be shorter than `limit`.
   */
  more: z.boolean(),
});
export type ChatThreadResponse = z.infer<typeof ChatThreadResponse>;
