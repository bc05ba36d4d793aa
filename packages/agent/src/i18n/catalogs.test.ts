/**
 * The catalog check (issue 10): every shipped language has every key of English and no other,
 * exactly the plural forms its language needs (Intl.PluralRules), the placeholders of English,
 * and a translation for every value but those listed as the same in that language. Also: every
 * key the window's page and the CLI use exists in English.
 */
import { readFileSync } from 'node:fs';
import { END_REASONS, SHIPPED_LANGUAGES } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { CATALOGS } from './catalogs.js';
import { IDENTICAL } from './identical.js';
import { en } from './locales/en.js';

const PLURAL = /_(zero|one|two|few|many|other)$/;
const english = new Map<string, string>(Object.entries(en));
const englishBases = new Map<string, string[]>();
for (const key of english.keys()) {
  const base = key.replace(PLURAL, '');
  englishBases.set(base, [...(englishBases.get(base) ?? []), key]);
}

/** The `{placeholders}` of a value, sorted and unique. */
const placeholders = (value: string): string[] =>
  [...new Set([...value.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string))].sort();

describe('English', () => {
  it('words every end reason and has a form for one and for other of each plural', () => {
    for (const reason of END_REASONS) expect(english.has(`endReasons.${reason}`), reason).toBe(true);
    for (const [base, keys] of englishBases) {
      if (keys.some((key) => PLURAL.test(key))) expect(keys.sort(), base).toEqual([`${base}_one`, `${base}_other`]);
    }
  });

  it('has every key the window page uses', () => {
    const page = ['index.html', 'app.js']
      .map((file) => readFileSync(new URL(`../../static/${file}`, import.meta.url), 'utf8'))
      .join('\n');
    const used = [
      ...[...page.matchAll(/data-t(?:-label)?="([\w.]+)"/g)].map((m) => m[1] as string),
      ...[...page.matchAll(/\bt\('([\w.]+)'/g)].map((m) => m[1] as string),
    ];
    expect(used.length).toBeGreaterThan(40);
    for (const key of used) expect(englishBases.has(key), key).toBe(true);
  });
});

describe('every shipped language', () => {
  it('has a catalog, and only shipped languages do', () => {
    expect(Object.keys(CATALOGS).sort()).toEqual([...SHIPPED_LANGUAGES].sort());
    expect(Object.keys(IDENTICAL).filter((tag) => !(SHIPPED_LANGUAGES as readonly string[]).includes(tag))).toEqual([]);
  });

  describe.each(SHIPPED_LANGUAGES.filter((tag) => tag !== 'en'))('%s', (tag) => {
    const translated = new Map<string, string>(Object.entries(CATALOGS[tag]));
    const categories = new Intl.PluralRules(tag).resolvedOptions().pluralCategories;

    it('has every key of English, with exactly its own plural forms, and no other key', () => {
      const expected = new Set<string>();
      for (const [base, keys] of englishBases) {
        if (keys.some((key) => PLURAL.test(key))) for (const c of categories) expected.add(`${base}_${c}`);
        else expected.add(base);
      }
      const missing = [...expected].filter((key) => !translated.has(key));
      const stray = [...translated.keys()].filter((key) => !expected.has(key));
      expect({ missing, stray }).toEqual({ missing: [], stray: [] });
    });

    it('keeps the placeholders of English', () => {
      const problems: string[] = [];
      for (const [key, value] of translated) {
        const source = english.get(key) ?? english.get(key.replace(PLURAL, '_other'));
        if (source === undefined) continue;
        if (value.trim() === '' || value.includes('{{')) problems.push(`${key}: empty or {{…}}`);
        // A plural form may leave out {count} ("one second"); every other placeholder stays.
        const plural = PLURAL.test(key);
        const want = placeholders(source).filter((p) => !(plural && p === 'count'));
        const have = placeholders(value).filter((p) => !(plural && p === 'count'));
        if (want.join() !== have.join()) problems.push(`${key}: {${have.join(', ')}} ≠ English {${want.join(', ')}}`);
      }
      expect(problems).toEqual([]);
    });

    it('translates every value, but for those listed as the same in this language', () => {
      const identical = new Set<string>(IDENTICAL[tag] ?? []);
      const same = [...translated].filter(([key, value]) => english.get(key) === value && !identical.has(key));
      expect(same.map(([key]) => key)).toEqual([]);
      const unused = [...identical].filter((key) => translated.get(key) !== english.get(key));
      expect(unused, 'listed as identical but translated (or gone)').toEqual([]);
    });
  });
});
