/**
 * @module rbac/repo
 * The only SQL about groups, custom roles and assignments. Every read and write is scoped
 * by tenant id.
 */
import type { Selectable } from 'kysely';
import { atomically } from '../db/atomically.js';
import type { Db } from '../db/client.js';
import type { RbacAssignmentsTable, RbacGroupsTable, RbacRolesTable } from '../db/schema.js';
import { policyOf } from '../identity/conditionalAccess/repo.js';

export type GroupRow = Selectable<RbacGroupsTable>;
export type RoleRow = Selectable<RbacRolesTable>;
export type AssignmentRow = Selectable<RbacAssignmentsTable>;
export type Relation = 'member' | 'scope' | 'excluded';

/** One assignment that applies to a user: its role and, for a custom role, the stored permissions. */
export interface Grant {
  assignmentId: string;
  roleId: string;
  customPermissions: string | null;
  scopeAll: boolean;
}

/** A scope or exclusion group of an assignment, with what is needed to test membership. */
export interface ScopeGroup {
  assignmentId: string;
  relation: 'scope' | 'excluded';
  groupId: string;
  kind: string;
  rule: string | null;
}

export class RbacRepo {
  constructor(private readonly db: Db) {}

  /** The same repository on `db` (a caller's transaction): its writes commit with the caller's. */
  on(db: Db): RbacRepo {
    return db === this.db ? this : new RbacRepo(db);
  }

  /** The assignments whose member groups contain the user (one query). */
  async grantsOf(tenantId: string, userId: string): Promise<Grant[]> {
    const rows = await this.db
      .selectFrom('rbac_group_members as gm')
      .innerJoin('rbac_assignment_groups as ag', (j) =>
        j.onRef('ag.group_id', '=', 'gm.group_id').on('ag.relation', '=', 'member'),
      )
      .innerJoin('rbac_assignments as a', 'a.id', 'ag.assignment_id')
      .leftJoin('rbac_roles as r', (j) => j.onRef('r.id', '=', 'a.role_id').onRef('r.tenant_id', '=', 'a.tenant_id'))
      .select(['a.id as assignmentId', 'a.role_id as roleId', 'r.permissions as customPermissions', 'a.scope_all'])
      .where('gm.tenant_id', '=', tenantId)
      .where('gm.member_id', '=', userId)
      .where('a.tenant_id', '=', tenantId)
      .execute();
    // A user in two member groups of one assignment gets it once (deduplicated here, not with DISTINCT).
    const grants = new Map<string, Grant>();
    for (const r of rows) {
      grants.set(r.assignmentId, {
        assignmentId: r.assignmentId,
        roleId: r.roleId,
        customPermissions: r.customPermissions,
        scopeAll: r.scope_all === 1,
      });
    }
    return [...grants.values()];
  }

