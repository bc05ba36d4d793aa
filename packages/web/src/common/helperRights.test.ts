import { describe, expect, it } from 'vitest';
import { API, PERMISSIONS } from '@remote-help/protocol';
import type { Permission } from '@remote-help/protocol';
import { canGiveHelp } from './helperRights';

describe('canGiveHelp', () => {
  it('follows the contract’s rule for getting a security code', () => {
    expect(API.createSession.permission?.all).toEqual(['remoteTasks.offerRemoteAssistance', 'remoteHelp.viewScreen']);
  });

  it('is true for a help desk operator and an administrator', () => {
    const helpDesk: Permission[] = [
      'remoteHelp.viewScreen',
      'remoteHelp.takeFullControl',
      'remoteTasks.offerRemoteAssistance',
      'reports.read',
    ];
    expect(canGiveHelp(helpDesk)).toBe(true);
    expect(canGiveHelp([...PERMISSIONS])).toBe(true);
  });

  it('is false without either permission, for a read-only operator, and with no role', () => {
    expect(canGiveHelp([])).toBe(false);
    expect(canGiveHelp(['reports.read', 'devices.read', 'audit.read'])).toBe(false);
    expect(canGiveHelp(['remoteHelp.viewScreen'])).toBe(false);
    expect(canGiveHelp(['remoteTasks.offerRemoteAssistance'])).toBe(false);
    expect(canGiveHelp(['remoteTasks.offerRemoteAssistance', 'remoteHelp.takeFullControl'])).toBe(false);
  });
});
