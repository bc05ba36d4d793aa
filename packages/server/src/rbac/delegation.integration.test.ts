/**
 * Integration: nobody hands out what they do not hold (`rbac/delegation`). A custom role with
 * only `users.manage`, one with only `roles.manage` and one with only `settings.manage`, on the
 * real server with people signed in through the embedded IdP: each is refused every way to
 * Administrator (joining its group, renaming it, taking over an administrator's account,
 * assigning or widening a role, an identity provider of its own, a conditional access policy
 * that blocks or unprotects administrators), nothing changes, and what they do hold still works.
 */
import type { CaPolicyInput } from '@remote-help/protocol';
import type { Permission } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';

let t: TestServer;
let admin: Client;
let userManager: Client;
let roleManager: Client;
let settingsManager: Client;
let settingsManagerId: string;
let reader: Client;
let readerId: string;
let adminId: string;
let adminsGroup: string;
let userManagersGroup: string;
let roleManagersGroup: string;
let userManagerId: string;
let sharerId: string;

const signedIn = async (email: string, password = DEMO_PASSWORD) => {
  const c = new Client(t.url);
  await c.signIn(email, password);
  return c;
};
const permissionsOf = async (c: Client) => ((await c.json('/api/v1/me')).body.permissions as Permission[]).sort();
const idOf = (r: { status: number; body: Record<string, unknown> }, key: string): string => {
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body[key] as { id: string }).id;
};
const expectForbidden = (r: { status: number; body: Record<string, unknown> }, missing: string) => {
  expect(r.status, JSON.stringify(r.body)).toBe(403);
  expect(r.body.error).toBe('forbidden');
  expect(r.body.data).toMatchObject({ missing: expect.arrayContaining([missing]) });
};

async function managerOf(name: string, permissions: Permission[], email: string) {
  const role = idOf(await admin.post('/api/v1/roles', { name, permissions }), 'role');
  const group = idOf(await admin.post('/api/v1/groups', { name, description: '', kind: 'user' }), 'group');
  idOf(
    await admin.post('/api/v1/assignments', {
      name,
      description: '',
      roleId: role,
      members: [group],
      scope: { all: true, groups: [], excluded: [] },
    }),
    'assignment',
  );
  const user = idOf(
    await admin.post('/api/v1/users', { email, displayName: name, password: DEMO_PASSWORD, groups: [group] }),
    'user',
  );
  return { group, user };
}

beforeAll(async () => {
  t = await startTestServer();
  admin = await signedIn('admin@contoso.example');
  adminId = ((await admin.json('/api/v1/me')).body.user as { id: string }).id;
  const groups = (await admin.json('/api/v1/groups')).body.groups as { id: string; name: string }[];
  adminsGroup = groups.find((g) => g.name === 'Administrators')!.id;
  ({ group: userManagersGroup, user: userManagerId } = await managerOf(
    'User managers',
    ['users.manage'],
    'um@contoso.example',
  ));
  ({ group: roleManagersGroup } = await managerOf('Role managers', ['roles.manage'], 'rm@contoso.example'));
  const users = (await admin.json('/api/v1/users?search=sharer%40contoso')).body.users as { id: string }[];
  sharerId = users[0]!.id;
  ({ user: settingsManagerId } = await managerOf('Settings managers', ['settings.manage'], 'sm@contoso.example'));
  ({ user: readerId } = await managerOf('Report readers', ['reports.read'], 'rr@contoso.example'));
  userManager = await signedIn('um@contoso.example');
  roleManager = await signedIn('rm@contoso.example');
  settingsManager = await signedIn('sm@contoso.example');
  reader = await signedIn('rr@contoso.example');
});
afterAll(async () => t?.stop());

