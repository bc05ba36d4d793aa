/**
 * @module inputEvents
 * Turns the helper's DOM pointer, wheel and key events into protocol `input` messages
 * (see `@remote-help/protocol` `InputMessage`). Pure: the event fields it reads are
 * described by small interfaces, so tests need no DOM. Whatever the remote side cannot
 * use (back/forward buttons, keys without a `code`) maps to null and is not sent.
 */
import type { InputMessageInput } from '@remote-help/protocol';
import { roundUnit } from './coordinates';
import type { Point } from './coordinates';

/** The fields of a `KeyboardEvent` that matter here. */
export interface KeyEventLike {
  code: string;
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** The fields of a `WheelEvent` that matter here. */
export interface WheelEventLike {
  deltaX: number;
  deltaY: number;
  /** `WheelEvent.deltaMode`: 0 pixels, 1 lines, 2 pages. */
  deltaMode: number;
}

/** A button that went down or up. */
export interface ButtonChange {
  button: 0 | 1 | 2;
  down: boolean;
}

/** `MouseEvent.buttons` bit of each button the protocol knows (left 1, right 2, middle 4). */
const BUTTON_BITS: readonly (readonly [bit: number, button: 0 | 1 | 2])[] = [
  [1, 0],
  [2, 2],
  [4, 1],
];

/** Largest wheel delta the protocol accepts per message. */
const MAX_DELTA = 10_000;
const WHEEL_MODES = ['pixel', 'line', 'page'] as const;
/** `KeyboardEvent.code` values the protocol accepts. */
const CODE = /^[A-Za-z0-9]{1,32}$/;

/** A position message, rounded to 5 decimals. */
export function pointerMoveMessage(point: Point): InputMessageInput {
  return { type: 'pointerMove', x: roundUnit(point.x), y: roundUnit(point.y) };
}

/**
 * A button press or release (DOM `button`: 0 left, 1 middle, 2 right) at `point` when
 * known. Other buttons (3 back, 4 forward, …) have no remote meaning: null.
 */
export function pointerButtonMessage(button: number, down: boolean, point: Point | null): InputMessageInput | null {
  if (button !== 0 && button !== 1 && button !== 2) return null;
  if (!point) return { type: 'pointerButton', button, down };
  return { type: 'pointerButton', button, down, x: roundUnit(point.x), y: roundUnit(point.y) };
}

/**
 * The buttons that changed between two `MouseEvent.buttons` masks, releases first.
 * Pointer events report a second button pressed during a drag only as a `pointermove`
 * with new `buttons`, so comparing masks catches every press and release.
 */
export function buttonChanges(previous: number, next: number): ButtonChange[] {
  const changes: ButtonChange[] = [];
  for (const [bit, button] of BUTTON_BITS) if (previous & bit && !(next & bit)) changes.push({ button, down: false });
  for (const [bit, button] of BUTTON_BITS) if (!(previous & bit) && next & bit) changes.push({ button, down: true });
  return changes;
}

/** Keeps only the bits of the buttons the protocol knows. */
export function knownButtons(mask: number): number {
  return mask & 7;
}

function clampDelta(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.max(-MAX_DELTA, Math.min(MAX_DELTA, value));
}

/** A wheel message with the event's deltas and `deltaMode`; null when it would scroll nothing. */
export function wheelMessage(event: WheelEventLike): InputMessageInput | null {
  const dx = clampDelta(event.deltaX);
  const dy = clampDelta(event.deltaY);
  if (dx === 0 && dy === 0) return null;
  return { type: 'wheel', dx, dy, mode: WHEEL_MODES[event.deltaMode] ?? 'pixel' };
}

/**
 * A key press or release by physical key (`KeyboardEvent.code`), with the modifier
 * flags of the event. Auto-repeat is sent as further presses (the caller passes each
 * repeated `keydown`). Null for keys the browser could not identify.
 */
export function keyMessage(event: KeyEventLike, down: boolean): InputMessageInput | null {
  if (!CODE.test(event.code) || event.code === 'Unidentified') return null;
  return {
    type: 'key',
    code: event.code,
    down,
    modifiers: { shift: event.shiftKey, ctrl: event.ctrlKey, alt: event.altKey, meta: event.metaKey },
  };
}

/** Releases every key and button on the remote side. */
export const RELEASE_ALL: InputMessageInput = { type: 'releaseAll' };

/**
 * The shortcut that moves keyboard focus out of the remote screen while every other
 * key goes to the sharer: Ctrl+Alt+Shift+Q (matched by key position or by character,
 * so it works on any keyboard layout). Never sent to the remote side.
 */
export function isLeaveShortcut(event: KeyEventLike): boolean {
  if (!(event.ctrlKey && event.altKey && event.shiftKey) || event.metaKey) return false;
  return event.code === 'KeyQ' || event.key.toLowerCase() === 'q';
}
