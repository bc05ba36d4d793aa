/**
 * @module admin/roles/roleForm
 * Checks a custom role's form before it is sent, with the limits the server applies
 * (name 1–128 characters, no control characters, description up to 1000) and the names
 * it refuses (a built-in role's, another role's). Returns translation keys.
 */
import type { Permission, RoleView } from '@remote-help/protocol';

export interface RoleFormValues {
  name: string;
  description: string;
  permissions: Permission[];
}

export type RoleFormErrors = Partial<
  Record<
    'name' | 'description' | 'permissions',
    | 'admin.roles.editor.nameRequired'
    | 'admin.roles.editor.nameTooLong'
    | 'admin.roles.editor.nameInvalid'
    | 'admin.roles.editor.nameBuiltIn'
    | 'admin.roles.editor.nameTaken'
    | 'admin.roles.editor.descriptionTooLong'
    | 'admin.roles.editor.permissionsRequired'
  >
>;

export const NAME_MAX = 128;
export const DESCRIPTION_MAX = 1000;
const CONTROL = /[\p{Cc}\p{Cf}]/u;

/** Problems of `values` (none: an empty object); `roles` are all roles, `editingId` the one being edited. */
export function validateRole(values: RoleFormValues, roles: readonly RoleView[], editingId?: string): RoleFormErrors {
  const errors: RoleFormErrors = {};
  const name = values.name.trim();
  const same = (r: RoleView) => r.id !== editingId && r.name.toLowerCase() === name.toLowerCase();
  if (!name) errors.name = 'admin.roles.editor.nameRequired';
  else if (name.length > NAME_MAX) errors.name = 'admin.roles.editor.nameTooLong';
  else if (CONTROL.test(name)) errors.name = 'admin.roles.editor.nameInvalid';
  else if (roles.some((r) => r.builtIn && same(r))) errors.name = 'admin.roles.editor.nameBuiltIn';
  else if (roles.some((r) => !r.builtIn && same(r))) errors.name = 'admin.roles.editor.nameTaken';
  if (values.description.trim().length > DESCRIPTION_MAX) errors.description = 'admin.roles.editor.descriptionTooLong';
  if (values.permissions.length === 0) errors.permissions = 'admin.roles.editor.permissionsRequired';
  return errors;
}
