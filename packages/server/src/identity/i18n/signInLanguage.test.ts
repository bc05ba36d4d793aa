import { describe, expect, it } from 'vitest';
import { renderSignInPage } from '../signInPage.js';
import { CATALOGS, acceptLanguageTags, fill, languageOf, signInLanguage } from './index.js';

describe('the sign-in pages’ language', () => {
  it('follows ui_locales (shipped tags only), then Accept-Language by weight, then English', () => {
    expect(signInLanguage('de', 'ja').tag).toBe('de');
    expect(signInLanguage('xx ar', undefined).tag).toBe('ar');
    expect(signInLanguage(undefined, 'xx;q=0.9, ja;q=0.8, de;q=0.5').tag).toBe('ja');
    expect(signInLanguage(undefined, 'de-CH, en;q=0.5').tag).toBe('de');
    expect(signInLanguage(undefined, 'ar;q=0, *').tag).toBe('en');
    expect(signInLanguage(['de'], '').tag).toBe('en');
    expect(signInLanguage(undefined, undefined)).toMatchObject({ tag: 'en', dir: 'ltr' });
  });

  it('matches tags as the web app does: script and region to the shipped tag', () => {
    expect(signInLanguage(undefined, 'zh-TW').tag).toBe('zh-Hant');
    expect(signInLanguage(undefined, 'zh-CN').tag).toBe('zh-Hans');
    expect(signInLanguage(undefined, 'zh-Hant-HK').tag).toBe('zh-Hant');
    expect(signInLanguage(undefined, 'nn-NO').tag).toBe('nb');
    expect(signInLanguage(undefined, 'pt-PT').tag).toBe('pt-BR');
    expect(signInLanguage(undefined, 'sr').tag).toBe('sr-Latn');
    expect(signInLanguage(undefined, 'fr-CA').tag).toBe('fr');
  });

  it('writes Arabic and Hebrew right to left, every other language left to right', () => {
    expect(signInLanguage('ar', undefined).dir).toBe('rtl');
    expect(signInLanguage(undefined, 'he-IL').dir).toBe('rtl');
    for (const tag of Object.keys(CATALOGS).filter((t) => t !== 'ar' && t !== 'he'))
      expect(signInLanguage(tag, undefined).dir, tag).toBe('ltr');
  });

  it('fills placeholders, counts with the language’s plural rules and says durations in its words', () => {
    expect(fill('{a} and {b}', { a: 1, b: 'x' })).toBe('1 and x');
    expect(fill('{unknown}', {})).toBe('{unknown}');
    const en = languageOf('en');
    expect(en.t('newPassword.minLength', { count: 1 })).toBe('Use at least 1 character.');
    expect(en.t('newPassword.minLength', { count: 12 })).toBe('Use at least 12 characters.');
    expect(languageOf('ru').t('newPassword.minLength', { count: 12 })).toBe('Используйте не менее 12 символов.');
    expect(languageOf('ru').t('newPassword.minLength', { count: 22 })).toBe('Используйте не менее 22 символов.');
    expect(languageOf('ar').t('newPassword.minLength', { count: 2 })).toBe('استخدم حرفين على الأقل.');
    expect(en.t('signIn.tooManyAttempts', { duration: en.seconds(30) })).toBe(
      'Too many attempts. Try again in 30 seconds.',
    );
    expect(languageOf('de').seconds(1)).toBe('1 Sekunde');
    expect(languageOf('ja').list(['“A”', '“B”'])).toBe('“A”、“B”');
  });

  it('renders the page in that language and direction, the client name escaped', () => {
    const ar = signInLanguage('ar', undefined);
    const html = renderSignInPage({ uid: 'u1', csrf: 'c', clientName: '<Remote Help>', language: ar });
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain(`<h1>${ar.t('signIn.title')}</h1>`);
    expect(html).toContain(`<title>${ar.t('signIn.title')} – Remote Help</title>`);
    expect(html).toContain('&#60;Remote Help&#62;');
    expect(html).not.toContain('<Remote Help>');
    expect(renderSignInPage({ uid: 'u1', csrf: 'c', clientName: 'x' })).toContain('<html lang="en" dir="ltr">');
  });

  it('reads only the first tags of an oversized Accept-Language (a 15 KB header is not split whole)', () => {
    const header = ['fr;q=0.9', ...Array.from({ length: 5000 }, (_, i) => `x${i};q=0.5`)].join(', ');
    const tags = acceptLanguageTags(header);
    expect(tags.length).toBeLessThanOrEqual(32);
    expect(tags[0]).toBe('fr');
    expect(signInLanguage(undefined, header).tag).toBe('fr');
  });
});
