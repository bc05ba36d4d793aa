/**
 * @module devices/service
 * Enrollment tokens, enrollment, inventory check-ins and the device list. Every change is
 * audited; tokens and device keys are never stored in a form that could be replayed. What a
 * device reports about itself is normalised before it is stored (see `presenter.ts`).
 */
import type {
  DeviceView,
  EnrollResponse,
  EnrollmentTokenList,
  EnrollmentTokenResponse,
  EnrollmentTokenView,
  ErrorCode,
  Inventory,
  DevicePublicKey,
  ListDevicesQuery,
  ListEnrollmentTokensQuery,
} from '@remote-help/protocol';
import type { z } from 'zod';
import type { AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { newId, newToken, sha256 } from '../ids.js';
import type { Backoff } from '../ratelimit/backoff.js';
import type { AccessPolicy } from '../rbac/policy.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { UsersRepo } from '../users/repo.js';
import { pageOfDevices } from './deviceList.js';
import { cleanInventory, deviceDisplayName, presentDevice } from './presenter.js';
import type { DeviceListRow, DeviceRow, DevicesRepo, EnrollmentTokenListRow, TokenRefusal } from './repo.js';

/** The parsed device-list query (defaults applied). */
export type DeviceListQuery = z.output<typeof ListDevicesQuery>;

export interface DeviceServiceDeps {
  repo: DevicesRepo;
  users: UsersRepo;
  audit: AuditLog;
  clock: Clock;
  enrollLimits: Backoff;
  /** Which of the devices hold a launch connection now, on any node (`devices/devicePresence`). */
  onlineOf: (deviceIds: readonly string[]) => Promise<Set<string>>;
  /** Evaluates a device's compliance and stores it on its row (`complianceService`). */
  compliance: { evaluateDevice(device: DeviceRow): Promise<unknown> };
  /** Whom a helper may help (`rbac/policy`): the device list and page of a helper without `devices.read`. */
  access: Pick<AccessPolicy, 'deviceScope' | 'assertMayHelp'>;
}

const TOKEN_REFUSALS: Record<TokenRefusal, { code: ErrorCode; message: string }> = {
  unknown: {
    code: 'enrollment_token_invalid',
    message: 'The enrollment token is not valid. Check that it was copied whole.',
  },
  revoked: {
    code: 'enrollment_token_revoked',
    message: 'This enrollment token was revoked by an administrator. Ask your IT department for a new one.',
  },
  used_up: {
    code: 'enrollment_token_used_up',
    message:
      'This enrollment token has been used by as many devices as it allows. Ask your IT department for a new one.',
  },
  expired: {
    code: 'enrollment_token_expired',
    message: 'This enrollment token has expired. Ask your IT department for a new one.',
  },
};

/** Whether the caller sees the whole organization's devices (administrators) rather than their scope (helpers). */
const seesAllDevices = (principal: Principal): boolean =>
  can(principal, 'devices.read') || can(principal, 'devices.manage');

export class DeviceService {
  constructor(private readonly d: DeviceServiceDeps) {}

  /** The device as `principal` sees it (`inScope`: whether they may help there), or as the device itself does. */
  async present(row: DeviceRow | DeviceListRow, inScope = false): Promise<DeviceView> {
    const online = await this.d.onlineOf([row.id]);
    return presentDevice(row, online.has(row.id), inScope && !row.revoked_at);
  }

  /** Whether a device is in `principal`'s Remote Help scope (View screen), one query set per call. */
  async scopeOf(principal: Principal): Promise<(row: DeviceRow) => boolean> {
    if (!can(principal, 'remoteHelp.viewScreen')) return () => false;
    return this.d.access.deviceScope(principal, 'remoteHelp.viewScreen');
  }

  /** An administrator makes a token that lets devices enroll into their tenant. Shown once. */
  async createEnrollmentToken(
    principal: Principal,
    expiresInHours: number,
    maxUses: number,
  ): Promise<EnrollmentTokenResponse> {
    if (!can(principal, 'devices.manage')) throw errors.forbidden('Your role does not allow you to enroll devices.');
    const token = `rhe_${newToken()}`;
    const now = this.d.clock.now();
    const expiresAt = iso(now + expiresInHours * 3600_000);
    const publicId = newId();
    const row = {
      id: sha256(token),
      tenant_id: principal.tenantId,
      created_by: principal.userId,
      max_uses: maxUses,
      uses: 0,
      expires_at: expiresAt,
      revoked_at: null,
      created_at: iso(now),
      public_id: publicId,
      hint: token.slice(-4),
    };
    await this.d.audit.together(
      (db) => this.d.repo.insertToken(row, db),
      () =>
        byPerson(
          principal,
          'enrollment_token.created',
          { type: 'enrollment_token', id: publicId },
          { expiresAt, maxUses },
        ),
    );
    const created = await this.d.repo.findToken(principal.tenantId, publicId);
    if (!created) throw new Error(`enrollment token ${publicId} vanished`);
    return { token, expiresAt, maxUses, view: this.presentToken(created) };
  }

  /** The organization's tokens (never the tokens themselves), newest first. */
  async listEnrollmentTokens(
    principal: Principal,
    query: z.output<typeof ListEnrollmentTokensQuery>,
  ): Promise<EnrollmentTokenList> {
    if (!can(principal, 'devices.manage')) throw errors.forbidden('Your role does not allow you to enroll devices.');
    const { rows, total } = await this.d.repo.listTokens(
      principal.tenantId,
      query.state,
      iso(this.d.clock.now()),
      query.limit,
      query.offset,
    );
    return { tokens: rows.map((row) => this.presentToken(row)), total };
  }

  /** Revokes a token of the organization (audited once; revoking again answers it unchanged). */
  async revokeEnrollmentToken(principal: Principal, publicId: string): Promise<EnrollmentTokenView> {
    if (!can(principal, 'devices.manage')) throw errors.forbidden('Your role does not allow you to enroll devices.');
    const before = await this.d.repo.findToken(principal.tenantId, publicId);
    if (!before) throw errors.notFound('Enrollment token');
    const now = iso(this.d.clock.now());
    await this.d.audit.together(
      (db) => this.d.repo.revokeToken(principal.tenantId, publicId, now, db),
      (revoked) =>
        revoked
          ? byPerson(
              principal,
              'enrollment_token.revoked',
              { type: 'enrollment_token', id: publicId },
              {
                before: { state: this.presentToken(before).state, revokedAt: null },
                after: { state: 'revoked', revokedAt: now },
                uses: before.uses,
                maxUses: before.max_uses,
              },
            )
          : null,
    );
    const after = await this.d.repo.findToken(principal.tenantId, publicId);
    if (!after) throw errors.notFound('Enrollment token');
    return this.presentToken(after);
  }

  private presentToken(row: EnrollmentTokenListRow): EnrollmentTokenView {
    const now = iso(this.d.clock.now());
    return {
      id: row.public_id,
      hint: row.hint,
      createdAt: row.created_at,
      createdBy: row.created_by_name === null ? null : { id: row.created_by, displayName: row.created_by_name },
      expiresAt: row.expires_at,
      uses: row.uses,
      maxUses: row.max_uses,
      revokedAt: row.revoked_at,
      state: row.revoked_at
        ? 'revoked'
        : row.uses >= row.max_uses
          ? 'used_up'
          : row.expires_at <= now
            ? 'expired'
            : 'active',
    };
  }

  /** A device presents a token and its public key; it becomes a device of the token's tenant. */
  async enroll(
    token: string,
    publicKey: DevicePublicKey,
    reported: Inventory,
    ip: string | null,
  ): Promise<EnrollResponse> {
    const keys = [`enroll:ip:${ip ?? 'unknown'}`];
    // Reserved before the token is checked, atomically: parallel attempts cannot all be checked.
    const attempt = await this.d.enrollLimits.reserve(keys);
    if (!attempt.ok) throw errors.rateLimited(attempt.retryAfterSeconds);
    const now = iso(this.d.clock.now());
    const id = newId();
    const inventory = cleanInventory(reported);
    const name = deviceDisplayName(inventory.hostname, id);
    // The token's use, the device and the audit record commit together: a device is never
    // enrolled unrecorded, and a token is never spent on a device that was not stored.
    const used = await this.d.audit.together(
      async (db) => {
        const use = await this.d.repo.useToken(sha256(token), now, db);
        if (!('tenantId' in use)) return use;
        await this.d.repo.insertDevice(
          {
            id,
            tenant_id: use.tenantId,
            name,
            public_key: JSON.stringify(publicKey),
            inventory: JSON.stringify(inventory),
            enrolled_at: now,
            last_check_in_at: now,
            last_ip: ip,
            revoked_at: null,
            compliance: 'not_evaluated',
            failing_rules: '[]',
            compliance_evaluated_at: null,
            primary_user_id: null,
          },
          db,
        );
        return use;
      },
      (use) =>
        'tenantId' in use
          ? {
              tenantId: use.tenantId,
              actor: { type: 'device', id },
              action: 'device.enrolled',
              target: { type: 'device', id },
              ip,
              data: { name, os: inventory.os, osVersion: inventory.osVersion, serial: inventory.serial },
            }
          : null,
    );
    if (!('tenantId' in used)) {
      // A token we made but that can no longer be used is not a guess: only unknown tokens keep the reservation.
      if (used.refused !== 'unknown') await attempt.release();
      const refusal = TOKEN_REFUSALS[used.refused];
      throw new AppError(refusal.code, refusal.message);
    }
    await attempt.release();
    const { tenantId } = used;
    const enrolled = await this.d.repo.find(tenantId, id);
    if (enrolled) await this.d.compliance.evaluateDevice(enrolled);
    const tenant = await this.d.users.tenant(tenantId);
    return { deviceId: id, tenantName: tenant?.name ?? '' };
  }

  /** A device reports its inventory; the name follows its hostname (normalised; unprintable keeps the old name). */
  async checkIn(device: DeviceRow, reported: Inventory, ip: string | null): Promise<DeviceView> {
    const now = iso(this.d.clock.now());
    const inventory = cleanInventory(reported);
    const name = inventory.hostname
      ? deviceDisplayName(inventory.hostname, device.id)
      : deviceDisplayName(device.name, device.id);
    await this.d.repo.checkIn(device.tenant_id, device.id, JSON.stringify(inventory), name, now, ip);
    const checkedIn = await this.d.repo.find(device.tenant_id, device.id);
    if (!checkedIn) throw errors.notFound('Device');
    await this.d.compliance.evaluateDevice(checkedIn);
    const updated = await this.d.repo.findWithUser(device.tenant_id, device.id);
    if (!updated) throw errors.notFound('Device');
    return this.present(updated);
  }

  /**
   * A page of the devices the caller may see: the whole organization for administrators
   * (`devices.read`, `devices.manage`), the enrolled devices in their scope for a helper.
   */
  async list(principal: Principal, query: DeviceListQuery): Promise<{ devices: DeviceView[]; total: number }> {
    this.assertMaySee(principal);
    const all = seesAllDevices(principal);
    const inScope = await this.scopeOf(principal);
    const rows = await this.d.repo.listForAdmin(principal.tenantId, {
      // A helper helps enrolled devices only; a revoked one is nobody's to help.
      enrollment: all ? query.enrollment : query.enrollment === 'revoked' ? 'revoked' : 'enrolled',
      os: query.os,
      compliance: query.compliance,
    });
    const visible = all ? rows : rows.filter((row) => !row.revoked_at && inScope(row));
    const online = await this.d.onlineOf(visible.map((row) => row.id));
    const page = pageOfDevices(visible, query, (id) => online.has(id));
    return {
      devices: page.rows.map((row) => presentDevice(row, online.has(row.id), inScope(row) && !row.revoked_at)),
      total: page.total,
    };
  }

  /**
   * One device of the organization. An administrator may open any (also a revoked one, with
   * `includeRevoked`); a helper only an enrolled device in their scope, else `out_of_scope`.
   */
  async get(principal: Principal, id: string, options: { includeRevoked?: boolean } = {}): Promise<DeviceListRow> {
    this.assertMaySee(principal);
    const row = await this.d.repo.findWithUser(principal.tenantId, id);
    const all = seesAllDevices(principal);
    if (!row || (row.revoked_at && !(all && options.includeRevoked))) throw errors.notFound('Device');
    if (!all) {
      await this.d.access.assertMayHelp(
        principal,
        { deviceId: row.id },
        'remoteHelp.viewScreen',
        deviceDisplayName(row.name, row.id),
      );
    }
    return row;
  }

  /**
   * Revokes a device's enrollment (`devices.manage`; audited once, with what the device was).
   * `revoked` is false when it had been revoked before: nothing changed, and nothing needs
   * telling. Closing its connection and ending its sessions are the caller's (`routes.ts`).
   */
  async revoke(principal: Principal, id: string): Promise<{ row: DeviceListRow; revoked: boolean }> {
    if (!can(principal, 'devices.manage')) throw errors.forbidden('Your role does not allow you to revoke devices.');
    const before = await this.d.repo.findWithUser(principal.tenantId, id);
    if (!before) throw errors.notFound('Device');
    const now = iso(this.d.clock.now());
    const revoked = await this.d.audit.together(
      (db) => this.d.repo.revokeDevice(principal.tenantId, id, now, db),
      (done) =>
        done
          ? byPerson(
              principal,
              'device.revoked',
              { type: 'device', id },
              {
                name: before.name,
                os: before.os,
                serial: before.serial,
                primaryUserId: before.primary_user_id,
                enrolledAt: before.enrolled_at,
                before: { enrollmentStatus: 'enrolled', revokedAt: null },
                after: { enrollmentStatus: 'revoked', revokedAt: now },
              },
            )
          : null,
    );
    const row = await this.d.repo.findWithUser(principal.tenantId, id);
    if (!row) throw errors.notFound('Device');
    return { row, revoked };
  }

  /**
   * Records who uses the device: the first person who joins a session from it becomes its
   * primary user (audited once).
   */
  async noteSharer(tenantId: string, deviceId: string, userId: string): Promise<void> {
    await this.d.audit.together(
      (db) => this.d.repo.setPrimaryUserIfNone(tenantId, deviceId, userId, db),
      (set) =>
        set
          ? {
              tenantId,
              actor: { type: 'system', id: null },
              action: 'device.primary_user_set',
              target: { type: 'device', id: deviceId },
              data: { before: { primaryUserId: null }, after: { primaryUserId: userId } },
            }
          : null,
    );
  }

  private assertMaySee(principal: Principal): void {
    if (!seesAllDevices(principal) && !can(principal, 'remoteTasks.offerRemoteAssistance')) {
      throw errors.forbidden('Your role does not allow you to see devices.');
    }
  }
}
