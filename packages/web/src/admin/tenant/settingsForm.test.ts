import type { TenantSettings } from '@remote-help/protocol';
import { TenantSettings as TenantSettingsSchema } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { formValues, isDirty, toSettings, turnsRemoteHelpOff, validateSettings } from './settingsForm';

const saved: TenantSettings = {
  remoteHelpEnabled: true,
  allowUnenrolledDevices: true,
  disableChat: false,
  codeTtlSeconds: null,
  reportRetentionDays: 30,
};

describe('settings form', () => {
  it('round-trips stored settings unchanged, with the server default as the custom lifetime to start from', () => {
    const v = formValues(saved, 600);
    expect(v.codeTtlMode).toBe('default');
    expect(v.codeTtlMinutes).toBe('10');
    expect(validateSettings(v)).toEqual({});
    expect(toSettings(v)).toEqual(saved);
    expect(isDirty(saved, v)).toBe(false);
  });

  it('edits the code lifetime in minutes; a lifetime that is not whole minutes shows as a decimal', () => {
    const custom = { ...saved, codeTtlSeconds: 90 };
    const v = formValues(custom, 600);
    expect([v.codeTtlMode, v.codeTtlMinutes]).toEqual(['custom', '1.5']);
    expect(toSettings(v)).toEqual(custom);
    expect(toSettings({ ...v, codeTtlMinutes: '5' }).codeTtlSeconds).toBe(300);
    expect(toSettings({ ...v, codeTtlMinutes: '2,5' }).codeTtlSeconds).toBe(150);
  });

  it.each([
    ['0.5', 'admin.tenant.settings.codeTtlRange'],
    ['61', 'admin.tenant.settings.codeTtlRange'],
    ['', 'admin.tenant.settings.codeTtlInvalid'],
    ['ten', 'admin.tenant.settings.codeTtlInvalid'],
    ['-5', 'admin.tenant.settings.codeTtlInvalid'],
    ['1e1', 'admin.tenant.settings.codeTtlInvalid'],
    ['1.0001', 'admin.tenant.settings.codeTtlInvalid'],
  ])('a custom lifetime of %j minutes → %s', (text, key) => {
    expect(validateSettings({ ...formValues(saved, 600), codeTtlMode: 'custom', codeTtlMinutes: text })).toEqual({
      codeTtlMinutes: key,
    });
  });

  it('the lifetime is not checked while the server default is chosen', () => {
    expect(validateSettings({ ...formValues(saved, 600), codeTtlMinutes: 'nonsense' })).toEqual({});
  });

  it.each([
    ['0', 'admin.tenant.settings.retentionRange'],
    ['3651', 'admin.tenant.settings.retentionRange'],
    ['1.5', 'admin.tenant.settings.retentionInvalid'],
    ['', 'admin.tenant.settings.retentionInvalid'],
  ])('a retention of %j days → %s', (text, key) => {
    expect(validateSettings({ ...formValues(saved, 600), reportRetentionDays: text })).toEqual({
      reportRetentionDays: key,
    });
  });

  it('what passes the form passes the server’s schema, at both ends of each range', () => {
    for (const [minutes, days] of [
      ['1', '1'],
      ['60', '3650'],
      ['1.5', ' 90 '],
    ] as const) {
      const v = {
        ...formValues(saved, 600),
        codeTtlMode: 'custom' as const,
        codeTtlMinutes: minutes,
        reportRetentionDays: days,
      };
      expect(validateSettings(v)).toEqual({});
      expect(TenantSettingsSchema.safeParse(toSettings(v)).success).toBe(true);
    }
  });

  it('knows when a save turns Remote Help off, and when the form has changes', () => {
    const off = { ...saved, remoteHelpEnabled: false };
    expect(turnsRemoteHelpOff(saved, off)).toBe(true);
    expect(turnsRemoteHelpOff(off, saved)).toBe(false);
    expect(turnsRemoteHelpOff(saved, { ...saved, disableChat: true })).toBe(false);
    expect(isDirty(saved, { ...formValues(saved, 600), allowUnenrolledDevices: false })).toBe(true);
    expect(isDirty(saved, { ...formValues(saved, 600), reportRetentionDays: '31' })).toBe(true);
  });
});
