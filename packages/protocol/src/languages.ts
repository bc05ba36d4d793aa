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
