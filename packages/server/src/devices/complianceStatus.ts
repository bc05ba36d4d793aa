/**
 * @module devices/complianceStatus
 * How many devices pass or fail each compliance policy, and how many are compliant,
 * noncompliant or not evaluated overall, with the same rules as a device's own evaluation
 * (`compliance.ts`). Pure: devices (with their device groups), policies and the time in.
 */
import type { ComplianceStatus } from '@remote-help/protocol';
import type { DeviceForEvaluation, PolicyForEvaluation } from './compliance.js';
import { applies, checkRule } from './compliance.js';

/** A device as the count needs it: what evaluation reads, and whether it is in a device group. */
export interface DeviceForStatus extends DeviceForEvaluation {
  inGroup: (groupId: string) => boolean;
}

/** Counts per policy (in the policies' order) and overall; `evaluatedAt` is the caller's. */
export function complianceStatus(
  devices: readonly DeviceForStatus[],
  policies: readonly PolicyForEvaluation[],
  now: number,
): Omit<ComplianceStatus, 'evaluatedAt'> {
  const perPolicy = policies.map((p) => ({ policyId: p.id, compliant: 0, noncompliant: 0 }));
  const overall = { compliant: 0, noncompliant: 0, notEvaluated: 0 };
  for (const device of devices) {
    let evaluated = false;
    let failed = false;
    policies.forEach((policy, i) => {
      if (!applies(policy, device.inGroup)) return;
      evaluated = true;
      const passes = policy.rules.every((rule) => checkRule(rule, device, now).pass);
      const counts = perPolicy[i];
      if (!counts) return;
      if (passes) counts.compliant++;
      else {
        counts.noncompliant++;
        failed = true;
      }
    });
    if (!evaluated) overall.notEvaluated++;
    else if (failed) overall.noncompliant++;
    else overall.compliant++;
  }
  return { policies: perPolicy, devices: overall };
}
