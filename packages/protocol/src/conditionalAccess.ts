/**
 * @module conditionalAccess
 * Conditional access (Tenant administration > Conditional access): policies that decide, per
 * person, app, place and device, whether a sign-in or a session action is allowed, blocked or
 * allowed only with multi-factor authentication or a compliant or enrolled device; the named
 * locations they use; what one evaluation says (the sign-in log, What if).
 *
 * A policy applies when every assignment and condition matches: the person is included (all
 * users, or selected users, groups or roles) and not excluded; the app is targeted; and each
 * condition that is set matches (client app, device platform, location, device state). An
 * unset condition matches anything. A policy that is **On** enforces its grant; **Report-only**
 * is evaluated and logged but never enforced; **Off** is not evaluated.
 *
 * Every applying policy must be satisfied (policies combine with AND); Block wins over any grant.
 */
import { z } from 'zod';
import { Id } from './people.js';

/** What a policy can target: the helper app, the sharer web app, the native agent, the admin center. */
export const CA_APPS = ['helper', 'sharer', 'agent', 'admin'] as const;
export const CaApp = z.enum(CA_APPS);
export type CaApp = z.infer<typeof CaApp>;

/** How the app is reached: a browser, or the native agent. */
export const CaClientApp = z.enum(['browser', 'agent']);
export type CaClientApp = z.infer<typeof CaClientApp>;

export const CA_PLATFORMS = ['macos', 'windows', 'linux', 'ios', 'android', 'chromeos', 'unknown'] as const;
export const CaPlatform = z.enum(CA_PLATFORMS);
export type CaPlatform = z.infer<typeof CaPlatform>;

/**
 * The state of the device the request comes from. A browser has no device identity
 * (`unknown`); the agent's device is `unenrolled`, or enrolled and `compliant` or
 * `noncompliant` (a device no compliance policy evaluated counts as not compliant: compliance
 * is never assumed).
 */
export const CaDeviceState = z.enum(['compliant', 'noncompliant', 'unenrolled', 'unknown']);
export type CaDeviceState = z.infer<typeof CaDeviceState>;

/** What a grant can require. */
export const CaGrantControl = z.enum(['mfa', 'compliantDevice', 'enrolledDevice']);
export type CaGrantControl = z.infer<typeof CaGrantControl>;

/** Why access is not given: a block, an unmet grant control, or a sign-in older than the policy's frequency. */
export const CaRequirement = z.enum(['block', 'mfa', 'compliantDevice', 'enrolledDevice', 'signInFrequency']);
export type CaRequirement = z.infer<typeof CaRequirement>;

/** Where a policy is evaluated: at sign-in, and again at each session action. */
export const CaEvent = z.enum(['signIn', 'createSession', 'redeemCode', 'remoteLaunch', 'fullControl', 'adminAccess']);
export type CaEvent = z.infer<typeof CaEvent>;

const IdList = z.array(Id).max(100).default([]);

/** An IPv4 or IPv6 range in CIDR notation, e.g. `203.0.113.0/24` or `2001:db8::/32`. */
export const Cidr = z
  .string()
  .trim()
  .max(64)
  .refine((value) => parseCidr(value) !== null, 'must be an IPv4 or IPv6 range such as 203.0.113.0/24');

/** A named location: IP ranges an administrator named (an office, a VPN), optionally marked trusted. */
export const NamedLocationInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  ranges: z.array(Cidr).min(1).max(200),
  trusted: z.boolean().default(false),
});
export type NamedLocationInput = z.infer<typeof NamedLocationInput>;

export const NamedLocation = NamedLocationInput.extend({
  id: Id,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type NamedLocation = z.infer<typeof NamedLocation>;
export const NamedLocationList = z.object({ locations: z.array(NamedLocation) });
export type NamedLocationList = z.infer<typeof NamedLocationList>;

/** Which locations a policy covers: any, or selected named locations (`trusted` stands for every trusted one). */
export const LocationRef = z.union([Id, z.literal('trusted')]);
export type LocationRef = z.infer<typeof LocationRef>;

export const CaPolicyInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  state: z.enum(['on', 'off', 'reportOnly']),
  users: z.strictObject({
    /** `all`, or the selected users, groups (members) and roles (people assigned the role). */
    include: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('all') }),
      z.strictObject({ kind: z.literal('selected'), userIds: IdList, groupIds: IdList, roleIds: IdList }),
    ]),
    exclude: z.strictObject({ userIds: IdList, groupIds: IdList, roleIds: IdList }),
  }),
  /** `all`, or some of the apps. */
  apps: z.union([z.literal('all'), z.array(CaApp).min(1).max(CA_APPS.length)]),
  conditions: z.strictObject({
    clientApps: z.array(CaClientApp).min(1).max(2).nullable().default(null),
    platforms: z
      .strictObject({
        include: z.union([z.literal('all'), z.array(CaPlatform).min(1)]),
        exclude: z.array(CaPlatform).default([]),
      })
      .nullable()
      .default(null),
    locations: z
      .strictObject({
        include: z.union([z.literal('any'), z.array(LocationRef).min(1).max(50)]),
        exclude: z.array(LocationRef).max(50).default([]),
      })
      .nullable()
      .default(null),
    deviceStates: z.array(CaDeviceState).min(1).max(4).nullable().default(null),
  }),
  grant: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('block') }),
    z.strictObject({
      kind: z.literal('grant'),
      operator: z.enum(['all', 'one']),
      controls: z.array(CaGrantControl).min(1).max(3),
    }),
  ]),
  session: z
    .strictObject({
      /** Ask the person to sign in again when their sign-in is older than this. */
      signInFrequencyHours: z.number().int().min(1).max(720).nullable(),
    })
    .default({ signInFrequencyHours: null }),
});
export type CaPolicyInput = z.infer<typeof CaPolicyInput>;

