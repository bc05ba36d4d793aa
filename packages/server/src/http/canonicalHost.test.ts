import { describe, expect, it } from 'vitest';
import { canonicalLocation, isCanonicalHost, isPageNavigation } from './canonicalHost.js';

const nav = (method: string, url: string, headers: Record<string, string> = { 'sec-fetch-mode': 'navigate' }) =>
  isPageNavigation({ method, url, headers });

describe('isPageNavigation', () => {
  it('is true for a browser opening a page of ours', () => {
    expect(nav('GET', '/help?session=1')).toBe(true);
    expect(nav('HEAD', '/')).toBe(true);
    expect(nav('GET', '/auth/login?returnTo=%2F')).toBe(true);
    expect(nav('GET', '/nope', { accept: 'text/html,*/*' })).toBe(true);
    expect(nav('GET', '/apiary')).toBe(true);
  });

  it('is false for the API, the IdP, upgrades, commands and fetches', () => {
    expect(nav('GET', '/api/v1/me')).toBe(false);
    expect(nav('GET', '/api')).toBe(false);
    expect(nav('GET', '/api?x')).toBe(false);
    expect(nav('GET', '/oidc/auth')).toBe(false);
    expect(nav('POST', '/help')).toBe(false);
    expect(nav('GET', '/help', { 'sec-fetch-mode': 'navigate', upgrade: 'websocket' })).toBe(false);
    expect(nav('GET', '/help', { 'sec-fetch-mode': 'cors', accept: 'text/html' })).toBe(false);
    expect(nav('GET', '/help', { accept: '*/*' })).toBe(false);
    expect(nav('GET', '/help', {})).toBe(false);
    expect(nav('GET', 'http://evil.example/help')).toBe(false);
  });
});

describe('isCanonicalHost', () => {
  it('compares host and port as the public URL spells them', () => {
    expect(isCanonicalHost('localhost:8080', 'http://localhost:8080')).toBe(true);
    expect(isCanonicalHost('LocalHost:8080', 'http://localhost:8080')).toBe(true);
    expect(isCanonicalHost('rh.example:443', 'https://rh.example')).toBe(true);
    expect(isCanonicalHost('rh.example', 'https://rh.example')).toBe(true);
    expect(isCanonicalHost('127.0.0.1:8080', 'http://localhost:8080')).toBe(false);
    expect(isCanonicalHost('localhost:8081', 'http://localhost:8080')).toBe(false);
    expect(isCanonicalHost('rh.example:80', 'https://rh.example')).toBe(false);
  });

  it('never accepts a Host that only contains the public host', () => {
    for (const host of [
      '',
      'evil@rh.example',
      'rh.example/x',
      'rh.example#',
      'rh.example?',
      'rh.example\\',
      'x rh.example',
    ]) {
      expect(isCanonicalHost(host, 'https://rh.example'), host).toBe(false);
    }
  });
});

describe('canonicalLocation', () => {
  const base = 'https://rh.example';
  it('keeps path and query on the public origin', () => {
    expect(canonicalLocation('/help?session=a%20b', base)).toBe('https://rh.example/help?session=a%20b');
    expect(canonicalLocation('/', base)).toBe('https://rh.example/');
  });

  it('always names the public origin and a path with one leading slash', () => {
    for (const url of [
      '//evil.example/x',
      '/\\evil.example/x',
      '/.//evil.example',
      'http://evil.example/x',
      '\\\\evil',
    ]) {
      const location = canonicalLocation(url, base);
      expect(new URL(location).origin, url).toBe(base);
      expect(location.slice(base.length), url).toMatch(/^\/(?!\/)/);
    }
    expect(canonicalLocation('/a b\u3000', base)).toBe('https://rh.example/a%20b%E3%80%80');
  });
});
