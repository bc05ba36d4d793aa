import type { CaPolicy, CaPolicyInput } from '@remote-help/protocol';
import { ApiError, CaPolicyInput as CaPolicyInputSchema } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import type { CaPolicyFormValues } from './caPolicyForm';
import { caPolicyValues, locksEveryoneOut, serverIssues, toCaPolicyInput, validateCaPolicy } from './caPolicyForm';
import { namedLocationValues, toNamedLocationInput, validateNamedLocation } from './namedLocationForm';

/** A policy that sets every part of the form. */
const everything: CaPolicyInput = {
  name: 'Admins: MFA and a compliant device, off-site',
  state: 'on',
  users: {
    include: { kind: 'selected', userIds: ['u1', 'u2'], groupIds: ['g1'], roleIds: ['r1'] },
    exclude: { userIds: ['u3'], groupIds: ['g2'], roleIds: ['r2'] },
  },
  apps: ['helper', 'admin'],
  conditions: {
    clientApps: ['browser'],
    platforms: { include: ['macos', 'windows'], exclude: ['ios'] },
    locations: { include: ['loc1', 'trusted'], exclude: ['loc2'] },
    deviceStates: ['noncompliant', 'unenrolled'],
  },
  grant: { kind: 'grant', operator: 'one', controls: ['mfa', 'compliantDevice'] },
  session: { signInFrequencyHours: 12 },
};

/** A policy with nothing configured beyond what is required. */
const minimal: CaPolicyInput = {
  name: 'Block the agent',
  state: 'reportOnly',
  users: { include: { kind: 'all' }, exclude: { userIds: [], groupIds: [], roleIds: [] } },
  apps: 'all',
  conditions: { clientApps: null, platforms: null, locations: null, deviceStates: null },
  grant: { kind: 'block' },
  session: { signInFrequencyHours: null },
};

const stored = (input: CaPolicyInput): CaPolicy => ({ ...input, id: 'p1', createdAt: '', updatedAt: '' });

const edit = (patch: (v: CaPolicyFormValues) => void, base: CaPolicyInput = everything): CaPolicyFormValues => {
  const v = caPolicyValues(stored(base));
  patch(v);
  return v;
};

