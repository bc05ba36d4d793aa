/**
 * @module admin/roles/permissionCatalog
 * The permissions a role can grant, grouped as the role editor shows them (like Intune's
 * categories), each with the key of its plain-language name and description, and the rules
 * the editor applies while ticking: Take full control includes View screen.
 */
import type { Permission } from '@remote-help/protocol';
import { PERMISSIONS } from '@remote-help/protocol';

/** Translation key part of a permission (`admin.roles.permission.<key>.name|description`). */
export type PermissionKey =
  | 'viewScreen'
  | 'takeFullControl'
  | 'offerRemoteAssistance'
  | 'devicesRead'
  | 'devicesManage'
  | 'usersManage'
  | 'rolesManage'
  | 'policiesManage'
  | 'settingsManage'
  | 'reportsRead'
  | 'auditRead';

/** Translation key part of a category (`admin.roles.category.<key>`). */
export type CategoryKey =
  'remoteHelp' | 'remoteTasks' | 'devices' | 'users' | 'roles' | 'policies' | 'settings' | 'reports' | 'audit';

export interface PermissionEntry {
  id: Permission;
  key: PermissionKey;
}

export interface PermissionCategory {
  key: CategoryKey;
  permissions: readonly PermissionEntry[];
}

/** Every permission exactly once, in the order the editor shows them. */
export const PERMISSION_CATEGORIES: readonly PermissionCategory[] = [
  {
    key: 'remoteHelp',
    permissions: [
      { id: 'remoteHelp.viewScreen', key: 'viewScreen' },
      { id: 'remoteHelp.takeFullControl', key: 'takeFullControl' },
    ],
  },
  { key: 'remoteTasks', permissions: [{ id: 'remoteTasks.offerRemoteAssistance', key: 'offerRemoteAssistance' }] },
  {
    key: 'devices',
    permissions: [
      { id: 'devices.read', key: 'devicesRead' },
      { id: 'devices.manage', key: 'devicesManage' },
    ],
  },
  { key: 'users', permissions: [{ id: 'users.manage', key: 'usersManage' }] },
  { key: 'roles', permissions: [{ id: 'roles.manage', key: 'rolesManage' }] },
  { key: 'policies', permissions: [{ id: 'policies.manage', key: 'policiesManage' }] },
  { key: 'settings', permissions: [{ id: 'settings.manage', key: 'settingsManage' }] },
  { key: 'reports', permissions: [{ id: 'reports.read', key: 'reportsRead' }] },
  { key: 'audit', permissions: [{ id: 'audit.read', key: 'auditRead' }] },
];

const VIEW: Permission = 'remoteHelp.viewScreen';
const CONTROL: Permission = 'remoteHelp.takeFullControl';
const OFFER: Permission = 'remoteTasks.offerRemoteAssistance';

/** In the protocol's order, without duplicates; Take full control brings View screen with it. */
export function normalize(permissions: Iterable<Permission>): Permission[] {
  const set = new Set(permissions);
  if (set.has(CONTROL)) set.add(VIEW);
  return PERMISSIONS.filter((p) => set.has(p));
}

/**
 * Ticks or unticks one permission. Ticking Take full control ticks View screen too; View
 * screen cannot be unticked while Take full control is ticked (it is part of it).
 */
export function toggle(selected: readonly Permission[], permission: Permission, checked: boolean): Permission[] {
  if (checked) return normalize([...selected, permission]);
  if (permission === VIEW && selected.includes(CONTROL)) return normalize(selected);
  return normalize(selected.filter((p) => p !== permission));
}

/** Whether a permission is ticked only because another one includes it (View screen under full control). */
export function isImplied(selected: readonly Permission[], permission: Permission): boolean {
  return permission === VIEW && selected.includes(CONTROL);
}

/** What the editor warns about: a role that cannot start a session although it looks like a helper's. */
export type RoleWarning = 'needsOffer' | 'needsView';

/**
 * - `needsOffer`: View screen or full control without Offer remote assistance: members
 *   cannot get a security code or start a session.
 * - `needsView`: Offer remote assistance without View screen: the same, from the other side.
 */
export function roleWarnings(selected: readonly Permission[]): RoleWarning[] {
  const set = new Set(normalize(selected));
  const warnings: RoleWarning[] = [];
  if (set.has(VIEW) && !set.has(OFFER)) warnings.push('needsOffer');
  if (set.has(OFFER) && !set.has(VIEW)) warnings.push('needsView');
  return warnings;
}
