/**
 * @module displayText
 * One normaliser for text that one party chooses and another party reads: device names and
 * inventory strings a device reports, and people's names, job titles and companies. Such
 * text must not be able to reorder what is shown around it (bidi overrides such as
 * U+202E), hide or fake characters (controls, zero-width joiners of nothing), or grow
 * without bound. Server, web and agent use the same function, so what is stored, sent and
 * drawn agrees.
 *
 * Steps: unpaired surrogates → U+FFFD; line breaks and tabs → spaces; C0/C1 controls, bidi
 * embeddings/overrides/isolates/marks and invisible separators removed; NFC; runs of more
 * than {@link MAX_COMBINING_RUN} combining marks cut; whitespace collapsed and trimmed; at
 * most `max` code points (cut between grapheme clusters where possible, ending in `…`);
 * empty → `fallback`. The result is a fixed point: normalising it again changes nothing.
 */

/** Default bound, in code points. */
export const DISPLAY_TEXT_MAX = 64;
/** Longest run of combining marks kept on one base character ("Zalgo" text is cut here). */
export const MAX_COMBINING_RUN = 4;
/** Input beyond this many UTF-16 units is not even looked at. */
const INPUT_CAP = 4096;

/** Controls that stand for a break or a tab: they become one space. */
const SPACING_CONTROLS = /[\t\n\v\f\r\u0085\u2028\u2029]/gu;
/**
 * Removed outright: C0 and C1 controls, DEL; bidi marks, embeddings, overrides and isolates
 * (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069); zero-width space, word joiner and
 * invisible operators (U+200B, U+2060–U+2064); BOM (U+FEFF); interlinear annotation
 * (U+FFF9–U+FFFB). Zero-width (non-)joiners stay: emoji and several scripts need them.
 */
const REMOVED = /[\p{Cc}\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFF9-\uFFFB]/gu;
const LONE_SURROGATE = /\p{Cs}/gu;
const COMBINING_FLOOD = new RegExp(`(\\p{M}{${MAX_COMBINING_RUN}})\\p{M}+`, 'gu');
const WHITESPACE = /\s+/gu;

/** Options of {@link displayText}. */
export interface DisplayTextOptions {
  /** Most code points in the result, `…` included (default {@link DISPLAY_TEXT_MAX}, at least 2). */
  max?: number;
  /** Shown when nothing printable is left (default `"—"`). Not normalised. */
  fallback?: string;
}

const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter() : undefined;

/** `text` cut to at most `max` code points, `…` included, between grapheme clusters where possible. */
function bound(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  const budget = max - 1;
  let out = '';
  let used = 0;
  if (segmenter) {
    for (const { segment } of segmenter.segment(text)) {
      const size = Array.from(segment).length;
      if (used + size > budget) break;
      out += segment;
      used += size;
    }
  }
  // One cluster longer than the whole budget: cut by code points rather than show nothing.
  if (used === 0) out = points.slice(0, budget).join('');
  return `${out.trimEnd()}…`;
}

/** Normalises a string a person or device chose, for display to others. */
export function displayText(value: string | null | undefined, options: DisplayTextOptions = {}): string {
  const max = Math.max(2, Math.floor(options.max ?? DISPLAY_TEXT_MAX));
  const fallback = options.fallback ?? '—';
  if (typeof value !== 'string') return fallback;
  const text = value
    .slice(0, INPUT_CAP)
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(SPACING_CONTROLS, ' ')
    .replace(REMOVED, '')
    .normalize('NFC')
    .replace(COMBINING_FLOOD, '$1')
    .replace(WHITESPACE, ' ')
    .trim();
  return text ? bound(text, max) : fallback;
}

/** Like {@link displayText} for optional fields: null, or nothing printable, stays null. */
export function displayTextOrNull(value: string | null | undefined, max = DISPLAY_TEXT_MAX): string | null {
  const text = displayText(value, { max, fallback: '' });
  return text === '' ? null : text;
}
