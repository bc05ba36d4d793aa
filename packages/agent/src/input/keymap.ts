/**
 * @module input/keymap
 * From `KeyboardEvent.code` (the physical key, as the helper's browser reports it)
 * to the key names of the injectors (libnut's names: `@nut-tree-fork/libnut-darwin` takes them
 * as they are, the X11 injector turns each into its keysym, see `platform/linux/keysymGuard`).
 * Codes not in the table are rejected with `AgentError('unknown_key')` and never injected.
 *
 * The mapping is by key symbol on a US layout: `KeyZ` types `z` whatever the sharer's
 * layout (see keymap.test.ts).
 */
import { AgentError } from '../errors.js';

/** A key name: libnut's `keyToggle` names, which `keysymForName` knows too. */
export type KeyName = string;

const entries: [string, KeyName][] = [];

for (let i = 0; i < 26; i++) {
  const letter = String.fromCharCode(97 + i);
  entries.push([`Key${letter.toUpperCase()}`, letter]);
}
for (let i = 0; i <= 9; i++) {
  entries.push([`Digit${i}`, String(i)], [`Numpad${i}`, `numpad_${i}`]);
}
// F13–F24 are left out on purpose: the default X keymap has no key for them (the X11
// injector would refuse them as key_unavailable; libnut on X11 made Xlib abort the process).
for (let i = 1; i <= 12; i++) entries.push([`F${i}`, `f${i}`]);

entries.push(
  ['ArrowUp', 'up'],
  ['ArrowDown', 'down'],
  ['ArrowLeft', 'left'],
  ['ArrowRight', 'right'],
  // libnut's "enter" is the keypad Enter (KP_Enter); "return" is the main one.
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
  ['CapsLock', 'caps_lock'],
  ['NumLock', 'num_lock'],
  ['ScrollLock', 'scroll_lock'],
  ['PrintScreen', 'printscreen'],
  ['Home', 'home'],
  ['End', 'end'],
  ['PageUp', 'pageup'],
  ['PageDown', 'pagedown'],
  ['Insert', 'insert'],
  ['Delete', 'delete'],
  ['Minus', '-'],
  ['Equal', '='],
  ['BracketLeft', '['],
  ['BracketRight', ']'],
  ['Backslash', '\\'],
  ['Semicolon', ';'],
  ['Quote', "'"],
  ['Comma', ','],
  ['Period', '.'],
  ['Slash', '/'],
  ['Backquote', '`'],
  ['NumpadDecimal', 'numpad_decimal'],
  ['NumpadAdd', 'add'],
  ['NumpadSubtract', 'subtract'],
  ['NumpadMultiply', 'multiply'],
  ['NumpadDivide', 'divide'],
  ['NumpadEqual', 'numpad_equal'],
);

/** Every supported `KeyboardEvent.code` and its injector key name. */
export const KEY_MAP: ReadonlyMap<string, KeyName> = new Map(entries);

/** Modifier codes, grouped by the `KeyboardEvent` flag that reports them. */
export const MODIFIER_CODES = {
  shift: ['ShiftLeft', 'ShiftRight'],
  ctrl: ['ControlLeft', 'ControlRight'],
  alt: ['AltLeft', 'AltRight'],
  meta: ['MetaLeft', 'MetaRight'],
} as const satisfies Record<string, readonly string[]>;

/** The injector key name for `code`, or throws `AgentError('unknown_key')`. */
export function keyNameFor(code: string): KeyName {
  const name = KEY_MAP.get(code);
  if (name === undefined) throw AgentError.unknownKey(code);
  return name;
}

/** Whether `code` is in the key map. */
export function isKnownCode(code: string): boolean {
  return KEY_MAP.has(code);
}
