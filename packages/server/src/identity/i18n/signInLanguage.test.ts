import { describe, expect, it } from 'vitest';
import { renderSignInPage } from '../signInPage.js';
import { en } from './en.js';
import { SIGN_IN_CATALOGS, signInLanguage } from './index.js';

describe('the sign-in pages’ language', () => {
  it('follows ui_locales (shipped tags only), then Accept-Language by weight, then English', () => {
    expect(signInLanguage('de', 'ja').tag).toBe('de');
    expect(signInLanguage('xx ar', undefined).tag).toBe('ar');
    expect(signInLanguage(undefined, 'fr;q=0.9, ja;q=0.8, de;q=0.5').tag).toBe('ja');
    expect(signInLanguage(undefined, 'de-CH, en;q=0.5').tag).toBe('de');
    expect(signInLanguage(undefined, 'ar;q=0, *').tag).toBe('en');
    expect(signInLanguage(['de'], '').tag).toBe('en');
    expect(signInLanguage(undefined, undefined)).toMatchObject({ tag: 'en', dir: 'ltr' });
    expect(signInLanguage('ar', undefined).dir).toBe('rtl');
  });

  it('every catalog translates every string, keeps {client}, and leaves nothing in English', () => {
    for (const [tag, strings] of Object.entries(SIGN_IN_CATALOGS)) {
      expect(Object.keys(strings).sort(), tag).toEqual(Object.keys(en).sort());
      expect(strings.intro, tag).toContain('{client}');
      if (tag === 'en') continue;
      for (const key of Object.keys(en) as (keyof typeof en)[]) expect(strings[key], `${tag}.${key}`).not.toBe(en[key]);
    }
  });

  it('renders the page in that language and direction, the client name escaped', () => {
    const html = renderSignInPage({
      uid: 'u1',
      csrf: 'c',
      clientName: '<Remote Help>',
      language: signInLanguage('ar', undefined),
    });
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain(`<h1>${SIGN_IN_CATALOGS.ar!.heading}</h1>`);
    expect(html).toContain('&#60;Remote Help&#62;');
    expect(html).not.toContain('<Remote Help>');
    expect(renderSignInPage({ uid: 'u1', csrf: 'c', clientName: 'x' })).toContain('<html lang="en" dir="ltr">');
  });
});
