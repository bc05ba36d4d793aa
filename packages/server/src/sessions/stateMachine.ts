/**
 * @module sessions/stateMachine
 * The session lifecycle as a pure function: given a snapshot and an event, the next
 * snapshot, or an `InvalidTransitionError`. Who may cause an event is decided in
 * `policy.ts`; this module only knows which events make sense in which state.
 *
 *   waiting ─redeem→ joined ─request→ requested ─allow→ active ⇄ (request/allow/decline, dropControl)
 *      └──────────────┴────────────────┴──────────────────┴──end(reason)→ ended
 */
import type { EndReason, SessionMode, SessionState, SharerClient } from '@remote-help/protocol';

export interface SessionSnapshot {
  state: SessionState;
  mode: SessionMode | null;
  pendingMode: SessionMode | null;
  sharerId: string | null;
  sharerClient: SharerClient | null;
  endReason: EndReason | null;
}

export type SessionEvent =
  | { type: 'redeem'; sharerId: string; client: SharerClient }
  | { type: 'request'; mode: SessionMode }
  | { type: 'allow' }
  | { type: 'decline' }
  | { type: 'dropControl' }
  | { type: 'end'; reason: EndReason };

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: SessionState,
    readonly event: SessionEvent['type'],
    detail: string,
  ) {
    super(`Cannot ${event} a session that is ${from}: ${detail}`);
    this.name = 'InvalidTransitionError';
  }
}

/** Reasons that only specific states may end with. */
const REASON_STATES: Partial<Record<EndReason, readonly SessionState[]>> = {
  code_expired: ['waiting'],
  declined: ['waiting'], // a remote-launch prompt dismissed; later, only through the sharer's decline
  revoked: ['active'],
  out_of_scope: ['waiting'], // the person entering the code (or accepting a launch) is outside the helper's scope
};

export function transition(s: SessionSnapshot, e: SessionEvent): SessionSnapshot {
  const refuse = (detail: string): never => {
    throw new InvalidTransitionError(s.state, e.type, detail);
  };
  if (s.state === 'ended') refuse('the session has ended');

  switch (e.type) {
    case 'redeem':
      if (s.state !== 'waiting') refuse('the code was already used');
      return { ...s, state: 'joined', sharerId: e.sharerId, sharerClient: e.client };

    case 'request':
      if (e.mode === 'control' && s.sharerClient !== 'agent') refuse('full control needs the native agent');
      if (s.state === 'joined') return { ...s, state: 'requested', pendingMode: e.mode };
      if (s.state === 'active') {
        if (s.pendingMode) refuse('a request is already waiting for an answer');
        if (s.mode === e.mode) refuse(`the session is already in ${e.mode} mode`);
        return { ...s, pendingMode: e.mode };
      }
      return refuse('nothing can be requested before the sharer joins or while a request is pending');

    case 'allow':
      if (s.state === 'requested' || (s.state === 'active' && s.pendingMode)) {
        return { ...s, state: 'active', mode: s.pendingMode, pendingMode: null };
      }
      return refuse('there is no request to allow');

    case 'decline':
      if (s.state === 'requested') return { ...s, state: 'ended', pendingMode: null, endReason: 'declined' };
      if (s.state === 'active' && s.pendingMode) return { ...s, pendingMode: null };
      return refuse('there is no request to decline');

    case 'dropControl':
      if (s.state === 'active' && s.mode === 'control') return { ...s, mode: 'view', pendingMode: null };
      return refuse('the session is not in full control');

    case 'end': {
      const allowed = REASON_STATES[e.reason];
      if (allowed && !allowed.includes(s.state)) refuse(`${e.reason} does not apply`);
      return { ...s, state: 'ended', pendingMode: null, endReason: e.reason };
    }
  }
}
