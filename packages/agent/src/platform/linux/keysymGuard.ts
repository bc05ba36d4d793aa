/**
 * @module platform/linux/keysymGuard
 * The keyboard as the X server maps it: the keysym behind every name of the key map and
 * the keycode that produces it on the server's current mapping (refreshed on
 * MappingNotify), found as Xlib's `XKeysymToKeycode` finds it (every keycode's first
 * keysym, then every second one…). A name whose keysym no key has is refused before
 * anything is sent: XTEST answers keycode 0 with BadValue.
 */
import type { KeyName } from '../../input/keymap.js';
import { xcall, type XDisplay, type XEvent } from './x11.js';

const NAMED: Record<string, number> = {
  return: 0xff0d,
  enter: 0xff8d,
  escape: 0xff1b,
  backspace: 0xff08,
  tab: 0xff09,
  space: 0x20,
  shift: 0xffe1,
  right_shift: 0xffe2,
  control: 0xffe3,
  right_control: 0xffe4,
  alt: 0xffe9,
  right_alt: 0xffea,
  meta: 0xffeb,
  right_meta: 0xffec,
  caps_lock: 0xffe5,
  num_lock: 0xff7f,
  scroll_lock: 0xff14,
  printscreen: 0xff61,
  home: 0xff50,
  end: 0xff57,
  pageup: 0xff55,
  pagedown: 0xff56,
  insert: 0xff63,
  delete: 0xffff,
  up: 0xff52,
  down: 0xff54,
  left: 0xff51,
  right: 0xff53,
  numpad_decimal: 0xffae,
  add: 0xffab,
  subtract: 0xffad,
  multiply: 0xffaa,
  divide: 0xffaf,
  numpad_equal: 0xffbd,
};
for (let i = 1; i <= 12; i++) NAMED[`f${i}`] = 0xffbe + i - 1;
for (let i = 0; i <= 9; i++) NAMED[`numpad_${i}`] = 0xffb0 + i;

/** The X keysym of key `name`, or undefined for names outside the key map. */
export function keysymForName(name: KeyName): number | undefined {
  const named = NAMED[name];
  if (named !== undefined) return named;
  // Single printable ASCII characters are their own keysym (Latin-1).
  if (name.length === 1) {
    const code = name.charCodeAt(0);
    if (code > 0x20 && code < 0x7f) return code;
  }
  return undefined;
}

/** Answers which keycode presses a key name on this X server, if any does. */
export interface KeysymGuard {
  /** The keycode whose mapping holds the name's keysym, or undefined when none does. */
  keycodeFor(name: KeyName): number | undefined;
  dispose(): void;
}

/**
 * Keeps the keyboard mapping of `display` current, starting from `rows` (its mapping from
 * `min_keycode`, as the caller just read it). `scratchKeycodes` are remapped for a moment to
 * type text (see `scratchKeyTyper`): what they hold never counts.
 */
export function createKeysymGuard(
  display: XDisplay,
  rows: readonly (readonly number[])[],
  scratchKeycodes: ReadonlySet<number> = new Set(),
): KeysymGuard {
  let keycodes = keycodesByKeysym(rows, display.min_keycode, scratchKeycodes);
  const refresh = async (): Promise<void> => {
    const count = display.max_keycode - display.min_keycode + 1;
    const fresh = await xcall<number[][]>((cb) => display.client.GetKeyboardMapping(display.min_keycode, count, cb));
    keycodes = keycodesByKeysym(fresh, display.min_keycode, scratchKeycodes);
  };
  const keycodeFor = (name: KeyName): number | undefined => {
    const keysym = keysymForName(name);
    return keysym === undefined ? undefined : keycodes.get(keysym);
  };
  const onEvent = (event: XEvent): void => {
    if (event.name === 'MappingNotify') void refresh().catch(() => undefined);
  };
  display.client.on('event', onEvent);
  return {
    keycodeFor,
    dispose() {
      display.client.removeListener('event', onEvent);
    },
  };
}

/**
 * Each keysym of `rows` (row i is keycode `minKeycode + i`) with the keycode Xlib's
 * `XKeysymToKeycode` would give it: the lowest keycode holding it in the first column,
 * else in the second, and so on. `skip`'s keycodes are left out.
 */
export function keycodesByKeysym(
  rows: readonly (readonly number[])[],
  minKeycode: number,
  skip: ReadonlySet<number> = new Set(),
): Map<number, number> {
  const found = new Map<number, number>();
  const width = Math.max(0, ...rows.map((row) => row.length));
  for (let column = 0; column < width; column++) {
    rows.forEach((row, i) => {
      const keysym = row[column] ?? 0;
      const keycode = minKeycode + i;
      if (keysym !== 0 && !skip.has(keycode) && !found.has(keysym)) found.set(keysym, keycode);
    });
  }
  return found;
}
