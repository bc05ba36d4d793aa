/**
 * @module admin/conditionalAccess/caPolicyForm
 * A conditional access policy's form, laid out like Entra's: name; users (all, or selected
 * users, groups and roles; exclusions); target apps; conditions (each one either not
 * configured — it matches anything — or configured with its choices); grant (block, or
 * require all / one of the controls); session (sign-in frequency); and the state. Checked
 * with the contract's limits before sending; turned into the `CaPolicyInput` the server
 * stores and back without losing anything. A `validation_failed` from the server is placed
 * on the part of the form its path names.
 */
import type {
  CaApp,
  CaClientApp,
  CaDeviceState,
  CaGrantControl,
  CaPlatform,
  CaPolicy,
  CaPolicyInput,
  LocationRef,
} from '@remote-help/protocol';
import { ApiError, CA_APPS, CA_PLATFORMS } from '@remote-help/protocol';

export type CaState = CaPolicyInput['state'];

export interface CaPolicyFormValues {
  name: string;
  state: CaState;
  users: {
    include: 'all' | 'selected';
    userIds: string[];
    groupIds: string[];
    roleIds: string[];
    exclude: { userIds: string[]; groupIds: string[]; roleIds: string[] };
  };
  apps: { all: boolean; selected: CaApp[] };
  /** A condition that is off is not configured: it matches anything. */
  clientApps: { on: boolean; selected: CaClientApp[] };
  platforms: { on: boolean; include: 'all' | 'selected'; selected: CaPlatform[]; exclude: CaPlatform[] };
  locations: { on: boolean; include: 'any' | 'selected'; selected: LocationRef[]; exclude: LocationRef[] };
  deviceStates: { on: boolean; selected: CaDeviceState[] };
  grant: { kind: 'block' | 'grant'; operator: 'all' | 'one'; controls: CaGrantControl[] };
  signInFrequency: { on: boolean; hours: string };
}

/** The parts of the form a message can belong to. */
export type CaFormField =
  | 'name'
  | 'users'
  | 'exclude'
  | 'apps'
  | 'clientApps'
  | 'platforms'
  | 'locations'
  | 'deviceStates'
  | 'grant'
  | 'signInFrequency';

type Key =
  | 'admin.conditionalAccess.editor.errors.nameRequired'
  | 'admin.conditionalAccess.editor.errors.nameTooLong'
  | 'admin.conditionalAccess.editor.errors.usersRequired'
  | 'admin.conditionalAccess.editor.errors.tooManyIds'
  | 'admin.conditionalAccess.editor.errors.appsRequired'
  | 'admin.conditionalAccess.editor.errors.clientAppsRequired'
  | 'admin.conditionalAccess.editor.errors.platformsRequired'
  | 'admin.conditionalAccess.editor.errors.locationsRequired'
  | 'admin.conditionalAccess.editor.errors.tooManyLocations'
  | 'admin.conditionalAccess.editor.errors.deviceStatesRequired'
  | 'admin.conditionalAccess.editor.errors.controlsRequired'
  | 'admin.conditionalAccess.editor.errors.frequencyInvalid'
  | 'admin.conditionalAccess.editor.errors.server';

export type CaFormErrors = Partial<Record<CaFormField, Key>>;

/** The contract's limits. */
export const CA_LIMITS = { name: 100, ids: 100, locations: 50, hours: { min: 1, max: 720 } } as const;

/** The order controls and apps are shown and sent in. */
export const GRANT_CONTROLS: readonly CaGrantControl[] = ['mfa', 'compliantDevice', 'enrolledDevice'];
export const CLIENT_APPS: readonly CaClientApp[] = ['browser', 'agent'];
export const DEVICE_STATES: readonly CaDeviceState[] = ['compliant', 'noncompliant', 'unenrolled', 'unknown'];

