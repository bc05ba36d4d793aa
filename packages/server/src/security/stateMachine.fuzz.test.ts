/**
 * Property-based test of the session state machine (`sessions/stateMachine.ts`): random
 * sequences of events from a new session, with invariants checked after every step. An
 * event is either accepted (and must be a move the design lists) or refused with
 * `InvalidTransitionError`; nothing else may happen.
 */
import { END_REASONS } from '@remote-help/protocol';
import type { SessionState } from '@remote-help/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionEvent, SessionSnapshot } from '../sessions/stateMachine.js';
import { InvalidTransitionError, transition } from '../sessions/stateMachine.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

const START: SessionSnapshot = {
  state: 'waiting',
  mode: null,
  pendingMode: null,
  sharerId: null,
  sharerClient: null,
  endReason: null,
};

/** The moves the design lists (ARCHITECTURE.md, stateMachine.ts header): state → event → next state. */
const DESIGN: Record<SessionState, Partial<Record<SessionEvent['type'], SessionState>>> = {
  waiting: { redeem: 'joined', end: 'ended' },
  joined: { request: 'requested', end: 'ended' },
  requested: { allow: 'active', decline: 'ended', end: 'ended' },
  active: { request: 'active', allow: 'active', decline: 'active', dropControl: 'active', end: 'ended' },
  ended: {},
};

const event: fc.Arbitrary<SessionEvent> = fc.oneof(
  fc.record({
    type: fc.constant('redeem' as const),
    sharerId: fc.constantFrom('s1', 's2'),
    client: fc.constantFrom('web' as const, 'agent' as const),
  }),
  fc.record({ type: fc.constant('request' as const), mode: fc.constantFrom('view' as const, 'control' as const) }),
  fc.constant({ type: 'allow' as const }),
  fc.constant({ type: 'decline' as const }),
  fc.constant({ type: 'dropControl' as const }),
  fc.record({ type: fc.constant('end' as const), reason: fc.constantFrom(...END_REASONS) }),
);

/** Invariants of one snapshot, whatever led to it. */
function checkSnapshot(s: SessionSnapshot): void {
  expect(s.endReason !== null, 'endReason is set exactly when ended').toBe(s.state === 'ended');
  if (s.pendingMode !== null) expect(['requested', 'active']).toContain(s.state);
  if (s.state === 'requested') expect(s.pendingMode).not.toBeNull();
  if (s.state === 'active') expect(s.mode).not.toBeNull();
  if (['waiting', 'joined', 'requested'].includes(s.state)) expect(s.mode).toBeNull();
  if (['joined', 'requested', 'active'].includes(s.state)) expect(s.sharerId).not.toBeNull();
  // Full control exists only with the native agent, and so does a request for it.
  if (s.mode === 'control' || s.pendingMode === 'control') expect(s.sharerClient).toBe('agent');
}

/** Invariants of one accepted step. */
function checkStep(before: SessionSnapshot, e: SessionEvent, after: SessionSnapshot): void {
  expect(before.state, 'ended is terminal').not.toBe('ended');
  expect(DESIGN[before.state][e.type], `${before.state} --${e.type}--> ${after.state} is not in the design`).toBe(
    after.state,
  );
  // Control only ever starts with the sharer's allow of a control request.
  if (after.mode === 'control' && before.mode !== 'control') {
    expect(e.type).toBe('allow');
    expect(before.pendingMode).toBe('control');
  }
  // The sharer is set once, by redeem, and never replaced.
  if (before.sharerId !== null) expect(after.sharerId).toBe(before.sharerId);
  if (before.sharerClient !== null) expect(after.sharerClient).toBe(before.sharerClient);
  if (e.type === 'end') {
    expect(after.endReason).toBe(e.reason);
    if (e.reason === 'code_expired') expect(before.state).toBe('waiting');
    if (e.reason === 'revoked') expect(before.state).toBe('active');
  }
  if (e.type === 'decline' && before.state === 'requested') expect(after.endReason).toBe('declined');
}

describe('session state machine under random event sequences', () => {
  it('accepts only designed moves and keeps every invariant', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let s = START;
        checkSnapshot(s);
        for (const e of events) {
          let next: SessionSnapshot;
          try {
            next = transition(s, e);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidTransitionError);
            continue;
          }
          checkStep(s, e, next);
          checkSnapshot(next);
          s = next;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('never gives a web sharer full control, whatever the helper asks', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let s: SessionSnapshot = { ...START, state: 'joined', sharerId: 's1', sharerClient: 'web' };
        for (const e of events) {
          if (e.type === 'redeem') continue;
          try {
            s = transition(s, e);
          } catch {
            continue;
          }
          expect(s.mode).not.toBe('control');
          expect(s.pendingMode).not.toBe('control');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses every event once ended, from any ended snapshot', () => {
    const ended = fc.record({
      state: fc.constant('ended' as const),
      mode: fc.constantFrom(null, 'view' as const, 'control' as const),
      pendingMode: fc.constantFrom(null, 'view' as const, 'control' as const),
      sharerId: fc.constantFrom(null, 's1'),
      sharerClient: fc.constantFrom(null, 'web' as const, 'agent' as const),
      endReason: fc.constantFrom(...END_REASONS),
    });
    fc.assert(
      fc.property(ended, event, (s, e) => {
        expect(() => transition(s, e)).toThrow(InvalidTransitionError);
      }),
      { numRuns: RUNS },
    );
  });

  it('does not change the snapshot it is given (pure)', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), (events) => {
        let s = START;
        for (const e of events) {
          const given = s;
          const before = structuredClone(given);
          try {
            s = transition(given, e);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidTransitionError);
          }
          expect(given).toEqual(before);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
