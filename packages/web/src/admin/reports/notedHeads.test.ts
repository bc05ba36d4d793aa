import { describe, expect, it } from 'vitest';
import { headText, parseNotedHeads } from './notedHeads';

const HASH = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('parseNotedHeads', () => {
  it('reads what the Copy button writes, and the usual ways of writing it', () => {
    expect(parseNotedHeads(`${headText({ seq: 1234, hash: HASH })}\n\n  #7: ${HASH.toUpperCase()}  \r\n12,${HASH}`)).toEqual({
      ok: true,
      heads: [
        { seq: 1234, hash: HASH },
        { seq: 7, hash: HASH },
        { seq: 12, hash: HASH },
      ],
    });
    expect(parseNotedHeads('  \n')).toEqual({ ok: true, heads: [] });
  });

  it.each([
    ['a hash one digit short', `5 ${HASH.slice(1)}`],
    ['a hash with a non-hex digit', `5 ${HASH.slice(1)}g`],
    ['no number', HASH],
    ['number 0', `0 ${HASH}`],
    ['a negative number', `-3 ${HASH}`],
    ['the hash first', `${HASH} 5`],
  ])('names the line of %s', (_, bad) => {
    expect(parseNotedHeads(`1 ${HASH}\n${bad}`)).toEqual({ ok: false, line: 2 });
  });

  it('takes at most 20', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1} ${HASH}`).join('\n');
    expect(parseNotedHeads(lines(20)).ok).toBe(true);
    expect(parseNotedHeads(lines(21))).toEqual({ ok: false, tooMany: 20 });
  });
});
