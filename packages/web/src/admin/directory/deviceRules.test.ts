import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE, draftOf, opsFor, ruleOf, withField } from './deviceRules';

describe('deviceRules', () => {
  it('offers only the comparisons a field takes', () => {
    expect(opsFor('firewallEnabled')).toEqual(['eq', 'ne']);
    expect(opsFor('osVersion')).toContain('gte');
    expect(opsFor('model')).not.toContain('gte');
  });

  it('keeps a draft valid when the field changes', () => {
    const version = withField(DEFAULT_RULE, 'osVersion');
    expect(version).toEqual({ field: 'osVersion', op: 'eq', value: '' });
    expect(ruleOf(version)).toBeNull();
    expect(ruleOf({ ...version, op: 'gte', value: ' 14.2 ' })).toEqual({
      field: 'osVersion',
      op: 'gte',
      value: '14.2',
    });
    const yesNo = withField({ field: 'osVersion', op: 'gte', value: '14' }, 'diskEncrypted');
    expect(yesNo).toEqual({ field: 'diskEncrypted', op: 'eq', value: 'true' });
    expect(ruleOf(yesNo)).toEqual({ field: 'diskEncrypted', op: 'eq', value: true });
    expect(withField(yesNo, 'model')).toEqual({ field: 'model', op: 'eq', value: '' });
  });

  it('refuses what the server would refuse', () => {
    expect(ruleOf({ field: 'osVersion', op: 'gte', value: 'Sonoma' })).toBeNull();
    expect(ruleOf({ field: 'model', op: 'contains', value: '   ' })).toBeNull();
    expect(ruleOf({ field: 'model', op: 'contains', value: 'MacBook' })).toEqual({
      field: 'model',
      op: 'contains',
      value: 'MacBook',
    });
    expect(draftOf({ field: 'isVirtualMachine', op: 'ne', value: true })).toEqual({
      field: 'isVirtualMachine',
      op: 'ne',
      value: 'true',
    });
  });
});
