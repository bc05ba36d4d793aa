/**
 * The pure parts of the access policy: dynamic group rules over inventory, and whether
 * scope groups include a target (person, device, or both).
 */
import type { Inventory } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { inScope, ruleMatches } from './policy.js';
import type { ScopeGroup } from './repo.js';

const inventory: Inventory = {
  hostname: 'Build-Box-01',
  os: 'linux',
  osVersion: '12.4',
  model: null,
  serial: null,
  isVirtualMachine: true,
  diskEncrypted: null,
  firewallEnabled: false,
  screenCount: 1,
  agentVersion: '0.1.0',
};

describe('ruleMatches', () => {
  it.each([
    [{ field: 'os', op: 'eq', value: 'Linux' }, true],
    [{ field: 'os', op: 'ne', value: 'linux' }, false],
    [{ field: 'os', op: 'eq', value: 'windows' }, false],
    [{ field: 'hostname', op: 'startsWith', value: 'build-' }, true],
    [{ field: 'hostname', op: 'contains', value: 'BOX' }, true],
    [{ field: 'osVersion', op: 'startsWith', value: '13' }, false],
    [{ field: 'isVirtualMachine', op: 'eq', value: true }, true],
    [{ field: 'firewallEnabled', op: 'ne', value: true }, true],
    // Unknown values never match, whatever the operator.
    [{ field: 'diskEncrypted', op: 'eq', value: false }, false],
    [{ field: 'diskEncrypted', op: 'ne', value: true }, false],
    [{ field: 'model', op: 'ne', value: 'x' }, false],
  ] as const)('%j → %s', (rule, expected) => {
    expect(ruleMatches(rule, inventory)).toBe(expected);
  });
});

describe('inScope', () => {
  const group = (groupId: string, kind: 'user' | 'device'): ScopeGroup => ({
    assignmentId: 'a',
    relation: 'scope',
    groupId,
    kind,
    rule: null,
  });
  // Fiona is in the user group, the Linux box in the device group.
  const contains = (g: ScopeGroup) => (g.kind === 'user' ? current.userId === 'fiona' : current.deviceId === 'linux');
  let current: { userId?: string; deviceId?: string } = {};
  const check = (target: typeof current, scope: ScopeGroup[]) => {
    current = target;
    return inScope(target, scope, contains);
  };
  const users = group('users', 'user');
  const devices = group('devices', 'device');

  it('user groups only: their people anywhere, nobody else', () => {
    expect(check({ userId: 'fiona' }, [users])).toBe(true);
    expect(check({ userId: 'fiona', deviceId: 'mac' }, [users])).toBe(true);
    expect(check({ userId: 'olga', deviceId: 'linux' }, [users])).toBe(false);
    expect(check({ deviceId: 'linux' }, [users])).toBe(false);
  });

  it('device groups only: anyone at those devices, no web sharer', () => {
    expect(check({ deviceId: 'linux' }, [devices])).toBe(true);
    expect(check({ userId: 'olga', deviceId: 'linux' }, [devices])).toBe(true);
    expect(check({ userId: 'fiona' }, [devices])).toBe(false);
    expect(check({ userId: 'fiona', deviceId: 'mac' }, [devices])).toBe(false);
  });

  it('both kinds: the person and the device when both are known', () => {
    expect(check({ userId: 'fiona', deviceId: 'linux' }, [users, devices])).toBe(true);
    expect(check({ userId: 'fiona', deviceId: 'mac' }, [users, devices])).toBe(false);
    expect(check({ userId: 'olga', deviceId: 'linux' }, [users, devices])).toBe(false);
    expect(check({ userId: 'fiona' }, [users, devices])).toBe(true);
    expect(check({ deviceId: 'linux' }, [users, devices])).toBe(true);
  });

  it('no scope groups and no target: nothing', () => {
    expect(check({ userId: 'fiona', deviceId: 'linux' }, [])).toBe(false);
    expect(check({}, [users, devices])).toBe(false);
  });
});