describe('conditional access policy form', () => {
  it.each([
    ['every part set', everything],
    ['nothing configured', minimal],
  ])('round-trips a policy with %s exactly, and the server would take it', (_, input) => {
    const v = caPolicyValues(stored(input));
    expect(validateCaPolicy(v)).toEqual({});
    const out = toCaPolicyInput(v);
    expect(out).toEqual(input);
    expect(CaPolicyInputSchema.parse(out)).toEqual(input);
  });

  it('a configured condition that matches anything stays configured', () => {
    const input: CaPolicyInput = {
      ...minimal,
      conditions: {
        clientApps: null,
        platforms: { include: 'all', exclude: ['linux'] },
        locations: { include: 'any', exclude: ['trusted'] },
        deviceStates: null,
      },
    };
    expect(toCaPolicyInput(caPolicyValues(stored(input)))).toEqual(input);
  });

  it('a new policy starts in Report-only for all users and all apps, requiring MFA, and needs only a name', () => {
    const v = caPolicyValues();
    expect(v.state).toBe('reportOnly');
    expect(validateCaPolicy(v)).toEqual({ name: 'admin.conditionalAccess.editor.errors.nameRequired' });
    expect(toCaPolicyInput({ ...v, name: '  Require MFA  ' })).toEqual({
      ...minimal,
      name: 'Require MFA',
      grant: { kind: 'grant', operator: 'all', controls: ['mfa'] },
    });
  });

  it('sends choices in the order the page shows them, whatever order they were clicked in', () => {
    const v = edit((f) => {
      f.apps.selected = ['admin', 'agent', 'helper'];
      f.platforms.selected = ['linux', 'macos'];
      f.grant.controls = ['enrolledDevice', 'mfa'];
      f.deviceStates.selected = ['unknown', 'compliant'];
      f.clientApps.selected = ['agent', 'browser'];
    });
    const out = toCaPolicyInput(v);
    expect(out.apps).toEqual(['helper', 'agent', 'admin']);
    expect(out.conditions.platforms?.include).toEqual(['macos', 'linux']);
    expect(out.grant).toEqual({ kind: 'grant', operator: 'one', controls: ['mfa', 'enrolledDevice'] });
    expect(out.conditions.deviceStates).toEqual(['compliant', 'unknown']);
    expect(out.conditions.clientApps).toEqual(['browser', 'agent']);
  });

  it('choices hidden by a later choice are not sent (selected users after "All users", controls after Block)', () => {
    const out = toCaPolicyInput(
      edit((f) => {
        f.users.include = 'all';
        f.apps.all = true;
        f.grant.kind = 'block';
        f.locations.on = false;
        f.signInFrequency.on = false;
      }),
    );
    expect(out.users.include).toEqual({ kind: 'all' });
    expect(out.users.exclude).toEqual(everything.users.exclude);
    expect(out.apps).toBe('all');
    expect(out.grant).toEqual({ kind: 'block' });
    expect(out.conditions.locations).toBeNull();
    expect(out.session.signInFrequencyHours).toBeNull();
  });

  it.each<[string, (f: CaPolicyFormValues) => void, Record<string, string>]>([
    ['no name', (f) => (f.name = '   '), { name: 'admin.conditionalAccess.editor.errors.nameRequired' }],
    ['a long name', (f) => (f.name = 'x'.repeat(101)), { name: 'admin.conditionalAccess.editor.errors.nameTooLong' }],
    [
      'selected users with none chosen',
      (f) => Object.assign(f.users, { userIds: [], groupIds: [], roleIds: [] }),
      { users: 'admin.conditionalAccess.editor.errors.usersRequired' },
    ],
    [
      '101 users',
      (f) => (f.users.userIds = Array.from({ length: 101 }, (_, i) => `u${i}`)),
      { users: 'admin.conditionalAccess.editor.errors.tooManyIds' },
    ],
    [
      '101 excluded groups',
      (f) => (f.users.exclude.groupIds = Array.from({ length: 101 }, (_, i) => `g${i}`)),
      { exclude: 'admin.conditionalAccess.editor.errors.tooManyIds' },
    ],
    ['no app', (f) => (f.apps.selected = []), { apps: 'admin.conditionalAccess.editor.errors.appsRequired' }],
    [
      'client apps configured with none',
      (f) => (f.clientApps.selected = []),
      { clientApps: 'admin.conditionalAccess.editor.errors.clientAppsRequired' },
    ],
    [
      'selected platforms with none',
      (f) => (f.platforms.selected = []),
      { platforms: 'admin.conditionalAccess.editor.errors.platformsRequired' },
    ],
    [
      'selected locations with none',
      (f) => (f.locations.selected = []),
      { locations: 'admin.conditionalAccess.editor.errors.locationsRequired' },
    ],
    [
      '51 excluded locations',
      (f) => (f.locations.exclude = Array.from({ length: 51 }, (_, i) => `l${i}`)),
      { locations: 'admin.conditionalAccess.editor.errors.tooManyLocations' },
    ],
    [
      'device states configured with none',
      (f) => (f.deviceStates.selected = []),
      { deviceStates: 'admin.conditionalAccess.editor.errors.deviceStatesRequired' },
    ],
    [
      'Grant access with no control',
      (f) => (f.grant.controls = []),
      { grant: 'admin.conditionalAccess.editor.errors.controlsRequired' },
    ],
  ])('%s is refused on its field, and the server would refuse it too', (_, patch, expected) => {
    const v = edit(patch);
    expect(validateCaPolicy(v)).toEqual(expected);
    // The contract agrees (its minimums and maximums), so the form never sends what fails. The one
    // rule of the form's own: "Select users, groups, roles" with none selected (a policy for no one).
    if (!('name' in expected) && !('users' in expected && expected['users'].endsWith('usersRequired')))
      expect(CaPolicyInputSchema.safeParse(toCaPolicyInput(v)).success).toBe(false);
  });

  it.each(['0', '721', '1.5', '', 'twelve', '-3'])('a sign-in frequency of %j hours is refused', (hours) => {
    expect(validateCaPolicy(edit((f) => (f.signInFrequency.hours = hours)))).toEqual({
      signInFrequency: 'admin.conditionalAccess.editor.errors.frequencyInvalid',
    });
  });

  it.each(['1', '720', ' 24 '])('a sign-in frequency of %j hours is taken', (hours) => {
    const v = edit((f) => (f.signInFrequency.hours = hours));
    expect(validateCaPolicy(v)).toEqual({});
    expect(toCaPolicyInput(v).session.signInFrequencyHours).toBe(Number(hours));
  });

  it('an unconfigured condition is not checked, whatever it held', () => {
    const v = edit((f) => {
      f.clientApps = { on: false, selected: [] };
      f.deviceStates = { on: false, selected: [] };
      f.signInFrequency = { on: false, hours: 'nonsense' };
    });
    expect(validateCaPolicy(v)).toEqual({});
  });

  it('warns when an On policy would block everyone from the admin center', () => {
    const lockout = { ...caPolicyValues(stored(minimal)), state: 'on' as const };
    expect(locksEveryoneOut(lockout)).toBe(true);
    expect(locksEveryoneOut({ ...lockout, state: 'reportOnly' })).toBe(false);
    expect(locksEveryoneOut({ ...lockout, apps: { all: false, selected: ['helper'] } })).toBe(false);
    expect(
      locksEveryoneOut({
        ...lockout,
        users: { ...lockout.users, exclude: { userIds: ['me'], groupIds: [], roleIds: [] } },
      }),
    ).toBe(false);
    expect(
      locksEveryoneOut({ ...lockout, locations: { on: true, include: 'any', selected: [], exclude: ['trusted'] } }),
    ).toBe(false);
  });

  it("places the server's validation_failed issues on their fields and keeps its words", () => {
    const error = new ApiError('validation_failed', 'Invalid body', {
      status: 400,
      data: {
        issues: [
          { path: 'users.include.groupIds.0', message: 'no such group' },
          { path: 'users.exclude.roleIds.1', message: 'no such role' },
          { path: 'conditions.locations.include.0', message: 'no such named location' },
          { path: 'session.signInFrequencyHours', message: 'too big' },
          { path: '(root)', message: 'something else' },
        ],
      },
    });
    const { fields, details } = serverIssues(error);
    expect(fields).toEqual({
      users: 'admin.conditionalAccess.editor.errors.server',
      exclude: 'admin.conditionalAccess.editor.errors.server',
      locations: 'admin.conditionalAccess.editor.errors.server',
      signInFrequency: 'admin.conditionalAccess.editor.errors.server',
    });
    expect(details.map((d) => d.field)).toEqual(['users', 'exclude', 'locations', 'signInFrequency', null]);
    // A policy that would lock the administrator out, and references that no longer exist (the server's data).
    const lockout = serverIssues(
      new ApiError('validation_failed', 'would lock you out', {
        status: 400,
        data: { lockout: true, unmet: ['block'] },
      }),
    );
    expect(lockout).toEqual({
      fields: { exclude: 'admin.conditionalAccess.editor.errors.server' },
      details: [{ field: 'exclude', key: 'admin.conditionalAccess.editor.errors.lockout' }],
    });
    const missing = serverIssues(
      new ApiError('validation_failed', 'names what this organization does not have', {
        status: 400,
        data: { missing: ['user u9', 'named location l9'] },
      }),
    );
    expect(missing.fields).toEqual({
      users: 'admin.conditionalAccess.editor.errors.server',
      locations: 'admin.conditionalAccess.editor.errors.server',
    });
    expect(missing.details).toEqual([{ field: 'users', key: 'admin.conditionalAccess.editor.errors.missing' }]);
    // Without anything to place, the server's sentence is the detail; other errors have none.
    expect(serverIssues(new ApiError('validation_failed', 'Unknown group g9', { status: 400 })).details).toEqual([
      { field: null, message: 'Unknown group g9' },
    ]);
    expect(serverIssues(new ApiError('forbidden', 'no', { status: 403 }))).toEqual({ fields: {}, details: [] });
  });
});

