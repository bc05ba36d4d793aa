/**
 * @module sessions/service
 * The use cases of a Remote Help session. Each one authorizes the caller, applies the
 * state machine, persists with compare-and-set, writes the audit log and publishes the
 * change on the bus, in that order.
 */
import type { Role, SessionMode, SessionView, SharerClient, EndReason } from '@remote-help/protocol';
import type { Updateable } from 'kysely';
import type { AuditLog } from '../audit/audit.js';
import type { Bus } from '../bus/bus.js';
import type { HelpSessionsTable } from '../db/schema.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { newId } from '../ids.js';
import type { Backoff } from '../ratelimit/backoff.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { UsersRepo } from '../users/repo.js';
import { generateCode, hashCode } from './codes.js';
import { assertIsSharer, assertMayOffer, assertMayRequest, roleIn } from './policy.js';
import type { Presence } from './presence.js';
import { presentSession, snapshotOf } from './presenter.js';
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
  /** Back-off for wrong codes: strict per account, looser per source address (offices share one). */
  redeemLimits: { account: Backoff; address: Backoff };
  codeKey: Buffer;
  defaultCodeTtlSeconds: number;
  presence: () => Presence;
  deviceName: DeviceNames;
}

/** Bus topic on which every change of a session is announced. */
export const sessionTopic = (id: string): string => `session:${id}`;

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
    version: 0,
    created_at: iso(now),
    joined_at: null,
    started_at: null,
    ended_at: null,
    updated_at: iso(now),
  };
}

export class SessionService {
  constructor(private readonly d: SessionServiceDeps) {}

  private otherRole = (role: Role): Role => (role === 'helper' ? 'sharer' : 'helper');

  /** The session as `principal` sees it. */
  async view(principal: Principal, id: string): Promise<SessionView> {
    const row = await this.load(principal, id);
    return this.present(row, roleIn(row, principal));
  }

  async present(row: SessionRow, role: Role): Promise<SessionView> {
    const peerOnline = this.d.presence().isPresent(row.id, this.otherRole(role));
    return presentSession(this.d.users, row, role, peerOnline, this.d.deviceName);
  }

  /** Loads a session of the caller's tenant, or `session_not_found`. */
  async load(principal: Principal, id: string): Promise<SessionRow> {
    const row = await this.d.repo.find(principal.tenantId, id);
    if (!row) throw errors.sessionNotFound();
    return row;
  }

  private async assertTenantEnabled(tenantId: string): Promise<{ codeTtlSeconds: number }> {
    const tenant = await this.d.users.tenant(tenantId);
    if (!tenant?.remote_help_enabled) {
      throw new AppError(
        'tenant_disabled',
        'Remote Help is not enabled for your organization. Ask your administrator.',
      );
    }
    return { codeTtlSeconds: tenant.code_ttl_seconds ?? this.d.defaultCodeTtlSeconds };
  }

  /** The helper asks for a new session and gets its security code (shown once). */
  async create(principal: Principal): Promise<{ session: SessionView; code: string }> {
    assertMayOffer(principal);
    const { codeTtlSeconds } = await this.assertTenantEnabled(principal.tenantId);
    const now = this.d.clock.now();
    for (let attempt = 0; attempt < 8; attempt++) {
      const code = generateCode();
      const row = waitingRow(principal, now, codeTtlSeconds, { code_hash: hashCode(this.d.codeKey, code) });
      if (await this.d.repo.insert(row)) {
        await this.d.audit.record({
          tenantId: principal.tenantId,
          actor: { type: 'user', id: principal.userId },
          action: 'session.created',
          target: { type: 'session', id: row.id },
          ip: principal.ip,
          data: { codeExpiresAt: row.code_expires_at },
        });
        return { session: await this.present(row, 'helper'), code };
      }
    }
    throw new Error('could not draw a unique security code in 8 attempts');
  }

  /**
   * Remote launch: the helper starts a session for an enrolled device; no code is made.
   * The device's user accepts through the agent (`acceptLaunch`) or dismisses it.
   */
  async createForDevice(principal: Principal, deviceId: string): Promise<SessionView> {
    assertMayOffer(principal);
    const { codeTtlSeconds } = await this.assertTenantEnabled(principal.tenantId);
    const now = this.d.clock.now();
    const row = waitingRow(principal, now, codeTtlSeconds, { device_id: deviceId });
    await this.d.repo.insert(row);
    await this.d.audit.record({
      tenantId: principal.tenantId,
      actor: { type: 'user', id: principal.userId },
      action: 'session.launched',
      target: { type: 'session', id: row.id },
      ip: principal.ip,
      data: { deviceId },
    });
    return this.present(row, 'helper');
  }

