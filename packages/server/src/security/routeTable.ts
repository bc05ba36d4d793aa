/**
 * @module security/routeTable
 * Who may call each HTTP route and which CSRF rule guards it: one entry per route the
 * server registers (`RemoteHelpServer.routes`). Routes under `/api` are generated from the
 * API contract (`@remote-help/protocol` `API`): the caller kind, permission, participant
 * rule and command flag come from there, so an endpoint cannot exist without its
 * permission. What only the sweep needs (a valid example body, which fixture id a path
 * takes, another tenant's answer) is in `API_EXTRAS`, keyed by endpoint name, which must
 * cover every endpoint. The rest (sign-in, relying party, static files, WebSocket upgrades)
 * is hand-written in `OTHER_ROUTES`. The authorization sweep (`httpSweep.test.ts`) fails
 * when the server has a route without an entry, when an entry names a route that no longer
 * exists, and when a generated negative case is not refused with the documented envelope.
 * Who may call what (every endpoint × every role, no role, a custom role, another
 * organization's administrator, the session's sides) is `authzMatrix.test.ts`, from the same table.
 */
import type { Api, Endpoint, EndpointName, Permission, PermissionRule } from '@remote-help/protocol';
import { API, PERMISSIONS } from '@remote-help/protocol';
import { BUILT_IN_ROLES } from '../rbac/permissions.js';

/**
 * The signed-in people of the sweep's fixture (see `fixture.ts`): Contoso's Administrator,
 * Help Desk Operator (`helper`, the helper of the fixture's sessions), Read Only Operator, a
 * person with no role (`sharer`, the sharer of the fixture's sessions), a person with the
 * custom role `CUSTOM_ROLE_PERMISSIONS`; Fabrikam's Administrator and Help Desk Operator; and
 * `agent`, Contoso's sharer through the native agent (bearer token).
 */
export type Actor = 'admin' | 'helper' | 'readOnly' | 'sharer' | 'custom' | 'foreignAdmin' | 'foreignHelper' | 'agent';
/** The actors that sign in with a browser (session cookie + CSRF token). */
export type PersonActor = Exclude<Actor, 'agent'>;

/** Who may call a route. */
export type Access =
  /** Anyone; `anonymous` is the documented status of an anonymous call (never 5xx). */
  | { kind: 'public'; anonymous: number; why: string }
  /** Any signed-in person (cookie, or the agent's bearer token). */
  | { kind: 'user' }
  /** A signed-in person whose role grants a permission; `as` may (who may not: `authzMatrix.test.ts`). */
  | { kind: 'permission'; permission: string; as: Actor }
  /** A participant of the session named by `:id` (`role`: which side may). */
  | { kind: 'participant'; role: 'either' | 'helper' | 'sharer' }
  /** No person: an enrollment token in the body authorizes. */
  | { kind: 'enrollmentToken' }
  /** No person: `Authorization: Device <JWT>` signed with the device's key. */
  | { kind: 'deviceProof' }
  /** The agent's bearer token (its user) and the device's proof in `x-device-proof`. */
  | { kind: 'agentAndDevice' }
  /** A WebSocket upgrade; its negative cases are in `wsSweep.test.ts`. */
  | { kind: 'websocket'; plainGet: number };

/**
 * - `command`: a cookie caller needs `x-csrf-token` and, when sent, our Origin.
 * - `read`: GET, no state change, no CSRF token.
 * - `none`: no cookie authority at all (device proof, enrollment token, bearer only).
 */
export type CsrfRule = 'command' | 'read' | 'none';

/**
 * Which fixture id fills `:id` (a tenant-scoped id of Contoso), and what another tenant's user
 * gets. A read takes the fixture's standing one; a command's allowed call takes one made for it
 * (`SweepFixture.target`), so deleting or changing it disturbs no other case.
 */
