import { describe, expect, it } from 'vitest';
import {
  SHIPPED_LANGUAGES,
  languageDirection,
  matchLanguage,
  pickShippedLanguage,
  posixLocaleToTag,
} from './languages.js';

describe('matchLanguage', () => {
  const available = ['en', 'de', 'pt-BR', 'zh-Hant'];
  it('prefers an exact tag, then the base language, and says when nothing matches', () => {
    expect(matchLanguage(['pt-BR'], available)).toBe('pt-BR');
    expect(matchLanguage(['pt-PT', 'de'], available)).toBe('pt-BR');
    expect(matchLanguage(['de-AT'], available)).toBe('de');
    expect(matchLanguage(['zh-hant'], available)).toBe('zh-Hant');
    expect(matchLanguage(['fr-FR'], available)).toBeNull();
    expect(matchLanguage(['fr-FR', 'de'], available)).toBe('de');
    expect(matchLanguage([], available)).toBeNull();
  });

  it('reads Chinese by script or region, Norwegian and Serbian by their shipped forms', () => {
    expect(pickShippedLanguage(['zh-TW'])).toBe('zh-Hant');
    expect(pickShippedLanguage(['zh-HK'])).toBe('zh-Hant');
    expect(pickShippedLanguage(['zh-Hant-TW'])).toBe('zh-Hant');
    expect(pickShippedLanguage(['zh-CN'])).toBe('zh-Hans');
    expect(pickShippedLanguage(['zh'])).toBe('zh-Hans');
    expect(pickShippedLanguage(['no'])).toBe('nb');
    expect(pickShippedLanguage(['nn-NO'])).toBe('nb');
    expect(pickShippedLanguage(['sr-RS'])).toBe('sr-Latn');
    expect(pickShippedLanguage(['sr-Latn-RS'])).toBe('sr-Latn');
    expect(pickShippedLanguage(['xx', ''])).toBe('en');
  });

  it('finds every shipped tag by itself, in any case and with underscores', () => {
    for (const tag of SHIPPED_LANGUAGES) {
      expect(pickShippedLanguage([tag])).toBe(tag);
      expect(pickShippedLanguage([tag.toUpperCase().replace('-', '_')])).toBe(tag);
    }
  });
});

describe('posixLocaleToTag', () => {
  it('turns POSIX locale names into BCP 47 tags', () => {
    expect(posixLocaleToTag('de_DE.UTF-8')).toBe('de-DE');
    expect(posixLocaleToTag('zh_TW')).toBe('zh-TW');
    expect(posixLocaleToTag('zh_TW.Big5')).toBe('zh-TW');
    expect(posixLocaleToTag('sr_RS@latin')).toBe('sr-Latn-RS');
    expect(posixLocaleToTag('sr_RS.UTF-8@latin')).toBe('sr-Latn-RS');
    expect(posixLocaleToTag('pt_BR.utf8')).toBe('pt-BR');
    expect(posixLocaleToTag('ja')).toBe('ja');
    expect(posixLocaleToTag('es_419')).toBe('es-419');
  });

  it('has no tag for the portable locale or for garbage', () => {
    for (const value of ['C', 'C.UTF-8', 'POSIX', '', '../../etc', 'de DE']) expect(posixLocaleToTag(value)).toBeNull();
  });

  it('leads to the shipped language from a locale name', () => {
    const pick = (locale: string) => pickShippedLanguage([posixLocaleToTag(locale) ?? ''].filter(Boolean));
    expect(pick('de_DE.UTF-8')).toBe('de');
    expect(pick('zh_TW.UTF-8')).toBe('zh-Hant');
    expect(pick('zh_CN.UTF-8')).toBe('zh-Hans');
    expect(pick('sr_RS@latin')).toBe('sr-Latn');
    expect(pick('nn_NO.UTF-8')).toBe('nb');
    expect(pick('he_IL.UTF-8')).toBe('he');
    expect(pick('C.UTF-8')).toBe('en');
  });
});

describe('languageDirection', () => {
  it('is right to left for Arabic and Hebrew only', () => {
    expect(SHIPPED_LANGUAGES.filter((tag) => languageDirection(tag) === 'rtl')).toEqual(['ar', 'he']);
  });
});
