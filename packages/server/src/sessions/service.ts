/**
 * @module sessions/service
 * The use cases of a Remote Help session. Each one authorizes the caller, applies the
 * state machine, persists with compare-and-set, writes the audit log and publishes the
 * change on the bus, in that order.
 */
import type { Role, SessionMode, SessionView, SharerClient, SharerStatus, EndReason } from '@remote-help/protocol';
import type { Updateable } from 'kysely';
import type { AuditEntry, AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import type { Bus } from '../bus/bus.js';
import type { SessionChange } from '../bus/messages.js';
import type { HelpSessionsTable } from '../db/schema.js';
import { isUniqueViolation } from '../db/dialect.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { newId } from '../ids.js';
import type { RedeemAttempt } from '../ratelimit/codeGuessing.js';
import { launchCancelled } from '../devices/launchEvents.js';
import { deviceTopic } from '../devices/launchChannel.js';
import type { Evaluation } from '../devices/compliance.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { UsersRepo } from '../users/repo.js';
import { generateCode, hashCode } from './codes.js';
import { assertInScope, assertIsSharer, assertMayOffer, assertMayRequest, helperOf, roleIn } from './policy.js';
import type { AccessPolicy } from '../rbac/policy.js';
import type { CaDevice, CaRequest } from '../identity/conditionalAccess/service.js';
import type { Presence } from './presence.js';
import { hasMediaPath } from './mediaWatch.js';
import { peopleOf, presentSession, rememberPeople, snapshotOf } from './presenter.js';
import type { DeviceNames } from './presenter.js';
import type { SessionRow, SessionsRepo } from './repo.js';
import type { SessionEvent } from './stateMachine.js';
import { InvalidTransitionError, transition } from './stateMachine.js';

export interface SessionServiceDeps {
  repo: SessionsRepo;
  users: UsersRepo;
  audit: AuditLog;
  bus: Bus;
  clock: Clock;
  /**
   * Limits on wrong codes (`ratelimit/codeGuessing`): reserves an attempt before the code is
   * looked up, or throws `rate_limited`.
   */
  redeemLimits: { reserve(principal: Principal): Promise<RedeemAttempt> };
  codeKey: Buffer;
  defaultCodeTtlSeconds: number;
  presence: () => Presence;
  deviceName: DeviceNames;
  /** Effective permissions and scope (`rbac/policy`). */
  access: AccessPolicy;
  /**
   * The compliance of a device of the tenant evaluated now (and stored on the device), or null
   * when it is unknown or revoked: what the session record keeps about the sharer's device.
   */
  deviceCompliance: (tenantId: string, deviceId: string) => Promise<Evaluation | null>;
  /** A signed-in sharer joined from an enrolled device of the tenant (the device's primary user, `devices/service`). */
  sharerJoinedFrom?: (tenantId: string, deviceId: string, userId: string) => Promise<void>;
  /**
   * Conditional access (`identity/conditionalAccess`): evaluates and logs a session action for
   * the person doing it, and throws the typed error of what their organization's policies find
   * missing (MFA, a compliant or enrolled device, a recent sign-in, or a block).
   */
  conditionalAccess?: (request: CaRequest) => Promise<void>;
}

/** The device a sharer proved they join from (`x-device-proof` on redeem), as far as redeem needs it. */
export interface ProvenDevice {
  id: string;
  tenant_id: string;
  revoked_at: string | null;
}

/** Bus topic on which every change of a session is announced. */
/**
 * Security codes one helper may have waiting at once (as many as the start screen lists to resume
 * or cancel). Each wrong guess in a tenant costs its budget as many units as the tenant has live
 * codes (`ratelimit/codeGuessing`), so without a cap one helper could make thousands of codes and
 * spend the budget, and with it every redemption of the organization for a day, in ten guesses.
 */
export const MAX_LIVE_CODES_PER_HELPER = 20;

export const sessionTopic = (id: string): string => `session:${id}`;

/** Thrown inside a transaction to undo it when its insert found the row taken (a code drawn twice, a device's launch). */
const ROLL_BACK = Symbol('roll back');
const rollBack = (): never => {
  throw ROLL_BACK;
};
/** `false` for a transaction `rollBack` undid; any other error goes on. */
const rolledBack = (error: unknown): false => {
  if (error === ROLL_BACK) return false;
  throw error;
};

/** Inserts a remote-launch row; false when the device already has a waiting launch. */
async function insertLaunch(repo: SessionsRepo, row: SessionRow): Promise<boolean> {
  try {
    return await repo.insert(row);
  } catch (error) {
    if (isUniqueViolation(error, 'device_id')) return false;
    throw error;
  }
}

/** A new session waiting for its sharer: with a code (`code_hash`) or for a device (`device_id`). */
function waitingRow(
  principal: Principal,
  now: number,
  ttlSeconds: number,
  target: Pick<Partial<SessionRow>, 'code_hash' | 'device_id'>,
): SessionRow {
  return {
    id: newId(),
    tenant_id: principal.tenantId,
    helper_id: principal.userId,
    sharer_id: null,
    code_hash: target.code_hash ?? null,
    spent_code_hash: null,
    code_expires_at: iso(now + ttlSeconds * 1000),
    state: 'waiting',
    mode: null,
    pending_mode: null,
    sharer_client: null,
    device_id: target.device_id ?? null,
    end_reason: null,
    sharer_status: 'pending',
    sharer_enrolled: null,
    sharer_compliance: null,
    sharer_failing_rules: null,
    version: 0,
    created_at: iso(now),
    joined_at: null,
    started_at: null,
    ended_at: null,
    updated_at: iso(now),
  };
}

export class SessionService {
  private readonly writeListeners = new Set<(row: SessionRow) => void>();

  constructor(private readonly d: SessionServiceDeps) {}

  /**
   * Calls `listener` with every session row this node writes (what the compare-and-set update
   * returned), before the change is announced on the bus: this node's feed presents that row
   * instead of loading it again (`sessions/signaling`). Returns the function that removes it.
   */
  onWritten(listener: (row: SessionRow) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /**
   * Hands a written row to this node's listeners, then announces the change (with its version) to
   * every node. When the bus reaches other nodes, the announcement carries the row and its two
   * people's cards, so that a node holding the other side presents the change without three reads
   * of its own (the row, the organization, the people); the lookup is the one this node's own
   * presentation of the row makes anyway (`peopleOf`, once per row object). A failed lookup
   * leaves the people out: the other nodes look them up.
   */
  private async announce(row: SessionRow): Promise<void> {
    for (const listener of this.writeListeners) listener(row);
    const change: SessionChange = { type: 'changed', tenantId: row.tenant_id, id: row.id, version: row.version };
    if (this.d.bus.crossesNodes) {
      change.row = row;
      const people = await peopleOf(this.d.users, row).catch(() => undefined);
      if (people) change.people = people;
    }
    await this.d.bus.publish(sessionTopic(row.id), change);
  }

  /**
   * The row another node announced with its change (keeping the people's cards that came with it
   * for the row's presentation), when the row is of session `id` of tenant `tenantId` at the
   * announced version; undefined when the announcement carried none that fits: load it.
   */
  carriedRow(change: SessionChange, id: string, tenantId: string): SessionRow | undefined {
    const row = change.row;
    if (!row || row.id !== id || row.tenant_id !== tenantId || row.version !== change.version) return undefined;
    if (change.people) rememberPeople(this.d.users, row, change.people);
    return row;
  }

  private otherRole = (role: Role): Role => (role === 'helper' ? 'sharer' : 'helper');

  /** The session as `principal` sees it. */
  async view(principal: Principal, id: string): Promise<SessionView> {
    const row = await this.load(principal, id);
    return this.present(row, roleIn(row, principal));
  }

  /** The caller's own sessions as a helper that have not ended, to resume or cancel from any tab. */
  async listLive(principal: Principal): Promise<SessionView[]> {
    const rows = await this.d.repo.liveForHelper(principal.tenantId, principal.userId);
    return Promise.all(rows.map((row) => this.present(row, 'helper')));
  }

  async present(row: SessionRow, role: Role): Promise<SessionView> {
    const peerOnline = await this.d.presence().isPresent(row.id, this.otherRole(role));
    return presentSession(this.d.users, row, role, peerOnline, this.d.deviceName);
  }

  /** Loads a session of the caller's tenant, or `session_not_found`. */
  async load(principal: Principal, id: string): Promise<SessionRow> {
    const row = await this.d.repo.find(principal.tenantId, id);
    if (!row) throw errors.sessionNotFound();
    return row;
  }

  private async assertTenantEnabled(tenantId: string): Promise<{ codeTtlSeconds: number; allowUnenrolled: boolean }> {
    const tenant = await this.d.users.tenant(tenantId);
    if (!tenant?.remote_help_enabled) {
      throw new AppError(
        'tenant_disabled',
        'Remote Help is not enabled for your organization. Ask your administrator.',
      );
    }
    return {
      codeTtlSeconds: tenant.code_ttl_seconds ?? this.d.defaultCodeTtlSeconds,
      allowUnenrolled: tenant.allow_unenrolled === 1,
    };
  }

  /** What the session record keeps about the sharer's device when they join (`help_sessions.sharer_*`). */
  private async sharerDeviceRecord(tenantId: string, deviceId: string | null): Promise<Updateable<HelpSessionsTable>> {
    const evaluation = deviceId ? await this.d.deviceCompliance(tenantId, deviceId) : null;
    // `device_id: null`: a code session offered to a device (`offerToDevice`) but joined elsewhere forgets it.
    if (!deviceId || !evaluation)
      return { device_id: null, sharer_enrolled: 0, sharer_compliance: null, sharer_failing_rules: '[]' };
    return {
      device_id: deviceId,
      sharer_enrolled: 1,
      sharer_compliance: evaluation.compliance,
      sharer_failing_rules: JSON.stringify(evaluation.failingRules),
    };
  }

  /**
   * Remote Help was switched off for a tenant: every session of it that has not ended ends
   * (`terminated_by_admin`), so a session already running does not go on. Returns how many.
   */
  async endAllForTenant(tenantId: string, by: Principal): Promise<number> {
    return this.endAsAdmin(await this.d.repo.liveInTenant(tenantId), by, 'remote_help_disabled');
  }

  /**
   * A person was disabled: every session they help in or share that has not ended ends
   * (`terminated_by_admin`, audited with `because: user_disabled`). Returns how many.
   */
  async endAllForUser(tenantId: string, userId: string, by: Principal): Promise<number> {
    const rows = (await this.d.repo.liveInTenant(tenantId)).filter(
      (row) => row.helper_id === userId || row.sharer_id === userId,
    );
    return this.endAsAdmin(rows, by, 'user_disabled');
  }

  /**
   * A device's enrollment was revoked: every session on it that has not ended ends
   * (`terminated_by_admin`, audited with `because: device_revoked`). Returns how many.
   */
  async endAllForDevice(tenantId: string, deviceId: string, by: Principal): Promise<number> {
    const rows = (await this.d.repo.liveInTenant(tenantId)).filter((row) => row.device_id === deviceId);
    return this.endAsAdmin(rows, by, 'device_revoked');
  }

  /** Ends each live session of `rows` (one that ended meanwhile is skipped); returns how many it ended. */
  private async endAsAdmin(rows: readonly SessionRow[], by: Principal, because: string): Promise<number> {
    let ended = 0;
    for (const row of rows) {
      try {
        await this.apply(row, { type: 'end', reason: 'terminated_by_admin' }, by, {}, { because });
        ended++;
      } catch (error) {
        if (!(error instanceof AppError && (error.code === 'invalid_transition' || error.code === 'session_ended')))
          throw error;
      }
    }
    return ended;
  }

  /**
   * An administrator ends one live session of their organization from Monitor
   * (`terminated_by_admin`, audited with `because: ended_by_admin`): both sides get the push at once.
   */
  async endOneAsAdmin(principal: Principal, id: string): Promise<SessionRow> {
    if (!can(principal, 'settings.manage'))
      throw errors.forbidden('Your role does not allow you to end Remote Help sessions.');
    const row = await this.load(principal, id);
    if (row.state === 'ended') throw errors.sessionEnded();
    return this.apply(
      row,
      { type: 'end', reason: 'terminated_by_admin' },
      principal,
      {},
      { because: 'ended_by_admin' },
    );
  }

  /** The helper asks for a new session and gets its security code (shown once). */
  async create(principal: Principal): Promise<{ session: SessionView; code: string }> {
    assertMayOffer(principal);
    const { codeTtlSeconds } = await this.assertTenantEnabled(principal.tenantId);
    await this.d.conditionalAccess?.({ event: 'createSession', app: 'helper', actor: principal });
    const now = this.d.clock.now();
    for (let attempt = 0; attempt < 8; attempt++) {
      const code = generateCode();
      const row = waitingRow(principal, now, codeTtlSeconds, { code_hash: hashCode(this.d.codeKey, code) });
      // A live code drawn twice: nothing stays, and the next attempt draws another.
      const created = await this.insertRecorded(
        async (repo) => {
          const live = await repo.liveCodesOf(principal.tenantId, principal.userId, iso(now));
          if (live >= MAX_LIVE_CODES_PER_HELPER) throw errors.tooManyCodes(MAX_LIVE_CODES_PER_HELPER);
          return repo.insert(row);
        },
        byPerson(principal, 'session.created', { type: 'session', id: row.id }, { codeExpiresAt: row.code_expires_at }),
      );
      if (created) return { session: await this.present(row, 'helper'), code };
    }
    throw new Error('could not draw a unique security code in 8 attempts');
  }

  /**
   * Remote launch: the helper starts a session for an enrolled device; no code is made.
   * The device's user accepts through the agent (`acceptLaunch`) or dismisses it.
   */
  async createForDevice(principal: Principal, deviceId: string): Promise<SessionView> {
    const { codeTtlSeconds } = await this.assertMayLaunch(principal, deviceId);
    const now = this.d.clock.now();
    const row = waitingRow(principal, now, codeTtlSeconds, { device_id: deviceId });
    const launch = () =>
      this.insertRecorded(
        (repo) => insertLaunch(repo, row),
        byPerson(principal, 'session.launched', { type: 'session', id: row.id }, { deviceId }),
      );
    // One waiting launch per device (unique index): an expired one is ended first, a live one refuses.
    if (!(await launch())) {
      await this.expireDue();
      if (!(await launch())) {
        throw new AppError('launch_pending', 'A session offer is already waiting on this device. Cancel it first.');
      }
    }
    return this.present(row, 'helper');
  }

  /**
   * Whether the helper may start a session on the device: may offer remote assistance, Remote
   * Help is on, and the device is in their scope (`out_of_scope`). Checked before anything about
   * the device itself (e.g. whether it is online) is said.
   */
  async assertMayLaunch(principal: Principal, deviceId: string): Promise<{ codeTtlSeconds: number }> {
    assertMayOffer(principal);
    const { codeTtlSeconds } = await this.assertTenantEnabled(principal.tenantId);
    const deviceName = (await this.d.deviceName(principal.tenantId, deviceId)) ?? 'this device';
    await this.d.access.assertMayHelp(principal, { deviceId }, 'remoteHelp.viewScreen', deviceName);
    await this.d.conditionalAccess?.({ event: 'remoteLaunch', app: 'helper', actor: principal });
    return { codeTtlSeconds };
  }

  /**
   * Remote launch of a session that already has a code (the admin center's "New remote
   * assistance session"): the helper's own waiting code session is offered to the device as
   * well. The device's user accepts the offer or enters the code, whichever comes first; the
   * other way then closes (the code is retired on accept; the offer is withdrawn on redeem).
   */
  async offerToDevice(principal: Principal, sessionId: string, deviceId: string): Promise<SessionView> {
    await this.assertMayLaunch(principal, deviceId);
    for (let attempt = 0; ; attempt++) {
      const row = await this.load(principal, sessionId);
      if (row.helper_id !== principal.userId) throw errors.notParticipant();
      if (row.state !== 'waiting' || row.code_hash === null) {
        throw errors.invalidTransition(
          'Only a session still waiting for its security code can be offered to a device.',
        );
      }
      if (row.device_id === deviceId) return this.present(row, 'helper');
      if (row.device_id !== null) throw errors.invalidTransition('This session was already offered to another device.');
      let updated: SessionRow | undefined;
      try {
        updated = await this.updateRecorded(
          row,
          { device_id: deviceId, updated_at: iso(this.d.clock.now()) },
          byPerson(principal, 'session.launched', { type: 'session', id: row.id }, { deviceId, withCode: true }),
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // One waiting launch per device: an expired one is ended first, a live one refuses.
        if (attempt === 0 && (await this.expireDue()) > 0) continue;
        throw new AppError('launch_pending', 'A session offer is already waiting on this device. Cancel it first.');
      }
      if (!updated) {
        if (attempt < 3) continue;
        throw errors.invalidTransition('The session changed at the same time. Try again.');
      }
      await this.announce(updated);
      return this.present(updated, 'helper');
    }
  }

  /** The signed-in user of the targeted device accepts a remote launch and joins as the sharer. */
  async acceptLaunch(principal: Principal, id: string, deviceId: string): Promise<SessionView> {
    await this.assertTenantEnabled(principal.tenantId);
    const row = await this.load(principal, id);
    if (row.device_id !== deviceId || row.state !== 'waiting') {
      throw errors.invalidTransition('This invitation is not for this device or is no longer open.');
    }
    if (row.helper_id === principal.userId) {
      throw new AppError('code_own_session', 'You cannot join your own session.');
    }
    // Expired but not yet swept (the sweeper takes a bounded number a pass): it ends now.
    if (row.code_expires_at && row.code_expires_at <= iso(this.d.clock.now())) {
      await this.expire(row);
      throw new AppError('code_expired', 'This invitation has expired. Ask your helper to start again.');
    }
    await this.d.conditionalAccess?.({
      event: 'remoteLaunch',
      app: 'agent',
      actor: principal,
      device: await this.caDevice(principal.tenantId, deviceId),
    });
    await this.refuseOutOfScope(principal, row, { userId: principal.userId, deviceId });
    const updated = await this.apply(row, { type: 'redeem', sharerId: principal.userId, client: 'agent' }, principal, {
      code_expires_at: null,
      joined_at: iso(this.d.clock.now()),
      // A code session offered to the device (`offerToDevice`): accepting retires its code (it was
      // not entered, so no spent hash is kept and the session reads as joined by launch).
      ...(row.code_hash !== null ? { code_hash: null } : {}),
      ...(await this.sharerDeviceRecord(principal.tenantId, deviceId)),
    });
    await this.d.sharerJoinedFrom?.(principal.tenantId, deviceId, principal.userId);
    return this.present(updated, 'sharer');
  }

  /** The device's user dismisses a remote launch: the helper is told it was declined. */
  async dismissLaunch(principal: Principal, id: string, deviceId: string): Promise<void> {
    const row = await this.load(principal, id);
    if (row.device_id !== deviceId || row.state !== 'waiting') return;
    await this.apply(row, { type: 'end', reason: 'declined' }, principal);
  }

  /**
   * The sharer enters a code. The attempt is reserved against the limits first (atomically,
   * so parallel requests cannot all be checked); a wrong code keeps the reservation.
   */
  async redeem(
    principal: Principal,
    code: string,
    client: SharerClient,
    device: ProvenDevice | null = null,
  ): Promise<SessionView> {
    const { allowUnenrolled } = await this.assertTenantEnabled(principal.tenantId);
    // Enrolled: the native agent, with a proof from a live device of this very tenant.
    const enrolledDevice =
      client === 'agent' && device && device.tenant_id === principal.tenantId && !device.revoked_at ? device.id : null;
    if (!allowUnenrolled && !enrolledDevice) {
      // Refused before the code is even looked up: the helper's session is untouched and nothing is learned.
      await this.d.audit.record(
        byPerson(principal, 'session.join_refused', undefined, {
          reason: 'unenrolled_not_allowed',
          client,
          deviceId: device?.id ?? null,
        }),
      );
      throw new AppError(
        'unenrolled_not_allowed',
        client === 'web'
          ? 'Your organization allows Remote Help only on devices it manages. Open the Remote Help app on an enrolled device and enter the code there.'
          : 'Your organization allows Remote Help only on devices it manages, and this device is not enrolled. Ask your IT department to enroll it.',
      );
    }
    // Conditional access before the code is looked up: a refused person learns nothing of the session.
    await this.d.conditionalAccess?.({
      event: 'redeemCode',
      app: client === 'agent' ? 'agent' : 'sharer',
      actor: principal,
      device: client === 'agent' ? await this.caDevice(principal.tenantId, enrolledDevice) : null,
    });
    const attempt = await this.d.redeemLimits.reserve(principal);

    const failure = async (error: AppError, extra: Record<string, unknown> = {}): Promise<never> => {
      await this.d.audit.record(
        byPerson(principal, 'session.code_rejected', undefined, { reason: error.code, ...extra }),
      );
      const retryAfterSeconds = attempt.waitIfFailedSeconds;
      throw retryAfterSeconds > 0 ? new AppError(error.code, error.message, { retryAfterSeconds }) : error;
    };

    const hash = hashCode(this.d.codeKey, code);
    const now = this.d.clock.now();
    const live = await this.d.repo.findByLiveCode(hash);
    if (!live || live.tenant_id !== principal.tenantId) {
      // Unknown, or another organization's: the same answer, so nothing about other sessions leaks.
      const spent = await this.d.repo.findBySpentCode(principal.tenantId, hash);
      if (spent?.end_reason === 'code_expired') {
        return failure(new AppError('code_expired', 'This security code has expired. Ask your helper for a new one.'));
      }
      if (spent)
        return failure(
          new AppError('code_used', 'This security code was already used. Ask your helper for a new one.'),
        );
      // Not even the guesser's own audit log says which: its readers would learn that a guess
      // hit another organization's live code.
      return failure(new AppError('code_invalid', 'That security code is not valid. Check the digits and try again.'));
    }
    if (live.code_expires_at && live.code_expires_at <= iso(now)) {
      await this.expire(live);
      return failure(new AppError('code_expired', 'This security code has expired. Ask your helper for a new one.'));
    }
    // A live code of this tenant was found: not a wrong guess, whatever happens next. One's own
    // code is not a redemption either: it clears no back-off (it stays live, and could be entered
    // between wrong guesses again and again).
    if (live.helper_id === principal.userId) {
      await attempt.notAGuess();
      throw new AppError('code_own_session', 'You cannot join your own session. Give the code to the person you help.');
    }
    await attempt.succeeded();
    const target = { userId: principal.userId, ...(enrolledDevice ? { deviceId: enrolledDevice } : {}) };
    await this.refuseOutOfScope(principal, live, target, { spent_code_hash: hash });
    const updated = await this.apply(live, { type: 'redeem', sharerId: principal.userId, client }, principal, {
      code_hash: null,
      spent_code_hash: hash,
      code_expires_at: null,
      joined_at: iso(now),
      ...(await this.sharerDeviceRecord(principal.tenantId, enrolledDevice)),
    });
    if (enrolledDevice) await this.d.sharerJoinedFrom?.(principal.tenantId, enrolledDevice, principal.userId);
    return this.present(updated, 'sharer');
  }

  /** The agent's device as conditional access sees it: enrolled and compliant or not, or unenrolled. */
  private async caDevice(tenantId: string, deviceId: string | null): Promise<CaDevice> {
    if (!deviceId) return { id: null, state: 'unenrolled', platform: null };
    const evaluation = await this.d.deviceCompliance(tenantId, deviceId);
    if (!evaluation) return { id: deviceId, state: 'unenrolled', platform: null };
    return {
      id: deviceId,
      state: evaluation.compliance === 'compliant' ? 'compliant' : 'noncompliant',
      platform: null,
    };
  }

  /**
   * A sharer out of the helper's scope cannot join: the session ends with `out_of_scope`
   * (the helper's app shows it from the push), the refusal is audited, and the sharer gets
   * an `out_of_scope` error that says whom to ask.
   */
  private async refuseOutOfScope(
    sharer: Principal,
    row: SessionRow,
    target: { userId: string; deviceId?: string },
    extra: Updateable<HelpSessionsTable> = {},
  ): Promise<void> {
    if (await this.d.access.mayHelp(helperOf(row), target, 'remoteHelp.viewScreen')) return;
    await this.d.audit.record({
      tenantId: row.tenant_id,
      actor: { type: 'user', id: sharer.userId },
      action: 'session.out_of_scope',
      target: { type: 'session', id: row.id },
      ip: sharer.ip,
      data: { helperId: row.helper_id, sharerId: target.userId, deviceId: target.deviceId ?? null },
    });
    await this.apply(row, { type: 'end', reason: 'out_of_scope' }, null, extra, { sharerId: target.userId });
    throw new AppError(
      'out_of_scope',
      'This helper’s role does not cover you, so they cannot help you through Remote Help. Ask your IT administrator to add you to the helper’s scope, or ask for another helper.',
    );
  }

  /** The helper asks for view only or full control. */
  async request(principal: Principal, id: string, mode: SessionMode): Promise<SessionView> {
    await this.assertTenantEnabled(principal.tenantId);
    const row = await this.load(principal, id);
    assertMayRequest(principal, row, mode);
    await assertInScope(this.d.access, principal, row, mode);
    if (mode === 'control') {
      await this.d.conditionalAccess?.({ event: 'fullControl', app: 'helper', actor: principal });
    }
    const updated = await this.apply(row, { type: 'request', mode }, principal);
    return this.present(updated, 'helper');
  }

  /** The sharer allows or declines the pending request. */
  async respond(principal: Principal, id: string, allow: boolean): Promise<SessionView> {
    await this.assertTenantEnabled(principal.tenantId);
    const row = await this.load(principal, id);
    assertIsSharer(principal, row, allow ? 'allow a request' : 'decline a request');
    // Full control is a control upgrade for the sharer's side too: their app and device are evaluated.
    if (allow && row.pending_mode === 'control') {
      const agent = row.sharer_client === 'agent';
      await this.d.conditionalAccess?.({
        event: 'fullControl',
        app: agent ? 'agent' : 'sharer',
        actor: principal,
        device: agent ? await this.caDevice(principal.tenantId, row.device_id) : null,
      });
    }
    const now = iso(this.d.clock.now());
    const extra: Updateable<HelpSessionsTable> = allow && row.state === 'requested' ? { started_at: now } : {};
    const updated = await this.apply(row, allow ? { type: 'allow' } : { type: 'decline' }, principal, extra);
    return this.present(updated, 'sharer');
  }

  /** The sharer takes control back; the session continues in view only. */
  async dropControl(principal: Principal, id: string): Promise<SessionView> {
    const row = await this.load(principal, id);
    assertIsSharer(principal, row, 'stop full control');
    return this.present(await this.apply(row, { type: 'dropControl' }, principal), 'sharer');
  }

  /**
   * The sharer's app says what it does with the picture: `paused` and back to `sharing` are
   * the sharer's pause and resume (no new request or Allow); `choosing` after a reload;
   * `unavailable` when the device cannot capture. Independent of the state machine, so a
   * concurrent change of mode only makes it retry on the newer row.
   */
  async setSharerStatus(
    principal: Principal,
    id: string,
    status: Exclude<SharerStatus, 'pending'>,
  ): Promise<SessionView> {
    for (let attempt = 0; ; attempt++) {
      const row = await this.load(principal, id);
      assertIsSharer(principal, row, 'pause or resume sharing');
      if (row.state === 'ended') throw errors.sessionEnded();
      if (row.state !== 'active') {
        throw errors.invalidTransition('Sharing can be paused or resumed only while the session is active.');
      }
      if (row.sharer_status === status) return this.present(row, 'sharer');
      const action =
        status === 'paused'
          ? 'session.paused'
          : row.sharer_status === 'paused' && status === 'sharing'
            ? 'session.resumed'
            : 'session.sharer_status';
      const updated = await this.updateRecorded(
        row,
        { sharer_status: status, updated_at: iso(this.d.clock.now()) },
        byPerson(principal, action, { type: 'session', id: row.id }, { from: row.sharer_status, to: status }),
      );
      if (!updated) {
        if (attempt < 3) continue;
        throw errors.invalidTransition('The session changed at the same time. Try again.');
      }
      await this.announce(updated);
      return this.present(updated, 'sharer');
    }
  }

  /** Either participant leaves; the session ends for both. Leaving an ended session is a no-op. */
  async leave(principal: Principal, id: string): Promise<SessionView> {
    const row = await this.load(principal, id);
    const role = roleIn(row, principal);
    if (row.state === 'ended') return this.present(row, role);
    const reason: EndReason = role === 'helper' ? 'helper_left' : 'sharer_left';
    return this.present(await this.apply(row, { type: 'end', reason }, principal), role);
  }

  /** A participant's connection is gone for good (called by presence, on the node that saw it). */
  async connectionLost(tenantlessId: string, role: Role): Promise<void> {
    const row = await this.d.repo.findByIdAnyTenant(tenantlessId);
    if (!row || row.state === 'ended') return;
    // Nobody else is in a waiting session yet: it lives until its code expires, and the helper
    // can resume it from any tab (the start screen lists it) or end it there.
    if (row.state === 'waiting' && role === 'helper') return;
    await this.apply(row, { type: 'end', reason: 'connection_lost' }, null, {}, { lostRole: role }).catch((error) => {
      if (!(error instanceof AppError && error.code === 'invalid_transition')) throw error;
    });
  }

  /**
   * The media path between the two stayed dead for the reconnect grace while signaling
   * lived (see `sessions/mediaWatch`). Only an active session has a path to lose.
   */
  async mediaLost(tenantlessId: string, role: Role): Promise<void> {
    const row = await this.d.repo.findByIdAnyTenant(tenantlessId);
    if (!row || !hasMediaPath(row)) return;
    await this.apply(
      row,
      { type: 'end', reason: 'connection_lost' },
      null,
      {},
      { lostRole: role, path: 'media' },
    ).catch((error) => {
      if (!(error instanceof AppError && error.code === 'invalid_transition')) throw error;
    });
  }

  /** Ends every waiting session whose code expired. Returns how many ended. */
  async expireDue(): Promise<number> {
    const due = await this.d.repo.expiredWaiting(iso(this.d.clock.now()));
    let ended = 0;
    for (const row of due) if (await this.expire(row)) ended++;
    return ended;
  }

  private async expire(row: SessionRow): Promise<boolean> {
    try {
      await this.apply(row, { type: 'end', reason: 'code_expired' }, null, {
        code_hash: null,
        spent_code_hash: row.code_hash,
      });
      return true;
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_transition') return false;
      throw error;
    }
  }

  /**
   * Runs `insert` and records `entry` in the same transaction; false, with nothing kept, when
   * the insert found its row taken (a code drawn twice, a device's waiting launch).
   */
  private insertRecorded(insert: (repo: SessionsRepo) => Promise<boolean>, entry: AuditEntry): Promise<boolean> {
    return this.d.audit
      .together(
        async (db) => (await insert(this.d.repo.on(db))) || rollBack(),
        () => entry,
      )
      .catch(rolledBack);
  }

  /**
   * Compare-and-set `changes` on `row` and records `entry` in the same transaction; undefined
   * when the row moved meanwhile (nothing written, nothing recorded).
   */
  private updateRecorded(
    row: SessionRow,
    changes: Updateable<HelpSessionsTable>,
    entry: AuditEntry,
  ): Promise<SessionRow | undefined> {
    return this.d.audit.together(
      (db) => this.d.repo.on(db).update(row.tenant_id, row.id, row.version, changes),
      (written) => (written ? entry : null),
    );
  }

  /**
   * Runs one event through the state machine and persists the result. `actor` null means the
   * system (expiry, lost connection). Loses cleanly to a concurrent change: `invalid_transition`.
   */
  private async apply(
    row: SessionRow,
    event: SessionEvent,
    actor: Principal | null,
    extra: Updateable<HelpSessionsTable> = {},
    auditData: Record<string, unknown> = {},
  ): Promise<SessionRow> {
    let next;
    try {
      next = transition(snapshotOf(row), event);
    } catch (error) {
      if (error instanceof InvalidTransitionError) {
        throw row.state === 'ended' ? errors.sessionEnded() : errors.invalidTransition(error.message);
      }
      throw error;
    }
    const now = iso(this.d.clock.now());
    const changes: Updateable<HelpSessionsTable> = {
      state: next.state,
      mode: next.mode,
      pending_mode: next.pendingMode,
      sharer_id: next.sharerId,
      sharer_client: next.sharerClient,
      end_reason: next.endReason,
      updated_at: now,
      ...(next.state === 'ended' ? { ended_at: now, code_hash: null } : {}),
      ...extra,
    };
    // The change and its audit record commit together: never a change an auditor cannot see, nor
    // one that stayed in the database while the caller was told it failed (and nobody was told of it).
    const updated = await this.updateRecorded(row, changes, {
      tenantId: row.tenant_id,
      actor: actor ? { type: 'user', id: actor.userId } : { type: 'system', id: null },
      action: `session.${event.type === 'end' ? 'ended' : event.type}`,
      target: { type: 'session', id: row.id },
      ip: actor?.ip ?? null,
      data: {
        from: row.state,
        to: next.state,
        mode: next.mode,
        pendingMode: next.pendingMode,
        endReason: next.endReason,
        ...auditData,
      },
    });
    if (!updated) throw errors.invalidTransition('The session changed at the same time. Try again.');
    if (next.state === 'ended') this.d.presence().forget(row.id);
    await this.announce(updated);
    // A remote launch that closes other than by the device's accept (it ended, or its code was
    // entered elsewhere): the device drops its prompt.
    if (
      row.device_id &&
      row.state === 'waiting' &&
      (next.state === 'ended' || (next.state !== 'waiting' && updated.device_id !== row.device_id))
    ) {
      await this.d.bus.publish(deviceTopic(row.device_id), launchCancelled(row.id, next.endReason));
    }
    return updated;
  }
}
