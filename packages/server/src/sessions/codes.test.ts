import { describe, expect, it } from 'vitest';
import { generateCode, hashCode } from './codes.js';

describe('security codes', () => {
  it('are always exactly 8 decimal digits', () => {
    for (let i = 0; i < 20_000; i++) expect(generateCode()).toMatch(/^\d{8}$/);
  });

  it('are uniform in every position, leading zeros included (chi-square, 9 dof)', () => {
    const n = 50_000;
    const counts = Array.from({ length: 8 }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < n; i++) {
      const code = generateCode();
      for (let p = 0; p < 8; p++) counts[p]![Number(code[p])]!++;
    }
    for (const position of counts) {
      const expected = n / 10;
      const chi2 = position.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
      // p = 0.0001 critical value for 9 degrees of freedom is 33.7: a biased generator fails, a fair one almost never.
      expect(chi2).toBeLessThan(33.7);
    }
    // The first digit is 0 one time in ten, not less (no "no leading zero" bias).
    expect(counts[0]![0]! / n).toBeGreaterThan(0.09);
  });

  it('are practically unique in a batch', () => {
    const seen = new Set(Array.from({ length: 10_000 }, generateCode));
    expect(seen.size).toBeGreaterThan(9_990);
  });

  it('are stored as a keyed hash that depends on the key and hides the code', () => {
    const k1 = Buffer.alloc(32, 1);
    const k2 = Buffer.alloc(32, 2);
    expect(hashCode(k1, '12345678')).toBe(hashCode(k1, '12345678'));
    expect(hashCode(k1, '12345678')).not.toBe(hashCode(k2, '12345678'));
    expect(hashCode(k1, '12345678')).not.toContain('12345678');
  });
});
