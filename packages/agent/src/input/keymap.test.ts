import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors.js';
import { keysymForName } from '../platform/linux/keysymGuard.js';
import { KEY_MAP, MODIFIER_CODES, isKnownCode, keyNameFor } from './keymap.js';

describe('keymap', () => {
  it.each([
    ['KeyA', 'a'],
    ['KeyZ', 'z'],
    ['Digit0', '0'],
    ['Digit9', '9'],
    ['F1', 'f1'],
    ['F12', 'f12'],
    ['ArrowUp', 'up'],
    ['ArrowLeft', 'left'],
    ['Enter', 'return'],
    ['NumpadEnter', 'enter'],
    ['Escape', 'escape'],
    ['Backspace', 'backspace'],
    ['Tab', 'tab'],
    ['Space', 'space'],
    ['ShiftLeft', 'shift'],
    ['ShiftRight', 'right_shift'],
    ['ControlLeft', 'control'],
    ['ControlRight', 'right_control'],
    ['AltLeft', 'alt'],
    ['AltRight', 'right_alt'],
    ['MetaLeft', 'meta'],
    ['MetaRight', 'right_meta'],
    ['Minus', '-'],
    ['Backslash', '\\'],
    ['Quote', "'"],
    ['Backquote', '`'],
    ['Numpad0', 'numpad_0'],
    ['NumpadAdd', 'add'],
    ['NumpadDecimal', 'numpad_decimal'],
    ['Home', 'home'],
    ['PageDown', 'pagedown'],
    ['Insert', 'insert'],
    ['Delete', 'delete'],
    ['CapsLock', 'caps_lock'],
  ])('maps %s to %s', (code, name) => {
    expect(keyNameFor(code)).toBe(name);
    expect(isKnownCode(code)).toBe(true);
  });

  it('covers all letters, digits, F1-F12 and numpad digits', () => {
    for (let i = 0; i < 26; i++) expect(KEY_MAP.has(`Key${String.fromCharCode(65 + i)}`)).toBe(true);
    for (let i = 0; i <= 9; i++) expect(KEY_MAP.has(`Digit${i}`) && KEY_MAP.has(`Numpad${i}`)).toBe(true);
    for (let i = 1; i <= 12; i++) expect(KEY_MAP.has(`F${i}`)).toBe(true);
  });

  it.each([
    'F13',
    'F24',
    'ContextMenu',
    'IntlBackslash',
    'Fn',
    'keya',
    'a',
    '',
    'constructor',
    '__proto__',
    'toString',
  ])('rejects %j with a typed error', (code) => {
    expect(() => keyNameFor(code)).toThrow(AgentError);
    try {
      keyNameFor(code);
    } catch (error) {
      expect((error as AgentError).reason).toBe('unknown_key');
    }
    expect(isKnownCode(code)).toBe(false);
  });

  it('has a known X keysym for every injector name (so the Linux guard can vet each key)', () => {
    for (const [code, name] of KEY_MAP) expect(keysymForName(name), code).toBeTypeOf('number');
  });

  it('lists only mapped codes as modifiers', () => {
    for (const codes of Object.values(MODIFIER_CODES)) for (const code of codes) expect(isKnownCode(code)).toBe(true);
  });
});
