import { describe, expect, it } from 'vitest';
import { ApiError } from './api/ApiError.js';
import type { ChatMessage } from './chat.js';
import { CHAT_MAX_GRAPHEMES, chatTextProblem, graphemeCount } from './chat.js';
import { messageParts } from './chatDisplay.js';
import { ChatThread, newChatClientId } from './chatThread.js';

const message = (seq: number, from: 'helper' | 'sharer', clientId: string): ChatMessage => ({
  seq,
  clientId,
  from,
  senderId: from,
  text: `m${seq}`,
  sentAt: '2026-12-01T12:00:00.000Z',
});

describe('ChatThread', () => {
  it('holds each seq once, in order, and says when one arrives past a gap', () => {
    const thread = new ChatThread('sharer');
    expect(thread.hold(message(2, 'helper', 'b'))).toEqual({ added: true, gap: true, acknowledged: null });
    expect(thread.contiguous).toBe(0);
    expect(thread.hold(message(1, 'helper', 'a'))).toEqual({ added: true, gap: false, acknowledged: null });
    expect(thread.contiguous).toBe(2);
    expect(thread.hold(message(2, 'helper', 'b')).added).toBe(false);
    expect(thread.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('an own message acknowledges its outbox entry; the other side’s same client id does not', () => {
    const thread = new ChatThread('sharer');
    const queued = thread.queue('hello', 'same-id-0001', 5);
    expect(thread.outgoing).toEqual([{ clientId: 'same-id-0001', text: 'hello', createdAt: 5, state: 'sending' }]);
    expect(thread.hold(message(1, 'helper', queued.clientId)).acknowledged).toBeNull();
    expect(thread.hold(message(2, 'sharer', queued.clientId)).acknowledged).toBe('same-id-0001');
    expect(thread.outgoing).toEqual([]);
  });

  it('marks failed and sending again; only a failed message can be discarded', () => {
    const thread = new ChatThread('helper');
    const { clientId } = thread.queue('x');
    expect(thread.discard(clientId)).toBe(false);
    expect(thread.mark(clientId, 'failed', new ApiError('rate_limited', 'slow'))).toBe(true);
    expect(thread.outgoingOf(clientId)).toMatchObject({ state: 'failed', error: { code: 'rate_limited' } });
    thread.mark(clientId, 'sending');
    expect(thread.outgoingOf(clientId)?.error).toBeUndefined();
    thread.mark(clientId, 'failed');
    expect(thread.discard(clientId)).toBe(true);
    expect(thread.mark('nobody-0001', 'failed')).toBe(false);
  });

  it('makes client ids the server accepts, different each time', () => {
    const ids = new Set(Array.from({ length: 100 }, newChatClientId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe('chatTextProblem', () => {
  it('counts grapheme clusters: a family emoji is one character', () => {
    expect(graphemeCount('👨‍👩‍👧‍👦👍🏽e\u0301')).toBe(3);
    expect(chatTextProblem('👨‍👩‍👧‍👦'.repeat(CHAT_MAX_GRAPHEMES / 2))).toBe('too_long'); // 11 units each
    expect(chatTextProblem('👍🏽'.repeat(CHAT_MAX_GRAPHEMES))).toBeNull();
    expect(chatTextProblem('a'.repeat(CHAT_MAX_GRAPHEMES + 1))).toBe('too_long');
  });

  it('refuses blank, control characters and broken surrogates; keeps tabs, line breaks and bidi marks', () => {
    for (const blank of ['', ' \n\t', '\u200B\u2060\uFEFF', '\u3000']) expect(chatTextProblem(blank)).toBe('empty');
    for (const bad of ['a\u0000', 'a\u001B', 'a\u0085', 'a\uD800', '\uDC00a'])
      expect(chatTextProblem(bad)).toBe('malformed');
    for (const fine of ['a\tb\r\nc', '\u202Eevil', 'שלום', '中文']) expect(chatTextProblem(fine)).toBeNull();
  });
});

describe('messageParts', () => {
  it('joined, the pieces are the message; addresses show invisible characters', () => {
    const text = 'go to www.example.com/\u200Bx or https://a.example/\u202Eb!';
    const parts = messageParts(text);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.filter((p) => p.kind === 'address').map((p) => (p.kind === 'address' ? p.shown : ''))).toEqual([
      'www.example.com/[U+200B]x',
      'https://a.example/[U+202E]b!',
    ]);
  });
});
