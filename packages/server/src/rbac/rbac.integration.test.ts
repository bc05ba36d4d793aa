/**
 * Integration: RBAC like Intune's on the real server, people signed in through the embedded
 * IdP. Effective permissions (built-in, custom, several assignments, none), scope groups
 * with exclusions at remote launch, code redemption, view and full-control requests, a
 * dynamic device group by OS, another tenant's administrator, and bad input.
 */
import type { Permission, ServerMessage } from '@remote-help/protocol';
import { PERMISSIONS } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../identity/passwords.js';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, sessionIn, startTestServer } from '../test/harness.js';
import { makeAdministrator } from '../test/administrator.js';
import type { TestDevice } from '../test/testDevice.js';
import { DeviceSocket, TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';

let t: TestServer;
let admin: Client;
const sockets: DeviceSocket[] = [];

const signedIn = async (email: string, password = DEMO_PASSWORD) => {
  const c = new Client(t.url);
  await c.signIn(email, password);
  return c;
};
const permissionsOf = async (c: Client) => ((await c.json('/api/v1/me')).body.permissions as Permission[]).sort();

async function createUser(email: string, displayName: string, groups: string[] = []): Promise<string> {
  const r = await admin.post('/api/v1/users', { email, displayName, password: DEMO_PASSWORD, groups });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body.user as { id: string }).id;
}
async function createGroup(body: Record<string, unknown>): Promise<string> {
  const r = await admin.post('/api/v1/groups', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body.group as { id: string }).id;
}
async function createAssignment(body: Record<string, unknown>): Promise<string> {
  const r = await admin.post('/api/v1/assignments', { description: '', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body.assignment as { id: string }).id;
}
async function createRole(name: string, permissions: Permission[]): Promise<string> {
  const r = await admin.post('/api/v1/roles', { name, permissions });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body.role as { id: string }).id;
}
/** An enrolled device holding its launch connection (so remote launch can reach it). */
async function onlineDevice(os: 'linux' | 'macos' | 'windows', hostname: string): Promise<TestDevice> {
  const device = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, os, hostname });
  sockets.push(await DeviceSocket.open(t.url, device));
  return device;
}
const launch = (helper: Client, device: TestDevice) => helper.post(`/api/v1/devices/${device.id}/sessions`);
const cancel = async (helper: Client, sessionId: string) => helper.post(`/api/v1/sessions/${sessionId}/leave`);

/**
 * The agent's redeem: a bearer token of `email` and `client: 'agent'` (full control needs it),
 * from an enrolled `device` (its proof in `x-device-proof`) or from an unenrolled one.
 */
