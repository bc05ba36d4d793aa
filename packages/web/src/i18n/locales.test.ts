import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { END_REASONS, ERROR_CODES } from '@remote-help/protocol';
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
      for (const key of keys(load(file))) expect(englishBases, `${file}: ${key}`).toContain(base(key));
    }
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
});
