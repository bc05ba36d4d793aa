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
      ['scrollMouse', 2, 0],
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