async function agentRedeem(
  email: string,
  code: string,
  device?: TestDevice,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = (await agentSignIn(t.url, email)).access_token;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (device) headers['x-device-proof'] = `Device ${await device.proof('POST', '/api/v1/sessions/redeem')}`;
  const r = await fetch(`${t.url}/api/v1/sessions/redeem`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ code, client: 'agent' }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

// The world: Contoso's demo people plus
//  - scoped@ (member of "Scoped helpers": Help Desk Operator over Finance users and Linux devices,
//    except "Finance contractors" and the device group "Quarantine"),
//  - viewer@ (custom role "Screen viewer": view only, scope all),
//  - mixed@ (view everywhere via "Screen viewer", full control only over Finance),
//  - finance@ (in Finance), contractor@ (in Finance and Finance contractors), other@ (in neither).
const ids: Record<string, string> = {};
let contosoTenant = '';
const tenantId = () => contosoTenant;
let devices: { linux: TestDevice; mac: TestDevice; quarantined: TestDevice };

beforeAll(async () => {
  t = await startTestServer({}, { presence: { heartbeatMs: 200, deadAfterMs: 600, graceMs: 300 } });
  admin = await signedIn('admin@contoso.example');
  contosoTenant = ((await admin.json('/api/v1/me')).body.tenant as { id: string }).id;
  ids.scopedHelpers = await createGroup({ name: 'Scoped helpers', kind: 'user' });
  ids.viewers = await createGroup({ name: 'Viewers', kind: 'user' });
  ids.finance = await createGroup({ name: 'Finance', kind: 'user' });
  ids.contractors = await createGroup({ name: 'Finance contractors', kind: 'user' });
  ids.linux = await createGroup({
    name: 'Linux devices',
    kind: 'device',
    rule: { field: 'os', op: 'eq', value: 'Linux' },
  });
  ids.quarantine = await createGroup({ name: 'Quarantine', kind: 'device' });
  ids.scoped = await createUser('scoped@contoso.example', 'Sam Scoped', [ids.scopedHelpers]);
  ids.viewer = await createUser('viewer@contoso.example', 'Vera Viewer', [ids.viewers]);
  ids.mixed = await createUser('mixed@contoso.example', 'Max Mixed', [ids.viewers]);
  ids.finance_ = await createUser('finance@contoso.example', 'Fiona Finance', [ids.finance]);
  ids.contractor = await createUser('contractor@contoso.example', 'Carl Contractor', [ids.finance, ids.contractors]);
  ids.other = await createUser('other@contoso.example', 'Olga Other');
  ids.viewerRole = await createRole('Screen viewer', ['remoteHelp.viewScreen', 'remoteTasks.offerRemoteAssistance']);
  ids.mixedControl = await createGroup({ name: 'Mixed control', kind: 'user' });
  await admin.json(`/api/v1/groups/${ids.mixedControl}/members`, 'PUT', { members: [ids.mixed] });
  await createAssignment({
    name: 'Scoped help desk',
    roleId: 'helpDeskOperator',
    members: [ids.scopedHelpers],
    scope: { all: false, groups: [ids.finance, ids.linux], excluded: [ids.contractors, ids.quarantine] },
  });
  await createAssignment({
    name: 'Viewers everywhere',
    roleId: ids.viewerRole,
    members: [ids.viewers],
    scope: { all: true, groups: [], excluded: [] },
  });
  await createAssignment({
    name: 'Mixed: control over Finance',
    roleId: 'helpDeskOperator',
    members: [ids.mixedControl],
    scope: { all: false, groups: [ids.finance], excluded: [] },
  });
  devices = {
    linux: await onlineDevice('linux', 'build-box'),
    mac: await onlineDevice('macos', 'design-mac'),
    quarantined: await onlineDevice('linux', 'old-linux'),
  };
  await admin.json(`/api/v1/groups/${ids.quarantine}/members`, 'PUT', { members: [devices.quarantined.id] });
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe('effective permissions', () => {
  it('come from assignments: built-in roles, a custom role, several assignments, none', async () => {
    expect(await permissionsOf(admin)).toEqual([...PERMISSIONS].sort());
    expect(await permissionsOf(await signedIn('helper@contoso.example'))).toEqual(
      [
        'remoteHelp.takeFullControl',
        'remoteHelp.viewScreen',
        'remoteTasks.offerRemoteAssistance',
        'reports.read',
      ].sort(),
    );
    expect(await permissionsOf(await signedIn('viewer@contoso.example'))).toEqual([
      'remoteHelp.viewScreen',
      'remoteTasks.offerRemoteAssistance',
    ]);
    // Two assignments: the union.
    expect(await permissionsOf(await signedIn('mixed@contoso.example'))).toEqual(
      [
        'remoteHelp.takeFullControl',
        'remoteHelp.viewScreen',
        'remoteTasks.offerRemoteAssistance',
        'reports.read',
      ].sort(),
    );
    expect(await permissionsOf(await signedIn('sharer@contoso.example'))).toEqual([]);
    expect(await permissionsOf(await signedIn('other@contoso.example'))).toEqual([]);
  });

  it('takeFullControl implies viewScreen, and a change applies on the next request', async () => {
    const group = await createGroup({ name: 'Controllers only', kind: 'user' });
    const role = await createRole('Control only', ['remoteHelp.takeFullControl']);
    const assignment = await createAssignment({
      name: 'Controllers',
      roleId: role,
      members: [group],
      scope: { all: true, groups: [], excluded: [] },
    });
    const other = await signedIn('other@contoso.example');
    expect(await permissionsOf(other)).toEqual([]);
    await admin.json(`/api/v1/users/${ids.other}`, 'PATCH', { groups: [group] });
    expect(await permissionsOf(other)).toEqual(['remoteHelp.takeFullControl', 'remoteHelp.viewScreen']);
    expect((await admin.json(`/api/v1/assignments/${assignment}`, 'DELETE')).status).toBe(204);
    expect(await permissionsOf(other)).toEqual([]);
    await admin.json(`/api/v1/users/${ids.other}`, 'PATCH', { groups: [] });
  });
});

describe('scope at remote launch', () => {
  it('launches to a device in a dynamic scope group; refuses one outside it or excluded', async () => {
    const scoped = await signedIn('scoped@contoso.example');
    const ok = await launch(scoped, devices.linux);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    await cancel(scoped, (ok.body.session as { id: string }).id);

    const mac = await launch(scoped, devices.mac);
    expect(mac.status).toBe(403);
    expect(mac.body.error).toBe('out_of_scope');
    expect(mac.body.message).toMatch(/design-mac.*Ask your administrator/);

    const excluded = await launch(scoped, devices.quarantined);
    expect(excluded.body.error).toBe('out_of_scope');
    // The demo help desk has scope "all": the same device is fine for them.
    const helper = await signedIn('helper@contoso.example');
    const all = await launch(helper, devices.quarantined);
    expect(all.status).toBe(201);
    await cancel(helper, (all.body.session as { id: string }).id);
  });

  it('a dynamic group follows the inventory: a device that stops reporting Linux leaves the scope', async () => {
    const device = await onlineDevice('linux', 'changing-box');
    const group = (await admin.json(`/api/v1/groups/${ids.linux}`)).body.group as { members: string[] };
    expect(group.members).toContain(device.id);
    expect(group.members).toContain(devices.linux.id);
    expect(group.members).not.toContain(devices.mac.id);
    expect((await device.checkIn({ ...TEST_INVENTORY, os: 'windows', hostname: 'changing-box' })).status).toBe(200);
    const scoped = await signedIn('scoped@contoso.example');
    expect((await launch(scoped, device)).body.error).toBe('out_of_scope');
    expect(
      ((await admin.json(`/api/v1/groups/${ids.linux}`)).body.group as { members: string[] }).members,
    ).not.toContain(device.id);
  });
});

describe('scope when the device’s user accepts a remote launch', () => {
  const accept = async (email: string, sessionId: string, device: TestDevice) => {
    const token = (await agentSignIn(t.url, email)).access_token;
    const r = await device.answerLaunch(sessionId, token);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('the device is in scope but the person at it must be too', async () => {
    // A helper of their own: remote launches are rate-limited per helper.
    await createUser('launcher@contoso.example', 'Leo Launcher', [String(ids.scopedHelpers)]);
    const scoped = await signedIn('launcher@contoso.example');
    const hws = await scoped.socket();
    const first = ((await launch(scoped, devices.linux)).body.session as { id: string }).id;
    hws.send({ type: 'attach', sessionId: first });
    await hws.next(sessionIn('waiting'));
    const refused = await accept('other@contoso.example', first, devices.linux);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('out_of_scope');
    const ended = await hws.next<Extract<ServerMessage, { type: 'session' }>>(
      (m) => m.type === 'session' && m.session.id === first && m.session.state === 'ended',
    );
    expect(ended.session.endReason).toBe('out_of_scope');

    const second = ((await launch(scoped, devices.linux)).body.session as { id: string }).id;
    const joined = await accept('finance@contoso.example', second, devices.linux);
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    await cancel(scoped, second);
    hws.close();
  });
});

describe('scope at redemption', () => {
  it('an in-scope sharer joins; an out-of-scope or excluded one is refused and the helper is told', async () => {
    const scoped = await signedIn('scoped@contoso.example');
    const hws = await scoped.socket();
    const refusedSessions: string[] = [];

    for (const email of ['other@contoso.example', 'contractor@contoso.example']) {
      const created = await scoped.post('/api/v1/sessions');
      const { code, session } = created.body as { code: string; session: { id: string } };
      refusedSessions.push(session.id);
      hws.send({ type: 'attach', sessionId: session.id });
      await hws.next(sessionIn('waiting'));
      const sharer = await signedIn(email);
      const refused = await sharer.post('/api/v1/sessions/redeem', { code });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('out_of_scope');
      expect(refused.body.message).toMatch(/Ask your IT administrator/);
      const ended = await hws.next<Extract<ServerMessage, { type: 'session' }>>(
        (m) => m.type === 'session' && m.session.id === session.id && m.session.state === 'ended',
      );
      expect(ended.session.endReason).toBe('out_of_scope');
      // Nothing over the WebSocket gets the refused sharer in.
      const sws = await sharer.socket();
      sws.send({ type: 'attach', id: 'a', sessionId: session.id });
      expect(await sws.next((m) => m.type === 'error')).toMatchObject({ error: 'not_participant' });
      sws.close();
      // And the code is spent.
      expect(
        (await (await signedIn('finance@contoso.example')).post('/api/v1/sessions/redeem', { code })).body.error,
      ).toBe('code_used');
    }
    const audit = await t.server.audit.list(tenantId(), 500);
    const refusals = audit.filter((e) => e.action === 'session.out_of_scope' && refusedSessions.includes(e.target_id!));
    expect(
      refusals
        .map((e) => JSON.parse(e.data!) as { sharerId: string })
        .map((d) => d.sharerId)
        .sort(),
    ).toEqual([ids.other, ids.contractor].sort());

    const created = await scoped.post('/api/v1/sessions');
    const fiona = await signedIn('finance@contoso.example');
    const joined = await fiona.post('/api/v1/sessions/redeem', { code: created.body.code });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    hws.close();
  });
});

describe('scope at view and full-control requests', () => {
  it('a custom view-only role lets a helper view but not take control', async () => {
    const viewer = await signedIn('viewer@contoso.example');
    const created = await viewer.post('/api/v1/sessions');
    expect(created.status).toBe(201);
    const id = (created.body.session as { id: string }).id;
    expect((await agentRedeem('finance@contoso.example', created.body.code as string)).status).toBe(200);
    const control = await viewer.post(`/api/v1/sessions/${id}/request`, { mode: 'control' });
    expect(control.status).toBe(403);
    expect(control.body.error).toBe('forbidden');
    expect((await viewer.post(`/api/v1/sessions/${id}/request`, { mode: 'view' })).status).toBe(200);
    await cancel(viewer, id);
  });

  it('full control needs takeFullControl in a scope that includes the sharer', async () => {
    const mixed = await signedIn('mixed@contoso.example');
    // Olga is outside Finance: view (scope all) yes, control (Finance only) no.
    const a = await mixed.post('/api/v1/sessions');
    const aId = (a.body.session as { id: string }).id;
    expect((await agentRedeem('other@contoso.example', a.body.code as string)).status).toBe(200);
    const refused = await mixed.post(`/api/v1/sessions/${aId}/request`, { mode: 'control' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('out_of_scope');
    expect(refused.body.message).toMatch(/take full control of this person/);
    expect((await mixed.post(`/api/v1/sessions/${aId}/request`, { mode: 'view' })).status).toBe(200);
    await cancel(mixed, aId);
    // Fiona is in Finance: control yes.
    const b = await mixed.post('/api/v1/sessions');
    const bId = (b.body.session as { id: string }).id;
    expect((await agentRedeem('finance@contoso.example', b.body.code as string)).status).toBe(200);
    const ok = await mixed.post(`/api/v1/sessions/${bId}/request`, { mode: 'control' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.session).toMatchObject({ pendingMode: 'control' });
    await cancel(mixed, bId);
  });

  it('a scope removed mid-session applies to the next request', async () => {
    const scoped = await signedIn('scoped@contoso.example');
    const created = await scoped.post('/api/v1/sessions');
    const id = (created.body.session as { id: string }).id;
    expect((await agentRedeem('finance@contoso.example', created.body.code as string)).status).toBe(200);
    await admin.json(`/api/v1/users/${ids.finance_}`, 'PATCH', { groups: [ids.finance, ids.contractors] });
    const refused = await scoped.post(`/api/v1/sessions/${id}/request`, { mode: 'view' });
    expect(refused.body.error).toBe('out_of_scope');
    await admin.json(`/api/v1/users/${ids.finance_}`, 'PATCH', { groups: [ids.finance] });
    expect((await scoped.post(`/api/v1/sessions/${id}/request`, { mode: 'view' })).status).toBe(200);
    await cancel(scoped, id);
  });
});

describe('scope over a person and their enrolled device', () => {
  const code = async (helper: Client) => {
    const created = await helper.post('/api/v1/sessions');
    return { code: created.body.code as string, id: (created.body.session as { id: string }).id };
  };

  it('user and device scope groups: both the person and the device must be in scope', async () => {
    const scoped = await signedIn('scoped@contoso.example');
    const a = await code(scoped);
    const inBoth = await agentRedeem('finance@contoso.example', a.code, devices.linux);
    expect(inBoth.status, JSON.stringify(inBoth.body)).toBe(200);
    expect(inBoth.body.session).toMatchObject({ device: { id: devices.linux.id } });
    expect((await scoped.post(`/api/v1/sessions/${a.id}/request`, { mode: 'control' })).status).toBe(200);
    await cancel(scoped, a.id);
    // Fiona on the Mac: the person is in scope, the device is not.
    const b = await code(scoped);
    expect((await agentRedeem('finance@contoso.example', b.code, devices.mac)).body.error).toBe('out_of_scope');
    // Olga at the Linux box: the device is in scope, the person is not.
    const c = await code(scoped);
    expect((await agentRedeem('other@contoso.example', c.code, devices.linux)).body.error).toBe('out_of_scope');
  });

  it('user scope groups only: their people on any device; device groups only: anyone at those devices', async () => {
    const mixed = await signedIn('mixed@contoso.example');
    const a = await code(mixed);
    expect((await agentRedeem('finance@contoso.example', a.code, devices.mac)).status).toBe(200);
    expect((await mixed.post(`/api/v1/sessions/${a.id}/request`, { mode: 'control' })).status).toBe(200);
    await cancel(mixed, a.id);

    const desk = await createGroup({ name: 'Linux desk', kind: 'user' });
    await createUser('linuxdesk@contoso.example', 'Lin Desk', [desk]);
    await createAssignment({
      name: 'Linux desk',
      roleId: 'helpDeskOperator',
      members: [desk],
      scope: { all: false, groups: [String(ids.linux)], excluded: [] },
    });
    const linuxDesk = await signedIn('linuxdesk@contoso.example');
    const web = await code(linuxDesk);
    const olga = await signedIn('other@contoso.example');
    expect((await olga.post('/api/v1/sessions/redeem', { code: web.code })).body.error).toBe('out_of_scope');
    const atLinux = await code(linuxDesk);
    expect((await agentRedeem('other@contoso.example', atLinux.code, devices.linux)).status).toBe(200);
    await cancel(linuxDesk, atLinux.id);
  });
});

describe('another tenant', () => {
  it("Fabrikam's administrator can neither see nor change Contoso's roles, groups, assignments or users", async () => {
    const db = t.server.db;
    const fabrikam = await db
      .selectFrom('tenants')
      .select('id')
      .where('slug', '=', 'fabrikam')
      .executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    await db
      .insertInto('users')
      .values({
        id: 'fabrikam-admin',
        tenant_id: fabrikam.id,
        email: 'admin@fabrikam.example',
        display_name: 'Fabrikam Admin',
        job_title: null,
        company: null,
        photo_mime: null,
        photo: null,
        password_hash: await hashPassword(DEMO_PASSWORD),
        roles: '[]',
        disabled: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await makeAdministrator(db, fabrikam.id, 'fabrikam-admin', 'fabrikam-admins');
    const foreign = await signedIn('admin@fabrikam.example');
    expect(await permissionsOf(foreign)).toEqual([...PERMISSIONS].sort());

    const contosoAssignment = ((await admin.json('/api/v1/assignments')).body.assignments as { id: string }[])[0]!.id;
    const before = await snapshot();
    const notFound = [
      await foreign.json(`/api/v1/groups/${ids.finance}`),
      await foreign.json(`/api/v1/groups/${ids.finance}`, 'PATCH', { name: 'Hijacked' }),
      await foreign.json(`/api/v1/groups/${ids.finance}/members`, 'PUT', { members: [] }),
      await foreign.json(`/api/v1/groups/${ids.finance}`, 'DELETE'),
      await foreign.json(`/api/v1/roles/${ids.viewerRole}`),
      await foreign.json(`/api/v1/roles/${ids.viewerRole}`, 'PATCH', { name: 'Hijacked' }),
      await foreign.json(`/api/v1/roles/${ids.viewerRole}`, 'DELETE'),
      await foreign.json(`/api/v1/assignments/${contosoAssignment}`),
      await foreign.json(`/api/v1/assignments/${contosoAssignment}`, 'DELETE'),
      await foreign.json(`/api/v1/users/${ids.finance_}`),
      await foreign.json(`/api/v1/users/${ids.finance_}`, 'PATCH', { disabled: true }),
      await foreign.post(`/api/v1/users/${ids.finance_}/password`, { password: 'a brand new password' }),
    ];
    for (const r of notFound) {
      expect(r.status, JSON.stringify(r.body)).toBe(404);
      expect(r.body.error).toBe('not_found');
    }
    // Contoso's ids as references are unknown in Fabrikam.
    const cross = await foreign.post('/api/v1/assignments', {
      name: 'Cross',
      roleId: ids.viewerRole,
      members: ['fabrikam-admins'],
      scope: { all: true, groups: [], excluded: [] },
    });
    expect(cross.body.error).toBe('validation_failed');
    const crossGroup = await foreign.post('/api/v1/assignments', {
      name: 'Cross',
      roleId: 'helpDeskOperator',
      members: [ids.finance],
      scope: { all: true, groups: [], excluded: [] },
    });
    expect(crossGroup.body.error).toBe('validation_failed');
    const members = await foreign.json(`/api/v1/groups/fabrikam-admins/members`, 'PUT', { members: [ids.finance_] });
    expect(members.body.error).toBe('validation_failed');
    // Lists show only Fabrikam.
    const lists = JSON.stringify([
      (await foreign.json('/api/v1/groups')).body,
      (await foreign.json('/api/v1/roles')).body,
      (await foreign.json('/api/v1/assignments')).body,
      (await foreign.json('/api/v1/users')).body,
    ]);
    for (const id of [ids.finance, ids.viewerRole, contosoAssignment, ids.finance_]) expect(lists).not.toContain(id);
    expect(lists).not.toContain('contoso.example');
    expect(await snapshot()).toEqual(before);
  });
});

/** Every RBAC row and user of Contoso, to prove that refused requests changed nothing. */
async function snapshot() {
  const db = t.server.db;
  return {
    groups: await db.selectFrom('rbac_groups').selectAll().orderBy('id').execute(),
    members: await db.selectFrom('rbac_group_members').selectAll().orderBy('group_id').orderBy('member_id').execute(),
    roles: await db.selectFrom('rbac_roles').selectAll().orderBy('id').execute(),
    assignments: await db.selectFrom('rbac_assignments').selectAll().orderBy('id').execute(),
    links: await db
      .selectFrom('rbac_assignment_groups')
      .selectAll()
      .orderBy('assignment_id')
      .orderBy('relation')
      .orderBy('group_id')
      .execute(),
    users: await db
      .selectFrom('users')
      .select(['id', 'display_name', 'job_title', 'company', 'disabled', 'password_hash', 'updated_at'])
      .orderBy('id')
      .execute(),
  };
}

describe('bad input', () => {
  it('is refused with typed errors and changes nothing', async () => {
    const before = await snapshot();
    const cases: [string, string, unknown, number, string][] = [
      ['GET', '/api/v1/groups/bad.id', undefined, 400, 'validation_failed'],
      ['PATCH', `/api/v1/roles/${'x'.repeat(65)}`, { name: 'x' }, 400, 'validation_failed'],
      ['GET', '/api/v1/groups/no-such-group', undefined, 404, 'not_found'],
      ['POST', '/api/v1/groups', { name: 'x'.repeat(129), kind: 'user' }, 400, 'validation_failed'],
      ['POST', '/api/v1/groups', { name: 'Bell\u0007', kind: 'user' }, 400, 'validation_failed'],
      [
        'POST',
        '/api/v1/groups',
        { name: 'Rule on users', kind: 'user', rule: { field: 'os', op: 'eq', value: 'linux' } },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/api/v1/groups',
        { name: 'Bad rule', kind: 'device', rule: { field: 'os', op: 'matches', value: '.*' } },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/api/v1/groups',
        { name: 'Bool rule', kind: 'device', rule: { field: 'os', op: 'eq', value: true } },
        400,
        'validation_failed',
      ],
      ['POST', '/api/v1/groups', { name: 'Finance', kind: 'user' }, 409, 'conflict'],
      ['POST', '/api/v1/groups', { name: 'Typed', kind: 'printer' }, 400, 'validation_failed'],
      ['POST', '/api/v1/groups', { name: 42, kind: 'user' }, 400, 'validation_failed'],
      ['PUT', `/api/v1/groups/${ids.finance}/members`, { members: ['no-such-user'] }, 400, 'validation_failed'],
      ['PUT', `/api/v1/groups/${ids.finance}/members`, { members: [devices.linux.id] }, 400, 'validation_failed'],
      ['PUT', `/api/v1/groups/${ids.linux}/members`, { members: [devices.mac.id] }, 400, 'validation_failed'],
      ['POST', '/api/v1/roles', { name: 'Root', permissions: ['everything.do'] }, 400, 'validation_failed'],
      ['POST', '/api/v1/roles', { name: 'Administrator', permissions: [] }, 409, 'conflict'],
      ['PATCH', '/api/v1/roles/administrator', { permissions: [] }, 403, 'forbidden'],
      ['DELETE', '/api/v1/roles/helpDeskOperator', undefined, 403, 'forbidden'],
      ['DELETE', `/api/v1/roles/${ids.viewerRole}`, undefined, 409, 'conflict'],
      [
        'POST',
        '/api/v1/assignments',
        { name: 'A', roleId: 'no-such-role', members: [ids.viewers], scope: { all: true, groups: [], excluded: [] } },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/api/v1/assignments',
        { name: 'A', roleId: 'helpDeskOperator', members: [ids.linux], scope: { all: true, groups: [], excluded: [] } },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/api/v1/assignments',
        {
          name: 'A',
          roleId: 'helpDeskOperator',
          members: [ids.viewers],
          scope: { all: false, groups: [], excluded: [] },
        },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/api/v1/assignments',
        { name: 'A', roleId: 'helpDeskOperator', members: [], scope: { all: true, groups: [], excluded: [] } },
        400,
        'validation_failed',
      ],
      ['DELETE', `/api/v1/groups/${ids.viewers}`, undefined, 409, 'conflict'],
      [
        'POST',
        '/api/v1/users',
        { email: 'not-an-email', displayName: 'X', password: DEMO_PASSWORD },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/api/v1/users',
        { email: 'short@contoso.example', displayName: 'X', password: 'short' },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/api/v1/users',
        { email: 'helper@contoso.example', displayName: 'X', password: DEMO_PASSWORD },
        409,
        'conflict',
      ],
      // Not a verified domain of Contoso: refused before anyone learns whether Fabrikam has this person.
      [
        'POST',
        '/api/v1/users',
        { email: 'helper@fabrikam.example', displayName: 'X', password: DEMO_PASSWORD },
        400,
        'validation_failed',
      ],
      [
        'POST',
        '/api/v1/users',
        { email: 'g@contoso.example', displayName: 'X', password: DEMO_PASSWORD, groups: [ids.linux] },
        400,
        'validation_failed',
      ],
      ['PATCH', `/api/v1/users/${ids.other}`, { displayName: 'y'.repeat(200) }, 400, 'validation_failed'],
      ['PATCH', `/api/v1/users/${ids.other}`, { disabled: 'yes' }, 400, 'validation_failed'],
      ['PATCH', `/api/v1/users/${ids.other}`, { roles: ['administrator'] }, 400, 'validation_failed'],
    ];
    for (const [method, path, body, status, error] of cases) {
      const r = await admin.json(path, method, body);
      expect({ method, path, status: r.status, error: r.body.error }).toEqual({ method, path, status, error });
    }
    // Someone without the permission.
    const helper = await signedIn('helper@contoso.example');
    for (const [method, path, body] of [
      ['GET', '/api/v1/roles', undefined],
      ['POST', '/api/v1/roles', { name: 'Mine', permissions: ['roles.manage'] }],
      ['PATCH', `/api/v1/users/${ids.other}`, { disabled: true }],
      ['PUT', `/api/v1/groups/${ids.finance}/members`, { members: [] }],
    ] as const) {
      expect((await helper.json(path, method, body)).body.error).toBe('forbidden');
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('directory', () => {
  it('creates, edits, disables, enables and resets a password, auditing before → after', async () => {
    const id = await createUser('newbie@contoso.example', 'Nina New');
    const nina = await signedIn('newbie@contoso.example');
    const edited = await admin.json(`/api/v1/users/${id}`, 'PATCH', { jobTitle: 'Analyst', company: 'Contoso Ltd.' });
    expect(edited.body.user).toMatchObject({ displayName: 'Nina New', jobTitle: 'Analyst', company: 'Contoso Ltd.' });
    expect((await nina.json('/api/v1/me')).body.user).toMatchObject({ jobTitle: 'Analyst' });

    await admin.json(`/api/v1/users/${id}`, 'PATCH', { disabled: true });
    expect((await nina.json('/api/v1/me')).body.error).toBe('authentication_required');
    await expect(signedIn('newbie@contoso.example')).rejects.toThrow(/sign-in failed/);
    await admin.json(`/api/v1/users/${id}`, 'PATCH', { disabled: false });
    await signedIn('newbie@contoso.example');

    expect((await admin.post(`/api/v1/users/${id}/password`, { password: 'a different long password' })).status).toBe(
      200,
    );
    await expect(signedIn('newbie@contoso.example')).rejects.toThrow(/sign-in failed/);
    await signedIn('newbie@contoso.example', 'a different long password');

    const audit = (await t.server.audit.list(tenantId(), 500)).filter((e) => e.target_id === id);
    expect(audit.map((e) => e.action).reverse()).toEqual([
      'user.created',
      'user.updated',
      'user.disabled',
      'user.enabled',
      'user.password_reset',
    ]);
    const update = JSON.parse(audit.find((e) => e.action === 'user.updated')!.data!) as {
      before: { jobTitle: string | null };
      after: { jobTitle: string | null };
    };
    expect(update.before.jobTitle).toBeNull();
    expect(update.after.jobTitle).toBe('Analyst');
    expect(JSON.stringify(audit)).not.toMatch(/argon2|different long password/);
  });

  it('audits role, group and assignment changes with before → after', async () => {
    const role = await createRole('Auditors', ['audit.read']);
    await admin.json(`/api/v1/roles/${role}`, 'PATCH', { permissions: ['audit.read', 'reports.read'] });
    const entry = (await t.server.audit.list(tenantId(), 50)).find(
      (e) => e.action === 'role.updated' && e.target_id === role,
    );
    expect(JSON.parse(entry!.data!)).toMatchObject({
      before: { permissions: ['audit.read'] },
      after: { permissions: ['audit.read', 'reports.read'] },
    });
    expect((await admin.json(`/api/v1/roles/${role}`, 'DELETE')).status).toBe(204);
  });
});
