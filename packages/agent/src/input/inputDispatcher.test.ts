import { describe, expect, it, vi } from 'vitest';
import { LibnutInjector } from '../platform/libnutInjector.js';
import { fakeLibnut } from '../testing/fakeLibnut.js';
import { ConsentGate } from './consentGate.js';
import { InputDispatcher } from './inputDispatcher.js';

const display = { id: 'root', name: 'Screen', bounds: { x: 0, y: 0, width: 1280, height: 720 }, primary: true };
const none = { shift: false, ctrl: false, alt: false, meta: false };

function setup(allowed = true) {
  const nut = fakeLibnut();
  const injector = new LibnutInjector(nut, display);
  const gate = new ConsentGate(injector);
  if (allowed) {
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
  }
  const onRejected = vi.fn();
  const dispatcher = new InputDispatcher(gate, injector, { onRejected });
  nut.calls.length = 0;
  const send = (m: unknown) => dispatcher.handle(JSON.stringify(m));
  return { nut, gate, dispatcher, send, onRejected };
}

describe('InputDispatcher', () => {
  it('scales pointer messages to display pixels and injects them', () => {
    const { nut, send } = setup();
    expect(send({ type: 'pointerMove', x: 0.5, y: 0.5 })).toBe('injected');
    expect(send({ type: 'pointerButton', button: 0, down: true, x: 1, y: 1 })).toBe('injected');
    expect(nut.calls).toEqual([
      ['moveMouse', 640, 360],
      ['moveMouse', 1279, 719],
      ['mouseToggle', 'down', 'left'],
    ]);
  });

  it('injects each numbered message once, in order, from whichever copy arrives first', () => {
    const { nut, dispatcher } = setup();
    const at = (seq: number, x: number) => JSON.stringify({ type: 'pointerMove', x, y: 0, seq });
    const press = (seq: number, down: boolean) => JSON.stringify({ type: 'pointerButton', button: 0, down, seq });
    expect(dispatcher.handle(at(1, 0))).toBe('injected'); // fast copy
    expect(dispatcher.handle(at(1, 0))).toBe('duplicate'); // reliable copy
    // 2 lost on the fast channel; 3 and 4 come first and wait for it.
    expect(dispatcher.handle(press(3, true))).toBe('held');
    expect(dispatcher.handle(press(4, false))).toBe('held');
    expect(nut.calls).toEqual([['moveMouse', 0, 0]]);
    expect(dispatcher.handle(at(2, 0.5))).toBe('injected'); // the reliable copy of 2
    expect(nut.calls).toEqual([
      ['moveMouse', 0, 0],
      ['moveMouse', 640, 0],
      ['mouseToggle', 'down', 'left'],
      ['mouseToggle', 'up', 'left'],
    ]);
    for (const late of [at(2, 0.5), press(3, true), press(4, false)]) expect(dispatcher.handle(late)).toBe('duplicate');
    expect(nut.calls).toHaveLength(4);
    // A new connection numbers from 1 again; late copies from the old one are dropped.
    expect(dispatcher.handle(at(1, 1), 1)).toBe('injected');
    expect(dispatcher.handle(at(5, 1), 0)).toBe('duplicate');
    // Messages without a number (an older helper) go straight through.
    expect(dispatcher.handle(JSON.stringify({ type: 'pointerMove', x: 0, y: 1 }), 1)).toBe('injected');
    expect(dispatcher.stats()).toMatchObject({ injected: 6, duplicates: 5 });
  });

  it('gives up a number that never comes rather than hold input forever', () => {
    const { nut, dispatcher } = setup();
    const at = (seq: number) => JSON.stringify({ type: 'pointerMove', x: 0, y: 0, seq });
    for (let seq = 2; seq <= 257; seq++) expect(dispatcher.handle(at(seq))).toBe('held');
    expect(nut.calls).toEqual([]);
    expect(dispatcher.handle(at(258))).toBe('held');
    expect(nut.calls).toHaveLength(257);
    expect(dispatcher.handle(at(259))).toBe('injected');
  });

  it('injects nothing while the gate is closed, and counts it', () => {
    const { nut, send, dispatcher } = setup(false);
    expect(send({ type: 'pointerMove', x: 0.5, y: 0.5 })).toBe('blocked');
    expect(send({ type: 'key', code: 'KeyA', down: true, modifiers: none })).toBe('blocked');
    expect(nut.calls).toEqual([]);
    expect(dispatcher.stats()).toMatchObject({ received: 2, blocked: 2, injected: 0 });
  });

  it('rejects and counts bad messages and unknown keys, never injecting them', () => {
    const { nut, send, dispatcher, onRejected } = setup();
    expect(dispatcher.handle('nonsense')).toBe('rejected');
    expect(send({ type: 'pointerMove', x: 'left', y: 0 })).toBe('rejected');
    expect(send({ type: 'key', code: 'F23', down: true, modifiers: none })).toBe('rejected');
    expect(nut.calls).toEqual([]);
    expect(dispatcher.stats()).toMatchObject({ received: 3, rejected: 3 });
    expect(onRejected.mock.calls.map((c) => (c[0] as { reason: string }).reason)).toEqual([
      'invalid_input_message',
      'invalid_input_message',
      'unknown_key',
    ]);
  });

  it('rejects bad messages even while the gate is closed', () => {
    const { send, dispatcher } = setup(false);
    send({ type: 'bogus' });
    expect(dispatcher.stats()).toMatchObject({ rejected: 1, blocked: 0 });
  });

  it('turns wheel pixels into notches, keeping the remainder', () => {
    const { nut, send } = setup();
    send({ type: 'wheel', dx: 0, dy: 60 });
    send({ type: 'wheel', dx: 0, dy: 60 });
    send({ type: 'wheel', dx: 0, dy: -300, mode: 'pixel' });
    send({ type: 'wheel', dx: 6, dy: 0, mode: 'line' });
    expect(nut.calls).toEqual([
      ['scrollMouse', 0, -1],
      ['scrollMouse', 0, 2],
      ['scrollMouse', -2, 0], // two notches right: libnut's x is positive to the left
    ]);
  });

  it('releases a modifier whose key-up was lost', () => {
    const { nut, send } = setup();
    send({ type: 'key', code: 'ShiftLeft', down: true, modifiers: { ...none, shift: true } });
    send({ type: 'key', code: 'KeyA', down: true, modifiers: none });
    expect(nut.calls).toEqual([
      ['keyToggle', 'shift', 'down'],
      ['keyToggle', 'shift', 'up'],
      ['keyToggle', 'a', 'down'],
    ]);
  });

  it('releaseAll works even when the gate is closed, and revoke releases held keys', () => {
    const { nut, send, gate } = setup();
    send({ type: 'key', code: 'ControlLeft', down: true, modifiers: { ...none, ctrl: true } });
    gate.revoke();
    expect(nut.calls.at(-1)).toEqual(['keyToggle', 'control', 'up']);
    expect(send({ type: 'key', code: 'KeyC', down: true, modifiers: { ...none, ctrl: true } })).toBe('blocked');
    expect(send({ type: 'releaseAll' })).toBe('injected');
  });
});
