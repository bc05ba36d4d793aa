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

describe('sign-in page form-action', () => {
  it('allows the native client’s loopback redirect and nothing else', async () => {
    const { formAction } = await import('./signInRoutes.js');
    expect(formAction('http://127.0.0.1:50123/callback')).toBe("'self' http://127.0.0.1:50123");
    expect(formAction('https://evil.example/callback')).toBe("'self'");
    expect(formAction('http://localhost.evil.example:80/callback')).toBe("'self'");
    expect(formAction(undefined)).toBe("'self'");
  });
});
