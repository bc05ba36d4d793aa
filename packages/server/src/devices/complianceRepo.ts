/**
 * @module devices/complianceRepo
 * The only SQL about compliance policies. Every read and write is scoped by tenant; rules
 * and assignment are stored as JSON and parsed with the protocol schemas on the way out.
 */
import { ComplianceRule, PolicyAssignment } from '@remote-help/protocol';
import type { CompliancePolicy } from '@remote-help/protocol';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { CompliancePoliciesTable } from '../db/schema.js';

export type CompliancePolicyRow = Selectable<CompliancePoliciesTable>;

const StoredRules = z.array(ComplianceRule);

/** The row as the protocol's policy; a row that no longer parses is a bug, not input. */
export function policyOf(row: CompliancePolicyRow): CompliancePolicy {
  return {
    id: row.id,
    name: row.name,
    rules: StoredRules.parse(JSON.parse(row.rules)),
    assignment: PolicyAssignment.parse(JSON.parse(row.assignment)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ComplianceRepo {
  constructor(private readonly db: Db) {}

  /** The same repository on `db` (a caller's transaction): its writes commit with the caller's. */
  on(db: Db): ComplianceRepo {
    return db === this.db ? this : new ComplianceRepo(db);
  }

  async list(tenantId: string, limit = 200): Promise<CompliancePolicyRow[]> {
    return this.db
      .selectFrom('compliance_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Tenants that have at least one policy (the periodic re-evaluation visits only these). */
  async tenantsWithPolicies(): Promise<string[]> {
    const rows = await this.db.selectFrom('compliance_policies').select('tenant_id').distinct().execute();
    return rows.map((r) => r.tenant_id);
  }

  async count(tenantId: string): Promise<number> {
    const row = await this.db
      .selectFrom('compliance_policies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async find(tenantId: string, id: string): Promise<CompliancePolicyRow | undefined> {
    return this.db
      .selectFrom('compliance_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async insert(row: CompliancePolicyRow): Promise<void> {
    await this.db.insertInto('compliance_policies').values(row).execute();
  }

  async update(
    tenantId: string,
    id: string,
    changes: Pick<CompliancePolicyRow, 'name' | 'rules' | 'assignment' | 'updated_at'>,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('compliance_policies')
      .set(changes)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('compliance_policies')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
