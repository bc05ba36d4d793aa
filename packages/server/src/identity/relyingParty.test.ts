import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo, signedInSince } from './relyingParty.js';

const PUBLIC_URL = 'https://help.example.com';

describe('return target after sign-in', () => {
  it('keeps same-origin paths', () => {
    expect(safeReturnTo('/help?session=abc', PUBLIC_URL)).toBe('/help?session=abc');
    expect(safeReturnTo('/admin#users', PUBLIC_URL)).toBe('/admin#users');
  });

  it('refuses anything a browser would read as another origin', () => {
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\t\\evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '/.//evil.example',
      'help',
      42,
      undefined,
    ]) {
      expect(safeReturnTo(bad, PUBLIC_URL), JSON.stringify(bad)).toBe('/');
    }
  });

  it('re-encodes characters that cannot go into a Location header', () => {
    expect(safeReturnTo('/help\u3000x', PUBLIC_URL)).toBe('/help%E3%80%80x');
    expect(safeReturnTo('/he\r\nlp', PUBLIC_URL)).toBe('/help');
  });

  it('always yields a same-origin path that is a valid header value (property)', () => {
    const piece = fc.constantFrom(
      '/',
      '\\',
      '\t',
      '\n',
      '\r',
      '.',
      '..',
      '%2f',
      '%5c',
      '\u3000',
      ':',
      '@',
      '?',
      '#',
      'evil.example',
      'a',
    );
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`),
      fc.array(piece, { maxLength: 12 }).map((parts) => `/${parts.join('')}`),
    );
    fc.assert(
      fc.property(input, (value) => {
        const result = safeReturnTo(value, PUBLIC_URL);
        expect(result).toMatch(/^\/(?![/\\])[\x21-\x7e]*$|^\/$/);
        expect(new URL(result, PUBLIC_URL).origin).toBe(PUBLIC_URL);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sign-in page form-action', () => {
  it('allows the native client’s loopback redirect and nothing else', async () => {
    const { formAction } = await import('./signInRoutes.js');
    expect(formAction('http://127.0.0.1:50123/callback')).toBe("'self' http://127.0.0.1:50123");
    expect(formAction('https://evil.example/callback')).toBe("'self'");
    expect(formAction('http://localhost.evil.example:80/callback')).toBe("'self'");
    expect(formAction(undefined)).toBe("'self'");
  });
});

describe('a fresh login at the callback', () => {
  it('accepts a login at or after the start of the sign-in, and nothing else', () => {
    const started = 1_700_000_000;
    expect(signedInSince(started, started)).toBe(true);
    expect(signedInSince(started + 40, started)).toBe(true);
    // An earlier session of the provider (someone who signed out, or left the browser signed in).
    expect(signedInSince(started - 1, started)).toBe(false);
    expect(signedInSince(started - 3600, started)).toBe(false);
    // No `auth_time`, or not a number: no proof of a login.
    for (const missing of [undefined, null, String(started), Number.NaN, Number.POSITIVE_INFINITY])
      expect(signedInSince(missing, started)).toBe(false);
  });
});
