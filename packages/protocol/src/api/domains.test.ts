/**
 * Domain names as the Domains page and the API take them: internationalized names become
 * punycode, case and one trailing dot do not matter, and nothing that is not a public-looking
 * DNS name gets through (wildcards, addresses, single labels, private top levels, ports, paths).
 */
import { describe, expect, it } from 'vitest';
import { AddDomainRequest, normalizeDomain } from './domains.js';

describe('normalizeDomain', () => {
  it('gives the ASCII, lower-case form', () => {
    expect(normalizeDomain('Contoso.COM')).toBe('contoso.com');
    expect(normalizeDomain('  contoso.com.  ')).toBe('contoso.com');
    expect(normalizeDomain('Bücher.example')).toBe('xn--bcher-kva.example');
    expect(normalizeDomain('münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(normalizeDomain('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
    expect(normalizeDomain('mail.eu.contoso.co.uk')).toBe('mail.eu.contoso.co.uk');
  });

  it('refuses what is not a public domain name', () => {
    for (const bad of [
      '',
      'contoso',
      '*.contoso.com',
      'contoso.*',
      'contoso.com:443',
      'contoso.com/path',
      'user@contoso.com',
      'https://contoso.com',
      '192.168.1.10',
      '[::1]',
      'printer.local',
      'host.localhost',
      'corp.internal',
      '10.in-addr.arpa',
      '-contoso.com',
      'contoso-.com',
      'a..b',
      `${'a'.repeat(64)}.com`,
      `${'a.'.repeat(127)}com`,
      'con toso.com',
      'contoso_mail.com',
    ])
      expect(normalizeDomain(bad), bad).toBe('');
  });

  it('parses a request to the normalized name, or refuses it', () => {
    expect(AddDomainRequest.parse({ domain: 'Bücher.Example.' })).toEqual({ domain: 'xn--bcher-kva.example' });
    expect(AddDomainRequest.safeParse({ domain: '*.contoso.com' }).success).toBe(false);
    expect(AddDomainRequest.safeParse({ domain: 'contoso.com', extra: 1 }).success).toBe(false);
  });
});
