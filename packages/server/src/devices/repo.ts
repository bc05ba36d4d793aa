/**
 * @module devices/repo
 * The only SQL about devices and enrollment tokens. Reads are scoped by tenant, except
 * the two lookups that establish the tenant: a token by its hash, a device by its id
 * when it authenticates with its own key. Used device proofs are remembered here too.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../db/client.js';
import { jsonText } from '../db/dialect.js';
import type { DevicesTable, EnrollmentTokensTable } from '../db/schema.js';

export type DeviceRow = Selectable<DevicesTable>;
export type EnrollmentTokenRow = Selectable<EnrollmentTokensTable>;

/** A device row with its primary user's name and email (null when it has none). */
export type DeviceListRow = DeviceRow & {
  primary_user_name: string | null;
  primary_user_email: string | null;
  /** `inventory.os`, `inventory.osVersion` and `inventory.serial`, read by SQLite (for search and sort). */
  os: string | null;
  os_version: string | null;
  serial: string | null;
};

/** The filters the device list applies in SQL (the rest, which need presence or scope, are applied after). */
export interface DeviceListFilter {
  enrollment: 'all' | 'enrolled' | 'revoked';
  os?: string | undefined;
  compliance?: string | undefined;
}

/** A token row with the name of whoever made it. */
export type EnrollmentTokenListRow = EnrollmentTokenRow & { created_by_name: string | null };

/** Why a token cannot be used; in this order when several apply (revoked, then used up, then expired). */
export type TokenRefusal = 'unknown' | 'revoked' | 'used_up' | 'expired';

export type TokenStateFilter = 'all' | 'active' | 'expired' | 'used_up' | 'revoked';

export class DevicesRepo {
  constructor(private readonly db: Db) {}

  /** Stores a new token, on `db` when given (a transaction). */
  async insertToken(row: EnrollmentTokenRow, db: Db = this.db): Promise<void> {
    await db.insertInto('enrollment_tokens').values(row).execute();
  }

