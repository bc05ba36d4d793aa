/**
 * @module admin/tenant/complianceForm
 * A compliance policy's form: one switch per rule over inventory (minimum OS version per
 * OS, disk encryption, firewall, not a virtual machine, checked in within N days), and
 * whom it applies to (all devices, or device groups). Checked with the server's limits
 * before sending; turned into the policy the server stores and back.
 */
import type { ComplianceRule, CompliancePolicy, CompliancePolicyInput } from '@remote-help/protocol';

export const OSES = ['macos', 'windows', 'linux'] as const;
export type Os = (typeof OSES)[number];

export interface ComplianceFormValues {
  name: string;
  minOs: Record<Os, { on: boolean; version: string }>;
  diskEncryption: boolean;
  firewall: boolean;
  notVirtualMachine: boolean;
  checkIn: { on: boolean; days: string };
  assignment: 'allDevices' | 'deviceGroups';
  groupIds: string[];
}

type Key =
  | 'admin.tenant.compliance.editor.nameRequired'
  | 'admin.tenant.compliance.editor.nameTooLong'
  | 'admin.tenant.compliance.editor.rulesRequired'
  | 'admin.tenant.compliance.editor.versionInvalid'
  | 'admin.tenant.compliance.editor.daysInvalid'
  | 'admin.tenant.compliance.editor.groupsRequired'
  | 'admin.tenant.compliance.editor.groupsTooMany';

export type ComplianceFormErrors = Partial<Record<'name' | 'rules' | Os | 'checkIn' | 'groups', Key>>;

/** The server's limits: a name of 1–100 characters, 1–365 days, 1–50 device groups. */
export const LIMITS = { name: 100, days: { min: 1, max: 365 }, groups: 50 } as const;
const VERSION = /^\d{1,6}(\.\d{1,6}){0,3}$/;

/** An empty policy, or the form of a stored one. */
export function policyValues(policy?: CompliancePolicy): ComplianceFormValues {
  const values: ComplianceFormValues = {
    name: policy?.name ?? '',
    minOs: {
      macos: { on: false, version: '' },
      windows: { on: false, version: '' },
      linux: { on: false, version: '' },
    },
    diskEncryption: false,
    firewall: false,
    notVirtualMachine: false,
    checkIn: { on: false, days: '30' },
    assignment: policy?.assignment.kind ?? 'allDevices',
    groupIds: policy?.assignment.kind === 'deviceGroups' ? [...policy.assignment.groupIds] : [],
  };
  for (const rule of policy?.rules ?? []) {
    switch (rule.type) {
      case 'minOsVersion':
        values.minOs[rule.os] = { on: true, version: rule.version };
        break;
      case 'checkInWithinDays':
        values.checkIn = { on: true, days: String(rule.days) };
        break;
      default:
        values[rule.type] = true;
    }
  }
  return values;
}

/** What the server would refuse, as translation keys. */
export function validatePolicy(v: ComplianceFormValues): ComplianceFormErrors {
  const errors: ComplianceFormErrors = {};
  const name = v.name.trim();
  if (!name) errors.name = 'admin.tenant.compliance.editor.nameRequired';
  else if (name.length > LIMITS.name) errors.name = 'admin.tenant.compliance.editor.nameTooLong';
  for (const os of OSES) {
    if (v.minOs[os].on && !VERSION.test(v.minOs[os].version.trim()))
      errors[os] = 'admin.tenant.compliance.editor.versionInvalid';
  }
  if (v.checkIn.on) {
    const days = v.checkIn.days.trim();
    const n = /^\d+$/.test(days) ? Number(days) : NaN;
    if (!(n >= LIMITS.days.min && n <= LIMITS.days.max)) errors.checkIn = 'admin.tenant.compliance.editor.daysInvalid';
  }
  if (rulesOf(v).length === 0) errors.rules = 'admin.tenant.compliance.editor.rulesRequired';
  if (v.assignment === 'deviceGroups') {
    if (v.groupIds.length === 0) errors.groups = 'admin.tenant.compliance.editor.groupsRequired';
    else if (v.groupIds.length > LIMITS.groups) errors.groups = 'admin.tenant.compliance.editor.groupsTooMany';
  }
  return errors;
}

function rulesOf(v: ComplianceFormValues): ComplianceRule[] {
  const rules: ComplianceRule[] = [];
  for (const os of OSES) {
    if (v.minOs[os].on) rules.push({ type: 'minOsVersion', os, version: v.minOs[os].version.trim() });
  }
  if (v.diskEncryption) rules.push({ type: 'diskEncryption' });
  if (v.firewall) rules.push({ type: 'firewall' });
  if (v.notVirtualMachine) rules.push({ type: 'notVirtualMachine' });
  if (v.checkIn.on) rules.push({ type: 'checkInWithinDays', days: Number(v.checkIn.days.trim()) });
  return rules;
}

/** The policy to send; call only when {@link validatePolicy} found nothing. */
export function toPolicyInput(v: ComplianceFormValues): CompliancePolicyInput {
  return {
    name: v.name.trim(),
    rules: rulesOf(v),
    assignment:
      v.assignment === 'allDevices' ? { kind: 'allDevices' } : { kind: 'deviceGroups', groupIds: [...v.groupIds] },
  };
}
