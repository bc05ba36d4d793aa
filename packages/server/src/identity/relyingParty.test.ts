import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './relyingParty.js';

describe('return target after sign-in', () => {
  it('allows same-site paths only', () => {
    expect(safeReturnTo('/help?session=abc')).toBe('/help?session=abc');
    for (const bad of ['https://evil.example', '//evil.example', '/\\evil.example', 'help', 42, undefined]) {
      expect(safeReturnTo(bad)).toBe('/');
    }
  });
});
