/**
 * @module audit/repo
 * The SQL that reads the audit log: one tenant's events, filtered, newest first, with the
 * names of the people and devices they name (as they are now; null when gone).
 */
import type { AuditAction, AuditActorType, AuditTargetType } from '@remote-help/protocol';
import type { Db } from '../db/client.js';

export interface AuditFilters {
  action?: AuditAction | undefined;
  actorType?: AuditActorType | undefined;
  actorId?: string | undefined;
  targetType?: AuditTargetType | undefined;
  targetId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface AuditEventRow {
  id: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  data: string | null;
  seq: number | null;
  hash: string | null;
  actor_user_name: string | null;
  actor_user_email: string | null;
  actor_device_name: string | null;
  target_user_name: string | null;
  target_device_name: string | null;
  target_tenant_name: string | null;
}

export class AuditRepo {
  constructor(private readonly db: Db) {}

  private filtered(tenantId: string, f: AuditFilters) {
    let q = this.db.selectFrom('audit_events as a').where('a.tenant_id', '=', tenantId);
    if (f.action) q = q.where('a.action', '=', f.action);
    if (f.actorType) q = q.where('a.actor_type', '=', f.actorType);
    if (f.actorId) q = q.where('a.actor_id', '=', f.actorId);
    if (f.targetType) q = q.where('a.target_type', '=', f.targetType);
    if (f.targetId) q = q.where('a.target_id', '=', f.targetId);
    if (f.from) q = q.where('a.at', '>=', f.from);
    if (f.to) q = q.where('a.at', '<', f.to);
    return q;
  }

  async count(tenantId: string, f: AuditFilters): Promise<number> {
    const row = await this.filtered(tenantId, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One page of matching events, newest first. */
  async list(tenantId: string, f: AuditFilters, limit: number, offset = 0): Promise<AuditEventRow[]> {
    return this.filtered(tenantId, f)
      .leftJoin('users as au', (j) =>
        j.onRef('au.id', '=', 'a.actor_id').onRef('au.tenant_id', '=', 'a.tenant_id').on('a.actor_type', '=', 'user'),
      )
      .leftJoin('devices as ad', (j) =>
        j.onRef('ad.id', '=', 'a.actor_id').onRef('ad.tenant_id', '=', 'a.tenant_id').on('a.actor_type', '=', 'device'),
      )
      .leftJoin('users as tu', (j) =>
        j.onRef('tu.id', '=', 'a.target_id').onRef('tu.tenant_id', '=', 'a.tenant_id').on('a.target_type', '=', 'user'),
      )
      .leftJoin('devices as td', (j) =>
        j
          .onRef('td.id', '=', 'a.target_id')
          .onRef('td.tenant_id', '=', 'a.tenant_id')
          .on('a.target_type', '=', 'device'),
      )
      .leftJoin('tenants as tt', (j) =>
        j.onRef('tt.id', '=', 'a.target_id').onRef('tt.id', '=', 'a.tenant_id').on('a.target_type', '=', 'tenant'),
      )
      .select([
        'a.id',
        'a.at',
        'a.actor_type',
        'a.actor_id',
        'a.action',
        'a.target_type',
        'a.target_id',
        'a.ip',
        'a.data',
        'a.seq',
        'a.hash',
        'au.display_name as actor_user_name',
        'au.email as actor_user_email',
        'ad.name as actor_device_name',
        'tu.display_name as target_user_name',
        'td.name as target_device_name',
        'tt.name as target_tenant_name',
      ])
      .orderBy('a.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
  }
}
