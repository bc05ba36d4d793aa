import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { END_REASONS, ERROR_CODES, SHIPPED_LANGUAGES } from '@remote-help/protocol';
import { pickLanguage } from './pickLanguage';

const dir = new URL('./locales/', import.meta.url);

/** Every leaf key of a translation file, as `a.b.c`. */
function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

function load(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
}

describe('translations', () => {
  const en = new Set(keys(load('en.json')));

  it('English translates every server error code and every end reason for both sides', () => {
    for (const code of ERROR_CODES) expect(en, code).toContain(`errors.${code}`);
    for (const reason of END_REASONS) {
      expect(en, reason).toContain(`helper.ended.${reason}`);
      expect(en, reason).toContain(`sharer.ended.${reason}`);
    }
  });

  it('other languages only use keys that exist in English', () => {
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json') && name !== 'en.json')) {
      const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
      const englishBases = new Set([...en].map(base));
      // One expectation per file: 63,000 `toContain` calls on a Set took 20–30 s on a loaded machine.
      const stray = [...keys(load(file))].filter((key) => !englishBases.has(base(key)));
      expect(stray, `${file}: keys that English does not have`).toEqual([]);
    }
  });
});

/** The 33 languages besides English that the product ships (issue 10), as locale file names. */
const SHIPPED = SHIPPED_LANGUAGES.filter((tag) => tag !== 'en');
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Every leaf of a translation file: key path → value. */
function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value !== 'object' || value === null) return out.set(prefix, value);
  for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, out);
  return out;
}

/** The `{{placeholders}}` of a value (name only: `{{max, number}}` → `max`), sorted and unique. */
const placeholders = (value: unknown): string[] =>
  [...new Set([...String(value).matchAll(/{{\s*([\w.]+)[^}]*}}/g)].map((m) => m[1] as string))].sort();

/** i18next's own syntax: braces balanced in pairs, nesting `$t(...)` closed, tags `<n>…</n>` paired. */
function syntaxProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'not a string';
  const open = (value.match(/{{/g) ?? []).length;
  const close = (value.match(/}}/g) ?? []).length;
  if (open !== close) return 'unbalanced {{ }}';
  if (/{{\s*}}/.test(value)) return 'empty placeholder';
  if ((value.match(/\$t\(/g) ?? []).length !== (value.match(/\$t\([^)]*\)/g) ?? []).length) return 'unclosed $t(';
  return null;
}

describe('every shipped language', () => {
  const english = leaves(load('en.json'));
  const englishBases = new Map<string, string[]>();
  for (const key of english.keys()) {
    const base = key.replace(PLURAL, '');
    englishBases.set(base, [...(englishBases.get(base) ?? []), key]);
  }
  const files = readdirSync(dir).filter((name) => name.endsWith('.json') && name !== 'en.json');

  it('ships the 33 languages besides English, and nothing else', () => {
    expect(files.map((f) => f.slice(0, -'.json'.length)).sort()).toEqual([...SHIPPED].sort());
  });

  describe.each(SHIPPED)('%s', (tag) => {
    const translated = leaves(load(`${tag}.json`));
    const categories = new Intl.PluralRules(tag).resolvedOptions().pluralCategories;
    const identical = new Set<string>(
      JSON.parse(readFileSync(new URL(`../identical/${tag}.json`, dir), 'utf8')) as string[],
    );

    it('has every key of English, with exactly its own plural forms, and no other key', () => {
      const expected = new Set<string>();
      for (const [base, keys] of englishBases) {
        for (const key of keys) {
          if (PLURAL.test(key)) for (const c of categories) expected.add(`${base}_${c}`);
          else expected.add(key);
        }
      }
      const missing = [...expected].filter((k) => !translated.has(k));
      const stray = [...translated.keys()].filter((k) => !expected.has(k));
      expect({ missing, stray }).toEqual({ missing: [], stray: [] });
    });

    it('keeps the placeholders of English and i18next’s syntax', () => {
      const problems: string[] = [];
      for (const [key, value] of translated) {
        const source = english.get(key) ?? english.get(key.replace(PLURAL, '_other'));
        const syntax = syntaxProblem(value);
        if (syntax) problems.push(`${key}: ${syntax}`);
        if (source === undefined) continue;
        // A plural form may leave out {{count}} (e.g. "one day"); every other placeholder stays.
        const want = placeholders(source).filter((p) => !(PLURAL.test(key) && p === 'count'));
        const have = placeholders(value).filter((p) => !(PLURAL.test(key) && p === 'count'));
        if (want.join() !== have.join())
          problems.push(`${key}: {{${have.join(', ')}}} ≠ English {{${want.join(', ')}}}`);
      }
      expect(problems).toEqual([]);
    });

    it('translates every value, but for those listed as the same in this language', () => {
      const same = [...translated].filter(([key, value]) => english.get(key) === value && !identical.has(key));
      expect(same.map(([key]) => key)).toEqual([]);
      const unused = [...identical].filter((key) => translated.get(key) !== english.get(key));
      expect(unused, 'listed as identical but translated (or gone)').toEqual([]);
    });
  });
});

describe('pickLanguage', () => {
  const available = ['en', 'de', 'pt-BR', 'zh-Hant'];
  it('prefers an exact tag, then the base language, then English', () => {
    expect(pickLanguage(['pt-BR'], available)).toBe('pt-BR');
    expect(pickLanguage(['pt-PT', 'de'], available)).toBe('pt-BR');
    expect(pickLanguage(['de-AT'], available)).toBe('de');
    expect(pickLanguage(['zh-hant'], available)).toBe('zh-Hant');
    expect(pickLanguage(['fr-FR'], available)).toBe('en');
    expect(pickLanguage([], available)).toBe('en');
  });

  it('reads Chinese by script or region, Norwegian and Serbian by their shipped forms', () => {
    const shipped = ['en', 'zh-Hans', 'zh-Hant', 'nb', 'sr-Latn', 'pt-BR'];
    expect(pickLanguage(['zh-TW'], shipped)).toBe('zh-Hant');
    expect(pickLanguage(['zh-HK'], shipped)).toBe('zh-Hant');
    expect(pickLanguage(['zh-Hant-TW'], shipped)).toBe('zh-Hant');
    expect(pickLanguage(['zh-CN'], shipped)).toBe('zh-Hans');
    expect(pickLanguage(['zh'], shipped)).toBe('zh-Hans');
    expect(pickLanguage(['no'], shipped)).toBe('nb');
    expect(pickLanguage(['nn-NO'], shipped)).toBe('nb');
    expect(pickLanguage(['nb-NO'], shipped)).toBe('nb');
    expect(pickLanguage(['sr-RS'], shipped)).toBe('sr-Latn');
    expect(pickLanguage(['pt-PT'], shipped)).toBe('pt-BR');
  });
});
