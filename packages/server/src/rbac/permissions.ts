/**
 * @module rbac/permissions
 * Built-in roles and the permissions they grant. Custom roles and scope groups come
 * with the admin center; every check already goes through `can`.
 */
import { PERMISSIONS } from '@remote-help/protocol';
import type { Permission } from '@remote-help/protocol';

export const BUILT_IN_ROLES = {
  administrator: PERMISSIONS,
  helpDeskOperator: [
    'remoteHelp.viewScreen',
    'remoteHelp.takeFullControl',
    'remoteTasks.offerRemoteAssistance',
    'reports.read',
  ],
  readOnlyOperator: ['reports.read', 'audit.read'],
} as const satisfies Record<string, readonly Permission[]>;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

const isRole = (value: unknown): value is BuiltInRole => typeof value === 'string' && value in BUILT_IN_ROLES;

/** The permissions granted by a list of role ids; unknown ids grant nothing. `takeFullControl` implies `viewScreen`. */
export function permissionsFor(roles: readonly unknown[]): Permission[] {
  const granted = new Set<Permission>();
  for (const role of roles) if (isRole(role)) for (const p of BUILT_IN_ROLES[role]) granted.add(p);
  if (granted.has('remoteHelp.takeFullControl')) granted.add('remoteHelp.viewScreen');
  return [...granted].sort();
}

/** Parses the stored JSON list of roles, tolerating garbage as "no roles". */
export function parseRoles(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
