import { describe, expect, it } from 'vitest';
import {
  chooseLanguage,
  languageFromName,
  parseAppleDefault,
  posixPreferences,
  type LocaleInputs,
} from './systemLocale.js';
import { translator } from './translator.js';

const linux = (env: Record<string, string>, flag: string | null = null): LocaleInputs => ({
  flag,
  env,
  platform: 'linux',
});

describe('the language on Linux', () => {
  it('follows LC_ALL, then LC_MESSAGES, then LANG', async () => {
    expect(await chooseLanguage(linux({ LANG: 'de_DE.UTF-8' }))).toEqual({ language: 'de', source: 'system' });
    expect((await chooseLanguage(linux({ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'ja_JP.UTF-8' }))).language).toBe('ja');
    expect(
      (await chooseLanguage(linux({ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'ja_JP.UTF-8', LC_ALL: 'ar_EG.UTF-8' })))
        .language,
    ).toBe('ar');
    // An empty variable counts as unset.
    expect((await chooseLanguage(linux({ LC_ALL: '', LANG: 'fr_FR.UTF-8' }))).language).toBe('fr');
  });

  it('maps regions, scripts and modifiers to the shipped language', async () => {
    const pick = async (LANG: string) => (await chooseLanguage(linux({ LANG }))).language;
    expect(await pick('zh_TW.UTF-8')).toBe('zh-Hant');
    expect(await pick('zh_HK')).toBe('zh-Hant');
    expect(await pick('zh_CN.GB18030')).toBe('zh-Hans');
    expect(await pick('sr_RS@latin')).toBe('sr-Latn');
    expect(await pick('sr_RS.UTF-8')).toBe('sr-Latn');
    expect(await pick('nn_NO.UTF-8')).toBe('nb');
    expect(await pick('pt_PT.UTF-8')).toBe('pt-BR');
    expect(await pick('he_IL.UTF-8')).toBe('he');
    expect(await pick('de_AT.UTF-8')).toBe('de');
  });

  it('speaks English for C, POSIX, nothing set, or a language not shipped', async () => {
    for (const LANG of ['C', 'C.UTF-8', 'POSIX', 'eo.UTF-8', 'garbage!']) {
      expect(await chooseLanguage(linux({ LANG }))).toEqual({ language: 'en', source: 'default' });
    }
    expect(await chooseLanguage(linux({}))).toEqual({ language: 'en', source: 'default' });
  });

  it('reads GNU LANGUAGE ahead of the locale, but not under C', () => {
    expect(posixPreferences({ LANGUAGE: 'eo:ko:fr', LANG: 'de_DE.UTF-8' })).toEqual(['eo', 'ko', 'fr', 'de-DE']);
    expect(posixPreferences({ LANGUAGE: 'ko', LANG: 'C.UTF-8' })).toEqual([]);
  });
});

describe('the language on macOS', () => {
  const mac = (defaults: Record<string, string | null>, env: Record<string, string> = {}): LocaleInputs => ({
    flag: null,
    env,
    platform: 'darwin',
    readAppleDefault: async (key) => defaults[key] ?? null,
  });

  it('follows AppleLanguages, then AppleLocale, then LANG', async () => {
    const languages = '(\n    "zh-Hant-TW",\n    "en-US"\n)\n';
    expect(await chooseLanguage(mac({ AppleLanguages: languages, AppleLocale: 'de_DE' }))).toEqual({
      language: 'zh-Hant',
      source: 'system',
    });
    expect((await chooseLanguage(mac({ AppleLanguages: null, AppleLocale: 'de_DE@rg=atzzzz\n' }))).language).toBe('de');
    expect((await chooseLanguage(mac({}, { LANG: 'ja_JP.UTF-8' }))).language).toBe('ja');
    // Languages the product does not ship are passed over for the next preference.
    expect((await chooseLanguage(mac({ AppleLanguages: '(\n    eo,\n    "pl-PL"\n)' }))).language).toBe('pl');
  });

  it('parses the defaults output', () => {
    expect(parseAppleDefault('(\n    "en-GB",\n    ar,\n    "sr-Latn-RS"\n)\n')).toEqual(['en-GB', 'ar', 'sr-Latn-RS']);
    expect(parseAppleDefault('fr_CA\n')).toEqual(['fr-CA']);
    expect(parseAppleDefault('')).toEqual([]);
  });
});

describe('overrides', () => {
  it('--language wins over REMOTE_HELP_LANGUAGE, which wins over the system', async () => {
    const env = { LANG: 'de_DE.UTF-8', REMOTE_HELP_LANGUAGE: 'ja' };
    expect(await chooseLanguage(linux(env))).toEqual({ language: 'ja', source: 'env' });
    expect(await chooseLanguage(linux(env, 'he'))).toEqual({ language: 'he', source: 'flag' });
    expect(await chooseLanguage(linux(env, 'pt_BR.UTF-8'))).toEqual({ language: 'pt-BR', source: 'flag' });
  });

  it('reports a --language that names no shipped language, and passes over such an environment value', async () => {
    expect(await chooseLanguage(linux({ LANG: 'de_DE.UTF-8' }, 'klingon'))).toEqual({ language: null, source: 'flag' });
    expect(await chooseLanguage(linux({ LANG: 'de_DE.UTF-8', REMOTE_HELP_LANGUAGE: 'xx' }))).toEqual({
      language: 'de',
      source: 'system',
    });
    for (const bad of ['', ' ', 'de"><script>', 'x'.repeat(100), '../en']) expect(languageFromName(bad)).toBeNull();
  });
});

describe('translator', () => {
  it('fills named placeholders, numbers and lists in the language', () => {
    const de = translator('de');
    expect(de.t('cli.signedIn', { server: 'https://a.example', name: 'Lena' })).toBe(
      'Bei https://a.example angemeldet als Lena.',
    );
    expect(de.t('cli.signedOut', { count: 2, servers: ['https://a', 'https://b'] })).toBe(
      'Von 2 Servern abgemeldet: https://a und https://b.',
    );
    expect(translator('en').t('errors.message_too_long', { max: 4000 })).toContain('4,000');
    expect(de.t('errors.message_too_long', { max: 4000 })).toContain('4.000');
  });

  it('chooses the plural form the language needs', () => {
    const en = translator('en');
    expect(en.t('errors.rate_limited', { count: 1 })).toBe('Too many attempts. Try again in 1 second.');
    expect(en.t('errors.rate_limited', { count: 5 })).toBe('Too many attempts. Try again in 5 seconds.');
    const ru = translator('ru');
    expect(ru.t('errors.rate_limited', { count: 1 })).toMatch(/1 секунду/);
    expect(ru.t('errors.rate_limited', { count: 3 })).toMatch(/3 секунды/);
    expect(ru.t('errors.rate_limited', { count: 5 })).toMatch(/5 секунд\./);
    const ar = translator('ar');
    expect(ar.t('errors.rate_limited', { count: 2 })).toContain('ثانيتين');
    expect(translator('ja').t('errors.rate_limited', { count: 1 })).toContain('1 秒');
  });

  it('knows the direction of the language', () => {
    expect([translator('ar').dir, translator('he').dir, translator('ja').dir]).toEqual(['rtl', 'rtl', 'ltr']);
  });
});