export interface IdRule {
  /**
   * `user`: a person of the directory (for reads: one with a picture, whom no case changes).
   * `userIdentity`: a person linked to an identity provider of Contoso (`:providerId` names it).
   */
  of:
    | 'session'
    | 'device'
    | 'user'
    | 'userIdentity'
    | 'group'
    | 'role'
    | 'assignment'
    | 'policy'
    | 'caPolicy'
    | 'namedLocation'
    | 'enrollmentToken'
    | 'identityProvider'
    | 'domain';
  foreign: 'session_not_found' | 'not_found';
  /**
   * Sessions: the state the call needs to succeed, with the fixture's helper and sharer in it
   * (`joined` when absent). `control`: the sharer joined with the agent and allowed full
   * control; `launched`: a remote launch waiting on a device of its own (online, no sharer yet).
   */
  state?: 'waiting' | 'joined' | 'requested' | 'active' | 'control' | 'launched';
}

export interface RouteRule {
  method: string;
  url: string;
  access: Access;
  csrf: CsrfRule;
  id?: IdRule;
  /** A body that passes validation, so each negative case fails only on what it tests. */
  body?: Record<string, unknown>;
  /** The contract's endpoint name (routes under `/api`). */
  endpoint?: EndpointName;
}

/**
 * What the sweep needs beyond the contract, per endpoint. In `body`, these strings are filled by
 * the fixture for the caller's organization (`bodyOf` in `sweepClient.ts`): `$group` (a user group
 * nobody is in), `$device` (the target's device, else the fixture's), `$inventory`, `$publicKey`
 * (a fresh Ed25519 key), `$code` and `$enrollmentToken` (live ones for a call that may succeed,
 * made-up ones otherwise), `$picture` (a valid profile picture, base64), `$password` (the
 * caller's password; a wrong one otherwise), `$totp` (a fresh authenticator setup's current
 * code for the caller; `000000` otherwise), `$passkeyRegistration` (a software authenticator's
 * answer to a fresh registration of the caller; a well-formed made-up one otherwise), `$passkey`
 * (the id of a passkey just added for the caller; a made-up id otherwise), `$self` (the caller's
 * own user id); inside strings,
 * `{unique}` (a fresh token, so names do not collide) and `{domain}` (the organization's verified domain).
 */
export interface ApiExtras {
  id?: IdRule;
  body?: Record<string, unknown>;
  /** Public endpoints: the status of an anonymous call and why it is public. */
  anonymous?: { status: number; why: string };
}

/**
 * The fixture's custom role: a deliberate subset that splits rules. `viewScreen` without
 * `offerRemoteAssistance` (offering help needs `all` of both), `devices.read` (one of the `any`
 * that lets a caller see groups) and `reports.read`.
 */
export const CUSTOM_ROLE_PERMISSIONS: readonly Permission[] = ['devices.read', 'remoteHelp.viewScreen', 'reports.read'];

/**
 * What each person of the fixture may do (built-in roles, the custom role). `authzMatrix.test.ts`
 * compares this with what `GET /api/v1/me` says at run time.
 */
export const ACTOR_PERMISSIONS: Record<PersonActor, readonly Permission[]> = {
  admin: PERMISSIONS,
  helper: [...BUILT_IN_ROLES.helpDeskOperator],
  readOnly: [...BUILT_IN_ROLES.readOnlyOperator],
  sharer: [],
  custom: CUSTOM_ROLE_PERMISSIONS,
  foreignAdmin: PERMISSIONS,
  foreignHelper: [...BUILT_IN_ROLES.helpDeskOperator],
};

const SESSION_ID = { of: 'session', foreign: 'session_not_found' } as const;
const DEVICE_ID = { of: 'device', foreign: 'not_found' } as const;
const USER_ID = { of: 'user', foreign: 'not_found' } as const;
const GROUP_ID = { of: 'group', foreign: 'not_found' } as const;
const ROLE_ID = { of: 'role', foreign: 'not_found' } as const;
const ASSIGNMENT_ID = { of: 'assignment', foreign: 'not_found' } as const;
const POLICY_ID = { of: 'policy', foreign: 'not_found' } as const;
const IDP_ID = { of: 'identityProvider', foreign: 'not_found' } as const;
const CA_POLICY_ID = { of: 'caPolicy', foreign: 'not_found' } as const;
const LOCATION_ID = { of: 'namedLocation', foreign: 'not_found' } as const;
/** A person and the identity provider (`:providerId`) they are linked to. */
const USER_IDENTITY_ID = { of: 'userIdentity', foreign: 'not_found' } as const;
/** Report-only, so the sweep's own calls are never refused by it. */
const sweepCaPolicy = {
  name: 'Sweep CA policy {unique}',
  state: 'reportOnly',
  users: { include: { kind: 'all' }, exclude: {} },
  apps: ['admin'],
  conditions: {},
  grant: { kind: 'grant', operator: 'all', controls: ['mfa'] },
};
const sweepLocation = { name: 'Sweep location {unique}', ranges: ['198.51.100.0/24'] };
/** A domain of Contoso's, held (asserted) and used by nobody: verifying answers it as it is, removing it succeeds. */
const DOMAIN_ID = { of: 'domain', foreign: 'not_found' } as const;
/** Disabled: disabled providers may share a domain, so every case can create one. */
const sweepIdp = {
  name: 'Sweep IdP {unique}',
  issuer: 'https://login.example.com/sweep/v2.0',
  clientId: 'sweep-client',
  clientSecret: 'sweep-secret',
  domains: ['{domain}'],
  enabled: false,
};
const APP_PAGE = { kind: 'public', anonymous: 200, why: 'the web app shell; the API decides' } as const;

