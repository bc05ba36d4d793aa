/**
 * Integration: nobody hands out what they do not hold (`rbac/delegation`). A custom role with
 * only `users.manage`, and one with only `roles.manage`, on the real server with people signed
 * in through the embedded IdP: each is refused every way to Administrator (joining its group,
 * taking over an administrator's account, assigning or widening a role), nothing changes, and
 * what they do hold still works.
 */
import type { Permission } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';

let t: TestServer;
let admin: Client;
let userManager: Client;
let roleManager: Client;
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
  userManager = await signedIn('um@contoso.example');
  roleManager = await signedIn('rm@contoso.example');
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
