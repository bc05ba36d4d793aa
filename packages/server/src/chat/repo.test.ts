/**
 * `fitPage`: a page of the thread holds at most `limit` messages and at most the page budget of
 * their JSON, always at least one, in order, and says when more follow. The budget keeps a
 * `chat.history` frame far below the socket's slow-consumer bound, for every message the rules allow.
 */
import { CHAT_MAX_UNITS, CHAT_PAGE_MAX, CHAT_PAGE_MAX_BYTES, chatTextProblem } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { MAX_BUFFERED_BYTES } from '../ws/connection.js';
import type { ChatRow } from './repo.js';
import { fitPage, presentMessage } from './repo.js';

const row = (seq: number, text: string): ChatRow => ({
  tenant_id: 'tenant-1',
  session_id: 'session-1',
  seq,
  sender_id: 'user-1',
  sender_role: 'helper',
  client_id: `client-${'x'.repeat(57)}${String(seq).padStart(4, '0')}`,
  text,
  sent_at: '2025-01-01T00:00:00.000Z',
});
const bytesOf = (r: ChatRow) => Buffer.byteLength(JSON.stringify(presentMessage(r))) + 1;
const seqs = (page: { messages: { seq: number }[] }) => page.messages.map((m) => m.seq);

describe('fitPage', () => {
  const rows = [1, 2, 3, 4, 5].map((seq) => row(seq, 'é'.repeat(100)));
  const each = bytesOf(rows[0]!);

  it('stops before the message that would pass the budget, and says more follow', () => {
    expect(fitPage({ rows, following: 5 }, 10, 3 * each)).toEqual({
      messages: rows.slice(0, 3).map(presentMessage),
      more: true,
    });
    expect(seqs(fitPage({ rows, following: 5 }, 10, 3 * each - 1))).toEqual([1, 2]);
  });

  it('always holds the first message, however large', () => {
    expect(fitPage({ rows, following: 5 }, 10, 1)).toMatchObject({ messages: [{ seq: 1 }], more: true });
    expect(fitPage({ rows: rows.slice(4), following: 1 }, 10, 1)).toMatchObject({
      messages: [{ seq: 5 }],
      more: false,
    });
  });

  it('counts: at most `limit`, more when rows beyond it were found or left out by the database', () => {
    expect(fitPage({ rows, following: 5 }, 5, 1e9)).toMatchObject({ more: false });
    expect(fitPage({ rows, following: 6 }, 5, 1e9)).toMatchObject({ more: true });
    expect(seqs(fitPage({ rows, following: 5 }, 2, 1e9))).toEqual([1, 2]);
    expect(fitPage({ rows, following: 5 }, 2, 1e9).more).toBe(true);
    // The database left rows out (past the budget in characters): they still follow.
    expect(fitPage({ rows: rows.slice(0, 2), following: 5 }, 10, 1e9)).toMatchObject({ more: true });
    expect(fitPage({ rows: [], following: 0 }, 10, 1e9)).toEqual({ messages: [], more: false });
  });

  it('a largest message fits a page, and a page for each of 8 sessions is about half the slow-consumer bound', () => {
    // 16,000 UTF-16 units of 3 bytes each (a character and 3 combining marks, 4,000 times) and `"`.
    const largest = [`中${'\u20D0'.repeat(3)}`.repeat(3999), `"${'\u20D0'.repeat(3)}`].join('');
    expect(largest.length).toBe(CHAT_MAX_UNITS);
    expect(chatTextProblem(largest)).toBeNull();
    expect(bytesOf(row(2 ** 31 - 1, largest))).toBeLessThan(CHAT_PAGE_MAX_BYTES);
    expect(8 * (CHAT_PAGE_MAX_BYTES + 512)).toBeLessThan(0.55 * MAX_BUFFERED_BYTES);
    // 201 such messages found: a page of one, more to follow.
    const page = fitPage(
      { rows: Array.from({ length: CHAT_PAGE_MAX + 1 }, (_, i) => row(i + 1, largest)), following: CHAT_PAGE_MAX + 1 },
      CHAT_PAGE_MAX,
      CHAT_PAGE_MAX_BYTES,
    );
    expect(page.messages.length).toBe(1);
    expect(page.more).toBe(true);
  });
});
