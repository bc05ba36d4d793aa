/**
 * Each compliance rule on its own (pass, fail, unknown), and how policies combine.
 */
import type { ComplianceRule, Inventory } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import type { PolicyForEvaluation } from './compliance.js';
import { checkRule, compareVersions, evaluate, parseVersion } from './compliance.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;

const inventory = (over: Partial<Inventory> = {}): Inventory => ({
  hostname: 'host',
  os: 'macos',
  osVersion: '14.5',
  model: null,
  serial: null,
  isVirtualMachine: false,
  diskEncrypted: true,
  firewallEnabled: true,
  screenCount: 1,
  agentVersion: '0.1.0',
  ...over,
});
const device = (over: Partial<Inventory> = {}, lastCheckInAt: string | null = new Date(NOW - DAY).toISOString()) => ({
  inventory: inventory(over),
  lastCheckInAt,
});
const policy = (rules: ComplianceRule[], id = 'p1'): PolicyForEvaluation => ({
  id,
  name: `Policy ${id}`,
  rules,
  assignment: { kind: 'allDevices' },
});
const verdict = (rule: ComplianceRule, d: ReturnType<typeof device>) => checkRule(rule, d, NOW);

describe('versions', () => {
  it('parses the leading numeric part and compares numerically', () => {
    expect(parseVersion('22.04.3 LTS')).toEqual([22, 4, 3]);
    expect(parseVersion('10.0.19045')).toEqual([10, 0, 19045]);
    expect(parseVersion('bookworm')).toBeNull();
    expect(parseVersion(null)).toBeNull();
    expect(compareVersions([14], [14, 0])).toBe(0);
    expect(compareVersions([14, 10], [14, 9])).toBe(1);
    expect(compareVersions([13, 99], [14])).toBe(-1);
  });
});

describe('minOsVersion', () => {
  const rule: ComplianceRule = { type: 'minOsVersion', os: 'macos', version: '14.2' };
  it('passes at or above the version', () => {
    expect(verdict(rule, device({ osVersion: '14.2' })).pass).toBe(true);
    expect(verdict(rule, device({ osVersion: '14.10' })).pass).toBe(true);
  });
  it('fails below it, saying what the device runs', () => {
    const v = verdict(rule, device({ osVersion: '13.6.1' }));
    expect(v).toEqual({ pass: false, actual: '13.6.1', message: 'macOS 13.6.1 is older than the required 14.2.' });
  });
  it('fails when the version is unknown or unparsable', () => {
    expect(verdict(rule, device({ osVersion: null })).pass).toBe(false);
    expect(verdict(rule, device({ osVersion: 'Sonoma' })).pass).toBe(false);
  });
  it('does not apply to another OS', () => {
    expect(verdict(rule, device({ os: 'linux', osVersion: '1' })).pass).toBe(true);
  });
});

describe.each([
  ['diskEncryption', 'diskEncrypted', 'The disk is not encrypted.'],
  ['firewall', 'firewallEnabled', 'The firewall is off.'],
] as const)('%s', (type, field, message) => {
  const rule = { type } as ComplianceRule;
  it('passes when reported on', () => expect(verdict(rule, device({ [field]: true })).pass).toBe(true));
  it('fails when reported off', () =>
    expect(verdict(rule, device({ [field]: false }))).toEqual({ pass: false, actual: 'false', message }));
  it('fails when not reported (never assumed)', () =>
    expect(verdict(rule, device({ [field]: null }))).toMatchObject({ pass: false, actual: null }));
});

describe('notVirtualMachine', () => {
  const rule: ComplianceRule = { type: 'notVirtualMachine' };
  it('passes on physical hardware', () => expect(verdict(rule, device({ isVirtualMachine: false })).pass).toBe(true));
  it('fails on a virtual machine', () =>
    expect(verdict(rule, device({ isVirtualMachine: true }))).toEqual({
      pass: false,
      actual: 'true',
      message: 'The device is a virtual machine.',
    }));
  it('fails when unknown', () => expect(verdict(rule, device({ isVirtualMachine: null })).pass).toBe(false));
});

describe('checkInWithinDays', () => {
  const rule: ComplianceRule = { type: 'checkInWithinDays', days: 7 };
  it('passes within the window, at its edge too', () => {
    expect(verdict(rule, device({}, new Date(NOW - DAY).toISOString())).pass).toBe(true);
    expect(verdict(rule, device({}, new Date(NOW - 7 * DAY).toISOString())).pass).toBe(true);
  });
  it('fails past it, saying how long ago', () => {
    const v = verdict(rule, device({}, new Date(NOW - 7 * DAY - 1).toISOString()));
    expect(v).toMatchObject({ pass: false, message: 'The last check-in was 7 days ago; at most 7 days are allowed.' });
    expect(verdict(rule, device({}, new Date(NOW - 30 * DAY).toISOString()))).toMatchObject({
      message: 'The last check-in was 30 days ago; at most 7 days are allowed.',
    });
  });
  it('fails when the device never checked in', () => expect(verdict(rule, device({}, null)).pass).toBe(false));
});

describe('evaluate', () => {
  it('is not_evaluated when no policy applies', () => {
    expect(evaluate(device(), [], NOW)).toEqual({ compliance: 'not_evaluated', failingRules: [] });
  });
  it('is compliant when every rule of every policy passes', () => {
    const all: ComplianceRule[] = [
      { type: 'minOsVersion', os: 'macos', version: '14' },
      { type: 'diskEncryption' },
      { type: 'firewall' },
      { type: 'notVirtualMachine' },
      { type: 'checkInWithinDays', days: 30 },
    ];
    expect(evaluate(device(), [policy(all)], NOW)).toEqual({ compliance: 'compliant', failingRules: [] });
  });
  it('is noncompliant with every failing rule of every policy, named by policy', () => {
    const result = evaluate(
      device({ isVirtualMachine: true, diskEncrypted: false }),
      [policy([{ type: 'notVirtualMachine' }, { type: 'firewall' }], 'a'), policy([{ type: 'diskEncryption' }], 'b')],
      NOW,
    );
    expect(result.compliance).toBe('noncompliant');
    expect(result.failingRules.map((f) => [f.policyId, f.rule.type, f.message])).toEqual([
      ['a', 'notVirtualMachine', 'The device is a virtual machine.'],
      ['b', 'diskEncryption', 'The disk is not encrypted.'],
    ]);
  });

  it('applies a group-assigned policy only to devices in one of its groups', () => {
    const grouped: PolicyForEvaluation = {
      ...policy([{ type: 'firewall' }]),
      assignment: { kind: 'deviceGroups', groupIds: ['g1', 'g2'] },
    };
    const off = device({ firewallEnabled: false });
    expect(evaluate(off, [grouped], NOW).compliance).toBe('not_evaluated');
    expect(evaluate(off, [grouped], NOW, (id) => id === 'g3').compliance).toBe('not_evaluated');
    expect(evaluate(off, [grouped], NOW, (id) => id === 'g2').compliance).toBe('noncompliant');
  });
});
