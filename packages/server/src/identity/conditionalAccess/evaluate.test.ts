import type { CaContext, CaPolicy, CaPolicyInput, NamedLocation } from '@remote-help/protocol';
import { CaPolicyInput as CaPolicyInputSchema, ipInRange, parseCidr } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { evaluateConditionalAccess, type CaSubject } from './evaluate.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;

let next = 0;
/** A policy from the parts a test cares about; the rest as an administrator leaves them. */
function policy(
  parts: Partial<Omit<CaPolicyInput, 'conditions'>> & { conditions?: Partial<CaPolicyInput['conditions']> },
): CaPolicy {
  const input = CaPolicyInputSchema.parse({
    name: `policy ${++next}`,
    state: 'on',
    users: { include: { kind: 'all' }, exclude: {} },
    apps: 'all',
    grant: { kind: 'grant', operator: 'all', controls: ['mfa'] },
    ...parts,
    conditions: { ...parts.conditions },
  });
  return { ...input, id: `p${next}`, createdAt: '', updatedAt: '' };
}

const office: NamedLocation = {
  id: 'loc-office',
  name: 'Head office',
  ranges: ['203.0.113.0/24', '2001:db8:1::/48'],
  trusted: true,
  createdAt: '',
  updatedAt: '',
};
const lab: NamedLocation = { ...office, id: 'loc-lab', name: 'Lab', ranges: ['198.51.100.7/32'], trusted: false };

/** People: a helper (group helpers, role helpdesk), an administrator, a sharer with no groups. */
const HELPER: CaSubject = { userId: 'u-helper', groupIds: new Set(['g-helpers']), roleIds: new Set(['r-helpdesk']) };
const ADMIN: CaSubject = { userId: 'u-admin', groupIds: new Set(['g-admins']), roleIds: new Set(['r-admin']) };
const SHARER: CaSubject = { userId: 'u-sharer', groupIds: new Set(), roleIds: new Set() };

const context = (parts: Partial<CaContext> = {}): CaContext => ({
  app: 'helper',
  clientApp: 'browser',
  platform: 'windows',
  ip: '192.0.2.10',
  deviceState: 'unknown',
  amr: ['pwd'],
  ...parts,
});

function decide(policies: CaPolicy[], subject: CaSubject, ctx: CaContext, authTime: number | null = NOW - HOUR) {
  return evaluateConditionalAccess({ policies, locations: [office, lab], subject, context: ctx, authTime, now: NOW });
}