const sweepGroup = { name: 'Sweep group {unique}', kind: 'user' };
const sweepRole = { name: 'Sweep role {unique}', permissions: ['reports.read'] };
const sweepAssignment = {
  name: 'Sweep {unique}',
  roleId: 'readOnlyOperator',
  members: ['$group'],
  scope: { all: true, groups: [], excluded: [] },
};
const sweepPolicy = {
  name: 'Sweep policy {unique}',
  rules: [{ type: 'firewall' }],
  assignment: { kind: 'allDevices' },
};

/** Test-only extras for every endpoint of the contract (a new endpoint without an entry does not compile). */
export const API_EXTRAS: Record<EndpointName, ApiExtras> = {
  getMe: {},
  setMyLanguage: { body: { language: 'de' } },
  getUserPhoto: { id: USER_ID },
  setUserPhoto: { id: USER_ID, body: { image: '$picture' } },
  deleteUserPhoto: { id: USER_ID },
  setMyPhoto: { body: { image: '$picture' } },
  deleteMyPhoto: {},
  createSession: { body: {} },
  listSessions: {},
  redeemCode: { body: { code: '$code' } },
  getSession: { id: SESSION_ID },
  requestMode: { id: { ...SESSION_ID, state: 'joined' }, body: { mode: 'view' } },
  respond: { id: { ...SESSION_ID, state: 'requested' }, body: { allow: true } },
  dropControl: { id: { ...SESSION_ID, state: 'control' }, body: {} },
  setSharerStatus: { id: { ...SESSION_ID, state: 'active' }, body: { status: 'paused' } },
  leaveSession: { id: SESSION_ID, body: {} },
  getChatThread: { id: SESSION_ID },
  createEnrollmentToken: { body: { expiresInHours: 1, maxUses: 1 } },
  listEnrollmentTokens: {},
  revokeEnrollmentToken: { id: { of: 'enrollmentToken', foreign: 'not_found' }, body: {} },
  enrollDevice: { body: { token: '$enrollmentToken', publicKey: '$publicKey', inventory: '$inventory' } },
  checkIn: { body: { inventory: '$inventory' } },
  listDevices: {},
  getDevice: { id: DEVICE_ID },
  revokeDevice: { id: DEVICE_ID, body: {} },
  launchOnDevice: { id: DEVICE_ID, body: {} },
  acceptLaunch: { id: { ...SESSION_ID, state: 'launched' }, body: { deviceId: '$device' } },
  dismissLaunch: { id: { ...SESSION_ID, state: 'launched' }, body: { deviceId: '$device' } },
  getAgentUpdate: {},
  getAgentUpdatePolicy: {},
  updateAgentUpdatePolicy: { body: { minimumVersion: null, autoUpdate: true } },
  getAgentVersions: {},
  getOpenApi: { anonymous: { status: 200, why: 'the API description' } },
  getApiDocs: { anonymous: { status: 200, why: 'the API description' } },
  getTenantSettings: {},
  updateTenantSettings: {
    body: {
      remoteHelpEnabled: true,
      allowUnenrolledDevices: true,
      disableChat: false,
      codeTtlSeconds: null,
      reportRetentionDays: 30,
    },
  },
  listCompliancePolicies: {},
  createCompliancePolicy: { body: sweepPolicy },
  updateCompliancePolicy: { id: POLICY_ID, body: sweepPolicy },
  deleteCompliancePolicy: { id: POLICY_ID },
  getComplianceStatus: {},
  listCaPolicies: {},
  createCaPolicy: { body: sweepCaPolicy },
  updateCaPolicy: { id: CA_POLICY_ID, body: sweepCaPolicy },
  deleteCaPolicy: { id: CA_POLICY_ID },
  listNamedLocations: {},
  createNamedLocation: { body: sweepLocation },
  updateNamedLocation: { id: LOCATION_ID, body: sweepLocation },
  deleteNamedLocation: { id: LOCATION_ID },
  whatIf: {
    body: { userId: '$self', app: 'helper', clientApp: 'browser', platform: 'windows', deviceState: 'unknown' },
  },
  listSignIns: {},
  listIdentityProviders: {},
  getIdentityProvider: { id: IDP_ID },
  createIdentityProvider: { body: sweepIdp },
  updateIdentityProvider: { id: IDP_ID, body: { ...sweepIdp, name: 'Renamed IdP {unique}' } },
  deleteIdentityProvider: { id: IDP_ID },
  listDomains: {},
  addDomain: { body: { domain: 'sweep-{unique}.example' } },
  verifyDomain: { id: DOMAIN_ID, body: {} },
  removeDomain: { id: DOMAIN_ID },
  listGroups: {},
  getGroup: { id: GROUP_ID },
  createGroup: { body: sweepGroup },
  updateGroup: { id: GROUP_ID, body: { name: 'Renamed group {unique}' } },
  setGroupMembers: { id: GROUP_ID, body: { members: [] } },
  deleteGroup: { id: GROUP_ID },
  listRoles: {},
  getRole: { id: ROLE_ID },
  createRole: { body: sweepRole },
  updateRole: { id: ROLE_ID, body: { name: 'Renamed role {unique}' } },
  deleteRole: { id: ROLE_ID },
  listAssignments: {},
  getAssignment: { id: ASSIGNMENT_ID },
  createAssignment: { body: sweepAssignment },
  replaceAssignment: { id: ASSIGNMENT_ID, body: sweepAssignment },
  deleteAssignment: { id: ASSIGNMENT_ID },
  listUsers: {},
  getUser: { id: USER_ID },
  createUser: {
    body: { email: 'sweep-{unique}@{domain}', displayName: 'Sweep', password: 'a long enough password' },
  },
  updateUser: { id: USER_ID, body: { displayName: 'Sweep Person' } },
  resetPassword: { id: USER_ID, body: { password: 'another long password' } },
  listSessionReports: {},
  exportSessionReportsCsv: {},
  listLiveSessions: {},
  endSessionAsAdmin: { id: SESSION_ID, body: {} },
  listAuditEvents: {},
  exportAuditCsv: {},
  verifyAudit: { body: { anchors: [] } },
  getMySecurityInfo: {},
  startMfaEnrollment: { body: {} },
  confirmMfaEnrollment: { body: { code: '$totp' } },
  removeMyMfa: { body: { password: '$password' } },
  changeMyPassword: { body: { currentPassword: '$password', newPassword: '$password' } },
  resetUserMfa: { id: USER_ID, body: {} },
  signOutUserEverywhere: { id: USER_ID, body: {} },
  listMyPasskeys: {},
  startPasskeyRegistration: { body: { password: '$password' } },
  finishPasskeyRegistration: { body: { name: 'Sweep passkey {unique}', response: '$passkeyRegistration' } },
  renameMyPasskey: { body: { id: '$passkey', name: 'Renamed passkey {unique}' } },
  removeMyPasskey: { body: { id: '$passkey' } },
  listUserPasskeys: { id: USER_ID },
  removeUserPasskeys: { id: USER_ID, body: {} },
  listUserIdentities: { id: USER_IDENTITY_ID },
  unlinkUserIdentity: { id: USER_IDENTITY_ID },
  signOutEverywhere: { body: {} },
};