/** An empty policy (Report-only, all users, all apps, MFA required), or the form of a stored one. */
export function caPolicyValues(policy?: CaPolicy | CaPolicyInput): CaPolicyFormValues {
  if (!policy) {
    return {
      name: '',
      state: 'reportOnly',
      users: {
        include: 'all',
        userIds: [],
        groupIds: [],
        roleIds: [],
        exclude: { userIds: [], groupIds: [], roleIds: [] },
      },
      apps: { all: true, selected: [] },
      clientApps: { on: false, selected: [] },
      platforms: { on: false, include: 'all', selected: [], exclude: [] },
      locations: { on: false, include: 'any', selected: [], exclude: [] },
      deviceStates: { on: false, selected: [] },
      grant: { kind: 'grant', operator: 'all', controls: ['mfa'] },
      signInFrequency: { on: false, hours: '' },
    };
  }
  const { users, conditions: c, grant, session } = policy;
  const include = users.include;
  return {
    name: policy.name,
    state: policy.state,
    users: {
      include: include.kind,
      userIds: include.kind === 'selected' ? [...include.userIds] : [],
      groupIds: include.kind === 'selected' ? [...include.groupIds] : [],
      roleIds: include.kind === 'selected' ? [...include.roleIds] : [],
      exclude: {
        userIds: [...users.exclude.userIds],
        groupIds: [...users.exclude.groupIds],
        roleIds: [...users.exclude.roleIds],
      },
    },
    apps: policy.apps === 'all' ? { all: true, selected: [] } : { all: false, selected: [...policy.apps] },
    clientApps: c.clientApps ? { on: true, selected: [...c.clientApps] } : { on: false, selected: [] },
    platforms: c.platforms
      ? {
          on: true,
          include: c.platforms.include === 'all' ? 'all' : 'selected',
          selected: c.platforms.include === 'all' ? [] : [...c.platforms.include],
          exclude: [...c.platforms.exclude],
        }
      : { on: false, include: 'all', selected: [], exclude: [] },
    locations: c.locations
      ? {
          on: true,
          include: c.locations.include === 'any' ? 'any' : 'selected',
          selected: c.locations.include === 'any' ? [] : [...c.locations.include],
          exclude: [...c.locations.exclude],
        }
      : { on: false, include: 'any', selected: [], exclude: [] },
    deviceStates: c.deviceStates ? { on: true, selected: [...c.deviceStates] } : { on: false, selected: [] },
    grant:
      grant.kind === 'block'
        ? { kind: 'block', operator: 'all', controls: [] }
        : { kind: 'grant', operator: grant.operator, controls: [...grant.controls] },
    signInFrequency:
      session.signInFrequencyHours === null
        ? { on: false, hours: '' }
        : { on: true, hours: String(session.signInFrequencyHours) },
  };
}

const hoursOf = (text: string): number | null => {
  const trimmed = text.trim();
  const n = /^\d{1,4}$/.test(trimmed) ? Number(trimmed) : NaN;
  return n >= CA_LIMITS.hours.min && n <= CA_LIMITS.hours.max ? n : null;
};

/** What the server would refuse, as translation keys by part of the form. */
export function validateCaPolicy(v: CaPolicyFormValues): CaFormErrors {
  const errors: CaFormErrors = {};
  const name = v.name.trim();
  if (!name) errors.name = 'admin.conditionalAccess.editor.errors.nameRequired';
  else if (name.length > CA_LIMITS.name) errors.name = 'admin.conditionalAccess.editor.errors.nameTooLong';

  const u = v.users;
  if (u.include === 'selected') {
    if (u.userIds.length + u.groupIds.length + u.roleIds.length === 0)
      errors.users = 'admin.conditionalAccess.editor.errors.usersRequired';
    else if ([u.userIds, u.groupIds, u.roleIds].some((ids) => ids.length > CA_LIMITS.ids))
      errors.users = 'admin.conditionalAccess.editor.errors.tooManyIds';
  }
  if ([u.exclude.userIds, u.exclude.groupIds, u.exclude.roleIds].some((ids) => ids.length > CA_LIMITS.ids))
    errors.exclude = 'admin.conditionalAccess.editor.errors.tooManyIds';

  if (!v.apps.all && v.apps.selected.length === 0) errors.apps = 'admin.conditionalAccess.editor.errors.appsRequired';
  if (v.clientApps.on && v.clientApps.selected.length === 0)
    errors.clientApps = 'admin.conditionalAccess.editor.errors.clientAppsRequired';
  if (v.platforms.on && v.platforms.include === 'selected' && v.platforms.selected.length === 0)
    errors.platforms = 'admin.conditionalAccess.editor.errors.platformsRequired';
  if (v.locations.on) {
    if (v.locations.include === 'selected' && v.locations.selected.length === 0)
      errors.locations = 'admin.conditionalAccess.editor.errors.locationsRequired';
    else if (v.locations.selected.length > CA_LIMITS.locations || v.locations.exclude.length > CA_LIMITS.locations)
      errors.locations = 'admin.conditionalAccess.editor.errors.tooManyLocations';
  }
  if (v.deviceStates.on && v.deviceStates.selected.length === 0)
    errors.deviceStates = 'admin.conditionalAccess.editor.errors.deviceStatesRequired';
  if (v.grant.kind === 'grant' && v.grant.controls.length === 0)
    errors.grant = 'admin.conditionalAccess.editor.errors.controlsRequired';
  if (v.signInFrequency.on && hoursOf(v.signInFrequency.hours) === null)
    errors.signInFrequency = 'admin.conditionalAccess.editor.errors.frequencyInvalid';
  return errors;
}

/** `items` in the order of `order` (what the page shows), without repeats. */
function ordered<T>(items: readonly T[], order: readonly T[]): T[] {
  return order.filter((item) => items.includes(item));
}

