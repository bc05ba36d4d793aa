/**
 * @module rbac/service
 * Administration of groups, custom roles and assignments. Each use case checks the
 * caller's permission, validates references within the caller's tenant (another tenant's
 * ids are simply "not found"), writes, and audits the change with before → after.
 */
import type {
  AssignmentRequest,
  AssignmentView,
  CreateGroupRequest,
  CreateRoleRequest,
  GroupView,
  Permission,
  RoleView,
  UpdateGroupRequest,
  UpdateRoleRequest,
} from '@remote-help/protocol';
import { DeviceGroupRule } from '@remote-help/protocol';
import type { z } from 'zod';
import type { AuditEntry, AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { newId } from '../ids.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import { BUILT_IN_ROLE_VIEWS, isBuiltInRole, rolePermissions } from './permissions.js';
import { storedRuleMatches } from './policy.js';
import { assertHolds, assertMayChangeMembership } from './delegation.js';
import type { AssignmentRow, GroupRow, RbacRepo, Relation, RoleRow } from './repo.js';

type CreateGroup = z.output<typeof CreateGroupRequest>;
type UpdateGroup = z.output<typeof UpdateGroupRequest>;
type CreateRole = z.output<typeof CreateRoleRequest>;
type UpdateRole = z.output<typeof UpdateRoleRequest>;
type Assignment = z.output<typeof AssignmentRequest>;

export interface RbacServiceDeps {
  repo: RbacRepo;
  audit: AuditLog;
  clock: Clock;
  /** Whether a user (`user`) or device (`device`) id exists in the tenant. */
  exists: (tenantId: string, kind: 'user' | 'device', ids: readonly string[]) => Promise<Set<string>>;
}

/** A unique-name violation from either database, as `conflict`. */
export function conflictOnUnique<T>(what: string) {
  return (error: unknown): T => {
    if (/UNIQUE|duplicate key/i.test((error as Error).message)) {
      throw new AppError('conflict', `${what} with this name already exists.`);
    }
    throw error;
  };
}

/** The one element of a list made from one row. */
function only<T>(list: readonly T[]): T {
  const [first] = list;
  if (first === undefined) throw new Error('expected one element');
  return first;
}

export class RbacService {
  constructor(private readonly d: RbacServiceDeps) {}

  private require(principal: Principal, permission: Permission, what: string): void {
    if (!can(principal, permission)) throw errors.forbidden(`Your role does not allow you to ${what}.`);
  }

  /**
   * Runs `work` on the repository bound to one transaction and audits it there, with `before`
   * and what `after` makes of its result: the change and its record commit together or not at
   * all (`AuditLog.together`). Reads inside `work` go through the repository it is given.
   */
  private changed<T>(
    principal: Principal,
    action: AuditEntry['action'],
    target: NonNullable<AuditEntry['target']>,
    before: unknown,
    work: (repo: RbacRepo) => Promise<T>,
    after: (result: T) => unknown = (result) => result,
  ): Promise<T> {
    return this.d.audit.together(
      (db) => work(this.d.repo.on(db)),
      (result) => byPerson(principal, action, target, { before, after: after(result) }),
    );
  }

  // Groups ------------------------------------------------------------------------------

  async presentGroups(tenantId: string, rows: readonly GroupRow[], repo = this.d.repo): Promise<GroupView[]> {
    const members = await repo.members(
      tenantId,
      rows.filter((r) => !r.rule).map((r) => r.id),
    );
    const devices = rows.some((r) => r.rule) ? await repo.devicesWithInventory(tenantId) : [];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      kind: r.kind as 'user' | 'device',
      rule: r.rule ? DeviceGroupRule.parse(JSON.parse(r.rule)) : null,
      members: r.rule
        ? devices.filter((d) => storedRuleMatches(r.rule, d.inventory)).map((d) => d.id)
        : members.filter((m) => m.group_id === r.id).map((m) => m.member_id),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  private async groupOrNotFound(tenantId: string, id: string, repo = this.d.repo): Promise<GroupRow> {
    const row = await repo.findGroup(tenantId, id);
    if (!row) throw errors.notFound('Group');
    return row;
  }

  private async groupView(tenantId: string, id: string, repo = this.d.repo): Promise<GroupView> {
    return only(await this.presentGroups(tenantId, [await this.groupOrNotFound(tenantId, id, repo)], repo));
  }

  async listGroups(principal: Principal): Promise<GroupView[]> {
    this.requireReader(principal);
    return this.presentGroups(principal.tenantId, await this.d.repo.listGroups(principal.tenantId));
  }

  async getGroup(principal: Principal, id: string): Promise<GroupView> {
    this.requireReader(principal);
    return this.groupView(principal.tenantId, id);
  }

  /** Groups are read by whoever manages users, roles, devices or compliance policies, or reads devices. */
  private requireReader(principal: Principal): void {
    const readers: Permission[] = ['users.manage', 'roles.manage', 'devices.manage', 'devices.read', 'policies.manage'];
    if (!readers.some((p) => can(principal, p))) throw errors.forbidden('Your role does not allow you to see groups.');
  }

  /** Before any lookup (so an unknown id tells a caller without rights nothing): some group right at all. */
  private requireSomeGroupManager(principal: Principal): void {
    if (!can(principal, 'users.manage') && !can(principal, 'devices.manage')) {
      throw errors.forbidden('Your role does not allow you to manage groups.');
    }
  }

  private requireGroupManager(principal: Principal, kind: string): void {
    this.require(principal, kind === 'device' ? 'devices.manage' : 'users.manage', `manage ${kind} groups`);
  }

  async createGroup(principal: Principal, body: CreateGroup): Promise<GroupView> {
    this.requireGroupManager(principal, body.kind);
    const now = iso(this.d.clock.now());
    const row: GroupRow = {
      id: newId(),
      tenant_id: principal.tenantId,
      name: body.name,
      description: body.description,
      kind: body.kind,
      rule: body.rule ? JSON.stringify(body.rule) : null,
      created_at: now,
      updated_at: now,
    };
    return this.changed(principal, 'group.created', { type: 'group', id: row.id }, null, async (repo) => {
      await repo.insertGroup(row).catch(conflictOnUnique('A group'));
      return only(await this.presentGroups(principal.tenantId, [row], repo));
    });
  }

  async updateGroup(principal: Principal, id: string, body: UpdateGroup): Promise<GroupView> {
    this.requireSomeGroupManager(principal);
    const row = await this.groupOrNotFound(principal.tenantId, id);
    this.requireGroupManager(principal, row.kind);
    if (body.rule && row.kind !== 'device')
      throw new AppError('validation_failed', 'Only device groups can have a rule.');
    const before = only(await this.presentGroups(principal.tenantId, [row]));
    if (body.rule && before.members.length > 0 && !row.rule) {
      throw new AppError('validation_failed', 'Remove the static members before giving the group a rule.');
    }
    // A provider that matches groups by name puts its people in whichever group bears the name
    // their token carries: renaming a user group decides who joins it, like its member list.
    if (row.kind === 'user' && body.name !== undefined && body.name !== row.name) {
      await assertMayChangeMembership(this.d.repo, principal, [id], { conditionalAccess: false });
    }
    const changes: Partial<GroupRow> = { updated_at: iso(this.d.clock.now()) };
    if (body.name !== undefined) changes.name = body.name;
    if (body.description !== undefined) changes.description = body.description;
    if (body.rule !== undefined) changes.rule = body.rule ? JSON.stringify(body.rule) : null;
    return this.changed(principal, 'group.updated', { type: 'group', id }, before, async (repo) => {
      await repo.updateGroup(principal.tenantId, id, changes).catch(conflictOnUnique('A group'));
      return this.groupView(principal.tenantId, id, repo);
    });
  }

  async setGroupMembers(principal: Principal, id: string, memberIds: readonly string[]): Promise<GroupView> {
    this.requireSomeGroupManager(principal);
    const row = await this.groupOrNotFound(principal.tenantId, id);
    this.requireGroupManager(principal, row.kind);
    if (row.rule) throw new AppError('validation_failed', 'A dynamic group’s members come from its rule.');
    if (row.kind === 'user') await assertMayChangeMembership(this.d.repo, principal, [id]);
    const unique = [...new Set(memberIds)];
    const known = await this.d.exists(principal.tenantId, row.kind as 'user' | 'device', unique);
    const unknown = unique.filter((m) => !known.has(m));
    if (unknown.length) {
      throw new AppError('validation_failed', `Unknown ${row.kind}s: ${unknown.slice(0, 5).join(', ')}.`, {
        unknown: unknown.slice(0, 20),
      });
    }
    const before = only(await this.presentGroups(principal.tenantId, [row]));
    return this.changed(
      principal,
      'group.members_set',
      { type: 'group', id },
      before.members,
      async (repo) => {
        await repo.setMembers(principal.tenantId, id, unique, iso(this.d.clock.now()));
        return this.groupView(principal.tenantId, id, repo);
      },
      (after) => after.members,
    );
  }

  async deleteGroup(principal: Principal, id: string): Promise<void> {
    this.requireSomeGroupManager(principal);
    const row = await this.groupOrNotFound(principal.tenantId, id);
    this.requireGroupManager(principal, row.kind);
    if (row.kind === 'user') await assertMayChangeMembership(this.d.repo, principal, [id]);
    await this.assertNotNamedByPolicies(principal.tenantId, 'groupIds', id, 'group');
    const orphans = await this.d.repo.assignmentsOnlyMemberGroup(principal.tenantId, id);
    if (orphans.length) {
      throw new AppError(
        'conflict',
        'This group is the only member group of a role assignment. Change the assignment first.',
        {
          assignments: orphans,
        },
      );
    }
    const [before] = await this.presentGroups(principal.tenantId, [row]);
    await this.changed(
      principal,
      'group.deleted',
      { type: 'group', id },
      before,
      (repo) => repo.deleteGroup(principal.tenantId, id),
      () => null,
    );
  }

  // Roles -------------------------------------------------------------------------------

  private presentRole(row: RoleRow): RoleView {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      builtIn: false,
      permissions: rolePermissions(row.id, row.permissions),
    };
  }

  async listRoles(principal: Principal): Promise<RoleView[]> {
    this.require(principal, 'roles.manage', 'see roles');
    const custom = await this.d.repo.listRoles(principal.tenantId);
    return [...BUILT_IN_ROLE_VIEWS, ...custom.map((r) => this.presentRole(r))];
  }

  async getRole(principal: Principal, id: string): Promise<RoleView> {
    this.require(principal, 'roles.manage', 'see roles');
    const builtIn = BUILT_IN_ROLE_VIEWS.find((r) => r.id === id);
    if (builtIn) return builtIn;
    const row = await this.d.repo.findRole(principal.tenantId, id);
    if (!row) throw errors.notFound('Role');
    return this.presentRole(row);
  }

  async createRole(principal: Principal, body: CreateRole): Promise<RoleView> {
    this.require(principal, 'roles.manage', 'manage roles');
    if (BUILT_IN_ROLE_VIEWS.some((r) => r.name.toLowerCase() === body.name.toLowerCase())) {
      throw new AppError('conflict', 'A built-in role has this name.');
    }
    assertHolds(principal, body.permissions, 'You cannot create this role');
    const now = iso(this.d.clock.now());
    const row: RoleRow = {
      id: newId(),
      tenant_id: principal.tenantId,
      name: body.name,
      description: body.description,
      permissions: JSON.stringify([...new Set(body.permissions)].sort()),
      created_at: now,
      updated_at: now,
    };
    return this.changed(principal, 'role.created', { type: 'role', id: row.id }, null, async (repo) => {
      await repo.insertRole(row).catch(conflictOnUnique('A role'));
      return this.presentRole(row);
    });
  }

  private async customRole(principal: Principal, id: string): Promise<RoleRow> {
    this.require(principal, 'roles.manage', 'manage roles');
    if (isBuiltInRole(id)) throw errors.forbidden('Built-in roles cannot be changed or deleted.');
    const row = await this.d.repo.findRole(principal.tenantId, id);
    if (!row) throw errors.notFound('Role');
    return row;
  }

  async updateRole(principal: Principal, id: string, body: UpdateRole): Promise<RoleView> {
    const row = await this.customRole(principal, id);
    const before = this.presentRole(row);
    // What it held and what it will hold: taking a permission away from its holders is a change too.
    assertHolds(principal, [...before.permissions, ...(body.permissions ?? [])], 'You cannot change this role');
    const changes: Partial<RoleRow> = { updated_at: iso(this.d.clock.now()) };
    const name = body.name;
    if (name !== undefined) {
      if (BUILT_IN_ROLE_VIEWS.some((r) => r.name.toLowerCase() === name.toLowerCase())) {
        throw new AppError('conflict', 'A built-in role has this name.');
      }
      changes.name = name;
    }
    if (body.description !== undefined) changes.description = body.description;
    if (body.permissions !== undefined) changes.permissions = JSON.stringify([...new Set(body.permissions)].sort());
    return this.changed(principal, 'role.updated', { type: 'role', id }, before, async (repo) => {
      await repo.updateRole(principal.tenantId, id, changes).catch(conflictOnUnique('A role'));
      return this.presentRole({ ...row, ...changes });
    });
  }

  /** A group or role that a conditional access policy names stays until the policy stops naming it. */
  private async assertNotNamedByPolicies(
    tenantId: string,
    kind: 'groupIds' | 'roleIds',
    id: string,
    what: 'group' | 'role',
  ): Promise<void> {
    const naming = await this.d.repo.policiesNaming(tenantId, kind, [id]);
    if (naming.length === 0) return;
    throw new AppError(
      'conflict',
      `This ${what} is named by the conditional access ${naming.length === 1 ? 'policy' : 'policies'} ${naming.map((p) => `“${p.name}”`).join(', ')}. Remove it from ${naming.length === 1 ? 'that policy' : 'those policies'} first.`,
      { policies: naming.map((p) => p.name) },
    );
  }

  async deleteRole(principal: Principal, id: string): Promise<void> {
    const row = await this.customRole(principal, id);
    if (await this.d.repo.roleInUse(principal.tenantId, id)) {
      throw new AppError('conflict', 'This role is used by a role assignment. Delete or change the assignment first.');
    }
    await this.assertNotNamedByPolicies(principal.tenantId, 'roleIds', id, 'role');
    await this.changed(
      principal,
      'role.deleted',
      { type: 'role', id },
      this.presentRole(row),
      (repo) => repo.deleteRole(principal.tenantId, id),
      () => null,
    );
  }

  // Assignments -------------------------------------------------------------------------

  private async presentAssignments(
    tenantId: string,
    rows: readonly AssignmentRow[],
    repo = this.d.repo,
  ): Promise<AssignmentView[]> {
    const groups = await repo.assignmentGroups(
      tenantId,
      rows.map((r) => r.id),
    );
    const of = (id: string, relation: Relation) =>
      groups.filter((g) => g.assignment_id === id && g.relation === relation).map((g) => g.group_id);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      roleId: r.role_id,
      members: of(r.id, 'member'),
      scope: { all: r.scope_all === 1, groups: of(r.id, 'scope'), excluded: of(r.id, 'excluded') },
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async listAssignments(principal: Principal): Promise<AssignmentView[]> {
    this.require(principal, 'roles.manage', 'see role assignments');
    return this.presentAssignments(principal.tenantId, await this.d.repo.listAssignments(principal.tenantId));
  }

  private async assignmentOrNotFound(principal: Principal, id: string): Promise<AssignmentRow> {
    this.require(principal, 'roles.manage', 'manage role assignments');
    const row = await this.d.repo.findAssignment(principal.tenantId, id);
    if (!row) throw errors.notFound('Role assignment');
    return row;
  }

  async getAssignment(principal: Principal, id: string): Promise<AssignmentView> {
    return only(await this.presentAssignments(principal.tenantId, [await this.assignmentOrNotFound(principal, id)]));
  }

  /** An assignment as written a moment ago, read through `repo` (the writing transaction). */
  private async assignmentView(tenantId: string, id: string, repo: RbacRepo): Promise<AssignmentView> {
    const row = await repo.findAssignment(tenantId, id);
    if (!row) throw errors.notFound('Role assignment');
    return only(await this.presentAssignments(tenantId, [row], repo));
  }

  /** What a role grants (built-in, or a custom role of the tenant; none for an unknown one). */
  private async permissionsOfRole(principal: Principal, roleId: string): Promise<Permission[]> {
    if (isBuiltInRole(roleId)) return rolePermissions(roleId, null);
    const row = await this.d.repo.findRole(principal.tenantId, roleId);
    return row ? rolePermissions(row.id, row.permissions) : [];
  }

  /** Checks every reference: the role exists, members are user groups, scope groups exist (any kind). */
  private async validate(principal: Principal, body: Assignment): Promise<{ group_id: string; relation: Relation }[]> {
    if (!isBuiltInRole(body.roleId) && !(await this.d.repo.findRole(principal.tenantId, body.roleId))) {
      throw new AppError('validation_failed', 'Unknown role.', { field: 'roleId' });
    }
    const all = [...new Set([...body.members, ...body.scope.groups, ...body.scope.excluded])];
    const found = new Map((await this.d.repo.findGroups(principal.tenantId, all)).map((g) => [g.id, g]));
    const unknown = all.filter((id) => !found.has(id));
    if (unknown.length) throw new AppError('validation_failed', 'Unknown groups.', { unknown });
    if (body.members.some((id) => found.get(id)?.kind !== 'user')) {
      throw new AppError('validation_failed', 'Members of an assignment must be user groups.', { field: 'members' });
    }
    if (!body.scope.all && body.scope.groups.length === 0) {
      throw new AppError('validation_failed', 'Choose scope groups, or "all users and devices".', { field: 'scope' });
    }
    const rel = (ids: readonly string[], relation: Relation) =>
      [...new Set(ids)].map((group_id) => ({ group_id, relation }));
    return [
      ...rel(body.members, 'member'),
      ...rel(body.scope.groups, 'scope'),
      ...rel(body.scope.excluded, 'excluded'),
    ];
  }

  async createAssignment(principal: Principal, body: Assignment): Promise<AssignmentView> {
    this.require(principal, 'roles.manage', 'manage role assignments');
    const groups = await this.validate(principal, body);
    assertHolds(principal, await this.permissionsOfRole(principal, body.roleId), 'You cannot assign this role');
    const now = iso(this.d.clock.now());
    const row: AssignmentRow = {
      id: newId(),
      tenant_id: principal.tenantId,
      name: body.name,
      description: body.description,
      role_id: body.roleId,
      scope_all: body.scope.all ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    return this.changed(principal, 'assignment.created', { type: 'assignment', id: row.id }, null, async (repo) => {
      await repo.saveAssignment(row, groups, false).catch(conflictOnUnique('An assignment'));
      return this.assignmentView(principal.tenantId, row.id, repo);
    });
  }

  async replaceAssignment(principal: Principal, id: string, body: Assignment): Promise<AssignmentView> {
    const existing = await this.assignmentOrNotFound(principal, id);
    const groups = await this.validate(principal, body);
    assertHolds(
      principal,
      [
        ...(await this.permissionsOfRole(principal, existing.role_id)),
        ...(await this.permissionsOfRole(principal, body.roleId)),
      ],
      'You cannot change this assignment',
    );
    const before = await this.getAssignment(principal, id);
    const row: AssignmentRow = {
      ...existing,
      name: body.name,
      description: body.description,
      role_id: body.roleId,
      scope_all: body.scope.all ? 1 : 0,
      updated_at: iso(this.d.clock.now()),
    };
    return this.changed(principal, 'assignment.updated', { type: 'assignment', id }, before, async (repo) => {
      await repo.saveAssignment(row, groups, true).catch(conflictOnUnique('An assignment'));
      return this.assignmentView(principal.tenantId, id, repo);
    });
  }

  async deleteAssignment(principal: Principal, id: string): Promise<void> {
    const existing = await this.assignmentOrNotFound(principal, id);
    assertHolds(
      principal,
      await this.permissionsOfRole(principal, existing.role_id),
      'You cannot delete this assignment',
    );
    const before = await this.getAssignment(principal, id);
    await this.changed(
      principal,
      'assignment.deleted',
      { type: 'assignment', id },
      before,
      (repo) => repo.deleteAssignment(principal.tenantId, id),
      () => null,
    );
  }
}
