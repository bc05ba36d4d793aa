/**
 * @module devices/service
 * Enrollment tokens, enrollment, inventory check-ins and the device list. Every change is
 * audited; tokens and device keys are never stored in a form that could be replayed.
 */
import type {
  DeviceView,
  EnrollResponse,
  EnrollmentTokenResponse,
  Inventory,
  DevicePublicKey,
} from '@remote-help/protocol';
import { Inventory as InventorySchema } from '@remote-help/protocol';
import type { AuditLog } from '../audit/audit.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { newId, newToken, sha256 } from '../ids.js';
import type { Backoff } from '../ratelimit/backoff.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { UsersRepo } from '../users/repo.js';
import type { DeviceRow, DevicesRepo } from './repo.js';

export interface DeviceServiceDeps {
  repo: DevicesRepo;
  users: UsersRepo;
  audit: AuditLog;
  clock: Clock;
  enrollLimits: Backoff;
  isOnline: (deviceId: string) => boolean;
}

const deviceName = (inventory: Inventory, fallback: string): string => inventory.hostname?.trim() || fallback;

export class DeviceService {
  constructor(private readonly d: DeviceServiceDeps) {}

  present(row: DeviceRow): DeviceView {
    const parsed = InventorySchema.safeParse(JSON.parse(row.inventory));
    if (!parsed.success) throw new Error(`device ${row.id}: stored inventory is invalid`);
    return {
      id: row.id,
      name: row.name,
      inventory: parsed.data,
      enrolledAt: row.enrolled_at,
      lastCheckInAt: row.last_check_in_at,
      online: this.d.isOnline(row.id),
    };
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
    await this.d.repo.insertToken({
      id: sha256(token),
      tenant_id: principal.tenantId,
      created_by: principal.userId,
      max_uses: maxUses,
      uses: 0,
      expires_at: expiresAt,
      revoked_at: null,
      created_at: iso(now),
    });
    await this.d.audit.record({
      tenantId: principal.tenantId,
      actor: { type: 'user', id: principal.userId },
      action: 'enrollment_token.created',
      ip: principal.ip,
      data: { expiresAt, maxUses },
    });
    return { token, expiresAt, maxUses };
  }

  /** A device presents a token and its public key; it becomes a device of the token's tenant. */
  async enroll(
    token: string,
    publicKey: DevicePublicKey,
    inventory: Inventory,
    ip: string | null,
  ): Promise<EnrollResponse> {
    const keys = [`enroll:ip:${ip ?? 'unknown'}`];
    const wait = await this.d.enrollLimits.retryAfterSeconds(keys);
    if (wait > 0) throw errors.rateLimited(wait);
    const now = iso(this.d.clock.now());
    const tenantId = await this.d.repo.useToken(sha256(token), now);
    if (!tenantId) {
      await this.d.enrollLimits.fail(keys);
      throw new AppError('enrollment_token_invalid', 'The enrollment token is not valid, has expired or was used up.');
    }
    const id = newId();
    const name = deviceName(inventory, `device-${id.slice(0, 6)}`);
    await this.d.repo.insertDevice({
      id,
      tenant_id: tenantId,
      name,
      public_key: JSON.stringify(publicKey),
      inventory: JSON.stringify(inventory),
      enrolled_at: now,
      last_check_in_at: now,
      last_ip: ip,
      revoked_at: null,
    });
    await this.d.audit.record({
      tenantId,
      actor: { type: 'device', id },
      action: 'device.enrolled',
      target: { type: 'device', id },
      ip,
      data: { name, os: inventory.os, osVersion: inventory.osVersion, serial: inventory.serial },
    });
    const tenant = await this.d.users.tenant(tenantId);
    return { deviceId: id, tenantName: tenant?.name ?? '' };
  }

  async checkIn(device: DeviceRow, inventory: Inventory, ip: string | null): Promise<DeviceView> {
    const now = iso(this.d.clock.now());
    await this.d.repo.checkIn(
      device.tenant_id,
      device.id,
      JSON.stringify(inventory),
      deviceName(inventory, device.name),
      now,
      ip,
    );
    const updated = await this.d.repo.find(device.tenant_id, device.id);
    if (!updated) throw errors.notFound('Device');
    return this.present(updated);
  }

  /** Devices of the caller's tenant, for helpers and administrators. */
  async list(principal: Principal): Promise<DeviceView[]> {
    this.assertMaySee(principal);
    return (await this.d.repo.list(principal.tenantId)).map((row) => this.present(row));
  }

  async get(principal: Principal, id: string): Promise<DeviceRow> {
    this.assertMaySee(principal);
    const row = await this.d.repo.find(principal.tenantId, id);
    if (!row || row.revoked_at) throw errors.notFound('Device');
    return row;
  }

  private assertMaySee(principal: Principal): void {
    if (!can(principal, 'devices.manage') && !can(principal, 'remoteTasks.offerRemoteAssistance')) {
      throw errors.forbidden('Your role does not allow you to see devices.');
    }
  }
}
