import { describe, expect, it } from 'vitest';
import { keycodesByKeysym } from './keysymGuard.js';

describe('keycodesByKeysym', () => {
  // Rows from keycode 8: a keysym on two keycodes, one of them only at the second level.
  const rows = [
    [0x61, 0x41], // 8: a A
    [0x31, 0x21], // 9: 1 !
    [0x41, 0x61], // 10: A a (a layout that has "a" shifted here)
    [0, 0], // 11: empty
    [0xffe1, 0], // 12: Shift_L
  ];

  it('gives each keysym the keycode XKeysymToKeycode would: first column first, lowest keycode first', () => {
    const found = keycodesByKeysym(rows, 8);
    expect(found.get(0x61)).toBe(8); // column 0 of keycode 8, before column 1 of keycode 10
    expect(found.get(0x41)).toBe(10); // column 0 of keycode 10 wins over column 1 of keycode 8
    expect(found.get(0x21)).toBe(9);
    expect(found.get(0xffe1)).toBe(12);
    expect(found.has(0)).toBe(false);
  });

  it('leaves out the keycodes it is told to (the text typer remaps them)', () => {
    const found = keycodesByKeysym(rows, 8, new Set([8]));
    expect(found.get(0x61)).toBe(10);
    expect(found.get(0x41)).toBe(10);
  });
});
