import { describe, expect, it } from 'vitest';
import { SHIPPED_LANGUAGES } from '@remote-help/protocol';
import { CATALOGS } from './catalogs.js';
import { en, type MessageKey } from './en.js';
import { IDENTICAL_TO_ENGLISH } from './identical.js';

const ENGLISH = en as Readonly<Record<MessageKey, string | Readonly<Record<string, string>>>>;
const KEYS = Object.keys(en).sort() as MessageKey[];

/** The `{placeholders}` of a message, sorted and unique. */
const placeholders = (text: string): string[] =>
  [...new Set([...text.matchAll(/\{(\w*)\}/g)].map((m) => m[1] ?? ''))].sort();

/** English's own text of a key (a plural message: its `other` form). */
const source = (key: MessageKey): string => {
  const value = ENGLISH[key];
  return typeof value === 'string' ? value : (value.other ?? '');
};

describe('the sign-in pages’ catalogs', () => {
  it('cover exactly the shipped languages', () => {
    expect(Object.keys(CATALOGS).sort()).toEqual([...SHIPPED_LANGUAGES].sort());
  });

  it('English names every placeholder with a word and writes plurals with {count}', () => {
    for (const key of KEYS) {
      const value = ENGLISH[key];
      for (const text of typeof value === 'string' ? [value] : Object.values(value)) {
        expect(
          placeholders(text).every((p) => /^[a-z]\w*$/i.test(p)),
          key,
        ).toBe(true);
      }
      if (typeof value !== 'string') expect(placeholders(value.other ?? ''), key).toContain('count');
    }
  });

  describe.each(SHIPPED_LANGUAGES.filter((tag) => tag !== 'en'))('%s', (tag) => {
    const catalog = CATALOGS[tag] as Readonly<Record<string, unknown>>;
    const categories = new Intl.PluralRules(tag).resolvedOptions().pluralCategories;
    const identical = new Set<string>(IDENTICAL_TO_ENGLISH[tag] ?? []);

    it('has every key of English and no other', () => {
      const missing = KEYS.filter((key) => !(key in catalog));
      const stray = Object.keys(catalog).filter((key) => !(key in en));
      expect({ missing, stray }).toEqual({ missing: [], stray: [] });
    });

    it('writes a plain message where English does, and exactly this language’s plural forms where English counts', () => {
      const problems: string[] = [];
      for (const key of KEYS) {
        const value = catalog[key];
        if (typeof ENGLISH[key] === 'string') {
          if (typeof value !== 'string' || value.trim() === '') problems.push(`${key}: not a message`);
        } else if (typeof value !== 'object' || value === null) {
          problems.push(`${key}: not plural forms`);
        } else {
          const forms = Object.keys(value).sort();
          if (forms.join() !== [...categories].sort().join())
            problems.push(`${key}: forms ${forms.join()} ≠ ${[...categories].sort().join()}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('keeps the placeholders of English', () => {
      const problems: string[] = [];
      for (const key of KEYS) {
        const want = placeholders(source(key));
        const value = catalog[key];
        const texts = typeof value === 'string' ? { text: value } : (value as Record<string, string>);
        for (const [form, text] of Object.entries(texts)) {
          // A plural form may spell its number out ("one character"); every other placeholder stays.
          const have = placeholders(text);
          const expected =
            typeof value === 'string' ? want : want.filter((p) => p !== 'count' || have.includes('count'));
          if (have.join() !== expected.join()) problems.push(`${key}.${form}: {${have.join()}} ≠ {${want.join()}}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('translates every value but those listed as the same in this language', () => {
      const same = KEYS.filter((key) => {
        const value = catalog[key];
        const english = ENGLISH[key];
        if (typeof english === 'string') return value === english;
        return Object.values(value as Record<string, string>).some((text) => Object.values(english).includes(text));
      });
      expect(same.filter((key) => !identical.has(key))).toEqual([]);
      expect(
        [...identical].filter((key) => !same.includes(key as MessageKey)),
        'listed as identical but translated (or gone)',
      ).toEqual([]);
    });
  });
});
