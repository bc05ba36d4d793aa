/**
 * @module admin/sections
 * The admin center's navigation: sections, their pages and the permissions that show them
 * (one of `permissions` suffices). The server authorizes every call on its own; this only
 * decides what is offered.
 */
import type { Permission } from '@remote-help/protocol';

/** One page in the navigation. `label` is a translation key. */
export interface AdminNavItem {
  path: string;
  label:
    | 'admin.nav.allDevices'
    | 'admin.nav.enrollment'
    | 'admin.nav.users'
    | 'admin.nav.groups'
    | 'admin.nav.roles'
    | 'admin.nav.remoteHelpSettings'
    | 'admin.nav.compliancePolicies'
    | 'admin.nav.identity'
    | 'admin.nav.domains'
    | 'admin.nav.conditionalAccess'
    | 'admin.nav.monitor'
    | 'admin.nav.sessions'
    | 'admin.nav.audit'
    | 'admin.nav.signIns';
  permissions: readonly Permission[];
}

/** One section of the navigation. */
export interface AdminNavSection {
  id: 'devices' | 'directory' | 'tenant' | 'reports';
  label: 'admin.nav.devices' | 'admin.nav.directory' | 'admin.nav.tenant' | 'admin.nav.reports';
  items: readonly AdminNavItem[];
}

export const ADMIN_SECTIONS: readonly AdminNavSection[] = [
  {
    id: 'devices',
    label: 'admin.nav.devices',
    items: [
      { path: '/admin/devices', label: 'admin.nav.allDevices', permissions: ['devices.read', 'devices.manage'] },
      { path: '/admin/devices/enrollment', label: 'admin.nav.enrollment', permissions: ['devices.manage'] },
    ],
  },
  {
    id: 'directory',
    label: 'admin.nav.directory',
    items: [
      { path: '/admin/directory/users', label: 'admin.nav.users', permissions: ['users.manage'] },
      { path: '/admin/directory/groups', label: 'admin.nav.groups', permissions: ['users.manage'] },
    ],
  },
  {
    id: 'tenant',
    label: 'admin.nav.tenant',
    items: [
      { path: '/admin/roles', label: 'admin.nav.roles', permissions: ['roles.manage'] },
      { path: '/admin/tenant/remote-help', label: 'admin.nav.remoteHelpSettings', permissions: ['settings.manage'] },
      { path: '/admin/tenant/compliance', label: 'admin.nav.compliancePolicies', permissions: ['policies.manage'] },
      { path: '/admin/identity', label: 'admin.nav.identity', permissions: ['settings.manage'] },
      { path: '/admin/tenant/domains', label: 'admin.nav.domains', permissions: ['settings.manage'] },
      {
        path: '/admin/tenant/conditional-access',
        label: 'admin.nav.conditionalAccess',
        permissions: ['settings.manage'],
      },
    ],
  },
  {
    id: 'reports',
    label: 'admin.nav.reports',
    items: [
      { path: '/admin/reports/monitor', label: 'admin.nav.monitor', permissions: ['reports.read'] },
      { path: '/admin/reports/sessions', label: 'admin.nav.sessions', permissions: ['reports.read'] },
      { path: '/admin/reports/audit', label: 'admin.nav.audit', permissions: ['audit.read'] },
      { path: '/admin/reports/sign-ins', label: 'admin.nav.signIns', permissions: ['reports.read'] },
    ],
  },
];

/** True when `granted` holds one of `needed`. */
export function hasAny(granted: readonly Permission[], needed: readonly Permission[]): boolean {
  return needed.some((p) => granted.includes(p));
}

/** True when the person may open some page of the admin center (the top bar's link). */
export function canOpenAdmin(granted: readonly Permission[]): boolean {
  return firstAllowedPath(granted) !== null;
}

/** The first page the person may open, or null when the admin center offers them nothing. */
export function firstAllowedPath(granted: readonly Permission[]): string | null {
  for (const section of ADMIN_SECTIONS) {
    for (const item of section.items) if (hasAny(granted, item.permissions)) return item.path;
  }
  return null;
}
