/**
 * @module devices/compliance
 * Evaluates a device against the compliance policies that apply to it. Pure: inventory,
 * last check-in, policies and the time in; a state and the failing rules (in words) out.
 * A value the device did not report fails the rule that needs it: compliance is never assumed.
 */
import type { ComplianceRule, ComplianceState, FailingRule, Inventory, PolicyAssignment } from '@remote-help/protocol';

/** What evaluation needs of a policy. */
export interface PolicyForEvaluation {
  id: string;
  name: string;
  rules: readonly ComplianceRule[];
  assignment: PolicyAssignment;
}

/** What evaluation needs of a device. */
export interface DeviceForEvaluation {
  inventory: Inventory;
  /** ISO time of the last check-in (enrollment counts as one), or null. */
  lastCheckInAt: string | null;
}

export interface Evaluation {
  compliance: ComplianceState;
  failingRules: FailingRule[];
}

const OS_NAMES: Record<Inventory['os'], string> = { macos: 'macOS', linux: 'Linux', windows: 'Windows' };
const DAY_MS = 86_400_000;

/** The leading numeric part of a version (`22.04.3 LTS` → [22, 4, 3]), or null when there is none. */
export function parseVersion(text: string | null): number[] | null {
  const match = /^\s*v?(\d{1,9}(?:\.\d{1,9}){0,5})/.exec(text ?? '');
  return match?.[1] ? match[1].split('.').map(Number) : null;
}

/** Compares dotted versions numerically; missing parts count as 0 (`14` = `14.0`). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Whether a policy applies to a device; `inGroup` says whether the device is in a device group. */
export function applies(policy: PolicyForEvaluation, inGroup: (groupId: string) => boolean): boolean {
  const a = policy.assignment;
  return a.kind === 'allDevices' || a.groupIds.some(inGroup);
}

type Verdict = { pass: true } | { pass: false; actual: string | null; message: string };
const pass: Verdict = { pass: true };
const fail = (actual: string | null, message: string): Verdict => ({ pass: false, actual, message });

/** One rule against one device at `now` (epoch ms). */
export function checkRule(rule: ComplianceRule, device: DeviceForEvaluation, now: number): Verdict {
  const inv = device.inventory;
  switch (rule.type) {
    case 'minOsVersion': {
      if (inv.os !== rule.os) return pass;
      const os = OS_NAMES[rule.os];
      const actual = parseVersion(inv.osVersion);
      if (!actual) return fail(inv.osVersion, `${os} version is unknown; at least ${rule.version} is required.`);
      const required = parseVersion(rule.version) ?? [];
      return compareVersions(actual, required) >= 0
        ? pass
        : fail(inv.osVersion, `${os} ${inv.osVersion ?? ''} is older than the required ${rule.version}.`);
    }
    case 'diskEncryption':
      if (inv.diskEncrypted === true) return pass;
      return inv.diskEncrypted === false
        ? fail('false', 'The disk is not encrypted.')
        : fail(null, 'Disk encryption could not be confirmed.');
    case 'firewall':
      if (inv.firewallEnabled === true) return pass;
      return inv.firewallEnabled === false
        ? fail('false', 'The firewall is off.')
        : fail(null, 'The firewall could not be confirmed to be on.');
    case 'notVirtualMachine':
      if (inv.isVirtualMachine === false) return pass;
      return inv.isVirtualMachine === true
        ? fail('true', 'The device is a virtual machine.')
        : fail(null, 'The device could not be confirmed not to be a virtual machine.');
    case 'checkInWithinDays': {
      const last = device.lastCheckInAt ? Date.parse(device.lastCheckInAt) : NaN;
      if (Number.isNaN(last)) return fail(null, `The device has not checked in; it must within ${rule.days} days.`);
      const days = Math.floor((now - last) / DAY_MS);
      return now - last <= rule.days * DAY_MS
        ? pass
        : fail(device.lastCheckInAt, `The last check-in was ${days} days ago; at most ${rule.days} days are allowed.`);
    }
  }
}

/** Evaluates a device against every policy that applies to it (`inGroup`: its device groups). */
export function evaluate(
  device: DeviceForEvaluation,
  policies: readonly PolicyForEvaluation[],
  now: number,
  inGroup: (groupId: string) => boolean = () => false,
): Evaluation {
  const applicable = policies.filter((p) => applies(p, inGroup));
  if (applicable.length === 0) return { compliance: 'not_evaluated', failingRules: [] };
  const failingRules: FailingRule[] = [];
  for (const policy of applicable) {
    for (const rule of policy.rules) {
      const verdict = checkRule(rule, device, now);
      if (!verdict.pass) {
        failingRules.push({
          policyId: policy.id,
          policyName: policy.name,
          rule,
          actual: verdict.actual,
          message: verdict.message,
        });
      }
    }
  }
  return { compliance: failingRules.length ? 'noncompliant' : 'compliant', failingRules };
}
