/**
 * Integration (issue 9, item 4): conditional access against the real server.
 *
 * - Enforced where it matters, not only at sign-in: a policy asking helpers for MFA refuses
 *   creating a session (`mfa_required`) and the refusal is in the sign-in log with the policy's
 *   result; a block on the sharer app refuses redeeming a code before the code is looked up (the
 *   helper's session still waits); the agent on an unenrolled device is refused a policy's
 *   compliant device and let in by "enrolled device" from its enrolled one.
 * - Report-only is logged as a failure and never enforced; Off is not evaluated.
 * - The admin center's calls pass conditional access too; an administrator cannot switch on a
 *   policy that shuts themselves out.
 * - What if explains; another organization's policies, locations and log are its own.
 */
import type { CaPolicyInput, SignInLogEntry, WhatIfResponse } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSignIn } from '../../test/agentSignIn.js';
import type { TestServer } from '../../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../../test/harness.js';
import { enrollDevice, type TestDevice } from '../../test/testDevice.js';
import { base32Decode, hotp } from '../mfa/totp.js';
import { makeAdministrator } from '../../test/administrator.js';

let t: TestServer;
let admin: Client;
let helper: Client;
let sharer: Client;
let fabrikamAdmin: Client;
let helperId = '';
let agentToken = '';

const signedIn = async (email: string, password?: string) => {
  const c = new Client(t.url);
  await c.signIn(email, password);
  return c;
};

beforeAll(async () => {
  t = await startTestServer();
  await makeFabrikamAdmin('sharer@fabrikam.example');
  [admin, helper, sharer, fabrikamAdmin] = await Promise.all([
    signedIn('admin@contoso.example'),
    signedIn('helper@contoso.example'),
    signedIn('sharer@contoso.example'),
    signedIn('sharer@fabrikam.example'),
  ]);
  helperId = ((await helper.json('/api/v1/me')).body.user as { id: string }).id;
  agentToken = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
}, 60_000);
afterAll(async () => t?.stop());

