/**
 * @module chatDisplay
 * How a chat message's text is shown, the same in the web apps and the agent window: as
 * text (never HTML), with web addresses picked out so their target is plain to see. An
 * address is never a link one could click: it is shown as text, left to right in its own
 * bidi isolate, with any invisible format character inside it (a U+202E right-to-left
 * override, a zero-width space) written out as its code point, so an override cannot make
 * `https://evil.example/‮fdp.exe` read as something else. The rest of the text is shown
 * exactly as it was sent.
 */

/** One piece of a message. */
export type MessagePart = { kind: 'text'; text: string } | { kind: 'address'; text: string; shown: string };

/** Web addresses: a scheme or `www.`, up to the next space or character that cannot end one. */
const ADDRESS = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/giu;
/** Invisible format characters (bidi controls, zero-width characters, soft hyphen, …). */
const FORMAT = /\p{Cf}/gu;

/** `U+202E` for one character. */
const codePointOf = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The address as shown: each invisible format character written out as `[U+XXXX]`. */
export const shownAddress = (address: string): string => address.replace(FORMAT, (c) => `[${codePointOf(c)}]`);

/** Splits a message into text and addresses, in order; joined, the pieces' `text` is the message. */
export function messageParts(text: string): MessagePart[] {
  const parts: MessagePart[] = [];
  let at = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const index = match.index;
    if (index > at) parts.push({ kind: 'text', text: text.slice(at, index) });
    parts.push({ kind: 'address', text: match[0], shown: shownAddress(match[0]) });
    at = index + match[0].length;
  }
  if (at < text.length) parts.push({ kind: 'text', text: text.slice(at) });
  return parts;
}
