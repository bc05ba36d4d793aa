/**
 * @module identity/i18n/identical
 * Values that are rightly the same as English in a language: the word itself (`Code` in German,
 * `Password` in Italian, `Email` in Brazilian Portuguese, as the web app writes them) or English's
 * quotation marks, which these languages use too. The catalog check refuses any other value equal
 * to English, so text left untranslated cannot pass for a translation.
 */
import type { LanguageTag } from '@remote-help/protocol';
import type { MessageKey } from './en.js';

export const IDENTICAL_TO_ENGLISH: Readonly<Partial<Record<LanguageTag, readonly MessageKey[]>>> = {
  de: ['mfa.code'],
  fr: ['mfa.code'],
  it: ['signIn.password'],
  lv: ['gate.policyName'],
  nl: ['mfa.code'],
  'pt-BR': ['signIn.email', 'gate.policyName'],
  tr: ['gate.policyName'],
  'zh-Hans': ['gate.policyName'],
};