const NOBODY = { userIds: [], groupIds: [], roleIds: [] };
const policy = (parts: Partial<CaPolicyInput>): CaPolicyInput => ({
  name: 'Policy',
  state: 'on',
  users: { include: { kind: 'all' }, exclude: NOBODY },
  apps: 'all',
  conditions: { clientApps: null, platforms: null, locations: null, deviceStates: null },
  grant: { kind: 'grant', operator: 'all', controls: ['mfa'] },
  session: { signInFrequencyHours: null },
  ...parts,
});
const create = async (input: CaPolicyInput, by = admin) => {
  const r = await by.post('/api/v1/conditional-access/policies', input);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body.policy as { id: string }).id;
};
const setState = async (id: string, input: CaPolicyInput, state: CaPolicyInput['state']) => {
  const r = await admin.json(`/api/v1/conditional-access/policies/${id}`, 'PUT', { ...input, state });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
const remove = async (id: string) =>
  expect((await admin.json(`/api/v1/conditional-access/policies/${id}`, 'DELETE')).status).toBe(204);
const log = async (by = admin) =>
  (await by.json('/api/v1/reports/sign-ins?pageSize=200')).body.entries as SignInLogEntry[];
const agentRedeem = async (code: string, device?: TestDevice) => {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` };
  if (device) headers['x-device-proof'] = `Device ${await device.proof('POST', '/api/v1/sessions/redeem')}`;
  const r = await fetch(`${t.url}/api/v1/sessions/redeem`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ code, client: 'agent' }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('conditional access', () => {
  it('asks helpers for MFA when they create a session, and logs the refusal with the policy’s result', async () => {
    const input = policy({
      name: 'MFA for help desk',
      users: {
        include: { kind: 'selected', userIds: [], groupIds: [], roleIds: ['helpDeskOperator'] },
        exclude: NOBODY,
      },
      apps: ['helper'],
    });
    const id = await create(input);
    const refused = await helper.post('/api/v1/sessions', {});
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: 'mfa_required',
      data: { unmet: ['mfa'], policies: ['MFA for help desk'] },
    });
    expect(refused.body.message).toMatch(/multi-factor/);
    const [entry] = await log();
    expect(entry).toMatchObject({
      event: 'createSession',
      userId: helperId,
      app: 'helper',
      clientApp: 'browser',
      decision: 'blocked',
      unmet: ['mfa'],
      amr: ['pwd'],
    });
    expect(entry?.policies).toEqual([
      expect.objectContaining({ name: 'MFA for help desk', state: 'on', result: 'failure', unmet: ['mfa'] }),
    ]);
    // Report-only: logged as a failure, never enforced.
    await setState(id, input, 'reportOnly');
    expect((await helper.post('/api/v1/sessions', {})).status).toBe(201);
    expect((await log())[0]).toMatchObject({
      decision: 'allowed',
      policies: [expect.objectContaining({ state: 'reportOnly', result: 'failure' })],
    });
    // Off: not evaluated (and nothing to log).
    await setState(id, input, 'off');
    const before = (await log()).length;
    expect((await helper.post('/api/v1/sessions', {})).status).toBe(201);
    expect((await log()).length).toBe(before);
    await remove(id);
  });

  it('blocks the sharer app at code redemption before the code is looked up; the helper’s session keeps waiting', async () => {
    const offered = await helper.post('/api/v1/sessions', {});
    const code = offered.body.code as string;
    const sessionId = (offered.body.session as { id: string }).id;
    const input = policy({ name: 'No web sharing', apps: ['sharer'], grant: { kind: 'block' } });
    const id = await create(input);
    const refused = await sharer.post('/api/v1/sessions/redeem', { code });
    expect(refused.body).toMatchObject({ error: 'access_blocked', data: { unmet: ['block'] } });
    expect(((await helper.json(`/api/v1/sessions/${sessionId}`)).body.session as { state: string }).state).toBe(
      'waiting',
    );
    expect((await log())[0]).toMatchObject({ event: 'redeemCode', app: 'sharer', decision: 'blocked' });
    await remove(id);
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
  });

  it('tells the agent on an unenrolled device that a compliant one is required, and lets its enrolled one in for "enrolled device"', async () => {
    const device = await enrollDevice(t.url, admin);
    const input = policy({
      name: 'Agents on managed devices',
      apps: ['agent'],
      conditions: { clientApps: ['agent'], platforms: null, locations: null, deviceStates: null },
      grant: { kind: 'grant', operator: 'all', controls: ['compliantDevice'] },
    });
    const id = await create(input);
    const code = async () => (await helper.post('/api/v1/sessions', {})).body.code as string;
    expect((await agentRedeem(await code())).body).toMatchObject({ error: 'compliant_device_required' });
    // Enrolled, but no compliance policy evaluated it: not compliant (never assumed).
    expect((await agentRedeem(await code(), device)).body).toMatchObject({ error: 'compliant_device_required' });
    expect((await log())[0]).toMatchObject({
      app: 'agent',
      clientApp: 'agent',
      deviceState: 'noncompliant',
      deviceId: device.id,
    });
    await admin.json(`/api/v1/conditional-access/policies/${id}`, 'PUT', {
      ...input,
      grant: { kind: 'grant', operator: 'all', controls: ['enrolledDevice'] },
    });
    expect((await agentRedeem(await code())).body).toMatchObject({ error: 'enrolled_device_required' });
    expect((await agentRedeem(await code(), device)).status).toBe(200);
    await remove(id);
  });

  it('evaluates a control upgrade on both sides: the sharer’s Allow of full control from the agent', async () => {
    const device = await enrollDevice(t.url, admin);
    const offered = await helper.post('/api/v1/sessions', {});
    const sessionId = (offered.body.session as { id: string }).id;
    expect((await agentRedeem(offered.body.code as string, device)).status).toBe(200);
    expect((await helper.post(`/api/v1/sessions/${sessionId}/request`, { mode: 'control' })).status).toBe(200);
    const id = await create(policy({ name: 'No control from agents', apps: ['agent'], grant: { kind: 'block' } }));
    const respond = await fetch(`${t.url}/api/v1/sessions/${sessionId}/respond`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
      body: JSON.stringify({ allow: true }),
    });
    expect(((await respond.json()) as { error: string }).error).toBe('access_blocked');
    expect((await log())[0]).toMatchObject({
      event: 'fullControl',
      app: 'agent',
      deviceId: device.id,
      decision: 'blocked',
    });
    expect(((await helper.json(`/api/v1/sessions/${sessionId}`)).body.session as { state: string }).state).toBe(
      'requested',
    );
    await remove(id);
  });

  it('guards the admin center’s calls, and refuses a policy that would lock out the administrator who switches it on', async () => {
    // A second administrator, signed in with a password only.
    const email = `second-admin-${Date.now()}@contoso.example`;
    const user = await admin.post('/api/v1/users', { email, displayName: 'Second Admin', password: DEMO_PASSWORD });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const userId = (user.body.user as { id: string }).id;
    const group = await admin.post('/api/v1/groups', { name: `Admins ${Date.now()}`, kind: 'user' });
    const groupId = (group.body.group as { id: string }).id;
    await admin.json(`/api/v1/groups/${groupId}/members`, 'PUT', { members: [userId] });
    const assignment = await admin.post('/api/v1/assignments', {
      name: `Second admin ${Date.now()}`,
      description: '',
      roleId: 'administrator',
      members: [groupId],
      scope: { all: true, groups: [], excluded: [] },
    });
    expect(assignment.status, JSON.stringify(assignment.body)).toBe(201);
    const second = await signedIn(email);
    expect((await second.json('/api/v1/conditional-access/policies')).status).toBe(200);

    const mfaForAdminCenter = policy({ name: 'MFA for the admin center', apps: ['admin'] });
    const lockout = await admin.post('/api/v1/conditional-access/policies', mfaForAdminCenter);
    expect(lockout.status).toBe(400);
    expect(lockout.body).toMatchObject({ error: 'validation_failed', data: { lockout: true } });
    // Excluding themselves, the first administrator may switch it on; the second one is now asked for MFA.
    const id = await create({
      ...mfaForAdminCenter,
      users: { include: { kind: 'all' }, exclude: { ...NOBODY, userIds: [await myId(admin)] } },
    });
    const refused = await second.json('/api/v1/users');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'mfa_required' });
    expect((await log())[0]).toMatchObject({ event: 'adminAccess', app: 'admin', decision: 'blocked', userId });
    // Their helper-app calls are not the admin center's.
    expect((await second.json('/api/v1/me')).status).toBe(200);
    await remove(id);
    expect((await second.json('/api/v1/users')).status).toBe(200);
  });

  it('at sign-in: a person without MFA sets up an authenticator app there and gets in; a block gets a page that says why', async () => {
    const email = `ca-signin-${Date.now()}@contoso.example`;
    const created = await admin.post('/api/v1/users', { email, displayName: 'Casey Signin', password: DEMO_PASSWORD });
    expect(created.status).toBe(201);
    const userId = (created.body.user as { id: string }).id;
    const only = {
      include: { kind: 'selected' as const, userIds: [userId], groupIds: [], roleIds: [] },
      exclude: NOBODY,
    };
    const mfaId = await create(policy({ name: 'MFA for Casey', users: only, apps: ['helper'] }));
    const casey = new Client(t.url);
    const form = await casey.follow(`/auth/login?returnTo=/help&login_hint=${encodeURIComponent(email)}`);
    const html = await form.text();
    const action = decode(/action="([^"]+)"/.exec(html)![1]!);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const post = (body: Record<string, string>) =>
      casey.raw(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    const setup = await post({ email, password: DEMO_PASSWORD, csrf });
    const setupHtml = await setup.text();
    expect(setup.status).toBe(200);
    expect(setupHtml).toContain('Set up multi-factor authentication');
    const secret = /data-testid="mfa-secret">([A-Z2-7]+)</.exec(setupHtml)![1]!;
    const pending = decode(/name="pending" value="([^"]+)"/.exec(setupHtml)![1]!);
    const code = hotp(base32Decode(secret), Math.floor(Date.now() / 30_000));
    // A wrong code keeps them on the page, with the error; a forged pending state is refused.
    const wrong = await post({ step: 'ca_mfa_setup', pending, csrf, code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect((await post({ step: 'ca_continue', pending, csrf })).status).toBe(400);
    const codes = await post({ step: 'ca_mfa_setup', pending, csrf, code });
    const codesHtml = await codes.text();
    expect(codesHtml).toContain('Save your recovery codes');
    const next = decode(/name="pending" value="([^"]+)"/.exec(codesHtml)![1]!);
    const done = await post({ step: 'ca_continue', pending: next, csrf });
    expect(done.status).toBe(303);
    await casey.follow(done.headers.get('location')!);
    expect(casey.cookies.has('rh_session')).toBe(true);
    casey.csrf = ((await casey.json('/api/v1/me')).body as { csrfToken: string }).csrfToken;
    const signIns = await log();
    expect(signIns.find((e) => e.event === 'signIn' && e.userId === userId && e.decision === 'allowed')).toMatchObject({
      amr: expect.arrayContaining(['pwd', 'otp', 'mfa']),
      app: 'helper',
    });
    expect(signIns.find((e) => e.event === 'signIn' && e.userId === userId && e.decision === 'blocked')).toBeTruthy();
    await remove(mfaId);

    // A block at sign-in (someone without a second factor): the page names the requirement and the policy; no session.
    const other = `ca-blocked-${Date.now()}@contoso.example`;
    const otherUser = await admin.post('/api/v1/users', {
      email: other,
      displayName: 'Blake Blocked',
      password: DEMO_PASSWORD,
    });
    const otherId = (otherUser.body.user as { id: string }).id;
    const blockId = await create(
      policy({
        name: 'Blake blocked',
        users: { ...only, include: { ...only.include, userIds: [otherId] } },
        grant: { kind: 'block' },
      }),
    );
    const blocked = new Client(t.url);
    await expect(blocked.signIn(other)).rejects.toThrow(/403[\s\S]*can’t get to this right now/);
    expect(blocked.cookies.has('rh_session')).toBe(false);
    await remove(blockId);
  });

  it('leaves device controls to the session actions at sign-in: the agent signs in, and its redemption is what is refused', async () => {
    const id = await create(
      policy({
        name: 'Compliant agents',
        apps: ['agent'],
        grant: { kind: 'grant', operator: 'all', controls: ['compliantDevice'] },
      }),
    );
    const token = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
    expect(token).toBeTruthy();
    expect((await log())[0]).toMatchObject({ event: 'signIn', app: 'agent', decision: 'allowed' });
    // Its token carries how the person signed in (a password only), read at the redemption.
    const code = (await helper.post('/api/v1/sessions', {})).body.code as string;
    const r = await fetch(`${t.url}/api/v1/sessions/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ code, client: 'agent' }),
    });
    expect(((await r.json()) as { error: string }).error).toBe('compliant_device_required');
    expect((await log())[0]).toMatchObject({ event: 'redeemCode', app: 'agent', amr: ['pwd'], decision: 'blocked' });
    await remove(id);
  });

  it('What if says which policies apply and why the others do not, and changes nothing', async () => {
    const location = await admin.post('/api/v1/conditional-access/named-locations', {
      name: 'Head office',
      ranges: ['203.0.113.0/24'],
      trusted: true,
    });
    expect(location.status, JSON.stringify(location.body)).toBe(201);
    const locationId = (location.body.location as { id: string }).id;
    const input = policy({
      name: 'Helpers only from the office',
      users: { include: { kind: 'selected', userIds: [helperId], groupIds: [], roleIds: [] }, exclude: NOBODY },
      apps: ['helper'],
      conditions: {
        clientApps: null,
        platforms: null,
        locations: { include: 'any', exclude: [locationId] },
        deviceStates: null,
      },
      grant: { kind: 'block' },
      state: 'reportOnly',
    });
    const id = await create(input);
    const before = (await log()).length;
    const ask = async (ip: string, userId = helperId) => {
      const r = await admin.post('/api/v1/conditional-access/what-if', {
        userId,
        app: 'helper',
        clientApp: 'browser',
        platform: 'windows',
        ip,
        deviceState: 'unknown',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body as unknown as WhatIfResponse;
    };
    // Report-only: it would fail, and What if says so without blocking.
    expect((await ask('198.51.100.7')).policies).toEqual([
      expect.objectContaining({ name: 'Helpers only from the office', result: 'failure', state: 'reportOnly' }),
    ]);
    const inOffice = await ask('203.0.113.9');
    expect(inOffice.policies[0]).toMatchObject({
      result: 'notApplied',
      notAppliedBecause: expect.stringMatching(/address/),
    });
    const sharerId = await myId(sharer);
    expect((await ask('198.51.100.7', sharerId)).policies[0]?.notAppliedBecause).toBe('The user is not included.');
    expect((await log()).length).toBe(before);
    // A location in use cannot go; an unknown reference is refused.
    expect((await admin.json(`/api/v1/conditional-access/named-locations/${locationId}`, 'DELETE')).body).toMatchObject(
      {
        error: 'conflict',
      },
    );
    const unknown = await admin.post('/api/v1/conditional-access/policies', {
      ...input,
      conditions: { ...input.conditions, locations: { include: ['no-such-location'], exclude: [] } },
    });
    expect(unknown.body).toMatchObject({ error: 'validation_failed' });
    await remove(id);
    expect((await admin.json(`/api/v1/conditional-access/named-locations/${locationId}`, 'DELETE')).status).toBe(204);
  });

  it('keeps each organization’s policies, locations and log to itself', async () => {
    const id = await create(policy({ name: 'Contoso only', state: 'reportOnly' }));
    const theirs = await fabrikamAdmin.json('/api/v1/conditional-access/policies');
    expect(theirs.body.policies).toEqual([]);
    expect((await fabrikamAdmin.json(`/api/v1/conditional-access/policies/${id}`, 'DELETE')).status).toBe(404);
    expect(await log(fabrikamAdmin)).toEqual([]);
    // What if about a Contoso person, asked by Fabrikam: no such person there.
    const r = await fabrikamAdmin.post('/api/v1/conditional-access/what-if', {
      userId: helperId,
      app: 'helper',
      clientApp: 'browser',
      platform: 'windows',
      deviceState: 'unknown',
    });
    expect(r.status).toBe(404);
    await remove(id);
  });

  it('refuses malformed policies and ranges with their errors', async () => {
    for (const body of [
      { ...policy({}), state: 'maybe' },
      { ...policy({}), apps: [] },
      { ...policy({}), grant: { kind: 'grant', operator: 'all', controls: [] } },
      { ...policy({}), extra: true },
      {
        ...policy({}),
        users: { include: { kind: 'selected', userIds: [], groupIds: [], roleIds: [] }, exclude: NOBODY },
      },
    ]) {
      expect((await admin.post('/api/v1/conditional-access/policies', body)).body).toMatchObject({
        error: 'validation_failed',
      });
    }
    for (const ranges of [['10.0.0.0/33'], ['not an address'], []]) {
      const r = await admin.post('/api/v1/conditional-access/named-locations', { name: 'Bad', ranges });
      expect(r.body, JSON.stringify(ranges)).toMatchObject({ error: 'validation_failed' });
    }
    // Without settings.manage: refused.
    expect((await helper.json('/api/v1/conditional-access/policies')).status).toBe(403);
  });
});

async function myId(c: Client): Promise<string> {
  return ((await c.json('/api/v1/me')).body.user as { id: string }).id;
}

/** Fabrikam has no administrator in the demo: its no-role person becomes one. */
async function makeFabrikamAdmin(email: string): Promise<void> {
  const db = t.server.db;
  const user = await db
    .selectFrom('users')
    .select(['id', 'tenant_id'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  await makeAdministrator(db, user.tenant_id, user.id, 'ca-fabrikam-admins');
}

/** HTML attribute text back to the string (`&#38;` → `&`). */
function decode(text: string): string {
  return text.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
}