  /**
   * Takes one use of a live token atomically: its tenant, or why it cannot be used. The use is
   * taken by one conditional UPDATE, so parallel enrollments never exceed `max_uses`; the
   * reason is read only after a refusal.
   */
  async useToken(
    id: string,
    nowIso: string,
    db: Db = this.db,
  ): Promise<{ tenantId: string } | { refused: TokenRefusal }> {
    const result = await db
      .updateTable('enrollment_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowIso)
      .where((eb) => eb('uses', '<', eb.ref('max_uses')))
      .executeTakeFirst();
    const row = await db
      .selectFrom('enrollment_tokens')
      .select(['tenant_id', 'revoked_at', 'uses', 'max_uses', 'expires_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return { refused: 'unknown' };
    if (Number(result.numUpdatedRows) === 1) return { tenantId: row.tenant_id };
    if (row.revoked_at) return { refused: 'revoked' };
    if (row.uses >= row.max_uses) return { refused: 'used_up' };
    return { refused: 'expired' };
  }

  /** The tenant's tokens in a state, newest first, with who made them, and how many match. */
  async listTokens(
    tenantId: string,
    state: TokenStateFilter,
    nowIso: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: EnrollmentTokenListRow[]; total: number }> {
    let query = this.db.selectFrom('enrollment_tokens as t').where('t.tenant_id', '=', tenantId);
    if (state === 'revoked') query = query.where('t.revoked_at', 'is not', null);
    else if (state !== 'all') {
      query = query.where('t.revoked_at', 'is', null);
      if (state === 'used_up') query = query.where((eb) => eb('t.uses', '>=', eb.ref('t.max_uses')));
      else {
        query = query.where((eb) => eb('t.uses', '<', eb.ref('t.max_uses')));
        query = query.where('t.expires_at', state === 'expired' ? '<=' : '>', nowIso);
      }
    }
    const count = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await query
      .leftJoin('users as u', (j) => j.onRef('u.id', '=', 't.created_by').onRef('u.tenant_id', '=', 't.tenant_id'))
      .selectAll('t')
      .select('u.display_name as created_by_name')
      .orderBy('t.created_at', 'desc')
      .orderBy('t.public_id')
      .limit(limit)
      .offset(offset)
      .execute();
    return { rows, total: Number(count?.n ?? 0) };
  }

  async findToken(tenantId: string, publicId: string): Promise<EnrollmentTokenListRow | undefined> {
    return this.db
      .selectFrom('enrollment_tokens as t')
      .leftJoin('users as u', (j) => j.onRef('u.id', '=', 't.created_by').onRef('u.tenant_id', '=', 't.tenant_id'))
      .selectAll('t')
      .select('u.display_name as created_by_name')
      .where('t.tenant_id', '=', tenantId)
      .where('t.public_id', '=', publicId)
      .executeTakeFirst();
  }

  /** Marks a token revoked; false when it was already (or is not the tenant's). On `db` when given. */
  async revokeToken(tenantId: string, publicId: string, nowIso: string, db: Db = this.db): Promise<boolean> {
    const result = await db
      .updateTable('enrollment_tokens')
      .set({ revoked_at: nowIso })
      .where('tenant_id', '=', tenantId)
      .where('public_id', '=', publicId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes a device's enrollment; true when this call did (false: revoked before, or no such device). */
  async revokeDevice(tenantId: string, id: string, nowIso: string, db: Db = this.db): Promise<boolean> {
    const result = await db
      .updateTable('devices')
      .set({ revoked_at: nowIso })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Stores a newly enrolled device, on `db` when given (a transaction). */
  async insertDevice(row: DeviceRow, db: Db = this.db): Promise<void> {
    await db.insertInto('devices').values(row).execute();
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

  /** The tenant's enrolled devices by name (at most `limit`), e.g. to evaluate compliance for all of them. */
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

  /**
   * The tenant's devices that pass the SQL-side filters, with their primary user. Search, the
   * online filter, scope, sort and paging are the service's (they need presence and the
   * helper's scope); the inventory is returned as stored and parsed only for the page shown.
   */
  async listForAdmin(tenantId: string, filter: DeviceListFilter): Promise<DeviceListRow[]> {
    let query = this.deviceWithUser().where('d.tenant_id', '=', tenantId);
    if (filter.enrollment === 'enrolled') query = query.where('d.revoked_at', 'is', null);
    if (filter.enrollment === 'revoked') query = query.where('d.revoked_at', 'is not', null);
    if (filter.os) query = query.where(jsonText(this.db, 'd.inventory', 'os'), '=', filter.os);
    if (filter.compliance) query = query.where('d.compliance', '=', filter.compliance);
    return query.execute();
  }

  /** One device of the tenant with its primary user (revoked ones too). */
  async findWithUser(tenantId: string, id: string): Promise<DeviceListRow | undefined> {
    return this.deviceWithUser().where('d.tenant_id', '=', tenantId).where('d.id', '=', id).executeTakeFirst();
  }

  private deviceWithUser() {
    return this.db
      .selectFrom('devices as d')
      .leftJoin('users as u', (j) => j.onRef('u.id', '=', 'd.primary_user_id').onRef('u.tenant_id', '=', 'd.tenant_id'))
      .selectAll('d')
      .select([
        'u.display_name as primary_user_name',
        'u.email as primary_user_email',
        jsonText(this.db, 'd.inventory', 'os').as('os'),
        jsonText(this.db, 'd.inventory', 'osVersion').as('os_version'),
        jsonText(this.db, 'd.inventory', 'serial').as('serial'),
      ]);
  }

  /** Makes `userId` the device's primary user unless it has one. True when it was set. On `db` when given. */
  async setPrimaryUserIfNone(tenantId: string, id: string, userId: string, db: Db = this.db): Promise<boolean> {
    const result = await db
      .updateTable('devices')
      .set({ primary_user_id: userId })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('primary_user_id', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Records that a device used proof `jti`; true the first time, false if it was used before.
   * Atomic: the primary key (device_id, jti) lets exactly one of two racing inserts succeed.
   */
  async rememberProof(deviceId: string, jti: string, expiresAtIso: string): Promise<boolean> {
    const result = await this.db
      .insertInto('device_proofs')
      .values({ device_id: deviceId, jti, expires_at: expiresAtIso })
      .onConflict((oc) => oc.columns(['device_id', 'jti']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Forgets proofs that can no longer be valid; returns how many. */
  async sweepProofs(nowIso: string): Promise<number> {
    const result = await this.db.deleteFrom('device_proofs').where('expires_at', '<=', nowIso).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Stores a device's latest compliance evaluation. */
  async setCompliance(tenantId: string, id: string, compliance: string, failingRules: string, nowIso: string) {
    await this.db
      .updateTable('devices')
      .set({ compliance, failing_rules: failingRules, compliance_evaluated_at: nowIso })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
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
