/**
 * @module i18n/identical
 * Values that are rightly the same as English in a language (the product's name, words the
 * language borrowed), so the catalog check does not take them for forgotten translations.
 */
import type { LanguageTag } from '@remote-help/protocol';

/** Per language, the keys whose value equals English on purpose. */
export const IDENTICAL: Partial<Record<LanguageTag, readonly string[]>> = {
  ar: ['appName'],
  de: ['appName'],
  ja: ['appName'],
};