/** The policy to send; call only when {@link validateCaPolicy} found nothing. */
export function toCaPolicyInput(v: CaPolicyFormValues): CaPolicyInput {
  const u = v.users;
  const hours = v.signInFrequency.on ? hoursOf(v.signInFrequency.hours) : null;
  return {
    name: v.name.trim(),
    state: v.state,
    users: {
      include:
        u.include === 'all'
          ? { kind: 'all' }
          : { kind: 'selected', userIds: [...u.userIds], groupIds: [...u.groupIds], roleIds: [...u.roleIds] },
      exclude: { userIds: [...u.exclude.userIds], groupIds: [...u.exclude.groupIds], roleIds: [...u.exclude.roleIds] },
    },
    apps: v.apps.all ? 'all' : ordered(v.apps.selected, CA_APPS),
    conditions: {
      clientApps: v.clientApps.on ? ordered(v.clientApps.selected, CLIENT_APPS) : null,
      platforms: v.platforms.on
        ? {
            include: v.platforms.include === 'all' ? 'all' : ordered(v.platforms.selected, CA_PLATFORMS),
            exclude: ordered(v.platforms.exclude, CA_PLATFORMS),
          }
        : null,
      locations: v.locations.on
        ? {
            include: v.locations.include === 'any' ? 'any' : [...v.locations.selected],
            exclude: [...v.locations.exclude],
          }
        : null,
      deviceStates: v.deviceStates.on ? ordered(v.deviceStates.selected, DEVICE_STATES) : null,
    },
    grant:
      v.grant.kind === 'block'
        ? { kind: 'block' }
        : { kind: 'grant', operator: v.grant.operator, controls: ordered(v.grant.controls, GRANT_CONTROLS) },
    session: { signInFrequencyHours: hours },
  };
}

/**
 * True when the policy, once On, would block everyone from the admin center with no one
 * excluded: the administrator saving it would lock themselves out (Entra warns the same).
 */
export function locksEveryoneOut(v: CaPolicyFormValues): boolean {
  const u = v.users;
  const excluded = u.exclude.userIds.length + u.exclude.groupIds.length + u.exclude.roleIds.length > 0;
  const admin = v.apps.all || v.apps.selected.includes('admin');
  const unconditional = !v.clientApps.on && !v.platforms.on && !v.locations.on && !v.deviceStates.on;
  return v.state === 'on' && v.grant.kind === 'block' && u.include === 'all' && !excluded && admin && unconditional;
}

/** The part of the form a server issue's path (`users.include.userIds.0`, `conditions.locations…`) names. */
export function fieldOfPath(path: string): CaFormField | null {
  const [head, second] = path.split('.');
  switch (head) {
    case 'name':
    case 'apps':
    case 'grant':
      return head;
    case 'users':
      return second === 'exclude' ? 'exclude' : 'users';
    case 'conditions':
      return second === 'clientApps' || second === 'platforms' || second === 'locations' || second === 'deviceStates'
        ? second
        : null;
    case 'session':
      return 'signInFrequency';
    default:
      return null;
  }
}

/** A server refusal in words: a translation key, or the server's own (English) sentence. */
export type ServerDetail =
  | {
      field: CaFormField | null;
      key: 'admin.conditionalAccess.editor.errors.lockout' | 'admin.conditionalAccess.editor.errors.missing';
    }
  | { field: CaFormField | null; message: string };

/** The part of the form a missing reference (`user …`, `user group …`, `role …`, `named location …`) belongs to. */
const fieldOfMissing = (ref: string): CaFormField => (ref.startsWith('named location ') ? 'locations' : 'users');

/**
 * The server's `validation_failed`, placed on the parts of the form it names: zod issues by
 * path; a policy that would lock the administrator out (`data.lockout`: on the exclusions and
 * the state); users, groups, roles or locations that no longer exist (`data.missing`). Other
 * failures have no details (the page shows their translated sentence).
 */
export function serverIssues(error: unknown): { fields: CaFormErrors; details: ServerDetail[] } {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return { fields: {}, details: [] };
  const fields: CaFormErrors = {};
  const details: ServerDetail[] = [];
  const data = error.data ?? {};
  if (data['lockout'] === true) {
    fields.exclude = 'admin.conditionalAccess.editor.errors.server';
    details.push({ field: 'exclude', key: 'admin.conditionalAccess.editor.errors.lockout' });
  }
  const missing = Array.isArray(data['missing'])
    ? data['missing'].filter((m): m is string => typeof m === 'string')
    : [];
  if (missing.length > 0) {
    for (const ref of missing) fields[fieldOfMissing(ref)] = 'admin.conditionalAccess.editor.errors.server';
    details.push({ field: fieldOfMissing(missing[0] ?? ''), key: 'admin.conditionalAccess.editor.errors.missing' });
  }
  const raw = data['issues'];
  const issues = Array.isArray(raw)
    ? raw.flatMap((i: unknown) => {
        if (typeof i !== 'object' || i === null) return [];
        const { path, message } = i as { path?: unknown; message?: unknown };
        return typeof path === 'string' && typeof message === 'string' ? [{ path, message }] : [];
      })
    : [];
  for (const issue of issues) {
    const field = fieldOfPath(issue.path);
    if (field) fields[field] = 'admin.conditionalAccess.editor.errors.server';
    details.push({ field, message: issue.message });
  }
  // Nothing to place: the server's sentence says what it refused.
  if (details.length === 0 && error.message) details.push({ field: null, message: error.message });
  return { fields, details };
}