describe('conditional access evaluation', () => {
  const mfaForHelpers = policy({
    name: 'MFA for helpers',
    users: {
      include: { kind: 'selected', userIds: [], groupIds: ['g-helpers'], roleIds: [] },
      exclude: { userIds: [], groupIds: [], roleIds: [] },
    },
    apps: ['helper'],
  });
  const blockOutsideOffice = policy({
    name: 'Admin center only from the office',
    users: {
      include: { kind: 'selected', userIds: [], groupIds: [], roleIds: ['r-admin'] },
      exclude: { userIds: [], groupIds: [], roleIds: [] },
    },
    apps: ['admin'],
    conditions: { locations: { include: 'any', exclude: ['trusted'] } },
    grant: { kind: 'block' },
  });
  const compliantAgents = policy({
    name: 'Agents on compliant devices',
    apps: ['agent'],
    conditions: { clientApps: ['agent'] },
    grant: { kind: 'grant', operator: 'all', controls: ['compliantDevice'] },
    users: { include: { kind: 'all' }, exclude: { userIds: ['u-admin'], groupIds: [], roleIds: [] } },
  });
  const reportOnlyMacMfa = policy({
    name: 'Report-only: MFA on macOS',
    state: 'reportOnly',
    conditions: { platforms: { include: ['macos'], exclude: [] } },
  });
  const off = policy({ name: 'Off: block everyone', state: 'off', grant: { kind: 'block' } });
  const all = [mfaForHelpers, blockOutsideOffice, compliantAgents, reportOnlyMacMfa, off];

  // Table: who × app × client × place × device × methods → decision and unmet requirements.
  const cases: [string, CaSubject, Partial<CaContext>, 'allowed' | 'blocked', string[]][] = [
    ['helper without MFA in the helper app', HELPER, {}, 'blocked', ['mfa']],
    ['helper with MFA in the helper app', HELPER, { amr: ['pwd', 'otp', 'mfa'] }, 'allowed', []],
    ['helper without MFA in the sharer app (not targeted)', HELPER, { app: 'sharer' }, 'allowed', []],
    ['sharer (not in the group) in the helper app', SHARER, {}, 'allowed', []],
    ['administrator in the admin center from outside', ADMIN, { app: 'admin' }, 'blocked', ['block']],
    [
      'administrator in the admin center from the office (IPv4)',
      ADMIN,
      { app: 'admin', ip: '203.0.113.44' },
      'allowed',
      [],
    ],
    [
      'administrator in the admin center from the office (IPv6)',
      ADMIN,
      { app: 'admin', ip: '2001:db8:1::5' },
      'allowed',
      [],
    ],
    [
      'administrator in the admin center from an unknown address',
      ADMIN,
      { app: 'admin', ip: null },
      'blocked',
      ['block'],
    ],
    ['administrator from the lab (not trusted)', ADMIN, { app: 'admin', ip: '198.51.100.7' }, 'blocked', ['block']],
    ['helper in the admin center from outside (no admin role)', HELPER, { app: 'admin' }, 'allowed', []],
    [
      'sharer in the agent on a compliant device',
      SHARER,
      { app: 'agent', clientApp: 'agent', deviceState: 'compliant' },
      'allowed',
      [],
    ],
    [
      'sharer in the agent on a noncompliant device',
      SHARER,
      { app: 'agent', clientApp: 'agent', deviceState: 'noncompliant' },
      'blocked',
      ['compliantDevice'],
    ],
    [
      'sharer in the agent on an unenrolled device',
      SHARER,
      { app: 'agent', clientApp: 'agent', deviceState: 'unenrolled' },
      'blocked',
      ['compliantDevice'],
    ],
    [
      'administrator (excluded) in the agent on an unenrolled device',
      ADMIN,
      { app: 'agent', clientApp: 'agent', deviceState: 'unenrolled' },
      'allowed',
      [],
    ],
    [
      'helper on macOS without MFA: report-only failure is not enforced',
      HELPER,
      { app: 'sharer', platform: 'macos' },
      'allowed',
      [],
    ],
  ];
  it.each(cases)('%s', (_name, subject, ctx, decision, unmet) => {
    const result = decide(all, subject, context(ctx));
    expect(result.decision).toBe(decision);
    expect(result.unmet).toEqual(unmet);
    // Off policies are never evaluated; every other one is listed.
    expect(result.policies.map((p) => p.name)).toEqual(all.filter((p) => p.state !== 'off').map((p) => p.name));
  });

  it('logs a report-only policy that would have failed, without enforcing it', () => {
    const result = decide(all, HELPER, context({ app: 'sharer', platform: 'macos' }));
    expect(result.policies.find((p) => p.name === 'Report-only: MFA on macOS')).toMatchObject({
      state: 'reportOnly',
      result: 'failure',
      unmet: ['mfa'],
    });
    expect(result.decision).toBe('allowed');
  });

  it('says why a policy did not apply', () => {
    const result = decide(all, SHARER, context());
    expect(result.policies.find((p) => p.name === 'MFA for helpers')?.notAppliedBecause).toBe(
      'The user is not included.',
    );
    expect(result.policies.find((p) => p.name === 'Agents on compliant devices')?.notAppliedBecause).toBe(
      'The app (the helper app) is not targeted.',
    );
  });

  it('combines grant controls with all or one of, and blocks over any grant', () => {
    const both = policy({ grant: { kind: 'grant', operator: 'all', controls: ['mfa', 'enrolledDevice'] } });
    const either = policy({ grant: { kind: 'grant', operator: 'one', controls: ['mfa', 'enrolledDevice'] } });
    const mfaOnly = context({ amr: ['pwd', 'mfa'] });
    expect(decide([both], SHARER, mfaOnly).unmet).toEqual(['enrolledDevice']);
    expect(decide([either], SHARER, mfaOnly).decision).toBe('allowed');
    expect(decide([either], SHARER, context({ deviceState: 'noncompliant' })).decision).toBe('allowed');
    expect(decide([either], SHARER, context()).unmet).toEqual(['enrolledDevice', 'mfa']);
    expect(decide([either, policy({ grant: { kind: 'block' } })], SHARER, mfaOnly).unmet).toEqual(['block']);
  });

  it('asks for a new sign-in when the last one is older than the sign-in frequency', () => {
    const frequent = policy({
      grant: { kind: 'grant', operator: 'one', controls: ['mfa'] },
      session: { signInFrequencyHours: 4 },
    });
    const withMfa = context({ amr: ['pwd', 'mfa'] });
    expect(decide([frequent], SHARER, withMfa, NOW - 3 * HOUR).decision).toBe('allowed');
    expect(decide([frequent], SHARER, withMfa, NOW - 5 * HOUR).unmet).toEqual(['signInFrequency']);
    expect(decide([frequent], SHARER, withMfa, null).unmet).toEqual(['signInFrequency']);
  });

  it('matches platforms with exclusions and client apps', () => {
    const notMac = policy({
      conditions: { platforms: { include: 'all', exclude: ['macos'] } },
      grant: { kind: 'block' },
    });
    expect(decide([notMac], SHARER, context({ platform: 'macos' })).decision).toBe('allowed');
    expect(decide([notMac], SHARER, context({ platform: 'linux' })).decision).toBe('blocked');
    const browsers = policy({ conditions: { clientApps: ['browser'] }, grant: { kind: 'block' } });
    expect(decide([browsers], SHARER, context({ clientApp: 'agent', app: 'agent' })).decision).toBe('allowed');
  });

  it('reads CIDR ranges of both families and refuses malformed ones', () => {
    expect(ipInRange('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipInRange('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(ipInRange('::ffff:10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipInRange('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(ipInRange('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(ipInRange('10.1.2.3', '2001:db8::/32')).toBe(false);
    expect(ipInRange('0.0.0.0', '0.0.0.0/0')).toBe(true);
    for (const bad of [
      '10.0.0.0',
      '10.0.0.0/33',
      '300.0.0.0/8',
      '10.0.0/8',
      '2001:db8::/129',
      ':::/8',
      'x/1',
      '1.2.3.4/8/1',
    ]) {
      expect(parseCidr(bad), bad).toBeNull();
    }
    expect(CaPolicyInputSchema.safeParse({}).success).toBe(false);
  });
});