describe('named location form', () => {
  const office = {
    id: 'l1',
    name: 'Head office',
    ranges: ['203.0.113.0/24', '2001:db8::/32'],
    trusted: true,
    createdAt: '',
    updatedAt: '',
  };

  it('round-trips a stored location, one range a line', () => {
    const v = namedLocationValues(office);
    expect(v.ranges).toBe('203.0.113.0/24\n2001:db8::/32');
    expect(validateNamedLocation(v)).toEqual({});
    expect(toNamedLocationInput(v)).toEqual({ name: office.name, ranges: office.ranges, trusted: true });
  });

  it('ignores blank lines and spaces around a range', () => {
    const v = { name: ' VPN ', ranges: '\n  198.51.100.0/24 \r\n\n10.0.0.0/8\n', trusted: false };
    expect(validateNamedLocation(v)).toEqual({});
    expect(toNamedLocationInput(v)).toEqual({ name: 'VPN', ranges: ['198.51.100.0/24', '10.0.0.0/8'], trusted: false });
  });

  it('names the lines that are not ranges, and the first bad value', () => {
    const v = { name: 'Office', ranges: '203.0.113.0/24\n203.0.113.7\n\n10.0.0.0/33\n2001:db8::/32', trusted: false };
    expect(validateNamedLocation(v)).toEqual({
      ranges: { key: 'admin.conditionalAccess.locations.errors.rangeInvalid', lines: '2, 4', first: '203.0.113.7' },
    });
  });

  it('needs a name and at least one range, at most 200', () => {
    expect(validateNamedLocation(namedLocationValues())).toEqual({
      name: 'admin.conditionalAccess.locations.errors.nameRequired',
      ranges: { key: 'admin.conditionalAccess.locations.errors.rangesRequired' },
    });
    const many = Array.from({ length: 201 }, (_, i) => `10.0.${i % 256}.0/24`).join('\n');
    expect(validateNamedLocation({ name: 'x'.repeat(101), ranges: many, trusted: false })).toEqual({
      name: 'admin.conditionalAccess.locations.errors.nameTooLong',
      ranges: { key: 'admin.conditionalAccess.locations.errors.rangesTooMany' },
    });
  });
});