/** True when `permissions` satisfy the contract's rule. */
export function satisfies(permissions: readonly Permission[], rule: PermissionRule): boolean {
  return (
    (rule.all ?? []).every((p) => permissions.includes(p)) &&
    (!rule.any?.length || rule.any.some((p) => permissions.includes(p)))
  );
}

const permissionLabel = (rule: PermissionRule): string =>
  [...(rule.all ?? []), ...(rule.any?.length ? [`one of ${rule.any.join('|')}`] : [])].join(' + ');

/** The sweep's access rule, read from the contract. */
export function accessOf(e: Endpoint, extras: ApiExtras): Access {
  switch (e.caller) {
    case 'public':
      if (!extras.anonymous) throw new Error(`${e.name}: a public endpoint needs extras.anonymous`);
      return { kind: 'public', anonymous: extras.anonymous.status, why: extras.anonymous.why };
    case 'enrollmentToken':
      return { kind: 'enrollmentToken' };
    case 'device':
      return { kind: 'deviceProof' };
    case 'agentAndDevice':
      return { kind: 'agentAndDevice' };
    case 'agent':
      throw new Error(`${e.name}: no sweep for bearer-only endpoints yet`);
    case 'user': {
      if (e.participant) return { kind: 'participant', role: e.participant };
      const rule = e.permission;
      if (!rule) return { kind: 'user' };
      const as = (['helper', 'admin'] as const).find((a) => satisfies(ACTOR_PERMISSIONS[a], rule));
      if (!as) throw new Error(`${e.name}: no actor of the fixture may call it`);
      return { kind: 'permission', permission: permissionLabel(rule), as };
    }
  }
}

