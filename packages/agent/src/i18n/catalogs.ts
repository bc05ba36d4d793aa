/**
 * @module i18n/catalogs
 * The agent's catalogs, one per shipped language (`locales/<tag>.ts`), written for this product
 * with the terms of the web app's glossary (`packages/web/src/i18n/glossary`). English is the
 * source; `catalogs.test.ts` checks that every other language has exactly its keys, its
 * placeholders and its own plural forms.
 */
import type { LanguageTag } from '@remote-help/protocol';
import { en } from './locales/en.js';
import { ar } from './locales/ar.js';
import { de } from './locales/de.js';
import { ja } from './locales/ja.js';

/** One language's messages: key → text with `{name}` placeholders. */
export type Catalog = Readonly<Record<string, string>>;

/** Every shipped language's catalog. */
export const CATALOGS: Readonly<Record<LanguageTag, Catalog>> = {
  en: en,
  ar: ar,
  de: de,
  ja: ja,
} as unknown as Record<LanguageTag, Catalog>;
