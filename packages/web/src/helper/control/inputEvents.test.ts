import { describe, expect, it } from 'vitest';
import { encodeInput } from './channelCodec';
import {
  buttonChanges,
  isLeaveShortcut,
  keyMessage,
  knownButtons,
  pointerButtonMessage,
  pointerMoveMessage,
  RELEASE_ALL,
  wheelMessage,
} from './inputEvents';
import type { KeyEventLike } from './inputEvents';

function key(code: string, modifiers: Partial<KeyEventLike> = {}): KeyEventLike {
  return { code, key: code, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, ...modifiers };
}

describe('pointer messages', () => {
  it('rounds positions', () => {
    expect(pointerMoveMessage({ x: 1 / 3, y: 0.5 })).toEqual({ type: 'pointerMove', x: 0.33333, y: 0.5 });
  });

  it('maps DOM buttons 0, 1, 2 and drops the others', () => {
    expect(pointerButtonMessage(0, true, { x: 0.1, y: 0.2 })).toEqual({
      type: 'pointerButton',
      button: 0,
      down: true,
      x: 0.1,
      y: 0.2,
    });
    expect(pointerButtonMessage(1, false, null)).toEqual({ type: 'pointerButton', button: 1, down: false });
    expect(pointerButtonMessage(2, true, null)).toMatchObject({ button: 2, down: true });
    expect(pointerButtonMessage(3, true, null)).toBeNull(); // back
    expect(pointerButtonMessage(4, true, null)).toBeNull(); // forward
    expect(pointerButtonMessage(-1, true, null)).toBeNull();
  });

  it('turns changes of the buttons mask into presses and releases, releases first', () => {
    expect(buttonChanges(0, 1)).toEqual([{ button: 0, down: true }]);
    expect(buttonChanges(0, 2)).toEqual([{ button: 2, down: true }]);
    expect(buttonChanges(0, 4)).toEqual([{ button: 1, down: true }]);
    expect(buttonChanges(1, 3)).toEqual([{ button: 2, down: true }]); // right pressed during a left drag
    expect(buttonChanges(3, 4)).toEqual([
      { button: 0, down: false },
      { button: 2, down: false },
      { button: 1, down: true },
    ]);
    expect(buttonChanges(5, 5)).toEqual([]);
    expect(knownButtons(1 | 8 | 16)).toBe(1); // back and forward are not sent
  });
});

describe('wheel messages', () => {
  it('keeps the deltas and names the delta mode', () => {
    expect(wheelMessage({ deltaX: 0, deltaY: 100, deltaMode: 0 })).toEqual({
      type: 'wheel',
      dx: 0,
      dy: 100,
      mode: 'pixel',
    });
    expect(wheelMessage({ deltaX: -3, deltaY: 0, deltaMode: 1 })).toMatchObject({ dx: -3, mode: 'line' });
    expect(wheelMessage({ deltaX: 0, deltaY: 1, deltaMode: 2 })).toMatchObject({ mode: 'page' });
  });

  it('clamps huge deltas and drops empty ones', () => {
    expect(wheelMessage({ deltaX: 1e9, deltaY: -1e9, deltaMode: 0 })).toMatchObject({ dx: 10_000, dy: -10_000 });
    expect(wheelMessage({ deltaX: 0, deltaY: 0, deltaMode: 0 })).toBeNull();
    expect(wheelMessage({ deltaX: Number.NaN, deltaY: 0, deltaMode: 0 })).toBeNull();
  });
});

describe('key messages', () => {
  it('sends the physical key with every modifier flag', () => {
    expect(keyMessage(key('KeyA', { shiftKey: true, ctrlKey: true }), true)).toEqual({
      type: 'key',
      code: 'KeyA',
      down: true,
      modifiers: { shift: true, ctrl: true, alt: false, meta: false },
    });
    expect(keyMessage(key('Tab', { altKey: true, metaKey: true }), false)).toEqual({
      type: 'key',
      code: 'Tab',
      down: false,
      modifiers: { shift: false, ctrl: false, alt: true, meta: true },
    });
  });

  it('drops keys the browser could not identify', () => {
    expect(keyMessage(key(''), true)).toBeNull();
    expect(keyMessage(key('Unidentified'), true)).toBeNull();
    expect(keyMessage(key('Key-A'), true)).toBeNull();
  });

  it('recognises the leave shortcut by position or by character', () => {
    const all = { ctrlKey: true, altKey: true, shiftKey: true };
    expect(isLeaveShortcut(key('KeyQ', all))).toBe(true);
    expect(isLeaveShortcut({ ...key('KeyA', all), key: 'Q' })).toBe(true); // AZERTY
    expect(isLeaveShortcut(key('KeyQ', { ctrlKey: true, altKey: true }))).toBe(false);
    expect(isLeaveShortcut(key('KeyQ', { ...all, metaKey: true }))).toBe(false);
    expect(isLeaveShortcut(key('KeyW', all))).toBe(false);
  });
});

describe('every message built here passes the protocol schema', () => {
  it('encodes', () => {
    const messages = [
      pointerMoveMessage({ x: 0.999999, y: 0 }),
      pointerButtonMessage(2, false, { x: 1, y: 1 }),
      wheelMessage({ deltaX: 1e9, deltaY: 3, deltaMode: 1 }),
      keyMessage(key('ShiftLeft', { shiftKey: true }), true),
      RELEASE_ALL,
    ];
    for (const message of messages) expect(encodeInput(message!), JSON.stringify(message)).not.toBeNull();
  });
});
