/**
 * @module sessions/presenter
 * Turns a session row into the `SessionView` one participant sees.
 */
import type { EndReason, Role, SessionMode, SessionState, SessionView, SharerClient } from '@remote-help/protocol';
import type { UsersRepo } from '../users/repo.js';
import { personCard } from '../users/presenter.js';
import type { SessionRow } from './repo.js';
import type { SessionSnapshot } from './stateMachine.js';

export function snapshotOf(row: SessionRow): SessionSnapshot {
  return {
    state: row.state as SessionState,
    mode: row.mode as SessionMode | null,
    pendingMode: row.pending_mode as SessionMode | null,
    sharerId: row.sharer_id,
    sharerClient: row.sharer_client as SharerClient | null,
    endReason: row.end_reason as EndReason | null,
  };
}

/** Looks up a device's name within a tenant (null when unknown or removed). */
export type DeviceNames = (tenantId: string, deviceId: string) => Promise<string | null>;

export async function presentSession(
  users: UsersRepo,
  row: SessionRow,
  role: Role,
  peerOnline: boolean,
  deviceName: DeviceNames,
): Promise<SessionView> {
  const tenant = await users.tenant(row.tenant_id);
  const domains = await users.verifiedDomains(row.tenant_id);
  const card = async (id: string | null) => {
    if (!id) return null;
    const user = await users.findById(row.tenant_id, id);
    return user ? personCard(user, tenant?.name ?? '', domains) : null;
  };
  const helper = await card(row.helper_id);
  if (!helper) throw new Error(`session ${row.id}: helper ${row.helper_id} is missing`);
  const s = snapshotOf(row);
  return {
    id: row.id,
    state: s.state,
    role,
    helper,
    sharer: await card(row.sharer_id),
    sharerClient: s.sharerClient,
    mode: s.mode,
    pendingMode: s.pendingMode,
    codeExpiresAt: s.state === 'waiting' ? row.code_expires_at : null,
    peerOnline,
    endReason: s.endReason,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    version: row.version,
    device: row.device_id ? { id: row.device_id, name: (await deviceName(row.tenant_id, row.device_id)) ?? '' } : null,
  };
}
