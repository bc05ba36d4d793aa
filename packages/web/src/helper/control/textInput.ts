/**
 * @module textInput
 * Decides, for each key the helper presses in full control, whether it goes to the
 * sharer as a key event (by physical `code`, which the agent presses as on a US layout)
 * or as text. A printable character the US layout would not type at that `code` with
 * that Shift (an `ä`, an `é` after a dead key, any key of a Cyrillic or Greek layout)
 * goes as text; shortcuts (Ctrl, Alt, Meta), navigation and editing keys stay key
 * events; keys an input method or a dead key is working on go nowhere (the result
 * comes as a composition or `insertText` and is sent as text then). Pure, for tests.
 */
import { MAX_TEXT_LENGTH, type InputMessageInput } from '@remote-help/protocol';
import type { KeyEventLike } from './inputEvents';

/** The fields of a `KeyboardEvent` the decision reads beyond {@link KeyEventLike}. */
export interface TextKeyEventLike extends KeyEventLike {
  /** `KeyboardEvent.isComposing`: an input method is composing. */
  isComposing?: boolean;
  /** `getModifierState('AltGraph')`: on Windows AltGr also sets Ctrl and Alt. */
  altGraph?: boolean;
}

/** What to do with one `keydown`. */
export type KeyDecision =
  | { kind: 'key' }
  | { kind: 'text'; text: string }
  /** Leave it to the browser's input method or dead key; send nothing. */
  | { kind: 'compose' };

/** What each `code` types on a US layout, without and with Shift. */
const US_LAYOUT: Record<string, readonly [string, string]> = {
  Backquote: ['`', '~'],
  Minus: ['-', '_'],
  Equal: ['=', '+'],
  BracketLeft: ['[', '{'],
  BracketRight: [']', '}'],
  Backslash: ['\\', '|'],
  Semicolon: [';', ':'],
  Quote: ["'", '"'],
  Comma: [',', '<'],
  Period: ['.', '>'],
  Slash: ['/', '?'],
  Space: [' ', ' '],
  NumpadDecimal: ['.', '.'],
  NumpadAdd: ['+', '+'],
  NumpadSubtract: ['-', '-'],
  NumpadMultiply: ['*', '*'],
  NumpadDivide: ['/', '/'],
};
for (let i = 0; i < 26; i++) {
  const letter = String.fromCharCode(97 + i);
  US_LAYOUT[`Key${letter.toUpperCase()}`] = [letter, letter.toUpperCase()];
}
')!@#$%^&*('.split('').forEach((shifted, digit) => {
  US_LAYOUT[`Digit${digit}`] = [String(digit), shifted];
  US_LAYOUT[`Numpad${digit}`] = [String(digit), String(digit)];
});

/** Named keys (`Enter`, `ArrowLeft`, `F5`, `Unidentified`…): a capital and letters or digits. */
const NAMED_KEY = /^[A-Z][A-Za-z0-9]+$/;
/** Characters the agent cannot type: C0/C1 controls (but tab and line feed) and lone surrogates. */
const UNTYPABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** See the module description. */
export function decideKey(event: TextKeyEventLike): KeyDecision {
  const { key } = event;
  // AltGr only picks characters, and those come as text: held on the sharer's side it would be Alt.
  if (event.isComposing || key === 'Process' || key === 'Dead' || key === 'AltGraph') return { kind: 'compose' };
  if (NAMED_KEY.test(key) || Array.from(key).length !== 1 || key.charCodeAt(0) < 0x20) return { kind: 'key' };
  const altGraph = event.altGraph === true;
  if (event.metaKey || (!altGraph && (event.ctrlKey || event.altKey))) return { kind: 'key' };
  const us = US_LAYOUT[event.code];
  if (us) {
    const expected = us[event.shiftKey ? 1 : 0];
    // Letters in either case: Caps Lock is a key of its own and reaches the sharer too.
    if (key === expected || (/^[a-z]$/.test(us[0]) && key.toLowerCase() === us[0])) return { kind: 'key' };
  }
  return { kind: 'text', text: key };
}

/**
 * `text` as `text` messages: without characters the agent cannot type, in pieces of at
 * most `MAX_TEXT_LENGTH` UTF-16 units that never split a surrogate pair. Empty: none.
 */
export function textMessages(text: string): InputMessageInput[] {
  const clean = text.replace(/\r\n?/g, '\n').replace(UNTYPABLE, '');
  const messages: InputMessageInput[] = [];
  let piece = '';
  for (const char of clean) {
    if (piece.length + char.length > MAX_TEXT_LENGTH) {
      messages.push({ type: 'text', text: piece });
      piece = '';
    }
    piece += char;
  }
  if (piece) messages.push({ type: 'text', text: piece });
  return messages;
}
