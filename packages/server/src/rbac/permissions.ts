/**
 * @module rbac/permissions
 * Built-in roles and the permissions they grant. Roles reach people only through
 * assignments (`rbac/repo`, `rbac/scope`); every check goes through `can` or `mayHelp`.
 *
 * The legacy `users.roles` column: migration 0006 turned it into groups and assignments
 * with scope "all". It is kept, not dropped, as the record that migration read (dropping a
 * column means rebuilding `users` on SQLite, under the foreign keys of `auth_sessions`,
 * for no gain); nothing authorizes from it any more and only the demo seed writes it.
 */
import { PERMISSIONS } from '@remote-help/protocol';
import type { BuiltInRoleId, Permission, RoleView } from '@remote-help/protocol';

export const BUILT_IN_ROLES = {
  administrator: PERMISSIONS,
  helpDeskOperator: [
    'remoteHelp.viewScreen',
    'remoteHelp.takeFullControl',
    'remoteTasks.offerRemoteAssistance',
    'reports.read',
  ],
  readOnlyOperator: ['reports.read', 'devices.read', 'audit.read'],
} as const satisfies Record<BuiltInRoleId, readonly Permission[]>;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/** Names and descriptions of the built-in roles, as Intune shows them. */
export const BUILT_IN_ROLE_VIEWS: readonly RoleView[] = [
  {
    id: 'administrator',
    name: 'Administrator',
    description: 'Everything: remote help, devices, users, roles, settings, reports and the audit log.',
    builtIn: true,
    permissions: [...BUILT_IN_ROLES.administrator],
  },
  {
    id: 'helpDeskOperator',
    name: 'Help Desk Operator',
    description: 'Offers remote assistance: view screens and take full control, within the scope.',
    builtIn: true,
    permissions: [...BUILT_IN_ROLES.helpDeskOperator],
  },
  {
    id: 'readOnlyOperator',
    name: 'Read Only Operator',
    description: 'Reads devices, reports and the audit log; changes nothing.',
    builtIn: true,
    permissions: [...BUILT_IN_ROLES.readOnlyOperator],
  },
];

export const isBuiltInRole = (value: unknown): value is BuiltInRole =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(BUILT_IN_ROLES, value);

/** Adds what a permission implies (`takeFullControl` → `viewScreen`), sorted and without duplicates. */
export function withImplied(permissions: Iterable<Permission>): Permission[] {
  const granted = new Set<Permission>(permissions);
  if (granted.has('remoteHelp.takeFullControl')) granted.add('remoteHelp.viewScreen');
  return [...granted].sort();
}

/** The permissions of one role: built-in by id, or a custom role's stored JSON list (unknown entries ignored). */
export function rolePermissions(roleId: string, customJson: string | null): Permission[] {
  if (isBuiltInRole(roleId)) return withImplied(BUILT_IN_ROLES[roleId]);
  if (customJson === null) return [];
  return withImplied(
    parseList(customJson).filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p)),
  );
}

/** The permissions granted by a list of legacy role ids; unknown ids grant nothing. `takeFullControl` implies `viewScreen`. */
export function permissionsFor(roles: readonly unknown[]): Permission[] {
  const granted: Permission[] = [];
  for (const role of roles) if (isBuiltInRole(role)) granted.push(...BUILT_IN_ROLES[role]);
  return withImplied(granted);
}

/** Parses the stored JSON list of roles, tolerating garbage as "no roles". */
export function parseRoles(json: string): string[] {
  return parseList(json);
}

function parseList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
