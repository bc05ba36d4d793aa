/**
 * @module sessions/policy
 * Who may do what to a session. Every rule is checked on the server; the client's
 * idea of its own permissions only shapes the UI.
 */
import type { Role, SessionMode } from '@remote-help/protocol';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import type { SessionRow } from './repo.js';

/** The caller's side in a session, or a `not_participant` error. */
export function roleIn(session: SessionRow, principal: Principal): Role {
  if (session.tenant_id !== principal.tenantId) throw errors.sessionNotFound();
  if (session.helper_id === principal.userId) return 'helper';
  if (session.sharer_id === principal.userId) return 'sharer';
  throw errors.notParticipant();
}

export function assertMayOffer(principal: Principal): void {
  if (!can(principal, 'remoteTasks.offerRemoteAssistance') || !can(principal, 'remoteHelp.viewScreen')) {
    throw errors.forbidden('Your role does not allow you to offer remote assistance.');
  }
}

export function assertMayRequest(principal: Principal, session: SessionRow, mode: SessionMode): void {
  if (roleIn(session, principal) !== 'helper') throw errors.forbidden('Only the helper can request screen sharing.');
  if (!can(principal, 'remoteHelp.viewScreen')) throw errors.forbidden('Your role does not allow you to view screens.');
  if (mode === 'control') {
    if (!can(principal, 'remoteHelp.takeFullControl')) {
      throw errors.forbidden('Your role does not allow you to take full control.');
    }
    if (session.sharer_client !== 'agent') {
      throw new AppError('unsupported_mode', 'Full control needs the Remote Help app on the sharer’s device.');
    }
  }
}

export function assertIsSharer(principal: Principal, session: SessionRow, what: string): void {
  if (roleIn(session, principal) !== 'sharer') throw errors.forbidden(`Only the sharer can ${what}.`);
}
