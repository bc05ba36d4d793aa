import type { SessionMode } from '@remote-help/protocol';
import { describe, expect, it, vi } from 'vitest';
import { ConsentGate } from './consentGate.js';

function makeGate() {
  const target = { releaseAll: vi.fn() };
  return { gate: new ConsentGate(target), target };
}

const modes: (SessionMode | null)[] = [null, 'view', 'control'];
const combos = modes.flatMap((mode) =>
  [false, true].flatMap((consent) => [false, true].map((revoked) => ({ mode, consent, revoked }))),
);

describe('ConsentGate', () => {
  it.each(combos)('mode=$mode consent=$consent revoked=$revoked', ({ mode, consent, revoked }) => {
    const expected = mode === 'control' && consent && !revoked;
    for (const order of ['mode-first', 'consent-first'] as const) {
      const { gate } = makeGate();
      if (order === 'mode-first') gate.setSessionMode(mode);
      gate.setLocalConsent(consent);
      if (order === 'consent-first') gate.setSessionMode(mode);
      if (revoked) gate.revoke();
      expect(gate.allowed, order).toBe(expected);
      const inject = vi.fn();
      expect(gate.run(inject)).toBe(expected);
      expect(inject).toHaveBeenCalledTimes(expected ? 1 : 0);
      expect(gate.blockedCount).toBe(expected ? 0 : 1);
      expect(gate.blockReason() === null).toBe(expected);
    }
  });

  it('starts closed', () => {
    const { gate } = makeGate();
    expect(gate.allowed).toBe(false);
    expect(gate.blockReason()).toBe('not_control_mode');
  });

  it('revoke takes effect before the next event and releases held keys and buttons', () => {
    const { gate, target } = makeGate();
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    const inject = vi.fn();
    expect(gate.run(inject)).toBe(true);
    gate.revoke();
    expect(target.releaseAll).toHaveBeenCalledTimes(1);
    expect(gate.run(inject)).toBe(false);
    expect(inject).toHaveBeenCalledTimes(1);
    expect(gate.blockReason()).toBe('revoked');
    // the server insisting on control does not reopen it
    gate.setSessionMode('view');
    gate.setSessionMode('control');
    expect(gate.allowed).toBe(false);
  });

  it('revoke releases even when input was already blocked', () => {
    const { gate, target } = makeGate();
    gate.revoke();
    expect(target.releaseAll).toHaveBeenCalledTimes(1);
  });

  it('a new local allow clears an earlier revoke', () => {
    const { gate } = makeGate();
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    gate.revoke();
    gate.setLocalConsent(true);
    expect(gate.allowed).toBe(true);
  });

  it('leaving control releases input and consumes the consent', () => {
    const { gate, target } = makeGate();
    gate.setLocalConsent(true);
    gate.setSessionMode('control');
    expect(gate.allowed).toBe(true);
    gate.setSessionMode('view');
    expect(target.releaseAll).toHaveBeenCalledTimes(1);
    expect(gate.allowed).toBe(false);
    gate.setSessionMode('control');
    expect(gate.allowed).toBe(false);
    expect(gate.blockReason()).toBe('no_local_consent');
    gate.setLocalConsent(true);
    expect(gate.allowed).toBe(true);
  });

  it('consent given while in view mode survives repeated view updates', () => {
    const { gate } = makeGate();
    gate.setSessionMode('view');
    gate.setLocalConsent(true);
    gate.setSessionMode('view');
    gate.setSessionMode('control');
    expect(gate.allowed).toBe(true);
  });

  it('withdrawing consent and the session ending release held input', () => {
    const { gate, target } = makeGate();
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    gate.setLocalConsent(false);
    expect(target.releaseAll).toHaveBeenCalledTimes(1);
    gate.setLocalConsent(true);
    gate.setSessionMode(null);
    expect(target.releaseAll).toHaveBeenCalledTimes(2);
    expect(gate.allowed).toBe(false);
  });

  it('notifies listeners when the decision changes', () => {
    const { gate } = makeGate();
    const listener = vi.fn();
    const off = gate.onChange(listener);
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    gate.revoke();
    off();
    gate.setLocalConsent(true);
    expect(listener.mock.calls.map((c) => c[0])).toEqual([true, false]);
  });
});
