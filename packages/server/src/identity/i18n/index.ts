/**
 * @module identity/i18n
 * The server-rendered sign-in pages in the person's language: the web app sends its current
 * language as the OIDC `ui_locales` parameter (`relyingParty.ts`), which wins; otherwise the
 * browser's `Accept-Language`; otherwise English. A small catalog per language, written for
 * this product with the same terms as the web app's glossary (`packages/web/src/i18n/glossary`).
 * Languages without a catalog yet fall back to English.
 */
import { SHIPPED_LANGUAGES } from '@remote-help/protocol';
import { ar } from './ar.js';
import { de } from './de.js';
import { en, type SignInStrings } from './en.js';
import { ja } from './ja.js';

export type { SignInStrings } from './en.js';

/** The catalogs written so far, by shipped tag. */
export const SIGN_IN_CATALOGS: Readonly<Record<string, SignInStrings>> = { en, de, ar, ja };

const RTL = new Set(['ar', 'he']);

/** A language the sign-in pages speak: its tag, direction and strings. */
export interface SignInLanguage {
  tag: string;
  dir: 'ltr' | 'rtl';
  t: SignInStrings;
}

/** The language tags of `Accept-Language`, best first (q=0 dropped). */
function acceptLanguageTags(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

/** The catalog for one requested tag: exact (case-insensitive), then its base language. */
function catalogFor(tag: string): SignInLanguage | undefined {
  const lower = tag.toLowerCase();
  const entries = Object.entries(SIGN_IN_CATALOGS);
  const [found, t] =
    entries.find(([k]) => k.toLowerCase() === lower) ??
    entries.find(([k]) => k.toLowerCase() === lower.split('-')[0]) ??
    [];
  return found && t ? { tag: found, dir: RTL.has(found) ? 'rtl' : 'ltr', t } : undefined;
}

/**
 * The sign-in pages' language: the first of `ui_locales` (space-separated, only shipped tags
 * count), then `Accept-Language`, that has a catalog; English otherwise.
 */
export function signInLanguage(uiLocales: unknown, acceptLanguage: string | undefined): SignInLanguage {
  const shipped = new Set<string>(SHIPPED_LANGUAGES);
  const requested = [
    ...(typeof uiLocales === 'string' ? uiLocales.split(' ').filter((tag) => shipped.has(tag)) : []),
    ...acceptLanguageTags(acceptLanguage),
  ];
  for (const tag of requested) {
    const found = catalogFor(tag);
    if (found) return found;
  }
  return { tag: 'en', dir: 'ltr', t: en };
}

/** Fills `{name}` placeholders. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