  /** Scope and exclusion groups of the given assignments. */
  async scopeGroups(tenantId: string, assignmentIds: readonly string[]): Promise<ScopeGroup[]> {
    if (assignmentIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('rbac_assignment_groups as ag')
      .innerJoin('rbac_groups as g', 'g.id', 'ag.group_id')
      .select(['ag.assignment_id', 'ag.relation', 'g.id', 'g.kind', 'g.rule'])
      .where('ag.tenant_id', '=', tenantId)
      .where('ag.assignment_id', 'in', [...assignmentIds])
      .where('ag.relation', 'in', ['scope', 'excluded'])
      .execute();
    return rows.map((r) => ({
      assignmentId: r.assignment_id,
      relation: r.relation as 'scope' | 'excluded',
      groupId: r.id,
      kind: r.kind,
      rule: r.rule,
    }));
  }

  /** The roles that membership of any of `groupIds` grants (their assignments as member groups). */
  async memberGrantsOfGroups(
    tenantId: string,
    groupIds: readonly string[],
  ): Promise<Pick<Grant, 'roleId' | 'customPermissions'>[]> {
    if (groupIds.length === 0) return [];
    return this.db
      .selectFrom('rbac_assignment_groups as ag')
      .innerJoin('rbac_assignments as a', 'a.id', 'ag.assignment_id')
      .leftJoin('rbac_roles as r', (j) => j.onRef('r.id', '=', 'a.role_id').onRef('r.tenant_id', '=', 'a.tenant_id'))
      .select(['a.role_id as roleId', 'r.permissions as customPermissions'])
      .where('ag.tenant_id', '=', tenantId)
      .where('ag.relation', '=', 'member')
      .where('ag.group_id', 'in', [...groupIds])
      .where('a.tenant_id', '=', tenantId)
      .execute();
  }

  /** Ids of the groups that hold `memberId` as a static member. */
  async staticGroupsOf(tenantId: string, memberId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('rbac_group_members')
      .select('group_id')
      .where('tenant_id', '=', tenantId)
      .where('member_id', '=', memberId)
      .execute();
    return rows.map((r) => r.group_id);
  }

  /** A device's last inventory (JSON), for dynamic groups. */
  async deviceInventory(tenantId: string, deviceId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('devices')
      .select('inventory')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', deviceId)
      .executeTakeFirst();
    return row?.inventory;
  }

  async devicesWithInventory(tenantId: string): Promise<{ id: string; inventory: string }[]> {
    return this.db
      .selectFrom('devices')
      .select(['id', 'inventory'])
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Which of `ids` are users (or devices) of the tenant. */
  async existing(tenantId: string, kind: 'user' | 'device', ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows =
      kind === 'user'
        ? await this.db
            .selectFrom('users')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('id', 'in', [...ids])
            .execute()
        : await this.db
            .selectFrom('devices')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('id', 'in', [...ids])
            .execute();
    return new Set(rows.map((r) => r.id));
  }

  // Groups

  async listGroups(tenantId: string): Promise<GroupRow[]> {
    return this.db.selectFrom('rbac_groups').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
  }

  async findGroup(tenantId: string, id: string): Promise<GroupRow | undefined> {
    return this.db
      .selectFrom('rbac_groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async findGroups(tenantId: string, ids: readonly string[]): Promise<GroupRow[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('rbac_groups')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...ids])
      .execute();
  }

  async insertGroup(row: GroupRow): Promise<void> {
    await this.db.insertInto('rbac_groups').values(row).execute();
  }

  async updateGroup(tenantId: string, id: string, changes: Partial<GroupRow>): Promise<void> {
    await this.db
      .updateTable('rbac_groups')
      .set(changes)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async deleteGroup(tenantId: string, id: string): Promise<void> {
    await atomically(this.db, async (trx) => {
      await trx.deleteFrom('rbac_group_members').where('tenant_id', '=', tenantId).where('group_id', '=', id).execute();
      await trx
        .deleteFrom('rbac_assignment_groups')
        .where('tenant_id', '=', tenantId)
        .where('group_id', '=', id)
        .execute();
      await trx.deleteFrom('rbac_groups').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    });
  }

  /** Assignments that would lose their last member group if `groupId` went away. */
  async assignmentsOnlyMemberGroup(tenantId: string, groupId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('rbac_assignment_groups as ag')
      .select('ag.assignment_id')
      .where('ag.tenant_id', '=', tenantId)
      .where('ag.relation', '=', 'member')
      .groupBy('ag.assignment_id')
      .having((eb) => eb.fn.countAll(), '=', 1)
      .having((eb) => eb.fn.max('ag.group_id'), '=', groupId)
      .execute();
    return rows.map((r) => r.assignment_id);
  }

  async members(tenantId: string, groupIds: readonly string[]): Promise<{ group_id: string; member_id: string }[]> {
    if (groupIds.length === 0) return [];
    return this.db
      .selectFrom('rbac_group_members')
      .select(['group_id', 'member_id'])
      .where('tenant_id', '=', tenantId)
      .where('group_id', 'in', [...groupIds])
      .orderBy('member_id')
      .execute();
  }

  async setMembers(tenantId: string, groupId: string, memberIds: readonly string[], now: string): Promise<void> {
    await atomically(this.db, async (trx) => {
      await trx
        .deleteFrom('rbac_group_members')
        .where('tenant_id', '=', tenantId)
        .where('group_id', '=', groupId)
        .execute();
      if (memberIds.length) {
        await trx
          .insertInto('rbac_group_members')
          .values(memberIds.map((member_id) => ({ group_id: groupId, tenant_id: tenantId, member_id })))
          .execute();
      }
      await trx
        .updateTable('rbac_groups')
        .set({ updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', groupId)
        .execute();
    });
  }

  /** Replaces the user groups `memberId` statically belongs to. */
  async setGroupsOf(tenantId: string, memberId: string, groupIds: readonly string[]): Promise<void> {
    await atomically(this.db, async (trx) => {
      await trx
        .deleteFrom('rbac_group_members')
        .where('tenant_id', '=', tenantId)
        .where('member_id', '=', memberId)
        .execute();
      if (groupIds.length) {
        await trx
          .insertInto('rbac_group_members')
          .values(groupIds.map((group_id) => ({ group_id, tenant_id: tenantId, member_id: memberId })))
          .execute();
      }
    });
  }

  // Roles

  async listRoles(tenantId: string): Promise<RoleRow[]> {
    return this.db.selectFrom('rbac_roles').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
  }

  async findRole(tenantId: string, id: string): Promise<RoleRow | undefined> {
    return this.db
      .selectFrom('rbac_roles')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async insertRole(row: RoleRow): Promise<void> {
    await this.db.insertInto('rbac_roles').values(row).execute();
  }

  async updateRole(tenantId: string, id: string, changes: Partial<RoleRow>): Promise<void> {
    await this.db
      .updateTable('rbac_roles')
      .set(changes)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async deleteRole(tenantId: string, id: string): Promise<void> {
    await this.db.deleteFrom('rbac_roles').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  /**
   * The conditional access policies (any state) that name one of `ids` as a group or role to
   * include or exclude: a change of who is in them changes who the policy binds.
   */
  async policiesNaming(
    tenantId: string,
    kind: 'groupIds' | 'roleIds',
    ids: readonly string[],
  ): Promise<{ name: string; state: string }[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('ca_policies').selectAll().where('tenant_id', '=', tenantId).execute();
    return rows
      .map(policyOf)
      .filter(({ users: { include, exclude } }) =>
        [...(include.kind === 'selected' ? include[kind] : []), ...exclude[kind]].some((id) => ids.includes(id)),
      )
      .map(({ name, state }) => ({ name, state }));
  }

  async roleInUse(tenantId: string, roleId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('rbac_assignments')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('role_id', '=', roleId)
      .executeTakeFirst();
    return Boolean(row);
  }

  // Assignments

  async listAssignments(tenantId: string): Promise<AssignmentRow[]> {
    return this.db
      .selectFrom('rbac_assignments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
  }

  async findAssignment(tenantId: string, id: string): Promise<AssignmentRow | undefined> {
    return this.db
      .selectFrom('rbac_assignments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async assignmentGroups(
    tenantId: string,
    assignmentIds: readonly string[],
  ): Promise<{ assignment_id: string; group_id: string; relation: string }[]> {
    if (assignmentIds.length === 0) return [];
    return this.db
      .selectFrom('rbac_assignment_groups')
      .select(['assignment_id', 'group_id', 'relation'])
      .where('tenant_id', '=', tenantId)
      .where('assignment_id', 'in', [...assignmentIds])
      .orderBy('group_id')
      .execute();
  }

  /** Inserts or replaces an assignment with its groups, in one transaction. */
  async saveAssignment(
    row: AssignmentRow,
    groups: readonly { group_id: string; relation: Relation }[],
    replace: boolean,
  ): Promise<void> {
    await atomically(this.db, async (trx) => {
      if (replace) {
        const { id, tenant_id, ...changes } = row;
        await trx
          .updateTable('rbac_assignments')
          .set({ ...changes, created_at: undefined })
          .where('tenant_id', '=', tenant_id)
          .where('id', '=', id)
          .execute();
        await trx
          .deleteFrom('rbac_assignment_groups')
          .where('tenant_id', '=', tenant_id)
          .where('assignment_id', '=', id)
          .execute();
      } else {
        await trx.insertInto('rbac_assignments').values(row).execute();
      }
      if (groups.length) {
        await trx
          .insertInto('rbac_assignment_groups')
          .values(groups.map((g) => ({ ...g, assignment_id: row.id, tenant_id: row.tenant_id })))
          .execute();
      }
    });
  }

  async deleteAssignment(tenantId: string, id: string): Promise<void> {
    await atomically(this.db, async (trx) => {
      await trx
        .deleteFrom('rbac_assignment_groups')
        .where('tenant_id', '=', tenantId)
        .where('assignment_id', '=', id)
        .execute();
      await trx.deleteFrom('rbac_assignments').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    });
  }
}
