/**
 * @module admin/directory/deviceRules
 * What the rule editor of a dynamic device group offers: which comparisons each inventory
 * field takes (yes/no fields only "is" / "is not"; the OS version also "at least" / "at
 * most", compared by number), and a draft → rule conversion that the contract's schema checks.
 */
import type { DEVICE_RULE_FIELDS, DeviceGroupRule, DeviceRuleOp } from '@remote-help/protocol';
import { DeviceGroupRule as RuleSchema } from '@remote-help/protocol';

export type RuleField = (typeof DEVICE_RULE_FIELDS)[number];

/** Fields whose value is yes or no. */
export const BOOLEAN_FIELDS: readonly RuleField[] = ['isVirtualMachine', 'diskEncrypted', 'firewallEnabled'];

/** The operating systems an agent reports (`Inventory.os`). */
export const OS_VALUES = ['macos', 'windows', 'linux'] as const;

/** The comparisons a field takes, in the order the editor lists them. */
export function opsFor(field: RuleField): DeviceRuleOp[] {
  if (BOOLEAN_FIELDS.includes(field)) return ['eq', 'ne'];
  if (field === 'os') return ['eq', 'ne'];
  if (field === 'osVersion') return ['gte', 'lte', 'eq', 'ne', 'startsWith'];
  return ['eq', 'ne', 'contains', 'startsWith'];
}

/** What the editor holds while someone types (the value as text; `true`/`false` for yes/no fields). */
export interface RuleDraft {
  field: RuleField;
  op: DeviceRuleOp;
  value: string;
}

export const DEFAULT_RULE: RuleDraft = { field: 'os', op: 'eq', value: 'macos' };

/** The draft after choosing another field: an operator and value that fit it. */
export function withField(draft: RuleDraft, field: RuleField): RuleDraft {
  const op = opsFor(field).includes(draft.op) ? draft.op : (opsFor(field)[0] ?? 'eq');
  if (BOOLEAN_FIELDS.includes(field)) return { field, op, value: 'true' };
  if (field === 'os') return { field, op, value: 'macos' };
  return { field, op, value: BOOLEAN_FIELDS.includes(draft.field) || draft.field === 'os' ? '' : draft.value };
}

/** The rule the draft stands for, or null while it is not a valid rule yet. */
export function ruleOf(draft: RuleDraft): DeviceGroupRule | null {
  const value = BOOLEAN_FIELDS.includes(draft.field) ? draft.value === 'true' : draft.value.trim();
  const parsed = RuleSchema.safeParse({ field: draft.field, op: draft.op, value });
  return parsed.success ? parsed.data : null;
}

/** A stored rule as a draft for the editor. */
export function draftOf(rule: DeviceGroupRule): RuleDraft {
  return { field: rule.field, op: rule.op, value: String(rule.value) };
}
