import { describe, expect, it } from 'vitest';
import { isAgentError } from '../../errors.js';
import { chooseScratchKeycodes } from './scratchKeyTyper.js';
import { keysymForCodePoint, keysymsForText, UNICODE_KEYSYM_BASE } from './textKeysyms.js';

describe('keysyms for text', () => {
  it('uses Latin-1 keysyms for Latin-1 and Unicode keysyms for the rest, one per code point', () => {
    expect(keysymsForText('aZ ~äé')).toEqual([0x61, 0x5a, 0x20, 0x7e, 0xe4, 0xe9]);
    expect(keysymsForText('中文')).toEqual([0x01004e2d, 0x01006587]);
    expect(keysymsForText('한국어')).toEqual([0x0100d55c, 0x0100ad6d, 0x0100c5b4]);
    // An astral character is two UTF-16 units but one keysym.
    expect('😀'.length).toBe(2);
    expect(keysymsForText('😀')).toEqual([UNICODE_KEYSYM_BASE + 0x1f600]);
    expect(keysymsForText('€Ω')).toEqual([0x010020ac, 0x010003a9]);
  });

  it('types line breaks as Return (CR LF once) and tabs as Tab', () => {
    expect(keysymsForText('a\nb\r\nc\td')).toEqual([0x61, 0xff0d, 0x62, 0xff0d, 0x63, 0xff09, 0x64]);
  });

  it('refuses control characters and lone surrogates with a typed error', () => {
    for (const bad of ['\u0000', 'a\u0007', '\u007f', '\u0085', '\ud83d', 'x\ude00y']) {
      let error: unknown;
      try {
        keysymsForText(bad);
      } catch (e) {
        error = e;
      }
      expect(isAgentError(error, 'invalid_input_message'), JSON.stringify(bad)).toBe(true);
    }
    expect(keysymForCodePoint(0x110000)).toBeUndefined();
    expect(keysymForCodePoint(0xa0)).toBe(0xa0);
  });
});

describe('scratch keycodes', () => {
  it('takes keycodes without any keysym, highest first', () => {
    const rows = [
      [0x61, 0x41],
      [0, 0],
      [0x62, 0],
      [0, 0],
      [0, 0],
    ];
    expect(chooseScratchKeycodes(rows, 8, 2)).toEqual([12, 11]);
    expect(chooseScratchKeycodes(rows, 8, 10)).toEqual([12, 11, 9]);
  });

  it('borrows the highest keycodes when none is free', () => {
    const rows = Array.from({ length: 10 }, (_, i) => [0x61 + i]);
    expect(chooseScratchKeycodes(rows, 8, 48)).toEqual([17, 16, 15, 14]);
  });
});
