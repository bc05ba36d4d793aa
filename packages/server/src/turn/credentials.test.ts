/**
 * TURN REST credentials: coturn's algorithm (base64 of HMAC-SHA1 of the username under the
 * shared secret) against fixed vectors, the username's shape, and the configuration rules.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../config.js';
import { loadConfig } from '../config.js';
import { iceServersFor, mintTurnCredential, turnPassword } from './credentials.js';

describe('turnPassword', () => {
  it('matches RFC 2202 HMAC-SHA1 test case 2, in base64', () => {
    // effcdf6ae5eb2fa2d27416d5f184df9c259a7c79
    expect(turnPassword('Jefe', 'what do ya want for nothing?')).toBe('7/zfauXrL6LSdBbV8YTfnCWafHk=');
  });

  it('matches what `openssl dgst -sha1 -hmac` gives for a REST username', () => {
    // printf '%s' '1700000000:alice' | openssl dgst -sha1 -hmac 'north-shared-secret-0123' -binary | base64
    expect(turnPassword('north-shared-secret-0123', '1700000000:alice')).toBe('EwJcbNJbxiIXl8WfYEq5cyAxdgA=');
  });
});

describe('mintTurnCredential', () => {
  const settings = { urls: ['turn:turn.example.org:3478'], secret: 'north-shared-secret-0123', ttlSeconds: 3600 };

  it('names the expiry (now + ttl, in seconds) and who, and signs exactly that username', () => {
    const minted = mintTurnCredential(settings, 'alice', 1_699_996_400_500);
    expect(minted).toEqual({
      username: '1700000000:alice',
      credential: 'EwJcbNJbxiIXl8WfYEq5cyAxdgA=',
      expiresAt: 1_700_000_000,
    });
  });

  it('refuses an id with the separator in it', () => {
    expect(() => mintTurnCredential(settings, 'a:b', 0)).toThrow(/must not contain/);
  });

  it('adds the TURN entry after the static servers, and nothing without TURN settings', () => {
    const stun = { urls: 'stun:stun.example.org' };
    expect(iceServersFor([stun], null, 'alice', 0)).toEqual([stun]);
    const servers = iceServersFor([stun], settings, 'alice', 1_699_996_400_000);
    expect(servers).toEqual([
      stun,
      { urls: settings.urls, username: '1700000000:alice', credential: 'EwJcbNJbxiIXl8WfYEq5cyAxdgA=' },
    ]);
  });
});

describe('TURN configuration', () => {
  const base = { DATABASE_URL: 'sqlite::memory:' };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
    } catch (error) {
      return (error as ConfigError).problems.join('\n');
    }
    return '';
  };

  it('reads TURN_URLS, TURN_SECRET and TURN_TTL_SECONDS (default one hour)', () => {
    const config = loadConfig({
      ...base,
      TURN_URLS: 'turns:turn.example.com:443?transport=tcp, turn:turn.example.com:3478',
      TURN_SECRET: 'a-long-enough-secret',
    });
    expect(config.turn).toEqual({
      urls: ['turns:turn.example.com:443?transport=tcp', 'turn:turn.example.com:3478'],
      secret: 'a-long-enough-secret',
      ttlSeconds: 3600,
    });
    expect(loadConfig(base).turn).toBeNull();
  });

  it('refuses half a configuration, a bad URL, a short secret and a static password beside the secret', () => {
    expect(problems({ TURN_URLS: 'turn:turn.example.com:3478' })).toMatch(/TURN_SECRET: TURN_URLS and TURN_SECRET/);
    expect(problems({ TURN_URLS: 'https://turn.example.com', TURN_SECRET: 'a-long-enough-secret' })).toMatch(
      /TURN_URLS: not a turn: or turns: URL/,
    );
    expect(problems({ TURN_URLS: 'turn:t.example.com', TURN_SECRET: 'short' })).toMatch(
      /TURN_SECRET: must be at least 16/,
    );
    expect(
      problems({
        TURN_URLS: 'turn:t.example.com',
        TURN_SECRET: 'a-long-enough-secret',
        ICE_SERVERS: JSON.stringify([{ urls: 'turn:old.example.com', username: 'u', credential: 'static' }]),
      }),
    ).toMatch(/ICE_SERVERS: carries a static TURN password/);
    expect(problems({ TURN_TTL_SECONDS: '10' })).toMatch(/TURN_TTL_SECONDS: must be at least 60/);
  });

  it('reads the metrics settings and refuses a bad listener address or a short token', () => {
    const config = loadConfig({ ...base, METRICS_TOKEN: 'x'.repeat(16), METRICS_ADDRESS: '127.0.0.1:9464' });
    expect(config.metrics).toEqual({ token: 'x'.repeat(16), address: { host: '127.0.0.1', port: 9464 } });
    expect(loadConfig(base).metrics).toEqual({ token: null, address: null });
    expect(problems({ METRICS_ADDRESS: 'localhost:9464' })).toMatch(/METRICS_ADDRESS: not an address:port/);
    expect(problems({ METRICS_TOKEN: 'short' })).toMatch(/METRICS_TOKEN: must be at least 16/);
  });
});
