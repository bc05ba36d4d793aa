import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, stepAt, totpAt } from './totp.js';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const SEED = base32Encode(Buffer.from('12345678901234567890'));

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 SHA-1 test vectors (last 6 digits of the 8-digit values)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, expected] of vectors) {
      expect(hotp(base32Decode(SEED), stepAt(seconds * 1000), 8)).toBe(expected);
      expect(totpAt(SEED, seconds * 1000)).toBe(expected.slice(2));
    }
  });

  it('round-trips base32 (RFC 4648 vectors)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(() => base32Decode('not base32!')).toThrow();
  });

  it('accepts one step either side, nothing further, and never a step at or before the last one used', () => {
    const now = 1_700_000_000_000;
    const step = stepAt(now);
    expect(matchTotp(SEED, totpAt(SEED, now), now, null)).toBe(step);
    expect(matchTotp(SEED, totpAt(SEED, now - 30_000), now, null)).toBe(step - 1);
    expect(matchTotp(SEED, totpAt(SEED, now + 30_000), now, null)).toBe(step + 1);
    expect(matchTotp(SEED, totpAt(SEED, now - 60_000), now, null)).toBeNull();
    expect(matchTotp(SEED, totpAt(SEED, now + 60_000), now, null)).toBeNull();
    expect(matchTotp(SEED, totpAt(SEED, now), now, step)).toBeNull();
    expect(matchTotp(SEED, totpAt(SEED, now + 30_000), now, step)).toBe(step + 1);
    expect(matchTotp(SEED, '12345', now, null)).toBeNull();
    expect(matchTotp(SEED, 'abcdef', now, null)).toBeNull();
  });

  it('writes the Key Uri Format authenticator apps read', () => {
    const uri = new URL(otpauthUri('Remote Help', 'ana@contoso.example', SEED));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Remote Help:ana@contoso.example');
    expect(uri.searchParams.get('secret')).toBe(SEED);
    expect(uri.searchParams.get('period')).toBe('30');
  });
});