export const CaPolicy = CaPolicyInput.extend({ id: Id, createdAt: z.string(), updatedAt: z.string() });
export type CaPolicy = z.infer<typeof CaPolicy>;
export const CaPolicyList = z.object({ policies: z.array(CaPolicy) });
export type CaPolicyList = z.infer<typeof CaPolicyList>;
export const CaPolicyResponse = z.object({ policy: CaPolicy });
export const NamedLocationResponse = z.object({ location: NamedLocation });

/** What the evaluation of one policy gave. */
export const CaPolicyResult = z.object({
  policyId: Id,
  name: z.string(),
  state: z.enum(['on', 'reportOnly']),
  /** `notApplied` (with why), `success` (applies and is satisfied), `failure` (applies and is not). */
  result: z.enum(['notApplied', 'success', 'failure']),
  /** Why it does not apply, in English (the first assignment or condition that did not match). */
  notAppliedBecause: z.string().nullable(),
  /** What the request lacks for this policy (empty unless `failure`). */
  unmet: z.array(CaRequirement),
});
export type CaPolicyResult = z.infer<typeof CaPolicyResult>;

/** The request as the evaluation saw it. */
export const CaContext = z.object({
  app: CaApp,
  clientApp: CaClientApp,
  platform: CaPlatform,
  ip: z.string().nullable(),
  deviceState: CaDeviceState,
  /** The authentication methods of the sign-in (RFC 8176), e.g. `pwd`, `otp`, `mfa`. */
  amr: z.array(z.string()),
});
export type CaContext = z.infer<typeof CaContext>;

/** The outcome: allowed, or blocked with the requirements that enforced policies found unmet. */
export const CaDecision = z.object({
  decision: z.enum(['allowed', 'blocked']),
  unmet: z.array(CaRequirement),
  policies: z.array(CaPolicyResult),
});
export type CaDecision = z.infer<typeof CaDecision>;

/** `POST /api/v1/conditional-access/what-if`: a person and a request to evaluate the current policies against. */
export const WhatIfRequest = z.strictObject({
  userId: Id,
  app: CaApp,
  clientApp: CaClientApp,
  platform: CaPlatform,
  ip: z
    .string()
    .trim()
    .max(45)
    .refine((value) => parseIp(value) !== null, 'must be an IPv4 or IPv6 address')
    .nullable()
    .default(null),
  deviceState: CaDeviceState,
  /** Whether the sign-in used multi-factor authentication. */
  mfa: z.boolean().default(false),
});
export type WhatIfRequest = z.infer<typeof WhatIfRequest>;
export const WhatIfResponse = CaDecision.extend({ context: CaContext });
export type WhatIfResponse = z.infer<typeof WhatIfResponse>;

/** One line of the sign-in log: a sign-in or a session action, every policy's result and the decision. */
export const SignInLogEntry = z.object({
  id: Id,
  at: z.string(),
  event: CaEvent,
  userId: Id.nullable(),
  userName: z.string().nullable(),
  email: z.string().nullable(),
  app: CaApp,
  clientApp: CaClientApp,
  platform: CaPlatform,
  ip: z.string().nullable(),
  deviceId: Id.nullable(),
  deviceState: CaDeviceState,
  amr: z.array(z.string()),
  decision: z.enum(['allowed', 'blocked']),
  unmet: z.array(CaRequirement),
  policies: z.array(CaPolicyResult),
});
export type SignInLogEntry = z.infer<typeof SignInLogEntry>;

export const SignInLogQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  decision: z.enum(['allowed', 'blocked']).optional(),
  q: z.string().trim().max(200).optional(),
});
export type SignInLogQuery = z.infer<typeof SignInLogQuery>;
export const SignInLogList = z.object({ entries: z.array(SignInLogEntry), total: z.number().int() });
export type SignInLogList = z.infer<typeof SignInLogList>;

// ---------------------------------------------------------------------------------------------
// Addresses

/** An address as a big integer and its family, or null when it is not an IPv4 or IPv6 address. */
export function parseIp(value: string): { family: 4 | 6; value: bigint } | null {
  const text = value.startsWith('::ffff:') && value.includes('.') ? value.slice(7) : value;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!/^[0-9a-fA-F:]{2,39}$/.test(text) || !text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string | undefined) => (half ? half.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** A CIDR range as its network and prefix, or null when malformed. */
export function parseCidr(value: string): { family: 4 | 6; network: bigint; prefix: number } | null {
  const [address, bits, extra] = value.split('/');
  if (address === undefined || bits === undefined || extra !== undefined || !/^\d{1,3}$/.test(bits)) return null;
  const ip = parseIp(address);
  if (!ip) return null;
  const width = ip.family === 4 ? 32 : 128;
  const prefix = Number(bits);
  if (prefix > width) return null;
  const shift = BigInt(width - prefix);
  return { family: ip.family, network: (ip.value >> shift) << shift, prefix };
}

/** Whether `ip` lies in the CIDR range `cidr` (false for anything malformed or of the other family). */
export function ipInRange(ip: string, cidr: string): boolean {
  const address = parseIp(ip);
  const range = parseCidr(cidr);
  if (!address || !range || address.family !== range.family) return false;
  const shift = BigInt((range.family === 4 ? 32 : 128) - range.prefix);
  return (address.value >> shift) << shift === range.network;
}
