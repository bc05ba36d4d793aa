/**
 * @module identity/conditionalAccess/evaluate
 * The conditional access evaluation, pure: the organization's policies and named locations,
 * who is asking (user, groups, roles) and the request (app, client, platform, address, device
 * state, authentication methods and time) in; each policy's result and the decision out. The
 * rules are in the protocol's `conditionalAccess` module description.
 */
import {
  ipInRange,
  type CaContext,
  type CaDecision,
  type CaPolicy,
  type CaPolicyResult,
  type CaRequirement,
  type LocationRef,
  type NamedLocation,
} from '@remote-help/protocol';

/** Who is asking: the user and the groups and roles they hold. */
export interface CaSubject {
  userId: string;
  groupIds: ReadonlySet<string>;
  roleIds: ReadonlySet<string>;
}

export interface CaInput {
  policies: readonly CaPolicy[];
  locations: readonly NamedLocation[];
  subject: CaSubject;
  context: CaContext;
  /** When the person last signed in with credentials (ms), or null when unknown. */
  authTime: number | null;
  now: number;
  /**
   * At sign-in no device has proven itself yet (a browser never does; the agent's device
   * proof comes with its session actions): device controls are left to those actions.
   */
  deferDeviceControls?: boolean;
}

/** The order in which unmet requirements are told: the one that leaves nothing to do first. */
export const REQUIREMENT_ORDER: readonly CaRequirement[] = [
  'block',
  'compliantDevice',
  'enrolledDevice',
  'signInFrequency',
  'mfa',
];

const HOUR_MS = 3_600_000;

/** The apps and client apps in the words the admin center uses (the reasons are English, like the audit log's). */
const APP_NAMES: Record<CaContext['app'], string> = {
  helper: 'the helper app',
  sharer: 'the sharer web app',
  agent: 'the native agent',
  admin: 'the admin center',
};
const CLIENT_NAMES: Record<CaContext['clientApp'], string> = { browser: 'a browser', agent: 'the native agent' };

/** See the module description. */
export function evaluateConditionalAccess(input: CaInput): CaDecision {
  const results = input.policies
    .filter((policy) => policy.state !== 'off')
    .map((policy) => evaluatePolicy(policy, input));
  const unmet = new Set(results.filter((r) => r.state === 'on' && r.result === 'failure').flatMap((r) => r.unmet));
  return {
    decision: unmet.size > 0 ? 'blocked' : 'allowed',
    unmet: REQUIREMENT_ORDER.filter((r) => unmet.has(r)),
    policies: results,
  };
}

function evaluatePolicy(policy: CaPolicy, input: CaInput): CaPolicyResult {
  const base = { policyId: policy.id, name: policy.name, state: policy.state as 'on' | 'reportOnly' };
  const because = whyNotApplied(policy, input);
  if (because !== null) return { ...base, result: 'notApplied', notAppliedBecause: because, unmet: [] };
  const unmet = unmetBy(policy, input);
  return { ...base, result: unmet.length > 0 ? 'failure' : 'success', notAppliedBecause: null, unmet };
}

/** Whether a policy's user assignment takes in `subject`: included and not excluded ('out' / 'excluded' when not). */
function assigned(users: CaPolicy['users'], subject: CaSubject): 'in' | 'out' | 'excluded' {
  const { include, exclude } = users;
  const holds = (list: { userIds: string[]; groupIds: string[]; roleIds: string[] }) =>
    list.userIds.includes(subject.userId) ||
    list.groupIds.some((id) => subject.groupIds.has(id)) ||
    list.roleIds.some((id) => subject.roleIds.has(id));
  if (include.kind === 'selected' && !holds(include)) return 'out';
  return holds(exclude) ? 'excluded' : 'in';
}

/** Whether a policy's users include `subject` and do not exclude them (its conditions aside). */
export function targets(users: CaPolicy['users'], subject: CaSubject): boolean {
  return assigned(users, subject) === 'in';
}

/** The first assignment or condition that does not match, in words, or null when the policy applies. */
function whyNotApplied(policy: CaPolicy, { subject, context, locations }: CaInput): string | null {
  const who = assigned(policy.users, subject);
  if (who === 'out') return 'The user is not included.';
  if (who === 'excluded') return 'The user is excluded.';
  if (policy.apps !== 'all' && !policy.apps.includes(context.app)) {
    return `The app (${APP_NAMES[context.app]}) is not targeted.`;
  }
  const { clientApps, platforms, locations: where, deviceStates } = policy.conditions;
  if (clientApps && !clientApps.includes(context.clientApp)) {
    return `The client app (${CLIENT_NAMES[context.clientApp]}) is not in the condition.`;
  }
  if (platforms) {
    const included = platforms.include === 'all' || platforms.include.includes(context.platform);
    if (!included || platforms.exclude.includes(context.platform)) {
      return `The device platform (${context.platform}) is not in the condition.`;
    }
  }
  if (where) {
    const at = (ref: LocationRef) => inLocation(context.ip, ref, locations);
    const included = where.include === 'any' || where.include.some(at);
    if (!included || where.exclude.some(at)) return `The address (${context.ip ?? 'unknown'}) is not in the condition.`;
  }
  if (deviceStates && !deviceStates.includes(context.deviceState)) {
    return `The device state (${context.deviceState}) is not in the condition.`;
  }
  return null;
}

function inLocation(ip: string | null, ref: LocationRef, locations: readonly NamedLocation[]): boolean {
  if (ip === null) return false;
  const matching = ref === 'trusted' ? locations.filter((l) => l.trusted) : locations.filter((l) => l.id === ref);
  return matching.some((l) => l.ranges.some((range) => ipInRange(ip, range)));
}

/** What the request lacks for an applying policy. */
function unmetBy(policy: CaPolicy, { context, authTime, now, deferDeviceControls }: CaInput): CaRequirement[] {
  const unmet: CaRequirement[] = [];
  if (policy.grant.kind === 'block') return ['block'];
  const lacking = policy.grant.controls.filter((control) => {
    if (deferDeviceControls && control !== 'mfa') return false;
    if (control === 'mfa') return !context.amr.includes('mfa');
    if (control === 'compliantDevice') return context.deviceState !== 'compliant';
    return context.deviceState !== 'compliant' && context.deviceState !== 'noncompliant';
  });
  const satisfied =
    policy.grant.operator === 'all' ? lacking.length === 0 : lacking.length < policy.grant.controls.length;
  if (!satisfied) unmet.push(...lacking);
  const hours = policy.session.signInFrequencyHours;
  if (hours !== null && (authTime === null || now - authTime > hours * HOUR_MS)) unmet.push('signInFrequency');
  return unmet;
}
