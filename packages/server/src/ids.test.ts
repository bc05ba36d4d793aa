import { describe, expect, it } from 'vitest';
import { newId, newToken } from './ids.js';

describe('newId', () => {
  it('is 22 URL-safe characters and never starts with - or _ (CLI options, CSV formulas)', () => {
    // A plain base64url draw starts with - or _ once in 32: 20,000 draws all missing it by chance is ~1e-276.
    const ids = Array.from({ length: 20_000 }, newId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // The other 62 first characters all still occur.
    expect(new Set(ids.map((id) => id[0])).size).toBe(62);
  });

  it('tokens stay plain 256-bit base64url', () => {
    expect(newToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
