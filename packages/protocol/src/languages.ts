/**
 * @module languages
 * The languages the product ships, as BCP 47 tags (the web app's `locales/<tag>.json` file
 * names), and the schema of a person's chosen language. The server validates a saved choice
 * against this list; the web app's list of locale files must equal it (checked in its tests).
 */
import { z } from 'zod';

/** Every shipped language: English first, then the 33 translations. */
export const SHIPPED_LANGUAGES = [
  'en',
  'ar',
  'bg',
  'cs',
  'da',
  'de',
  'el',
  'es',
  'et',
  'fi',
  'fr',
  'he',
  'hr',
  'hu',
  'it',
  'ja',
  'ko',
  'lt',
  'lv',
  'nb',
  'nl',
  'pl',
  'pt-BR',
  'ro',
  'ru',
  'sk',
  'sl',
  'sr-Latn',
  'sv',
  'th',
  'tr',
  'uk',
  'zh-Hans',
  'zh-Hant',
] as const;

/** A shipped language's tag, spelled exactly as in {@link SHIPPED_LANGUAGES}. */
export const LanguageTag = z.enum(SHIPPED_LANGUAGES);
export type LanguageTag = z.infer<typeof LanguageTag>;

/** Languages written right to left among the shipped ones. */
export const RTL_LANGUAGES: readonly LanguageTag[] = ['ar', 'he'];

/** A person's saved language, or null to follow the browser (`navigator.languages`). */
export const PreferredLanguage = LanguageTag.nullable();
export type PreferredLanguage = z.infer<typeof PreferredLanguage>;

/** Whether a shipped language is written right to left. */
export function languageDirection(tag: LanguageTag): 'ltr' | 'rtl' {
  return RTL_LANGUAGES.includes(tag) ? 'rtl' : 'ltr';
}

/**
 * Tags that name a shipped language by another name: Chinese by region (Taiwan, Hong Kong and
 * Macao write Traditional, the rest Simplified), Norwegian without its written standard.
 */
const LANGUAGE_ALIASES: Record<string, string> = {
  'zh-tw': 'zh-hant',
  'zh-hk': 'zh-hant',
  'zh-mo': 'zh-hant',
  'zh-cn': 'zh-hans',
  'zh-sg': 'zh-hans',
  zh: 'zh-hans',
  no: 'nb',
  nn: 'nb',
};

/** `zh-Hant-TW` → `zh-hant`, `zh-TW` → `zh-hant`, `nn-NO` → `nb`: the tag as shipped tags spell it, lowercase. */
function canonicalTag(tag: string): string {
  const lower = tag.trim().toLowerCase().replace(/_/g, '-');
  const [language = lower, second] = lower.split('-');
  if (language === 'zh' && (second === 'hant' || second === 'hans')) return `zh-${second}`;
  return LANGUAGE_ALIASES[lower] ?? LANGUAGE_ALIASES[`${language}-${second}`] ?? LANGUAGE_ALIASES[language] ?? lower;
}

/**
 * The first of `preferred` (best first) that names one of `available`: the exact tag, else the
 * same base language (`de-AT` → `de`, `pt-PT` → `pt-BR`, `sr-Cyrl` → `sr-Latn`); null when none does.
 */
export function matchLanguage<T extends string>(preferred: readonly string[], available: readonly T[]): T | null {
  const lowered = available.map((tag) => tag.toLowerCase());
  for (const tag of preferred) {
    const wanted = canonicalTag(tag);
    if (!wanted) continue;
    const exact = lowered.indexOf(wanted);
    if (exact >= 0) return available[exact] ?? null;
    const base = wanted.split('-')[0] ?? wanted;
    const sameBase = lowered.findIndex((candidate) => candidate === base || candidate.split('-')[0] === base);
    if (sameBase >= 0) return available[sameBase] ?? null;
  }
  return null;
}

/** The best shipped language for `preferred` (best first), English when none matches. */
export function pickShippedLanguage(preferred: readonly string[]): LanguageTag {
  return matchLanguage(preferred, SHIPPED_LANGUAGES) ?? 'en';
}

/**
 * A POSIX locale name (`de_DE.UTF-8`, `zh_TW`, `sr_RS@latin`, `pt_BR.utf8@euro`) as a BCP 47
 * tag (`de-DE`, `zh-TW`, `sr-Latn-RS`), or null for the portable locales `C` and `POSIX` and
 * anything that is not a locale name.
 */
export function posixLocaleToTag(locale: string): string | null {
  const match = /^([A-Za-z]{2,3})(?:[_-]([A-Za-z]{4}))?(?:[_-]([A-Za-z]{2}|\d{3}))?(?:\.[\w-]+)?(?:@(\w+))?$/.exec(
    locale.trim(),
  );
  if (!match) return null;
  const [, language = '', scriptPart, region, modifier] = match;
  const lower = language.toLowerCase();
  const script =
    scriptPart ??
    (modifier === 'latin' ? 'Latn' : modifier === 'cyrillic' ? 'Cyrl' : modifier === 'hant' ? 'Hant' : undefined);
  return [lower, script ? script.charAt(0).toUpperCase() + script.slice(1).toLowerCase() : null, region?.toUpperCase()]
    .filter(Boolean)
    .join('-');
}