  /** The signed-in user of the targeted device accepts a remote launch and joins as the sharer. */
  async acceptLaunch(principal: Principal, id: string, deviceId: string): Promise<SessionView> {
    const row = await this.load(principal, id);
    if (row.device_id !== deviceId || row.state !== 'waiting' || row.code_hash !== null) {
      throw errors.invalidTransition('This invitation is not for this device or is no longer open.');
    }
    if (row.helper_id === principal.userId) {
      throw new AppError('code_own_session', 'You cannot join your own session.');
    }
    const updated = await this.apply(row, { type: 'redeem', sharerId: principal.userId, client: 'agent' }, principal, {
      code_expires_at: null,
      joined_at: iso(this.d.clock.now()),
    });
    return this.present(updated, 'sharer');
  }

  /** The device's user dismisses a remote launch: the helper is told it was declined. */
  async dismissLaunch(principal: Principal, id: string, deviceId: string): Promise<void> {
    const row = await this.load(principal, id);
    if (row.device_id !== deviceId || row.state !== 'waiting') return;
    await this.apply(row, { type: 'end', reason: 'declined' }, principal);
  }

  /** The sharer enters a code. Failures count toward back-off per account and per source address. */
  async redeem(principal: Principal, code: string, client: SharerClient): Promise<SessionView> {
    const accountKeys = [`redeem:user:${principal.userId}`];
    const addressKeys = principal.ip ? [`redeem:ip:${principal.ip}`] : [];
    const { account, address } = this.d.redeemLimits;
    const wait = Math.max(await account.retryAfterSeconds(accountKeys), await address.retryAfterSeconds(addressKeys));
    if (wait > 0) throw errors.rateLimited(wait);
    await this.assertTenantEnabled(principal.tenantId);

    const failure = async (error: AppError, extra: Record<string, unknown> = {}): Promise<never> => {
      const retryAfterSeconds = Math.max(await account.fail(accountKeys), await address.fail(addressKeys));
      await this.d.audit.record({
        tenantId: principal.tenantId,
        actor: { type: 'user', id: principal.userId },
        action: 'session.code_rejected',
        ip: principal.ip,
        data: { reason: error.code, ...extra },
      });
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
      return failure(new AppError('code_invalid', 'That security code is not valid. Check the digits and try again.'), {
        crossTenant: Boolean(live),
      });
    }
    if (live.code_expires_at && live.code_expires_at <= iso(now)) {
      await this.expire(live);
      return failure(new AppError('code_expired', 'This security code has expired. Ask your helper for a new one.'));
    }
    if (live.helper_id === principal.userId) {
      throw new AppError('code_own_session', 'You cannot join your own session. Give the code to the person you help.');
    }
    const updated = await this.apply(live, { type: 'redeem', sharerId: principal.userId, client }, principal, {
      code_hash: null,
      spent_code_hash: hash,
      code_expires_at: null,
      joined_at: iso(now),
    });
    await account.reset(accountKeys);
    return this.present(updated, 'sharer');
  }

  /** The helper asks for view only or full control. */
  async request(principal: Principal, id: string, mode: SessionMode): Promise<SessionView> {
    const row = await this.load(principal, id);
    assertMayRequest(principal, row, mode);
    const updated = await this.apply(row, { type: 'request', mode }, principal);
    return this.present(updated, 'helper');
  }

  /** The sharer allows or declines the pending request. */
  async respond(principal: Principal, id: string, allow: boolean): Promise<SessionView> {
    const row = await this.load(principal, id);
    assertIsSharer(principal, row, allow ? 'allow a request' : 'decline a request');
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
    await this.apply(row, { type: 'end', reason: 'connection_lost' }, null, {}, { lostRole: role }).catch((error) => {
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
    const updated = await this.d.repo.update(row.tenant_id, row.id, row.version, changes);
    if (!updated) throw errors.invalidTransition('The session changed at the same time. Try again.');
    await this.d.audit.record({
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
    if (next.state === 'ended') this.d.presence().forget(row.id);
    await this.d.bus.publish(sessionTopic(row.id), { type: 'changed', tenantId: row.tenant_id, id: row.id });
    return updated;
  }
}
