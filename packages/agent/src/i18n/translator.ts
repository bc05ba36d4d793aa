/**
 * @module i18n/translator
 * The agent's messages in one language: the window's strings and the command line's. Every
 * catalog is flat (`key → text`), with `{name}` placeholders filled here and plural forms as
 * `key_<category>`, the category chosen by `Intl.PluralRules` from the `count` value. Numbers
 * are written with `Intl.NumberFormat` and lists with `Intl.ListFormat` in the same language.
 * A key missing from a catalog falls back to English (the catalog check keeps that from
 * happening in a release).
 */
import { languageDirection, type LanguageTag } from '@remote-help/protocol';
import { CATALOGS, type Catalog } from './catalogs.js';
import { en } from './locales/en.js';

/** A message of the English catalog, without its plural suffix. */
export type MessageKey = keyof typeof en extends infer K
  ? K extends `${infer Base}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}`
    ? Base
    : K
  : never;

/** Values for a message's placeholders: text as is, numbers in the language's digits and separators. */
export type MessageValues = Record<string, string | number | readonly string[]>;

/** One language's messages. */
export class Translator {
  readonly language: LanguageTag;
  readonly dir: 'ltr' | 'rtl';
  readonly #catalog: Catalog;
  readonly #plural: Intl.PluralRules;
  readonly #number: Intl.NumberFormat;
  readonly #list: Intl.ListFormat;

  constructor(language: LanguageTag) {
    this.language = language;
    this.dir = languageDirection(language);
    this.#catalog = CATALOGS[language];
    this.#plural = new Intl.PluralRules(language);
    this.#number = new Intl.NumberFormat(language);
    this.#list = new Intl.ListFormat(language, { type: 'conjunction' });
  }

  /** The message `key` with its placeholders filled (and its plural form chosen by `values.count`). */
  t(key: MessageKey, values: MessageValues = {}): string {
    return this.format(this.#template(key, values.count), values);
  }

  /** Whether the catalog has `key` (as a message or with plural forms): error codes come from outside. */
  has(key: string): boolean {
    return key in en || `${key}_other` in en;
  }

  /** Fills `{name}` placeholders of `template`; unknown names stay as written. */
  format(template: string, values: MessageValues): string {
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = values[name];
      if (value === undefined) return whole;
      if (typeof value === 'number') return this.#number.format(value);
      if (typeof value === 'string') return value;
      return this.#list.format(value);
    });
  }

  /** The window's strings (every key but `cli.*`), for the page to fill itself. */
  windowStrings(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of Object.keys(en))
      if (!key.startsWith('cli.')) out[key] = this.#catalog[key] ?? en[key as keyof typeof en];
    // Plural forms this language has that English does not (few, many, two, zero).
    for (const [key, value] of Object.entries(this.#catalog)) if (!key.startsWith('cli.')) out[key] = value;
    return out;
  }

  #template(key: string, count: MessageValues[string] | undefined): string {
    const english = en as Record<string, string>;
    if (typeof count === 'number' && `${key}_other` in english) {
      const form = `${key}_${this.#plural.select(count)}`;
      return this.#catalog[form] ?? this.#catalog[`${key}_other`] ?? english[form] ?? english[`${key}_other`] ?? key;
    }
    return this.#catalog[key] ?? english[key] ?? this.#catalog[`${key}_other`] ?? english[`${key}_other`] ?? key;
  }
}

const translators = new Map<LanguageTag, Translator>();

/** The (shared) translator of `language`. */
export function translator(language: LanguageTag): Translator {
  let found = translators.get(language);
  if (!found) translators.set(language, (found = new Translator(language)));
  return found;
}