/** The CSRF rule, read from the contract. */
export function csrfOf(e: Endpoint): CsrfRule {
  if (e.caller === 'device' || e.caller === 'agentAndDevice' || e.caller === 'enrollmentToken') return 'none';
  if (e.method === 'GET') return 'read';
  return e.command ? 'command' : 'none';
}

/**
 * Why an endpoint has no rule (no `API_EXTRAS` entry, or an access rule the sweep cannot derive),
 * by endpoint name. The sweeps fail on each, naming it, while every other endpoint is still swept.
 */
export const API_ROUTE_PROBLEMS: Partial<Record<string, string>> = {};

/** One rule per endpoint of the contract (those in `API_ROUTE_PROBLEMS` left out). */
export const API_ROUTES: RouteRule[] = (Object.keys(API) as EndpointName[]).flatMap((name): RouteRule[] => {
  const e = API[name] as Api[EndpointName] as Endpoint;
  const extras = (API_EXTRAS as Partial<Record<EndpointName, ApiExtras>>)[name];
  if (!extras) {
    API_ROUTE_PROBLEMS[name] = `${name}: no entry in API_EXTRAS (security/routeTable.ts)`;
    return [];
  }
  try {
    return [
      {
        method: e.method,
        url: e.path,
        access: accessOf(e, extras),
        csrf: csrfOf(e),
        endpoint: name,
        ...(extras.id ? { id: extras.id } : {}),
        ...(extras.body ? { body: extras.body } : {}),
      },
    ];
  } catch (error) {
    API_ROUTE_PROBLEMS[name] = (error as Error).message;
    return [];
  }
});

