/**
 * The display-text normaliser: examples from the adversarial probe (finding 11), and
 * properties over arbitrary Unicode (fast-check): nothing forbidden survives, the bound
 * holds, the result is well-formed, NFC and a fixed point.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISPLAY_TEXT_MAX, displayText, displayTextOrNull } from './displayText.js';

const FORBIDDEN = /[\p{Cc}\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

describe('displayText', () => {
  it('removes bidi overrides, isolates and marks, so a name cannot reorder the screen', () => {
    expect(displayText('IT-\u202Egnp.exe')).toBe('IT-gnp.exe');
    expect(displayText('\u2067admin\u2069 \u200Flaptop\u200E\u061C')).toBe('admin laptop');
    expect(displayText('a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2068g')).toBe('abcdefg');
  });

  it('turns breaks and tabs into one space and drops other controls', () => {
    expect(displayText('lena\r\n\tmbp')).toBe('lena mbp');
    expect(displayText('\u0007be\u0000ll\u001B[31m\u009B')).toBe('bell[31m');
    expect(displayText('  many    spaces\u2028here\u0085 ')).toBe('many spaces here');
    expect(displayText('zero\u200Bwidth\uFEFF')).toBe('zerowidth');
  });

  it('composes to NFC, also after a control between a letter and its accent is removed', () => {
    expect(displayText('Rene\u0301')).toBe('René');
    expect(displayText('Rene\u0000\u0301')).toBe('René');
  });

  it('bounds the length in code points without splitting a pair or a cluster', () => {
    expect(Array.from(displayText('x'.repeat(10_000))).length).toBe(DISPLAY_TEXT_MAX);
    expect(displayText('abcdef', { max: 4 })).toBe('abc…');
    const emoji = '😀'.repeat(10);
    const cut = displayText(emoji, { max: 5 });
    expect(cut).toBe('😀😀😀😀…');
    const family = '👩‍👩‍👧'; // 5 code points, one cluster
    expect(displayText(`ab${family}${family}`, { max: 8 })).toBe(`ab${family}…`);
  });

  it('keeps a few combining marks per letter and cuts a flood', () => {
    expect(displayText(`a${'\u0301'.repeat(40)}b`)).toBe(`\u00E1${'\u0301'.repeat(4)}b`);
  });

  it('replaces unpaired surrogates and falls back when nothing printable is left', () => {
    expect(displayText('a\uD800b')).toBe('a\uFFFDb');
    expect(displayText('\u202E\u0000 \t')).toBe('—');
    expect(displayText('', { fallback: 'device-1' })).toBe('device-1');
    expect(displayText(null, { fallback: '?' })).toBe('?');
    expect(displayTextOrNull(' \u202E ')).toBeNull();
    expect(displayTextOrNull(null)).toBeNull();
    expect(displayTextOrNull(' Ops ')).toBe('Ops');
  });

  it('for any input: no forbidden character, bounded, well-formed, NFC, idempotent', () => {
    const hostile = fc.constantFrom(
      '\u202E',
      '\u2066',
      '\u2069',
      '\u200F',
      '\u0000',
      '\u001B',
      '\u0085',
      '\u009B',
      '\n',
      ' ',
      '\u0301',
      '\uD800',
      '\uDC00',
      '😀',
      '\u200D',
      'e',
      'é',
    );
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme-composite', maxLength: 120 }),
      fc.array(hostile, { maxLength: 200 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(input, fc.integer({ min: 2, max: 80 }), (value, max) => {
        const out = displayText(value, { max, fallback: '' });
        expect(out).not.toMatch(FORBIDDEN);
        expect(Array.from(out).length).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(/\p{Cs}/u);
        expect(out.normalize('NFC')).toBe(out);
        expect(out).toBe(out.trim());
        expect(displayText(out, { max, fallback: '' })).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });
});
