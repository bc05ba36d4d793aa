/**
 * @module platform/linux/textKeysyms
 * From text to X keysyms, one per code point (an astral character such as 😀, two
 * UTF-16 units, is one keysym). Latin-1 characters are their own keysym; every other
 * character is the Unicode keysym `0x01000000 + code point` that Xlib and XKB clients
 * translate back to that character. Line feed and tab are the Return and Tab keys.
 * Pure, so the computation is tested without an X server.
 */
import { AgentError } from '../../errors.js';

/** Keysym offset of the Unicode keysyms (X11 `keysymdef.h`, "Unicode characters"). */
export const UNICODE_KEYSYM_BASE = 0x01000000;
const RETURN = 0xff0d;
const TAB = 0xff09;

/** The keysym that types `codePoint`, or undefined for control characters and lone surrogates. */
export function keysymForCodePoint(codePoint: number): number | undefined {
  if (codePoint === 0x0a || codePoint === 0x0d) return RETURN;
  if (codePoint === 0x09) return TAB;
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return undefined;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return undefined;
  if (codePoint > 0x10ffff) return undefined;
  if (codePoint <= 0xff) return codePoint;
  return UNICODE_KEYSYM_BASE + codePoint;
}

/**
 * The keysyms that type `text`, in order (CR LF is one Return). Throws
 * `AgentError('invalid_input_message')` for text with other control characters or lone
 * surrogates, so nothing of it is typed.
 */
export function keysymsForText(text: string): number[] {
  const keysyms: number[] = [];
  let previous = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (!(codePoint === 0x0a && previous === 0x0d)) {
      const keysym = keysymForCodePoint(codePoint);
      if (keysym === undefined) {
        throw new AgentError('invalid_input_message', 'The text has a character that cannot be typed', {
          codePoint: `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`,
        });
      }
      keysyms.push(keysym);
    }
    previous = codePoint;
  }
  return keysyms;
}
