import type { SessionMode } from '@remote-help/protocol';
import fc from 'fast-check';
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

  it('pause refuses everything whatever the server says, releases held input, and resume needs no new Allow', () => {
    const { gate, target } = makeGate();
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    gate.setPaused(true);
    expect(target.releaseAll).toHaveBeenCalledTimes(1);
    expect(gate.blockReason()).toBe('paused');
    // The server insisting on control, the helper's consent-less messages: still nothing.
    gate.setSessionMode('view');
    gate.setSessionMode('control');
    const inject = vi.fn();
    expect(gate.run(inject)).toBe(false);
    expect(inject).not.toHaveBeenCalled();
    expect(gate.allowed).toBe(false);
    gate.setPaused(false);
    // The control period was ended by the server meanwhile: consent was consumed, as without a pause.
    expect(gate.blockReason()).toBe('no_local_consent');
    gate.setLocalConsent(true);
    gate.setPaused(true);
    gate.setPaused(false);
    expect(gate.allowed).toBe(true);
    expect(gate.run(inject)).toBe(true);
  });

  it('a lost display refuses input and keeps consent for when it comes back', () => {
    const { gate, target } = makeGate();
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    gate.setDisplayUnavailable(true);
    expect(gate.blockReason()).toBe('display_unavailable');
    expect(target.releaseAll).toHaveBeenCalledTimes(1);
    gate.setDisplayUnavailable(false);
    expect(gate.allowed).toBe(true);
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

type GateStep =
  | { kind: 'mode'; mode: SessionMode | null }
  | { kind: 'allow' | 'deny' | 'stop' | 'pause' | 'resume' | 'displayLost' | 'displayBack' };

const gateStep: fc.Arbitrary<GateStep> = fc.oneof(
  fc.record({ kind: fc.constant('mode' as const), mode: fc.constantFrom<SessionMode | null>('view', 'control', null) }),
  fc.constantFrom(
    ...(['allow', 'deny', 'stop', 'pause', 'resume', 'displayLost', 'displayBack'] as const).map((kind) => ({ kind })),
  ),
);

describe('ConsentGate with pause and a lost display, over arbitrary sequences', () => {
  it('is open iff control ∧ the Allow stands ∧ not paused ∧ the display is there; closing always releases', () => {
    fc.assert(
      fc.property(fc.array(gateStep, { maxLength: 40 }), (steps) => {
        const { gate, target } = makeGate();
        let mode: SessionMode | null = null;
        let paused = false;
        let lost = false;
        const last = { allow: -1, deny: -1, stop: -1, controlEnded: -1 };
        steps.forEach((s, t) => {
          const wasOpen = gate.allowed;
          const releases = target.releaseAll.mock.calls.length;
          switch (s.kind) {
            case 'mode':
              if (mode === 'control' && s.mode !== 'control') last.controlEnded = t;
              mode = s.mode;
              gate.setSessionMode(s.mode);
              break;
            case 'allow':
              last.allow = t;
              gate.setLocalConsent(true);
              break;
            case 'deny':
              last.deny = t;
              gate.setLocalConsent(false);
              break;
            case 'stop':
              last.stop = t;
              gate.revoke();
              break;
            case 'pause':
            case 'resume':
              paused = s.kind === 'pause';
              gate.setPaused(paused);
              break;
            case 'displayLost':
            case 'displayBack':
              lost = s.kind === 'displayLost';
              gate.setDisplayUnavailable(lost);
              break;
          }
          const consent = last.allow > Math.max(last.deny, last.stop, last.controlEnded);
          const expected = mode === 'control' && consent && !paused && !lost;
          expect(gate.allowed, `step ${t}: ${JSON.stringify(s)}`).toBe(expected);
          if (wasOpen && !expected) expect(target.releaseAll.mock.calls.length).toBeGreaterThan(releases);
          const inject = vi.fn();
          expect(gate.run(inject)).toBe(expected);
        });
      }),
      { numRuns: 500 },
    );
  });
});
