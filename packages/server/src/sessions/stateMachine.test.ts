import { END_REASONS } from '@remote-help/protocol';
import type { SessionState } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import type { SessionEvent, SessionSnapshot } from './stateMachine.js';
import { InvalidTransitionError, transition } from './stateMachine.js';

const base: SessionSnapshot = {
  state: 'waiting',
  mode: null,
  pendingMode: null,
  sharerId: null,
  sharerClient: null,
  endReason: null,
};
const at = (state: SessionState, more: Partial<SessionSnapshot> = {}): SessionSnapshot => ({
  ...base,
  state,
  ...(state !== 'waiting' ? { sharerId: 's', sharerClient: 'web' as const } : {}),
  ...(state === 'requested' ? { pendingMode: 'view' as const } : {}),
  ...(state === 'active' ? { mode: 'view' as const } : {}),
  ...(state === 'ended' ? { endReason: 'helper_left' as const } : {}),
  ...more,
});

const EVENTS: SessionEvent[] = [
  { type: 'redeem', sharerId: 's', client: 'web' },
  { type: 'request', mode: 'view' },
  { type: 'request', mode: 'control' },
  { type: 'allow' },
  { type: 'decline' },
  { type: 'dropControl' },
  ...END_REASONS.map((reason) => ({ type: 'end', reason }) as const),
];

/** The legal moves, as (state, event) → next state. Everything else must be refused. */
const LEGAL: Record<string, SessionState> = {
  'waiting redeem': 'joined',
  'waiting end:helper_left': 'ended',
  'waiting end:sharer_left': 'ended',
  'waiting end:code_expired': 'ended',
  'waiting end:declined': 'ended',
  'waiting end:connection_lost': 'ended',
  'waiting end:terminated_by_admin': 'ended',
  'waiting end:out_of_scope': 'ended',
  'joined request:view': 'requested',
  'joined end:helper_left': 'ended',
  'joined end:sharer_left': 'ended',
  'joined end:connection_lost': 'ended',
  'joined end:terminated_by_admin': 'ended',
  'requested allow': 'active',
  'requested decline': 'ended',
  'requested end:helper_left': 'ended',
  'requested end:sharer_left': 'ended',
  'requested end:connection_lost': 'ended',
  'requested end:terminated_by_admin': 'ended',
  'active end:helper_left': 'ended',
  'active end:sharer_left': 'ended',
  'active end:connection_lost': 'ended',
  'active end:revoked': 'ended',
  'active end:terminated_by_admin': 'ended',
};

const label = (e: SessionEvent) =>
  e.type === 'end' ? `end:${e.reason}` : e.type === 'request' ? `request:${e.mode}` : e.type;

describe('session state machine (web sharer)', () => {
  for (const state of ['waiting', 'joined', 'requested', 'active', 'ended'] as const) {
    for (const event of EVENTS) {
      const key = `${state} ${label(event)}`;
      const expected = LEGAL[key];
      it(`${key} → ${expected ?? 'refused'}`, () => {
        if (expected) expect(transition(at(state), event).state).toBe(expected);
        else expect(() => transition(at(state), event)).toThrow(InvalidTransitionError);
      });
    }
  }
});

describe('mode changes with the native agent', () => {
  const agent = { sharerClient: 'agent' as const };
  it('lets the helper ask for full control from the start', () => {
    expect(transition(at('joined', agent), { type: 'request', mode: 'control' })).toMatchObject({
      state: 'requested',
      pendingMode: 'control',
    });
  });
  it('moves from view only to full control only after the sharer allows', () => {
    const asked = transition(at('active', agent), { type: 'request', mode: 'control' });
    expect(asked).toMatchObject({ state: 'active', mode: 'view', pendingMode: 'control' });
    expect(() => transition(asked, { type: 'request', mode: 'control' })).toThrow(InvalidTransitionError);
    expect(transition(asked, { type: 'allow' })).toMatchObject({ mode: 'control', pendingMode: null });
    expect(transition(asked, { type: 'decline' })).toMatchObject({ state: 'active', mode: 'view', pendingMode: null });
  });
  it('lets the sharer drop to view only at any time in control', () => {
    const control = at('active', { ...agent, mode: 'control' });
    expect(transition(control, { type: 'dropControl' })).toMatchObject({ state: 'active', mode: 'view' });
    expect(() => transition(at('active', agent), { type: 'dropControl' })).toThrow(InvalidTransitionError);
  });
  it('records the end reason', () => {
    expect(transition(at('requested'), { type: 'decline' }).endReason).toBe('declined');
    expect(transition(at('active'), { type: 'end', reason: 'revoked' }).endReason).toBe('revoked');
  });
});
