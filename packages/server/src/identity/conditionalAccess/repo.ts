/**
 * @module identity/conditionalAccess/repo
 * Storage of conditional access: policies (a JSON body), named locations, the sign-in log,
 * and what an evaluation needs to know of a person (their user groups and roles). Every
 * query is scoped by tenant.
 */
import type {
  CaPolicy,
  CaPolicyInput,
  NamedLocation,
  NamedLocationInput,
  SignInLogEntry,
  SignInLogQuery,
} from '@remote-help/protocol';
import { CaPolicyInput as CaPolicyInputSchema, SignInLogEntry as SignInLogEntrySchema } from '@remote-help/protocol';
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import type { CaPoliciesTable, NamedLocationsTable, SigninLogTable } from '../../db/schema.js';
import type { CaSubject } from './evaluate.js';

/** A policy row back to the protocol's shape (the body was validated on the way in; parsed again on the way out). */
export function policyOf(row: CaPoliciesTable): CaPolicy {
  const body = JSON.parse(row.body) as Omit<CaPolicyInput, 'name' | 'state'>;
  const input = CaPolicyInputSchema.parse({ ...body, name: row.name, state: row.state });
  return { ...input, id: row.id, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function locationOf(row: NamedLocationsTable): NamedLocation {
  return {
    id: row.id,
    name: row.name,
    ranges: JSON.parse(row.ranges) as string[],
    trusted: row.trusted === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The JSON body of a policy: everything but its name and state, which have columns. */
export function bodyOf(input: CaPolicyInput): string {
  const { name: _name, state: _state, ...body } = input;
  return JSON.stringify(body);
}

function entryOf(row: SigninLogTable): SignInLogEntry {
  return SignInLogEntrySchema.parse({
    id: row.id,
    at: row.at,
    event: row.event,
    userId: row.user_id,
    userName: row.user_name,
    email: row.email,
    app: row.app,
    clientApp: row.client_app,
    platform: row.platform,
    ip: row.ip,
    deviceId: row.device_id,
    deviceState: row.device_state,
    amr: JSON.parse(row.amr),
    decision: row.decision,
    unmet: JSON.parse(row.unmet),
    policies: JSON.parse(row.policies),
  });
}

export class ConditionalAccessRepo {
  constructor(private readonly db: Db) {}

  /** The same repository on `db` (a caller's transaction): its writes commit with the caller's. */
  on(db: Db): ConditionalAccessRepo {
    return db === this.db ? this : new ConditionalAccessRepo(db);
  }

  async policies(tenantId: string): Promise<CaPolicy[]> {
    const rows = await this.db
      .selectFrom('ca_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(policyOf);
  }

  findPolicy(tenantId: string, id: string): Promise<CaPoliciesTable | undefined> {
    return this.db
      .selectFrom('ca_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async insertPolicy(row: CaPoliciesTable): Promise<void> {
    await this.db.insertInto('ca_policies').values(row).execute();
  }

  async updatePolicy(tenantId: string, id: string, changes: Partial<CaPoliciesTable>): Promise<boolean> {
    const result = await this.db
      .updateTable('ca_policies')
      .set(changes)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async removePolicy(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('ca_policies')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async countPolicies(tenantId: string): Promise<number> {
    const row = await this.db
      .selectFrom('ca_policies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async locations(tenantId: string): Promise<NamedLocation[]> {
    const rows = await this.db
      .selectFrom('named_locations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(locationOf);
  }

  findLocation(tenantId: string, id: string): Promise<NamedLocationsTable | undefined> {
    return this.db
      .selectFrom('named_locations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async insertLocation(row: NamedLocationsTable): Promise<void> {
    await this.db.insertInto('named_locations').values(row).execute();
  }

  async updateLocation(tenantId: string, id: string, input: NamedLocationInput, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('named_locations')
      .set({ name: input.name, ranges: JSON.stringify(input.ranges), trusted: input.trusted ? 1 : 0, updated_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async removeLocation(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('named_locations')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The user groups that hold a person, and the roles assigned to those groups. */
  /**
   * Every person of the organization (disabled ones too: they may be enabled again) as a policy
   * sees them, with the roles their groups' assignments give: whom a policy in force binds.
   */
  async people(
    tenantId: string,
  ): Promise<(CaSubject & { grants: { roleId: string; customPermissions: string | null }[] })[]> {
    const rows = await this.db
      .selectFrom('users as u')
      .leftJoin('rbac_group_members as gm', (join) =>
        join.onRef('gm.member_id', '=', 'u.id').onRef('gm.tenant_id', '=', 'u.tenant_id'),
      )
      .leftJoin('rbac_assignment_groups as ag', (join) =>
        join.onRef('ag.group_id', '=', 'gm.group_id').on('ag.relation', '=', 'member'),
      )
      .leftJoin('rbac_assignments as a', (join) =>
        join.onRef('a.id', '=', 'ag.assignment_id').onRef('a.tenant_id', '=', 'u.tenant_id'),
      )
      .leftJoin('rbac_roles as r', (join) =>
        join.onRef('r.id', '=', 'a.role_id').onRef('r.tenant_id', '=', 'a.tenant_id'),
      )
      .select(['u.id as userId', 'gm.group_id as groupId', 'a.role_id as roleId', 'r.permissions as customPermissions'])
      .where('u.tenant_id', '=', tenantId)
      .execute();
    const people = new Map<
      string,
      CaSubject & {
        groupIds: Set<string>;
        roleIds: Set<string>;
        grants: { roleId: string; customPermissions: string | null }[];
      }
    >();
    for (const row of rows) {
      let person = people.get(row.userId);
      if (!person) {
        person = { userId: row.userId, groupIds: new Set(), roleIds: new Set(), grants: [] };
        people.set(row.userId, person);
      }
      if (row.groupId) person.groupIds.add(row.groupId);
      if (row.roleId) {
        person.roleIds.add(row.roleId);
        person.grants.push({ roleId: row.roleId, customPermissions: row.customPermissions });
      }
    }
    return [...people.values()];
  }

  async subjectOf(tenantId: string, userId: string): Promise<{ groupIds: Set<string>; roleIds: Set<string> }> {
    const rows = await this.db
      .selectFrom('rbac_group_members as gm')
      .leftJoin('rbac_assignment_groups as ag', (join) =>
        join.onRef('ag.group_id', '=', 'gm.group_id').on('ag.relation', '=', 'member'),
      )
      .leftJoin('rbac_assignments as a', (join) =>
        join.onRef('a.id', '=', 'ag.assignment_id').onRef('a.tenant_id', '=', 'gm.tenant_id'),
      )
      .select(['gm.group_id', 'a.role_id'])
      .where('gm.tenant_id', '=', tenantId)
      .where('gm.member_id', '=', userId)
      .execute();
    return {
      groupIds: new Set(rows.map((r) => r.group_id)),
      roleIds: new Set(rows.flatMap((r) => (r.role_id ? [r.role_id] : []))),
    };
  }

  async log(row: SigninLogTable): Promise<void> {
    await this.db.insertInto('signin_log').values(row).execute();
  }

  async signIns(tenantId: string, query: SignInLogQuery): Promise<{ entries: SignInLogEntry[]; total: number }> {
    let base = this.db.selectFrom('signin_log').where('tenant_id', '=', tenantId);
    if (query.decision) base = base.where('decision', '=', query.decision);
    if (query.q) {
      const like = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where((eb) =>
        eb.or(
          ['user_name', 'email', 'app', 'ip'].map((column) =>
            eb(sql`lower(coalesce(${sql.ref(column)}, ''))`, 'like', sql`${like} escape '\\'`),
          ),
        ),
      );
    }
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { entries: rows.map(entryOf), total: Number(count.n) };
  }

  /** Sign-in log rows older than `before` go with the report retention. */
  async pruneSignIns(tenantId: string, before: string): Promise<number> {
    const result = await this.db
      .deleteFrom('signin_log')
      .where('tenant_id', '=', tenantId)
      .where('at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
