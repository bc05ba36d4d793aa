import { PERMISSIONS } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { PERMISSION_CATEGORIES, isImplied, normalize, roleWarnings, toggle } from './permissionCatalog';

describe('permission catalog', () => {
  it('lists every permission of the protocol exactly once', () => {
    const listed = PERMISSION_CATEGORIES.flatMap((c) => c.permissions.map((p) => p.id));
    expect([...listed].sort()).toEqual([...PERMISSIONS].sort());
    expect(new Set(PERMISSION_CATEGORIES.flatMap((c) => c.permissions.map((p) => p.key))).size).toBe(listed.length);
  });

  it('ticking Take full control ticks View screen too', () => {
    expect(toggle([], 'remoteHelp.takeFullControl', true)).toEqual([
      'remoteHelp.viewScreen',
      'remoteHelp.takeFullControl',
    ]);
  });

  it('View screen stays ticked while Take full control is, and is marked as included', () => {
    const both = toggle([], 'remoteHelp.takeFullControl', true);
    expect(toggle(both, 'remoteHelp.viewScreen', false)).toEqual(both);
    expect(isImplied(both, 'remoteHelp.viewScreen')).toBe(true);
    expect(isImplied(['remoteHelp.viewScreen'], 'remoteHelp.viewScreen')).toBe(false);
    // Unticking full control leaves View screen ticked, and it can then be unticked.
    const viewOnly = toggle(both, 'remoteHelp.takeFullControl', false);
    expect(viewOnly).toEqual(['remoteHelp.viewScreen']);
    expect(toggle(viewOnly, 'remoteHelp.viewScreen', false)).toEqual([]);
  });

  it('keeps the protocol order and drops duplicates', () => {
    expect(normalize(['audit.read', 'devices.read', 'audit.read'])).toEqual(['devices.read', 'audit.read']);
    expect(toggle(['audit.read'], 'audit.read', true)).toEqual(['audit.read']);
    expect(toggle(['audit.read', 'users.manage'], 'audit.read', false)).toEqual(['users.manage']);
  });

  it('warns when a helper-like role could not start a session', () => {
    expect(roleWarnings(['remoteHelp.viewScreen'])).toEqual(['needsOffer']);
    expect(roleWarnings(['remoteHelp.takeFullControl'])).toEqual(['needsOffer']);
    expect(roleWarnings(['remoteTasks.offerRemoteAssistance'])).toEqual(['needsView']);
    expect(roleWarnings(['remoteTasks.offerRemoteAssistance', 'remoteHelp.viewScreen'])).toEqual([]);
    expect(roleWarnings(['reports.read'])).toEqual([]);
  });
});
