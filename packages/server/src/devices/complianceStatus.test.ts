import type { Inventory } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import type { PolicyForEvaluation } from './compliance.js';
import type { DeviceForStatus } from './complianceStatus.js';
import { complianceStatus } from './complianceStatus.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const INVENTORY: Inventory = {
  hostname: 'mac',
  os: 'macos',
  osVersion: '14.5',
  model: 'MacBookPro18,1',
  serial: 'C02XYZ',
  isVirtualMachine: false,
  diskEncrypted: true,
  firewallEnabled: true,
  screenCount: 1,
  agentVersion: '0.1.0',
};

const device = (patch: Partial<Inventory>, groups: string[] = [], lastCheckInAt = '2026-11-30T12:00:00Z') =>
  ({
    inventory: { ...INVENTORY, ...patch },
    lastCheckInAt,
    inGroup: (id: string) => groups.includes(id),
  }) satisfies DeviceForStatus;

const policy = (id: string, rules: PolicyForEvaluation['rules'], groupIds?: string[]): PolicyForEvaluation => ({
  id,
  name: id,
  rules,
  assignment: groupIds ? { kind: 'deviceGroups', groupIds } : { kind: 'allDevices' },
});

describe('complianceStatus', () => {
  it('no policies: every device is not evaluated', () => {
    expect(complianceStatus([device({}), device({})], [], NOW)).toEqual({
      policies: [],
      devices: { compliant: 0, noncompliant: 0, notEvaluated: 2 },
    });
  });

  it('counts per policy only the devices it applies to, and a device failing any policy is noncompliant', () => {
    const devices = [
      device({}, ['lab']), // passes both
      device({ isVirtualMachine: true }, ['lab']), // fails the lab policy
      device({ diskEncrypted: false }), // fails the all-devices policy, not in the lab
      device({ diskEncrypted: null }, ['lab']), // unknown fails: never assumed compliant
    ];
    const result = complianceStatus(
      devices,
      [policy('all', [{ type: 'diskEncryption' }]), policy('lab', [{ type: 'notVirtualMachine' }], ['lab'])],
      NOW,
    );
    expect(result.policies).toEqual([
      { policyId: 'all', compliant: 2, noncompliant: 2 },
      { policyId: 'lab', compliant: 2, noncompliant: 1 },
    ]);
    expect(result.devices).toEqual({ compliant: 1, noncompliant: 3, notEvaluated: 0 });
  });

  it('a device outside every assigned group is not evaluated; time counts for check-in rules', () => {
    const result = complianceStatus(
      [device({}, ['lab'], '2026-11-20T12:00:00Z'), device({}, ['lab']), device({}, [])],
      [policy('fresh', [{ type: 'checkInWithinDays', days: 7 }], ['lab'])],
      NOW,
    );
    expect(result.policies).toEqual([{ policyId: 'fresh', compliant: 1, noncompliant: 1 }]);
    expect(result.devices).toEqual({ compliant: 1, noncompliant: 1, notEvaluated: 1 });
  });
});
