/**
 * @module compliance
 * Compliance policies: rules over a device's inventory, assigned to devices, and what an
 * evaluation says about a device (compliant, noncompliant with the failing rules, or not
 * evaluated when no policy applies).
 */
import { z } from 'zod';
import { Id } from './people.js';

/**
 * One rule of a compliance policy, over the device's inventory (and its last check-in).
 * A value the device did not report (null) fails the rule: compliance is never assumed.
 */
export const ComplianceRule = z.discriminatedUnion('type', [
  /** The OS is at least `version` (numeric dotted comparison); devices of another OS pass. */
  z.strictObject({
    type: z.literal('minOsVersion'),
    os: z.enum(['macos', 'linux', 'windows']),
    version: z.string().regex(/^\d{1,6}(\.\d{1,6}){0,3}$/, 'must be a version like 14.5 or 10.0.19045'),
  }),
  /** The system disk is encrypted. */
  z.strictObject({ type: z.literal('diskEncryption') }),
  /** The firewall is on. */
  z.strictObject({ type: z.literal('firewall') }),
  /** The device is not a virtual machine. */
  z.strictObject({ type: z.literal('notVirtualMachine') }),
  /** The device checked in within the last `days` days. */
  z.strictObject({ type: z.literal('checkInWithinDays'), days: z.number().int().min(1).max(365) }),
]);
export type ComplianceRule = z.infer<typeof ComplianceRule>;

/** `compliant`, `noncompliant` (see the failing rules) or `not_evaluated` (no policy applies to it). */
export const ComplianceState = z.enum(['compliant', 'noncompliant', 'not_evaluated']);
export type ComplianceState = z.infer<typeof ComplianceState>;

/** A rule a device fails: the rule, the policy it belongs to, what the device reported and the reason in words. */
export const FailingRule = z.object({
  policyId: Id,
  policyName: z.string(),
  rule: ComplianceRule,
  /** What the device reported for the rule's subject (e.g. its OS version), or null when it reported nothing. */
  actual: z.string().nullable(),
  /** The reason in English (clients may render their own words from `rule` and `actual`). */
  message: z.string(),
});
export type FailingRule = z.infer<typeof FailingRule>;

/**
 * Which devices a policy applies to: all of them, or the members of device groups (static
 * members, or for a dynamic group the devices its rule matches).
 */
export const PolicyAssignment = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('allDevices') }),
  z.strictObject({ kind: z.literal('deviceGroups'), groupIds: z.array(Id).min(1).max(50) }),
]);
export type PolicyAssignment = z.infer<typeof PolicyAssignment>;

/** `POST /api/v1/compliance-policies` and `PUT /api/v1/compliance-policies/:id` (`policies.manage`). */
export const CompliancePolicyInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  rules: z.array(ComplianceRule).min(1).max(20),
  assignment: PolicyAssignment,
});
export type CompliancePolicyInput = z.infer<typeof CompliancePolicyInput>;

/** A compliance policy as administrators see it. */
export const CompliancePolicy = CompliancePolicyInput.extend({
  id: Id,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CompliancePolicy = z.infer<typeof CompliancePolicy>;

/** `GET /api/v1/compliance-policies`. */
export const CompliancePolicyList = z.object({ policies: z.array(CompliancePolicy) });
export type CompliancePolicyList = z.infer<typeof CompliancePolicyList>;

const Count = z.number().int().nonnegative();

/** How the devices a policy applies to stand against it: they pass every rule of it, or fail one. */
export const PolicyDeviceStatus = z.object({
  policyId: Id,
  /** Devices the policy applies to that pass all its rules. */
  compliant: Count,
  /** Devices the policy applies to that fail at least one of its rules. */
  noncompliant: Count,
});
export type PolicyDeviceStatus = z.infer<typeof PolicyDeviceStatus>;

/**
 * `GET /api/v1/compliance-policies/status`: every enrolled device of the organization evaluated
 * now against the current policies and device groups, per policy and overall.
 */
export const ComplianceStatus = z.object({
  policies: z.array(PolicyDeviceStatus),
  /** All enrolled devices: `notEvaluated` are those no policy applies to. */
  devices: z.object({ compliant: Count, noncompliant: Count, notEvaluated: Count }),
  /** When this evaluation ran (ISO time). */
  evaluatedAt: z.string(),
});
export type ComplianceStatus = z.infer<typeof ComplianceStatus>;