/** Routes outside the contract: health, sign-in, relying party, WebSocket upgrades, the web apps. */
export const OTHER_ROUTES: RouteRule[] = [
  { method: 'GET', url: '/healthz', access: { kind: 'public', anonymous: 200, why: 'liveness probe' }, csrf: 'read' },
  {
    method: 'GET',
    url: '/readyz',
    access: { kind: 'public', anonymous: 200, why: 'readiness probe: names failing checks, no data' },
    csrf: 'read',
  },
  // Agent packages (downloads/routes.ts): needed before anyone signs in; only listed package files are served.
  {
    method: 'GET',
    url: '/download',
    access: { kind: 'public', anonymous: 200, why: 'agent download page' },
    csrf: 'read',
  },
  {
    method: 'GET',
    url: '/download/packages.json',
    access: { kind: 'public', anonymous: 200, why: 'agent packages as JSON' },
    csrf: 'read',
  },
  {
    method: 'GET',
    url: '/download/releases/:file',
    access: {
      kind: 'public',
      anonymous: 404,
      why: 'a signed release package by exact name; the agent checks its signature',
    },
    csrf: 'read',
  },
  {
    method: 'GET',
    url: '/download/:file',
    access: { kind: 'public', anonymous: 404, why: 'a package file by exact name; anything else is not found' },
    csrf: 'read',
  },
  // Embedded IdP sign-in form: the interaction cookie and a per-interaction CSRF field guard it.
  {
    method: 'GET',
    url: '/signin/:uid',
    access: { kind: 'public', anonymous: 400, why: 'unknown interaction → "expired" page' },
    csrf: 'read',
  },
  {
    method: 'POST',
    url: '/signin/:uid',
    access: { kind: 'public', anonymous: 400, why: 'unknown interaction → "expired" page' },
    csrf: 'none',
  },
  // The sign-in pages' passkey script (identity/passkeys/passkeyRoutes.ts).
  {
    method: 'GET',
    url: '/signin/passkey.js',
    access: { kind: 'public', anonymous: 200, why: 'the sign-in pages’ script, served from our origin' },
    csrf: 'read',
  },
  {
    method: 'GET',
    url: '/auth/login',
    access: { kind: 'public', anonymous: 303, why: 'starts the OIDC flow' },
    csrf: 'read',
  },
  // Federation (identity/federation/signIn.ts): home-realm discovery and the external provider's return.
  {
    method: 'GET',
    url: '/signin/:uid/email',
    access: { kind: 'public', anonymous: 400, why: 'unknown interaction → "expired" page' },
    csrf: 'read',
  },
  {
    method: 'POST',
    url: '/signin/:uid/email',
    access: { kind: 'public', anonymous: 400, why: 'unknown interaction → "expired" page' },
    csrf: 'none',
  },
  {
    method: 'GET',
    url: '/signin/:uid/federated',
    access: { kind: 'public', anonymous: 400, why: 'unknown interaction → "expired" page' },
    csrf: 'read',
  },
  {
    method: 'GET',
    url: '/auth/federation/callback',
    access: { kind: 'public', anonymous: 400, why: 'no flow cookie → typed refusal page (state)' },
    csrf: 'read',
  },
  {
    method: 'GET',
    url: '/auth/federation/test/:id',
    access: { kind: 'public', anonymous: 303, why: 'anonymous → sign in first; needs settings.manage' },
    csrf: 'read',
  },
  {
    method: 'GET',
    url: '/auth/callback',
    access: { kind: 'public', anonymous: 303, why: 'no signed flow cookie → /?signin=expired' },
    csrf: 'read',
  },
  {
    method: 'POST',
    url: '/auth/logout',
    access: { kind: 'public', anonymous: 204, why: 'nothing to end; with a cookie it is a command' },
    csrf: 'command',
  },
  { method: 'GET', url: '/api/v1/ws', access: { kind: 'websocket', plainGet: 404 }, csrf: 'read' },
  { method: 'GET', url: '/api/v1/devices/ws', access: { kind: 'websocket', plainGet: 404 }, csrf: 'none' },
  {
    method: 'GET',
    url: '/assets/*',
    access: { kind: 'public', anonymous: 200, why: 'hashed build assets' },
    csrf: 'read',
  },
  { method: 'GET', url: '/', access: APP_PAGE, csrf: 'read' },
  { method: 'GET', url: '/help', access: APP_PAGE, csrf: 'read' },
  { method: 'GET', url: '/help/*', access: APP_PAGE, csrf: 'read' },
  { method: 'GET', url: '/share', access: APP_PAGE, csrf: 'read' },
  { method: 'GET', url: '/share/*', access: APP_PAGE, csrf: 'read' },
  { method: 'GET', url: '/admin', access: APP_PAGE, csrf: 'read' },
  { method: 'GET', url: '/admin/*', access: APP_PAGE, csrf: 'read' },
  {
    method: 'GET',
    url: '/favicon.svg',
    access: { kind: 'public', anonymous: 200, why: 'icon (404 when the build has none)' },
    csrf: 'read',
  },
  {
    method: 'GET',
    url: '/favicon.ico',
    access: { kind: 'public', anonymous: 200, why: 'icon (404 when the build has none)' },
    csrf: 'read',
  },
];

export const ROUTES: RouteRule[] = [...OTHER_ROUTES, ...API_ROUTES];

/** `METHOD url`, the key both the table and the server's registry are compared by. */
export const routeKey = (r: { method: string; url: string }): string => `${r.method} ${r.url}`;
