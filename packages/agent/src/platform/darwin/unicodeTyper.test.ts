import { describe, expect, it } from 'vitest';
import { MAX_UNITS_PER_EVENT, utf16Chunks } from './unicodeTyper.js';

const decode = (chunks: Uint16Array[]) => chunks.map((c) => String.fromCharCode(...c)).join('');

describe('UTF-16 chunks for CGEventKeyboardSetUnicodeString', () => {
  it('keeps short text in one event, astral characters as their two units', () => {
    const chunks = utf16Chunks('äé中文한국어😀');
    expect(chunks).toHaveLength(1);
    expect([...chunks[0]!].slice(-2)).toEqual([0xd83d, 0xde00]);
    expect(decode(chunks)).toBe('äé中文한국어😀');
  });

  it('splits long text at most 20 units an event without cutting a surrogate pair', () => {
    const text = `a${'😀'.repeat(25)}`;
    const chunks = utf16Chunks(text);
    expect(decode(chunks)).toBe(text);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(MAX_UNITS_PER_EVENT);
      const last = chunk[chunk.length - 1]!;
      expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
    }
    expect(chunks.map((c) => c.length)).toEqual([19, 20, 12]);
    expect(utf16Chunks('')).toEqual([]);
  });
});