describe('users.manage is not a way to more', () => {
  it('cannot join the Administrators group, put someone in it, or empty it', async () => {
    expectForbidden(
      await userManager.json(`/api/v1/users/${userManagerId}`, 'PATCH', { groups: [userManagersGroup, adminsGroup] }),
      'settings.manage',
    );
    expectForbidden(
      await userManager.post('/api/v1/users', {
        email: 'sock@contoso.example',
        displayName: 'Sock Puppet',
        password: DEMO_PASSWORD,
        groups: [adminsGroup],
      }),
      'roles.manage',
    );
    expectForbidden(
      await userManager.json(`/api/v1/groups/${adminsGroup}/members`, 'PUT', { members: [userManagerId] }),
      'settings.manage',
    );
    expectForbidden(await userManager.json(`/api/v1/groups/${adminsGroup}`, 'DELETE'), 'settings.manage');
    // Nothing changed: the same permissions, no new person, the group as it was.
    expect(await permissionsOf(userManager)).toEqual(['users.manage']);
    const search = await admin.json('/api/v1/users?search=sock%40contoso');
    expect(search.body.users).toEqual([]);
    const group = (await admin.json(`/api/v1/groups/${adminsGroup}`)).body.group as { members: string[] };
    expect(group.members).toEqual([adminId]);
  });

  it('cannot rename a group that grants more (a provider matching by name would fill it)', async () => {
    expectForbidden(
      await userManager.json(`/api/v1/groups/${adminsGroup}`, 'PATCH', { name: 'All Staff' }),
      'settings.manage',
    );
    const group = (await admin.json(`/api/v1/groups/${adminsGroup}`)).body.group as { name: string };
    expect(group.name).toBe('Administrators');
    const own = await userManager.json(`/api/v1/groups/${userManagersGroup}`, 'PATCH', { description: 'Ours' });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
  });

  it("cannot take over an administrator's account", async () => {
    expectForbidden(await userManager.post(`/api/v1/users/${adminId}/password`, {}), 'settings.manage');
    expectForbidden(await userManager.post(`/api/v1/users/${adminId}/mfa/reset`, {}), 'settings.manage');
    expectForbidden(await userManager.post(`/api/v1/users/${adminId}/passkeys/remove`, {}), 'settings.manage');
    expectForbidden(await userManager.post(`/api/v1/users/${adminId}/sign-out`, {}), 'settings.manage');
    expectForbidden(await userManager.json(`/api/v1/users/${adminId}`, 'PATCH', { disabled: true }), 'settings.manage');
    expectForbidden(await userManager.json(`/api/v1/users/${adminId}/photo`, 'DELETE'), 'settings.manage');
    // The administrator's password and sign-in still work.
    expect(((await admin.json('/api/v1/me')).body.user as { id: string }).id).toBe(adminId);
    await signedIn('admin@contoso.example');
  });

  it('still manages people who hold no more than they do', async () => {
    const reset = await userManager.post(`/api/v1/users/${sharerId}/password`, {});
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    const created = await userManager.post('/api/v1/users', {
      email: 'junior@contoso.example',
      displayName: 'Junior Manager',
      password: DEMO_PASSWORD,
      groups: [userManagersGroup],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Staying in a group one could not join is not a change of it: editing a name keeps the groups.
    const renamed = await admin.json(`/api/v1/users/${userManagerId}`, 'PATCH', {
      displayName: 'User Manager',
      groups: [userManagersGroup],
    });
    expect(renamed.status).toBe(200);
  });
});

describe('roles.manage is not a way to more', () => {
  it('cannot assign Administrator, give a role more than it holds, or change an assignment that grants more', async () => {
    const assignAdmin = await roleManager.post('/api/v1/assignments', {
      name: 'Take over',
      description: '',
      roleId: 'administrator',
      members: [roleManagersGroup],
      scope: { all: true, groups: [], excluded: [] },
    });
    expectForbidden(assignAdmin, 'settings.manage');
    expectForbidden(
      await roleManager.post('/api/v1/roles', { name: 'Everything', permissions: ['roles.manage', 'users.manage'] }),
      'users.manage',
    );
    const roles = (await roleManager.json('/api/v1/roles')).body.roles as { id: string; name: string }[];
    const own = roles.find((r) => r.name === 'Role managers')!.id;
    expectForbidden(
      await roleManager.json(`/api/v1/roles/${own}`, 'PATCH', { permissions: ['roles.manage', 'settings.manage'] }),
      'settings.manage',
    );
    const assignments = (await roleManager.json('/api/v1/assignments')).body.assignments as {
      id: string;
      roleId: string;
    }[];
    const admins = assignments.find((a) => a.roleId === 'administrator')!;
    expectForbidden(await roleManager.json(`/api/v1/assignments/${admins.id}`, 'DELETE'), 'settings.manage');
    expect(await permissionsOf(roleManager)).toEqual(['roles.manage']);
    expect((await roleManager.json('/api/v1/assignments')).body.assignments).toHaveLength(assignments.length);
  });

  it('still makes roles and assignments within what it holds', async () => {
    const role = await roleManager.post('/api/v1/roles', { name: 'Role helpers', permissions: ['roles.manage'] });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
  });
});

const NOBODY = { userIds: [], groupIds: [], roleIds: [] };
/** A policy on the native agent only: in force, yet it touches none of this file's browser calls. */
const agentPolicy = (parts: Partial<CaPolicyInput>): CaPolicyInput => ({
  name: 'Agent MFA',
  state: 'on',
  users: { include: { kind: 'all' }, exclude: NOBODY },
  apps: ['agent'],
  conditions: { clientApps: null, platforms: null, locations: null, deviceStates: null },
  grant: { kind: 'grant', operator: 'all', controls: ['mfa'] },
  session: { signInFrequencyHours: null },
  ...parts,
});
const POLICIES = '/api/v1/conditional-access/policies';

describe('settings.manage is not a way to more', () => {
  it('cannot add or change an identity provider, which would sign it in as anyone of its domains', async () => {
    const provider = {
      name: 'Ours',
      issuer: 'http://127.0.0.1:9/realms/ours',
      clientId: 'rh',
      clientSecret: 'secret',
      scopes: ['openid', 'email', 'profile'],
      claims: { displayName: 'name', email: 'email', jobTitle: '', company: '', photoUrl: '', groups: 'groups' },
      domains: ['contoso.example'],
      groupMappings: [],
      matchGroupsByName: true,
      enabled: true,
    };
    const created = await settingsManager.post('/api/v1/identity-providers', provider);
    expect(created.status, JSON.stringify(created.body)).toBe(403);
    expect(created.body.error).toBe('forbidden');
    expect((await admin.json('/api/v1/identity-providers')).body.providers).toEqual([]);
    // Reading stays with settings.manage.
    expect((await settingsManager.json('/api/v1/identity-providers')).status).toBe(200);
  });

  it('cannot put in force a policy that blocks or binds administrators, nor lift one that protects them', async () => {
    const blockAllButMe = agentPolicy({
      name: 'Everyone else out',
      apps: 'all',
      users: { include: { kind: 'all' }, exclude: { ...NOBODY, userIds: [settingsManagerId] } },
      grant: { kind: 'block' },
    });
    expectForbidden(await settingsManager.post(POLICIES, blockAllButMe), 'roles.manage');
    // Report-only binds nobody; a policy in force on people who hold no more than the caller is fine.
    const reportOnly = await settingsManager.post(POLICIES, { ...blockAllButMe, state: 'reportOnly' });
    expect(reportOnly.status, JSON.stringify(reportOnly.body)).toBe(201);
    const onSharer = await settingsManager.post(
      POLICIES,
      agentPolicy({
        name: 'Sharer MFA',
        users: { include: { kind: 'selected', ...NOBODY, userIds: [sharerId] }, exclude: NOBODY },
      }),
    );
    expect(onSharer.status, JSON.stringify(onSharer.body)).toBe(201);
    const reportOnlyId = (reportOnly.body.policy as { id: string }).id;
    expectForbidden(await settingsManager.json(`${POLICIES}/${reportOnlyId}`, 'PUT', blockAllButMe), 'roles.manage');
    // The administrator is not blocked: the admin center still answers.
    expect((await admin.json('/api/v1/users')).status).toBe(200);
    // An administrator's policy that binds everyone cannot be deleted or turned off by the caller.
    const everyone = await admin.post(POLICIES, agentPolicy({ name: 'Everyone MFA on the agent' }));
    expect(everyone.status, JSON.stringify(everyone.body)).toBe(201);
    const everyoneId = (everyone.body.policy as { id: string }).id;
    expectForbidden(await settingsManager.json(`${POLICIES}/${everyoneId}`, 'DELETE'), 'roles.manage');
    expectForbidden(
      await settingsManager.json(`${POLICIES}/${everyoneId}`, 'PUT', agentPolicy({ name: 'x', state: 'off' })),
      'roles.manage',
    );
    const still = (await admin.json(POLICIES)).body.policies as { id: string; state: string }[];
    expect(still.find((p) => p.id === everyoneId)?.state).toBe('on');
    expect((await admin.json(`${POLICIES}/${everyoneId}`, 'DELETE')).status).toBe(204);
  });

  it('lets nobody but policy managers move people in or out of a group a policy in force names', async () => {
    const breakGlass = idOf(
      await admin.post('/api/v1/groups', { name: 'Break glass', description: '', kind: 'user' }),
      'group',
    );
    const policy = await admin.post(
      POLICIES,
      agentPolicy({
        name: 'MFA but break glass',
        users: { include: { kind: 'all' }, exclude: { ...NOBODY, groupIds: [breakGlass] } },
      }),
    );
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    expectForbidden(
      await userManager.json(`/api/v1/users/${userManagerId}`, 'PATCH', { groups: [userManagersGroup, breakGlass] }),
      'settings.manage',
    );
    expectForbidden(
      await userManager.json(`/api/v1/groups/${breakGlass}/members`, 'PUT', { members: [userManagerId] }),
      'settings.manage',
    );
    expectForbidden(await userManager.json(`/api/v1/groups/${breakGlass}`, 'DELETE'), 'settings.manage');
    const group = (await admin.json(`/api/v1/groups/${breakGlass}`)).body.group as { members: string[] };
    expect(group.members).toEqual([]);
    // A group a policy names is not deleted under it, even by an administrator.
    const deleted = await admin.json(`/api/v1/groups/${breakGlass}`, 'DELETE');
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(409);
    expect(deleted.body.data).toMatchObject({ policies: ['MFA but break glass'] });
    // The administrator, who manages policies, may still change who is in it.
    const joined = await admin.json(`/api/v1/groups/${breakGlass}/members`, 'PUT', { members: [adminId] });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
  });

  it("reads another person's chat only through the admin center's conditional access", async () => {
    const helper = await signedIn('helper@contoso.example');
    const created = await helper.post('/api/v1/sessions', {});
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sessionId = (created.body.session as { id: string }).id;
    expect((await reader.json(`/api/v1/sessions/${sessionId}/chat`)).status).toBe(200);
    const block = await admin.post(
      POLICIES,
      agentPolicy({
        name: 'Readers not in the admin center',
        apps: ['admin'],
        users: { include: { kind: 'selected', ...NOBODY, userIds: [readerId] }, exclude: NOBODY },
        grant: { kind: 'block' },
      }),
    );
    expect(block.status, JSON.stringify(block.body)).toBe(201);
    const refused = await reader.json(`/api/v1/sessions/${sessionId}/chat`);
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.error).toBe('access_blocked');
  });
});
