/**
 * @module admin/roles/assignmentForm
 * A role assignment's form: its values, what the server would refuse (checked before
 * sending, as translation keys) and the request body it becomes.
 */
import type { AssignmentRequest, AssignmentView, GroupView } from '@remote-help/protocol';

export interface AssignmentFormValues {
  roleId: string;
  name: string;
  description: string;
  members: string[];
  scopeAll: boolean;
  scopeGroups: string[];
  excluded: string[];
}

export type AssignmentFormErrors = Partial<
  Record<
    'name' | 'description' | 'members' | 'scopeGroups' | 'excluded',
    | 'admin.roles.assignmentEditor.nameRequired'
    | 'admin.roles.assignmentEditor.nameTooLong'
    | 'admin.roles.assignmentEditor.nameTaken'
    | 'admin.roles.assignmentEditor.descriptionTooLong'
    | 'admin.roles.assignmentEditor.membersRequired'
    | 'admin.roles.assignmentEditor.membersUserGroups'
    | 'admin.roles.assignmentEditor.scopeRequired'
    | 'admin.roles.assignmentEditor.tooMany'
    | 'admin.roles.assignmentEditor.excludedIsScope'
  >
>;

/** Most groups in one list of an assignment (the server's limit). */
export const GROUPS_MAX = 100;

/** The form of an existing assignment, or an empty one for `roleId`. */
export function assignmentValues(roleId: string, existing?: AssignmentView): AssignmentFormValues {
  return {
    roleId: existing?.roleId ?? roleId,
    name: existing?.name ?? '',
    description: existing?.description ?? '',
    members: [...(existing?.members ?? [])],
    scopeAll: existing?.scope.all ?? false,
    scopeGroups: [...(existing?.scope.groups ?? [])],
    excluded: [...(existing?.scope.excluded ?? [])],
  };
}

/** Problems of the form; `others` are the organization's other assignments (names are unique). */
export function validateAssignment(
  v: AssignmentFormValues,
  groups: readonly GroupView[],
  others: readonly AssignmentView[],
): AssignmentFormErrors {
  const errors: AssignmentFormErrors = {};
  const name = v.name.trim();
  if (!name) errors.name = 'admin.roles.assignmentEditor.nameRequired';
  else if (name.length > 128) errors.name = 'admin.roles.assignmentEditor.nameTooLong';
  else if (others.some((a) => a.name.toLowerCase() === name.toLowerCase()))
    errors.name = 'admin.roles.assignmentEditor.nameTaken';
  if (v.description.trim().length > 1000) errors.description = 'admin.roles.assignmentEditor.descriptionTooLong';
  const kind = new Map(groups.map((g) => [g.id, g.kind]));
  if (v.members.length === 0) errors.members = 'admin.roles.assignmentEditor.membersRequired';
  else if (v.members.some((id) => kind.get(id) !== 'user'))
    errors.members = 'admin.roles.assignmentEditor.membersUserGroups';
  else if (v.members.length > GROUPS_MAX) errors.members = 'admin.roles.assignmentEditor.tooMany';
  if (!v.scopeAll && v.scopeGroups.length === 0) errors.scopeGroups = 'admin.roles.assignmentEditor.scopeRequired';
  else if (!v.scopeAll && v.scopeGroups.length > GROUPS_MAX)
    errors.scopeGroups = 'admin.roles.assignmentEditor.tooMany';
  if (v.excluded.length > GROUPS_MAX) errors.excluded = 'admin.roles.assignmentEditor.tooMany';
  else if (!v.scopeAll && v.excluded.some((id) => v.scopeGroups.includes(id)))
    errors.excluded = 'admin.roles.assignmentEditor.excludedIsScope';
  return errors;
}

/** The request body: "all users and devices" sends no scope groups. */
export function assignmentRequest(v: AssignmentFormValues): AssignmentRequest {
  return {
    name: v.name.trim(),
    description: v.description.trim(),
    roleId: v.roleId,
    members: [...v.members],
    scope: { all: v.scopeAll, groups: v.scopeAll ? [] : [...v.scopeGroups], excluded: [...v.excluded] },
  };
}
