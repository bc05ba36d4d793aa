/**
 * @module devices/repo
 * The only SQL about devices and enrollment tokens. Reads are scoped by tenant, except
 * the two lookups that establish the tenant: a token by its hash, a device by its id
 * when it authenticates with its own key.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../db/client.js';
import type { DevicesTable, EnrollmentTokensTable } from '../db/schema.js';

export type DeviceRow = Selectable<DevicesTable>;
export type EnrollmentTokenRow = Selectable<EnrollmentTokensTable>;

export class DevicesRepo {
  constructor(private readonly db: Db) {}

  async insertToken(row: EnrollmentTokenRow): Promise<void> {
    await this.db.insertInto('enrollment_tokens').values(row).execute();
  }

  /** Takes one use of a live token atomically; returns its tenant, or undefined if unusable. */
  async useToken(id: string, nowIso: string): Promise<string | undefined> {
    const result = await this.db
      .updateTable('enrollment_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowIso)
      .where((eb) => eb('uses', '<', eb.ref('max_uses')))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    const row = await this.db
      .selectFrom('enrollment_tokens')
      .select('tenant_id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.tenant_id;
  }

  async insertDevice(row: DeviceRow): Promise<void> {
    await this.db.insertInto('devices').values(row).execute();
  }

  /** For device authentication only: the device names itself; its key proves it. */
  async findForAuth(id: string): Promise<DeviceRow | undefined> {
    return this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async find(tenantId: string, id: string): Promise<DeviceRow | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async list(tenantId: string, limit = 500): Promise<DeviceRow[]> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .orderBy('name')
      .limit(limit)
      .execute();
  }

  async checkIn(tenantId: string, id: string, inventory: string, name: string, nowIso: string, ip: string | null) {
    await this.db
      .updateTable('devices')
      .set({ inventory, name, last_check_in_at: nowIso, last_ip: ip })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }
}
