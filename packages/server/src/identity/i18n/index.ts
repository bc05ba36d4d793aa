/**
 * @module identity/i18n
 * The server-rendered sign-in pages in the person's language: the web app sends its current
 * language as the OIDC `ui_locales` parameter (`relyingParty.ts`), which wins; otherwise the
 * browser's `Accept-Language`; otherwise English. Once the password (or passkey) proved who the
 * person is, the language they saved in the web app's picker wins (`SignInSteps.savedLanguage`).
 * Messages are plain text with `{named}` placeholders; counts pick a form with `Intl.PluralRules`,
 * durations and lists are `Intl`'s own words. Matching is the protocol's `matchLanguage`,
 * the same the web app uses, so `zh-TW` gets Traditional Chinese and `nn` Norwegian here too.
 * One catalog per shipped language (`catalogs.ts`), written for this product with the terms of
 * the web app's glossary (`packages/web/src/i18n/glossary`); the pages escape what this returns.
 */
import { languageDirection, matchLanguage, SHIPPED_LANGUAGES, type LanguageTag } from '@remote-help/protocol';
import { CATALOGS } from './catalogs.js';
import type { MessageKey } from './en.js';

export type { Catalog, MessageKey, PluralMessage } from './en.js';
export { CATALOGS } from './catalogs.js';

/** Values of a message's `{placeholders}`; `count` also picks the plural form. */
export type MessageValues = Readonly<Record<string, string | number>>;

/** A language the sign-in pages speak: its tag, direction and a translator bound to it. */
export interface SignInLanguage {
  tag: LanguageTag;
  dir: 'ltr' | 'rtl';
  /** The message `key`, its placeholders filled (plain text: escape it for HTML). */
  t(key: MessageKey, values?: MessageValues): string;
  /** A number of seconds as words in this language (`30 seconds`, `30 Sekunden`, `٣٠ ثانية`). */
  seconds(value: number): string;
  /** Items joined as this language lists them (`a, b and c`). */
  list(items: readonly string[]): string;
}

/** A browser sends a handful of tags; more (a 15 KB header cost 12 ms a request) are not read. */
const MAX_ACCEPT_LANGUAGE_TAGS = 32;

/** The language tags of `Accept-Language`, best first (q=0 dropped); only its first tags are read. */
export function acceptLanguageTags(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .slice(0, MAX_ACCEPT_LANGUAGE_TAGS * 32)
    .split(',', MAX_ACCEPT_LANGUAGE_TAGS)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

/** Fills `{name}` placeholders; an unknown name stays as written. */
export function fill(text: string, values: MessageValues): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** The sign-in pages' language for one shipped tag. */
export function languageOf(tag: LanguageTag): SignInLanguage {
  const catalog = CATALOGS[tag];
  const plural = new Intl.PluralRules(tag);
  const seconds = new Intl.NumberFormat(tag, { style: 'unit', unit: 'second', unitDisplay: 'long' });
  const list = new Intl.ListFormat(tag, { type: 'conjunction' });
  return {
    tag,
    dir: languageDirection(tag),
    t(key, values = {}) {
      const message = catalog[key];
      if (typeof message === 'string') return fill(message, values);
      const count = Number(values.count ?? 0);
      return fill(message[plural.select(count)] ?? message.other, { ...values, count: count.toString() });
    },
    seconds: (value) => seconds.format(value),
    list: (items) => list.format(items),
  };
}

/**
 * The sign-in pages' language: the first of `ui_locales` (space-separated, only shipped tags
 * count), then `Accept-Language`, that names a shipped language; English otherwise.
 */
export function signInLanguage(uiLocales: unknown, acceptLanguage: string | undefined): SignInLanguage {
  const shipped = new Set<string>(SHIPPED_LANGUAGES);
  const requested = [
    ...(typeof uiLocales === 'string' ? uiLocales.split(' ').filter((tag) => shipped.has(tag)) : []),
    ...acceptLanguageTags(acceptLanguage),
  ];
  return languageOf(matchLanguage(requested, SHIPPED_LANGUAGES) ?? 'en');
}

/** English, for pages rendered without a request (and as the tests' reference). */
export const ENGLISH: SignInLanguage = languageOf('en');
