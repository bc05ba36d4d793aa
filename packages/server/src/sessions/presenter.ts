/**
 * @module sessions/presenter
 * Turns a session row into the `SessionView` one participant sees. Names of people and
 * devices are normalised for display (protocol `displayText`) by their own presenters.
 */
import type {
  EndReason,
  PersonCard,
  Role,
  SessionMode,
  SessionState,
  SessionView,
  SharerClient,
  SharerStatus,
} from '@remote-help/protocol';
import { deviceDisplayName, presentCompliance } from '../devices/presenter.js';
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
  const { helper, sharer } = await peopleOf(users, row);
  if (!helper) throw new Error(`session ${row.id}: helper ${row.helper_id} is missing`);
  const s = snapshotOf(row);
  return {
    id: row.id,
    state: s.state,
    role,
    helper,
    sharer,
    sharerClient: s.sharerClient,
    mode: s.mode,
    pendingMode: s.pendingMode,
    codeExpiresAt: s.state === 'waiting' ? row.code_expires_at : null,
    peerOnline,
    endReason: s.endReason,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    sharerStatus: row.sharer_status as SharerStatus,
    version: row.version,
    device: row.device_id
      ? { id: row.device_id, name: deviceDisplayName(await deviceName(row.tenant_id, row.device_id), row.device_id) }
      : null,
    // A launch row is made for a device and never has a code; a redeemed code leaves its spent hash.
    via: row.device_id && row.code_hash === null && row.spent_code_hash === null ? 'launch' : 'code',
    sharerDevice: role === 'helper' ? await sharerDeviceOf(row, deviceName) : null,
  };
}

/** The two people of a session as its trust screens show them (the sharer null until someone joins). */
export interface SessionPeople {
  helper: PersonCard | null;
  sharer: PersonCard | null;
}

/** Lookups per repository, then per row object (weakly held: they go with the row). */
const people = new WeakMap<UsersRepo, WeakMap<SessionRow, Promise<SessionPeople>>>();

function lookupsOf(users: UsersRepo): WeakMap<SessionRow, Promise<SessionPeople>> {
  let byRow = people.get(users);
  if (!byRow) {
    byRow = new WeakMap();
    people.set(users, byRow);
  }
  return byRow;
}

/**
 * The helper's and sharer's cards for `row`, looked up once per row object: a session feed
 * presents the row it has just loaded to each role, and both roles see the same two people, so
 * the second presentation reuses the first's organization, domains and people (a load run counted
 * 123 queries per session's life, 75 of them these lookups). A new row (every load, every
 * request) looks them up again, so nothing is older than the row itself. The feed presents the
 * row a command wrote (the same object the command's reply presents), so a change costs one
 * lookup on this node; another node gets the row and these cards in the change's announcement
 * ({@link rememberPeople}) and looks up nothing. A lookup is two queries (organization with its
 * domains, both people).
 */
export function peopleOf(users: UsersRepo, row: SessionRow): Promise<SessionPeople> {
  const byRow = lookupsOf(users);
  const known = byRow.get(row);
  if (known) return known;
  const looked = (async () => {
    // Two queries: the organization's name and domains, then both people at once.
    const organization = await users.cardContext(row.tenant_id);
    const ids = row.sharer_id ? [row.helper_id, row.sharer_id] : [row.helper_id];
    const found = await users.findManyById(row.tenant_id, ids);
    const card = (id: string | null) => {
      const user = id ? found.find((u) => u.id === id) : undefined;
      return user ? personCard(user, organization?.tenantName ?? '', organization?.domains ?? []) : null;
    };
    return { helper: card(row.helper_id), sharer: card(row.sharer_id) };
  })();
  byRow.set(row, looked);
  // A failed lookup is not kept: the caller gets the error, a later presentation asks again.
  looked.catch(() => byRow.delete(row));
  return looked;
}

/**
 * The cards another node looked up for `row` right after writing it (its change's announcement):
 * presenting this row object on this node uses them instead of looking the people up again. They
 * are as new as a lookup here would be, looked up after the row was written. Cards whose ids are
 * not the row's people are not taken.
 */
export function rememberPeople(users: UsersRepo, row: SessionRow, cards: SessionPeople): void {
  const theirs = cards.helper?.id === row.helper_id && (cards.sharer === null || cards.sharer.id === row.sharer_id);
  if (!theirs) return;
  lookupsOf(users).set(row, Promise.resolve(cards));
}

/** What the session record says about the sharer's device when they joined (helper's view). */
async function sharerDeviceOf(row: SessionRow, deviceName: DeviceNames): Promise<SessionView['sharerDevice']> {
  if (row.sharer_enrolled === null) return null;
  if (row.sharer_enrolled !== 1 || !row.device_id) {
    return { enrolled: false, deviceId: null, name: null, compliance: null, failingRules: [] };
  }
  const { compliance, failingRules } = presentCompliance(row.sharer_compliance, row.sharer_failing_rules);
  return {
    enrolled: true,
    deviceId: row.device_id,
    name: deviceDisplayName(await deviceName(row.tenant_id, row.device_id), row.device_id),
    compliance,
    failingRules,
  };
}
