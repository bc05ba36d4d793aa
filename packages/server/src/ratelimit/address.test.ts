/** How per-address limits key a source address: IPv4 whole, IPv6 by its /64, IPv4 written as IPv6 as IPv4. */
import { describe, expect, it } from 'vitest';
import { addressKey, normaliseAddressKey, perAddress } from './address.js';
import { Backoff } from './backoff.js';
import { MemoryBackoffStore } from './store.js';

describe('addressKey', () => {
  it('keeps an IPv4 address whole', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('203.0.113.8')).toBe('203.0.113.8');
  });

  it('keys an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:1:2::/64';
    for (const ip of [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:abcd::9',
      '[2001:db8:1:2::1]',
      '2001:db8:1:2::1%eth0',
      '2001:db8:1:2:0:0:1.2.3.4',
    ]) {
      expect(addressKey(ip), ip).toBe(key);
    }
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });

  it('keys IPv4-mapped and NAT64 IPv6 as the IPv4 address', () => {
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(addressKey('64:ff9b::203.0.113.7')).toBe('203.0.113.7');
  });

  it('puts everything that is not an address under one key, and is idempotent', () => {
    expect(addressKey(undefined)).toBe('unknown');
    expect(addressKey(null)).toBe('unknown');
    expect(addressKey('not-an-address')).toBe('unknown');
    expect(addressKey('2001:db8:1:2:3:4:5:6:7')).toBe('unknown');
    for (const ip of ['203.0.113.7', '2001:db8:1:2::1', '::ffff:203.0.113.7', 'x']) {
      expect(addressKey(addressKey(ip))).toBe(addressKey(ip));
    }
  });

  it('rewrites only per-address keys', () => {
    expect(perAddress('login', '2001:db8:1:2::1')).toBe('login:ip:2001:db8:1:2::/64');
    expect(normaliseAddressKey('enroll:ip:2001:db8:1:2::77')).toBe('enroll:ip:2001:db8:1:2::/64');
    expect(normaliseAddressKey('mfa:ip:::ffff:203.0.113.7')).toBe('mfa:ip:203.0.113.7');
    // An email is an account, not an address, even when it contains ":ip:".
    expect(normaliseAddressKey('login:email:a:ip:2001:db8::1')).toBe('login:email:a:ip:2001:db8::1');
    expect(normaliseAddressKey('mfa:user:abc')).toBe('mfa:user:abc');
  });
});

describe('Backoff keys every per-address key by its address key', () => {
  it('gives all addresses of one /64 one budget, whoever built the key', async () => {
    const clock = { now: () => 1_000_000 };
    const policy = { freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000, windowMs: 86_400_000 };
    const backoff = new Backoff(new MemoryBackoffStore(), clock, policy);
    const results = [];
    for (let i = 1; i <= 5; i++) results.push((await backoff.reserve([`enroll:ip:2001:db8:9:9::${i}`])).ok);
    expect(results).toEqual([true, true, true, false, false]);
    expect((await backoff.reserve(['enroll:ip:2001:db8:9:a::1'])).ok).toBe(true);
    expect(await backoff.retryAfterSeconds(['enroll:ip:2001:db8:9:9:ffff::'])).toBeGreaterThan(0);
    await backoff.reset(['enroll:ip:2001:db8:9:9::abc']);
    expect((await backoff.reserve(['enroll:ip:2001:db8:9:9::1'])).ok).toBe(true);
  });
});
