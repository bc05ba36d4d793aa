/**
 * @module i18n/identical
 * Values that are rightly the same as English in a language (the product's name, words the
 * language borrowed and the web app uses too, such as "Chat"), so the catalog check does not
 * take them for forgotten translations.
 */
import type { LanguageTag } from '@remote-help/protocol';

/** Per language, the keys whose value equals English on purpose. */
export const IDENTICAL: Partial<Record<LanguageTag, readonly string[]>> = {
  ar: ['appName'],
  bg: ['appName'],
  cs: ['appName', 'chatTitle'],
  da: ['appName', 'chatTitle', 'chatSend'],
  de: ['appName', 'chatTitle'],
  el: ['appName'],
  es: ['appName', 'chatTitle'],
  et: ['appName'],
  fi: ['appName'],
  fr: ['appName', 'chatTitle', 'chatMessages', 'chatMessage'],
  he: ['appName'],
  hr: ['appName'],
  hu: ['appName'],
  it: ['appName', 'chatTitle'],
  ja: ['appName'],
  ko: ['appName'],
  lt: ['appName'],
  lv: ['appName'],
  nb: ['appName', 'chatTitle', 'chatSend'],
  nl: ['appName', 'chatTitle'],
  pl: ['appName'],
  'pt-BR': ['appName', 'chatTitle'],
  ro: ['appName', 'chatTitle'],
  ru: ['appName'],
  sk: ['appName', 'chatTitle'],
  sl: ['appName'],
  'sr-Latn': ['appName'],
  sv: ['appName'],
  th: ['appName'],
  tr: ['appName'],
  uk: ['appName'],
  'zh-Hans': ['appName'],
  'zh-Hant': ['appName'],
};
