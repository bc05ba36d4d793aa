import type { CompliancePolicy } from '@remote-help/protocol';
import { CompliancePolicyInput } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { policyValues, toPolicyInput, validatePolicy } from './complianceForm';

const stored: CompliancePolicy = {
  id: 'p1',
  name: 'Baseline',
  rules: [
    { type: 'minOsVersion', os: 'macos', version: '14.5' },
    { type: 'minOsVersion', os: 'windows', version: '10.0.19045' },
    { type: 'diskEncryption' },
    { type: 'firewall' },
    { type: 'notVirtualMachine' },
    { type: 'checkInWithinDays', days: 7 },
  ],
  assignment: { kind: 'deviceGroups', groupIds: ['laptops'] },
  createdAt: '',
  updatedAt: '',
};

describe('compliance policy form', () => {
  it('round-trips every rule and the assignment', () => {
    const v = policyValues(stored);
    expect(validatePolicy(v)).toEqual({});
    const input = toPolicyInput(v);
    expect(input).toEqual({ name: stored.name, rules: stored.rules, assignment: stored.assignment });
    expect(CompliancePolicyInput.safeParse(input).success).toBe(true);
  });

  it('a new policy starts empty and needs a name and a rule', () => {
    expect(validatePolicy(policyValues())).toEqual({
      name: 'admin.tenant.compliance.editor.nameRequired',
      rules: 'admin.tenant.compliance.editor.rulesRequired',
    });
    const v = { ...policyValues(), name: ' No VMs ', notVirtualMachine: true };
    expect(toPolicyInput(v)).toEqual({
      name: 'No VMs',
      rules: [{ type: 'notVirtualMachine' }],
      assignment: { kind: 'allDevices' },
    });
  });

  it.each(['', '14; DROP', '14.5.1.2.3', 'v14', '1234567'])('a minimum version of %j is refused', (version) => {
    const v = policyValues(stored);
    v.minOs.macos = { on: true, version };
    expect(validatePolicy(v)).toEqual({ macos: 'admin.tenant.compliance.editor.versionInvalid' });
  });

  it('a version is not checked while its rule is off', () => {
    const v = policyValues(stored);
    v.minOs.linux = { on: false, version: 'nonsense' };
    expect(validatePolicy(v)).toEqual({});
  });

  it.each(['0', '366', '1.5', '', 'seven'])('%j days since the last check-in is refused', (days) => {
    const v = policyValues(stored);
    v.checkIn = { on: true, days };
    expect(validatePolicy(v)).toEqual({ checkIn: 'admin.tenant.compliance.editor.daysInvalid' });
  });

  it('device groups: at least one, at most 50; a name of at most 100 characters', () => {
    expect(validatePolicy({ ...policyValues(stored), groupIds: [] }).groups).toBe(
      'admin.tenant.compliance.editor.groupsRequired',
    );
    const many = Array.from({ length: 51 }, (_, i) => `g${i}`);
    expect(validatePolicy({ ...policyValues(stored), groupIds: many }).groups).toBe(
      'admin.tenant.compliance.editor.groupsTooMany',
    );
    expect(validatePolicy({ ...policyValues(stored), name: 'x'.repeat(101) }).name).toBe(
      'admin.tenant.compliance.editor.nameTooLong',
    );
    // Groups chosen earlier are not sent once "All devices" is chosen.
    expect(toPolicyInput({ ...policyValues(stored), assignment: 'allDevices' }).assignment).toEqual({
      kind: 'allDevices',
    });
  });
});
