import { SHIPPED_LANGUAGES } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from './index';

describe('shipped languages', () => {
  it('the web app’s locale files are exactly the languages the server accepts as a saved choice', () => {
    expect([...LANGUAGES].sort()).toEqual([...SHIPPED_LANGUAGES].sort());
  });
});
