import { describe, expect, it } from 'vitest';
import { InputMessage, MAX_TEXT_LENGTH } from '@remote-help/protocol';
import { decideKey, textMessages, type TextKeyEventLike } from './textInput';

function press(code: string, key: string, more: Partial<TextKeyEventLike> = {}): TextKeyEventLike {
  return { code, key, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, ...more };
}
const KEY = { kind: 'key' };
const text = (t: string) => ({ kind: 'text', text: t });

describe('key or text', () => {
  it('sends what the US layout types at that code as a key, with or without Shift and Caps Lock', () => {
    expect(decideKey(press('KeyA', 'a'))).toEqual(KEY);
    expect(decideKey(press('KeyA', 'A', { shiftKey: true }))).toEqual(KEY);
    expect(decideKey(press('KeyA', 'A'))).toEqual(KEY); // Caps Lock
    expect(decideKey(press('Digit1', '1'))).toEqual(KEY);
    expect(decideKey(press('Digit1', '!', { shiftKey: true }))).toEqual(KEY);
    expect(decideKey(press('Quote', '"', { shiftKey: true }))).toEqual(KEY);
    expect(decideKey(press('Space', ' '))).toEqual(KEY);
    expect(decideKey(press('Numpad5', '5'))).toEqual(KEY);
  });

  it('sends characters the US layout would not type there as text', () => {
    expect(decideKey(press('Quote', 'ä'))).toEqual(text('ä')); // German
    expect(decideKey(press('Quote', 'Ä', { shiftKey: true }))).toEqual(text('Ä'));
    expect(decideKey(press('KeyE', 'é'))).toEqual(text('é')); // after a dead key (Windows)
    expect(decideKey(press('KeyF', 'а'))).toEqual(text('а')); // Cyrillic a
    expect(decideKey(press('KeyY', 'z'))).toEqual(text('z')); // QWERTZ: another letter at KeyY
    expect(decideKey(press('Digit1', '&'))).toEqual(text('&')); // AZERTY
    expect(decideKey(press('Digit1', '1', { shiftKey: true }))).toEqual(text('1')); // AZERTY with Shift
    expect(decideKey(press('IntlBackslash', '<'))).toEqual(text('<')); // no such key on a US layout
    expect(decideKey(press('KeyE', '€', { ctrlKey: true, altKey: true, altGraph: true }))).toEqual(text('€'));
    expect(decideKey(press('KeyQ', '@', { altGraph: true }))).toEqual(text('@'));
  });

  it('keeps shortcuts, navigation and editing keys as key events', () => {
    expect(decideKey(press('KeyC', 'c', { ctrlKey: true }))).toEqual(KEY);
    expect(decideKey(press('KeyF', 'а', { ctrlKey: true }))).toEqual(KEY); // Ctrl+C on a Cyrillic layout
    expect(decideKey(press('KeyV', 'v', { metaKey: true }))).toEqual(KEY);
    expect(decideKey(press('Tab', 'Tab', { altKey: true }))).toEqual(KEY);
    for (const [code, key] of [
      ['Enter', 'Enter'],
      ['Backspace', 'Backspace'],
      ['ArrowLeft', 'ArrowLeft'],
      ['F5', 'F5'],
      ['ShiftLeft', 'Shift'],
      ['Escape', 'Escape'],
      ['KeyA', 'Unidentified'],
    ] as const) {
      expect(decideKey(press(code, key)), code).toEqual(KEY);
    }
  });

  it('leaves keys an input method or a dead key is working on to the browser', () => {
    expect(decideKey(press('KeyN', 'Process'))).toEqual({ kind: 'compose' });
    expect(decideKey(press('KeyN', 'n', { isComposing: true }))).toEqual({ kind: 'compose' });
    expect(decideKey(press('Enter', 'Enter', { isComposing: true }))).toEqual({ kind: 'compose' });
    expect(decideKey(press('BracketLeft', 'Dead'))).toEqual({ kind: 'compose' });
    expect(decideKey(press('AltRight', 'AltGraph'))).toEqual({ kind: 'compose' });
  });
});

describe('text messages', () => {
  it('sends the text whole, astral characters included', () => {
    expect(textMessages('äé中文한국어😀')).toEqual([{ type: 'text', text: 'äé中文한국어😀' }]);
    expect(textMessages('')).toEqual([]);
  });

  it('drops characters the agent cannot type and turns CR LF into LF', () => {
    expect(textMessages('a\u0007b\r\nc\td\ud83d')).toEqual([{ type: 'text', text: 'ab\nc\td' }]);
    expect(textMessages('\u0000')).toEqual([]);
  });

  it('splits long text into valid messages without cutting a surrogate pair', () => {
    const long = `x${'😀'.repeat(300)}`;
    const messages = textMessages(long);
    expect(messages.map((m) => (m as { text: string }).text).join('')).toBe(long);
    for (const m of messages) {
      const parsed = InputMessage.parse(m);
      expect(parsed.type === 'text' && parsed.text.length <= MAX_TEXT_LENGTH).toBe(true);
      // Starts with a high surrogate's pair or plain text, never with half a pair.
      expect(parsed.type === 'text' && /^[\udc00-\udfff]|[\ud800-\udbff]$/.test(parsed.text)).toBe(false);
    }
    expect(messages.length).toBe(3);
  });
});
