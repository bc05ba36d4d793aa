import { describe, expect, it } from 'vitest';
import type { Permission } from '@remote-help/protocol';
import { formatCode, mayRevoke, sessionBlock } from './availability';

const HELPER: Permission[] = ['remoteTasks.offerRemoteAssistance', 'remoteHelp.viewScreen'];
const device = { enrollmentStatus: 'enrolled', inScope: true } as const;

describe('sessionBlock', () => {
  it('needs both helper permissions first', () => {
    expect(sessionBlock(['devices.read'], device)).toBe('noPermission');
    expect(sessionBlock(['remoteTasks.offerRemoteAssistance'], device)).toBe('noPermission');
    expect(sessionBlock(['remoteHelp.viewScreen'], { ...device, inScope: false })).toBe('noPermission');
  });
  it('then an enrolled device, then the scope', () => {
    expect(sessionBlock(HELPER, { enrollmentStatus: 'revoked', inScope: false })).toBe('revoked');
    expect(sessionBlock(HELPER, { ...device, inScope: false })).toBe('outOfScope');
    expect(sessionBlock(HELPER, device)).toBeNull();
  });
});

describe('mayRevoke', () => {
  it('needs Manage devices', () => {
    expect(mayRevoke(['devices.manage'], device)).toBe(true);
    expect(mayRevoke(['devices.read', ...HELPER], device)).toBe(false);
    expect(mayRevoke([], device)).toBe(false);
  });
  it('and a device that is still enrolled', () => {
    expect(mayRevoke(['devices.manage'], { enrollmentStatus: 'revoked' })).toBe(false);
  });
});

describe('formatCode', () => {
  it('groups the eight digits by four', () => expect(formatCode('12345678')).toBe('1234 5678'));
});
