/**
 * @module sessions/policy
 * Who may do what to a session. Every rule is checked on the server; the client's
 * idea of its own permissions only shapes the UI.
 */
import type { Role, SessionMode } from '@remote-help/protocol';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import type { AccessPolicy } from '../rbac/policy.js';
import type { SessionRow } from './repo.js';

/** The caller's side in a session of their tenant, or undefined when they take no part in it. */
export function sideOf(session: SessionRow, principal: Principal): Role | undefined {
  if (session.tenant_id !== principal.tenantId) return undefined;
  if (session.helper_id === principal.userId) return 'helper';
  if (session.sharer_id === principal.userId) return 'sharer';
  return undefined;
}

/** The caller's side in a session, or a `session_not_found` (another tenant's) or `not_participant` error. */
export function roleIn(session: SessionRow, principal: Principal): Role {
  if (session.tenant_id !== principal.tenantId) throw errors.sessionNotFound();
  const side = sideOf(session, principal);
  if (!side) throw errors.notParticipant();
  return side;
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

/** The permission a mode needs within the helper's scope. */
export const permissionForMode = (mode: SessionMode) =>
  mode === 'control' ? ('remoteHelp.takeFullControl' as const) : ('remoteHelp.viewScreen' as const);

/**
 * The helper's scope must include the sharer (and the session's device when known) for
 * `mode`. Checked on every request, so an assignment changed mid-session applies to the next one.
 */
export async function assertInScope(
  access: AccessPolicy,
  principal: Principal,
  session: SessionRow,
  mode: SessionMode,
): Promise<void> {
  // Nobody to be in scope yet: the state machine refuses a request before the sharer joins.
  if (!session.sharer_id) return;
  await access.assertMayHelp(
    principal,
    { userId: session.sharer_id, deviceId: session.device_id },
    permissionForMode(mode),
    session.device_id ? 'this person or their device' : 'this person',
  );
}

/** The helper of a session, as a principal for scope checks made on the sharer's call. */
export const helperOf = (session: SessionRow): Principal => ({
  userId: session.helper_id,
  tenantId: session.tenant_id,
  permissions: [],
  ip: null,
  client: 'web',
});
