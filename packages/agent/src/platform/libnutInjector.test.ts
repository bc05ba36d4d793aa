import { describe, expect, it } from 'vitest';
import type { AgentError } from '../errors.js';
import { fakeLibnut } from '../testing/fakeLibnut.js';
import { LibnutInjector } from './libnutInjector.js';
import type { DisplayInfo } from './types.js';

const second: DisplayInfo = {
  id: 'd2',
  name: 'Right',
  bounds: { x: 1920, y: 120, width: 1280, height: 1024 },
  primary: false,
};

describe('LibnutInjector', () => {
  it('sets zero delays and offsets pointer moves by the display origin, clamped to it', () => {
    const nut = fakeLibnut();
    const injector = new LibnutInjector(nut, second);
    injector.pointerMove(10, 20);
    injector.pointerMove(5000, -3);
    expect(nut.calls).toEqual([
      ['setMouseDelay', 0],
      ['setKeyboardDelay', 0],
      ['moveMouse', 1930, 140],
      ['moveMouse', 3199, 120],
    ]);
  });

  it('maps buttons and wheel directions', () => {
    const nut = fakeLibnut();
    const injector = new LibnutInjector(nut, second);
    nut.calls.length = 0;
    injector.pointerButton(0, true);
    injector.pointerButton(1, true);
    injector.pointerButton(2, false);
    injector.wheel(0, 3);
    injector.wheel(-2, 0);
    injector.wheel(0, 0);
    expect(nut.calls).toEqual([
      ['mouseToggle', 'down', 'left'],
      ['mouseToggle', 'down', 'middle'],
      ['mouseToggle', 'up', 'right'],
      ['scrollMouse', 0, -3],
      ['scrollMouse', 2, 0],
    ]);
  });

  it('presses keys by code, refuses unknown and guarded ones without calling libnut', () => {
    const nut = fakeLibnut();
    const injector = new LibnutInjector(nut, second, { keyGuard: (name) => name !== 'right_alt' });
    nut.calls.length = 0;
    injector.key('KeyQ', true);
    expect(() => injector.key('F20', true)).toThrow(expect.objectContaining({ reason: 'unknown_key' }) as AgentError);
    expect(() => injector.key('AltRight', true)).toThrow(
      expect.objectContaining({ reason: 'key_unavailable' }) as AgentError,
    );
    expect(nut.calls).toEqual([['keyToggle', 'q', 'down']]);
    expect([...injector.heldKeys()]).toEqual(['KeyQ']);
  });

  it('releaseAll lets go of every held key and button, once', () => {
    const nut = fakeLibnut();
    const injector = new LibnutInjector(nut, second);
    injector.key('ShiftLeft', true);
    injector.key('KeyA', true);
    injector.key('KeyA', false);
    injector.key('ControlRight', true);
    injector.pointerButton(0, true);
    nut.calls.length = 0;
    injector.releaseAll();
    expect(nut.calls).toEqual([
      ['keyToggle', 'shift', 'up'],
      ['keyToggle', 'right_control', 'up'],
      ['mouseToggle', 'up', 'left'],
    ]);
    nut.calls.length = 0;
    injector.releaseAll();
    expect(nut.calls).toEqual([]);
    expect(injector.heldKeys().size).toBe(0);
  });

  it("types long text in chunks that fit libnut's buffer", () => {
    const nut = fakeLibnut();
    const injector = new LibnutInjector(nut, second);
    nut.calls.length = 0;
    injector.typeText('€'.repeat(450));
    expect(nut.calls.map((c) => (c[1] as string).length)).toEqual([200, 200, 50]);
    for (const [, text] of nut.calls) expect(Buffer.byteLength(text as string)).toBeLessThan(1000);
  });
});
