/**
 * @module admin/roles/rbacData
 * What the roles pages read: roles (built-in and custom), role assignments and groups, in
 * one load, plus the lookups the pages share.
 */
import type { AssignmentView, GroupView, RoleView } from '@remote-help/protocol';
import { api } from '../../common/api';

export interface RbacData {
  roles: RoleView[];
  assignments: AssignmentView[];
  groups: GroupView[];
}

/** Loads roles, assignments and groups (each needs `roles.manage`, which the section requires). */
export async function loadRbacData(): Promise<RbacData> {
  const [roles, assignments, groups] = await Promise.all([api.listRoles(), api.listAssignments(), api.listGroups()]);
  return { roles: roles.roles, assignments: assignments.assignments, groups: groups.groups };
}

/** The assignments that give a role. */
export function assignmentsOf(data: RbacData, roleId: string): AssignmentView[] {
  return data.assignments.filter((a) => a.roleId === roleId);
}

/** Group names by id; an id that is not (or no longer) a group shows as itself. */
export function groupNames(data: Pick<RbacData, 'groups'>, ids: readonly string[]): string[] {
  const byId = new Map(data.groups.map((g) => [g.id, g.name]));
  return ids.map((id) => byId.get(id) ?? id);
}
