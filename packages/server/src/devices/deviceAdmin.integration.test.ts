/**
 * Integration (issue 8, item 2): the admin center's devices over the real server, real SQLite
 * and the real sign-in. The device list's search, filters, sort and paging on the server;
 * who sees which devices (administrators the organization, a helper their scope with its
 * exclusions, nobody another organization's); the contract's typed refusal of a bad query;
 * remote launch refusing an out-of-scope device before saying whether it is online; a code
 * session offered to a device (accepted there, or its code entered elsewhere); the primary
 * user; enrollment tokens listed, revoked (audited) and refused at the real enrollment
 * endpoint with a typed error when revoked, used up or expired.
 */
import type { DeviceView, EnrollmentTokenView, SessionView } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import type { TestDevice } from '../test/testDevice.js';
import { DeviceSocket, TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';

let t: TestServer;
/**
 * The server's clock: real time plus what the tests moved it. It must keep running: device proofs carry
 * real time (iat), and a clock frozen at the start fell behind them by the file's own duration (on a
 * loaded machine, or on PostgreSQL, past the proofs' 5 s tolerance: "iat should be in the past").
 */
let ahead = 0;
const serverNow = () => Date.now() + ahead;
let admin: Client;
let helper: Client;
let sharer: Client;
let readOnly: Client;
let scoped: Client;
/** Sees every device (`devices.read`) but helps only within the scoped assignment. */
let scopedReader: Client;
let foreignAdmin: Client;
const sockets: DeviceSocket[] = [];
const d: Record<'alpha' | 'bravo' | 'charlie' | 'delta' | 'echo' | 'foxtrot' | 'fabrikam', TestDevice> = {} as never;

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email, DEMO_PASSWORD);
  return c;
};
const created = (r: { status: number; body: Record<string, unknown> }, key: string): string => {
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body[key] as { id: string }).id;
};
/** Enrolls a device with this inventory; the clock moves 2 s first, so check-ins differ (proofs allow 60 s). */
const enroll = async (by: Client, inventory: Partial<typeof TEST_INVENTORY>) => {
  ahead += 2_000;
  return enrollDevice(t.url, by, { ...TEST_INVENTORY, ...inventory });
};
const list = async (c: Client, query = '') => {
  const r = await c.json(`/api/v1/devices${query ? `?${query}` : ''}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { devices: DeviceView[]; total: number };
};
const names = async (c: Client, query = '') => (await list(c, query)).devices.map((device) => device.name);

beforeAll(async () => {
  t = await startTestServer({}, { clock: { now: serverNow } });
  [admin, helper, sharer] = await Promise.all([
    signedIn('admin@contoso.example'),
    signedIn('helper@contoso.example'),
    signedIn('sharer@contoso.example'),
  ]);

  // A policy "firewall on" for every device: echo reports it off and is noncompliant.
  const policy = await admin.post('/api/v1/compliance-policies', {
    name: 'Firewall',
    rules: [{ type: 'firewall' }],
    assignment: { kind: 'allDevices' },
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);

  d.alpha = await enroll(admin, { hostname: 'alpha', os: 'linux', osVersion: '6.1', serial: 'SN-ALPHA-1' });
  d.bravo = await enroll(admin, { hostname: 'bravo', os: 'macos', osVersion: '14.10', serial: 'C02BRAVO' });
  d.charlie = await enroll(admin, { hostname: 'charlie', os: 'macos', osVersion: '14.9', serial: 'C02CHARLIE' });
  d.delta = await enroll(admin, { hostname: 'delta', os: 'linux', osVersion: '6.8', serial: 'SN-DELTA-4' });
  d.echo = await enroll(admin, {
    hostname: 'echo',
    os: 'windows',
    osVersion: '10.0.19045',
    serial: 'W-ECHO',
    firewallEnabled: false,
  });
  d.foxtrot = await enroll(admin, { hostname: 'foxtrot', os: 'linux', osVersion: '5.15', serial: 'SN-FOX' });
  await t.server.db
    .updateTable('devices')
    .set({ revoked_at: new Date(serverNow()).toISOString() })
    .where('id', '=', d.foxtrot.id)
    .execute();
  for (const device of [d.alpha, d.delta]) sockets.push(await DeviceSocket.open(t.url, device));

  // A Read Only Operator (devices.read) and a scoped helper: Help Desk Operator over Linux
  // devices (dynamic) and the static group "Design Macs" (bravo), except "Quarantine" (delta).
  const readers = created(await admin.post('/api/v1/groups', { name: 'Readers', kind: 'user' }), 'group');
  const scopedHelpers = created(await admin.post('/api/v1/groups', { name: 'Scoped', kind: 'user' }), 'group');
  const linux = created(
    await admin.post('/api/v1/groups', {
      name: 'Linux',
      kind: 'device',
      rule: { field: 'os', op: 'eq', value: 'linux' },
    }),
    'group',
  );
  const macs = created(await admin.post('/api/v1/groups', { name: 'Design Macs', kind: 'device' }), 'group');
  const quarantine = created(await admin.post('/api/v1/groups', { name: 'Quarantine', kind: 'device' }), 'group');
  expect((await admin.json(`/api/v1/groups/${macs}/members`, 'PUT', { members: [d.bravo.id] })).status).toBe(200);
  expect((await admin.json(`/api/v1/groups/${quarantine}/members`, 'PUT', { members: [d.delta.id] })).status).toBe(200);
  for (const [email, name, groups] of [
    ['reader@contoso.example', 'Rita Reader', [readers]],
    ['scoped@contoso.example', 'Sam Scoped', [scopedHelpers]],
    ['both@contoso.example', 'Bo Both', [readers, scopedHelpers]],
  ] as const) {
    const r = await admin.post('/api/v1/users', { email, displayName: name, password: DEMO_PASSWORD, groups });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  const assign = async (body: Record<string, unknown>) =>
    created(await admin.post('/api/v1/assignments', { description: '', ...body }), 'assignment');
  await assign({
    name: 'Readers',
    roleId: 'readOnlyOperator',
    members: [readers],
    scope: { all: true, groups: [], excluded: [] },
  });
  await assign({
    name: 'Scoped help desk',
    roleId: 'helpDeskOperator',
    members: [scopedHelpers],
    scope: { all: false, groups: [linux, macs], excluded: [quarantine] },
  });
  [readOnly, scoped, scopedReader] = await Promise.all([
    signedIn('reader@contoso.example'),
    signedIn('scoped@contoso.example'),
    signedIn('both@contoso.example'),
  ]);

  // Fabrikam has no administrator in the demo: make its sharer one, as its first administrator.
  const db = t.server.db;
  const fabrikam = (
    await db.selectFrom('tenants').select('id').where('slug', '=', 'fabrikam').executeTakeFirstOrThrow()
  ).id;
  const aiko = (
    await db.selectFrom('users').select('id').where('email', '=', 'sharer@fabrikam.example').executeTakeFirstOrThrow()
  ).id;
  const at = new Date(serverNow()).toISOString();
  await db
    .insertInto('rbac_groups')
    .values({
      id: 'fab-admins',
      tenant_id: fabrikam,
      name: 'Admins',
      description: '',
      kind: 'user',
      rule: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto('rbac_group_members')
    .values({ group_id: 'fab-admins', tenant_id: fabrikam, member_id: aiko })
    .execute();
  await db
    .insertInto('rbac_assignments')
    .values({
      id: 'fab-admin',
      tenant_id: fabrikam,
      name: 'Admins',
      description: '',
      role_id: 'administrator',
      scope_all: 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto('rbac_assignment_groups')
    .values({ assignment_id: 'fab-admin', group_id: 'fab-admins', tenant_id: fabrikam, relation: 'member' })
    .execute();
  foreignAdmin = await signedIn('sharer@fabrikam.example');
  d.fabrikam = await enroll(foreignAdmin, { hostname: 'fabrikam-pc', os: 'windows', osVersion: '11' });
}, 90_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await t?.stop();
});

describe('the device list: search, filters, sort and paging on the server', () => {
  it('administrators see the organization’s enrolled devices by name, with a total', async () => {
    const page = await list(admin);
    expect(page.devices.map((device) => device.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(page.total).toBe(5);
    const alpha = page.devices[0]!;
    expect(alpha).toMatchObject({
      id: d.alpha.id,
      online: true,
      enrollmentStatus: 'enrolled',
      primaryUser: null,
      compliance: 'compliant',
      inventory: { os: 'linux', osVersion: '6.1', serial: 'SN-ALPHA-1' },
    });
    expect(page.devices.find((device) => device.name === 'echo')).toMatchObject({
      compliance: 'noncompliant',
      failingRules: [expect.objectContaining({ rule: { type: 'firewall' }, policyName: 'Firewall' })],
    });
    // The administrator's scope is everything: each device says it may be helped.
    expect(page.devices.every((device) => device.inScope)).toBe(true);
    // A Read Only Operator (devices.read, no helper rights) sees the same, and may help none.
    const read = await list(readOnly);
    expect(read.devices.map((device) => device.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(read.devices.some((device) => device.inScope)).toBe(false);
  });

  it('searches name and serial number (case-insensitive, anywhere)', async () => {
    expect(await names(admin, 'search=LPH')).toEqual(['alpha']);
    expect(await names(admin, 'search=c02')).toEqual(['bravo', 'charlie']);
    expect(await names(admin, `search=${encodeURIComponent('  sn-delta ')}`)).toEqual(['delta']);
    expect(await list(admin, 'search=nothing-like-this')).toEqual({ devices: [], total: 0 });
  });

  it('filters by OS, compliance, online and enrollment status', async () => {
    expect(await names(admin, 'os=macos')).toEqual(['bravo', 'charlie']);
    expect(await names(admin, 'compliance=noncompliant')).toEqual(['echo']);
    expect(await names(admin, 'compliance=compliant&os=linux')).toEqual(['alpha', 'delta']);
    expect(await names(admin, 'online=online')).toEqual(['alpha', 'delta']);
    expect(await names(admin, 'online=offline&os=macos')).toEqual(['bravo', 'charlie']);
    expect(await names(admin, 'enrollment=revoked')).toEqual(['foxtrot']);
    const all = await list(admin, 'enrollment=all');
    expect(all.total).toBe(6);
    expect(all.devices.find((device) => device.name === 'foxtrot')).toMatchObject({
      enrollmentStatus: 'revoked',
      inScope: false,
    });
    // A revoked device's page opens for an administrator; it cannot be launched on.
    expect((await admin.json(`/api/v1/devices/${d.foxtrot.id}`)).body).toMatchObject({ enrollmentStatus: 'revoked' });
    expect((await admin.post(`/api/v1/devices/${d.foxtrot.id}/sessions`)).body.error).toBe('not_found');
  });

  it('sorts by any column, both ways; OS versions compare as numbers', async () => {
    expect(await names(admin, 'sort=os')).toEqual(['alpha', 'delta', 'charlie', 'bravo', 'echo']);
    expect(await names(admin, 'sort=os&order=desc')).toEqual(['echo', 'bravo', 'charlie', 'delta', 'alpha']);
    expect(await names(admin, 'sort=name&order=desc')).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
    expect(await names(admin, 'sort=lastCheckIn&order=desc')).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
    expect(await names(admin, 'sort=online&order=desc')).toEqual(['alpha', 'delta', 'bravo', 'charlie', 'echo']);
    expect(await names(admin, 'sort=compliance&order=desc')).toEqual(['echo', 'alpha', 'bravo', 'charlie', 'delta']);
    expect(await names(admin, 'sort=enrollmentStatus&order=desc&enrollment=all')).toEqual([
      'foxtrot',
      'alpha',
      'bravo',
      'charlie',
      'delta',
      'echo',
    ]);
    // Nobody has a primary user yet: the ties keep the name order.
    expect(await names(admin, 'sort=primaryUser')).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
  });

  it('pages: the pages together are the whole list, and the total counts every match', async () => {
    const pages = [];
    for (const offset of [0, 2, 4]) {
      const page = await list(admin, `sort=os&limit=2&offset=${offset}`);
      expect(page.total).toBe(5);
      pages.push(...page.devices.map((device) => device.name));
    }
    expect(pages).toEqual(['alpha', 'delta', 'charlie', 'bravo', 'echo']);
    expect(await list(admin, 'offset=50')).toEqual({ devices: [], total: 5 });
  });

  it('refuses a bad query with the contract’s typed 400, naming the parameter', async () => {
    for (const [query, parameter] of [
      ['sort=color', 'sort'],
      ['order=up', 'order'],
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-1', 'offset'],
      ['os=plan9', 'os'],
      ['compliance=maybe', 'compliance'],
      ['online=yes', 'online'],
      ['enrollment=pending', 'enrollment'],
      [`search=${'x'.repeat(129)}`, 'search'],
      ['color=blue', '(root)'],
    ] as const) {
      const r = await admin.json(`/api/v1/devices?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error, query).toBe('validation_failed');
      const issues = (r.body.data as { issues: { path: string }[] }).issues;
      expect(issues.map((i) => i.path).join(), query).toContain(parameter);
    }
  });
});

describe('who sees which devices', () => {
  it('a person without device or helper rights is refused; another organization sees none of ours', async () => {
    const refused = await sharer.json('/api/v1/devices');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('forbidden');
    expect(await names(foreignAdmin, 'enrollment=all')).toEqual(['fabrikam-pc']);
    expect(await names(foreignAdmin, 'search=alpha')).toEqual([]);
    expect((await foreignAdmin.json(`/api/v1/devices/${d.alpha.id}`)).status).toBe(404);
    expect((await admin.json(`/api/v1/devices/${d.fabrikam.id}`)).status).toBe(404);
    expect(await names(admin, 'search=fabrikam')).toEqual([]);
  });

  it('a helper sees the devices in their scope: scope groups (dynamic and static) minus exclusions', async () => {
    // Linux (dynamic): alpha and delta, but delta is in Quarantine; Design Macs: bravo.
    expect(await names(scoped)).toEqual(['alpha', 'bravo']);
    expect((await list(scoped)).total).toBe(2);
    // Filters narrow the scope, they never widen it; revoked devices are nobody's to help.
    expect(await names(scoped, 'enrollment=all')).toEqual(['alpha', 'bravo']);
    expect(await names(scoped, 'enrollment=revoked')).toEqual([]);
    expect(await names(scoped, 'os=macos')).toEqual(['bravo']);
    expect(await names(scoped, 'search=delta')).toEqual([]);
    // The demo help desk has scope "all users and devices".
    expect(await names(helper)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
  });

  it('the list is exactly what remote launch allows: listed ⇔ not out of scope', async () => {
    const listed = new Set((await list(scoped)).devices.map((device) => device.id));
    for (const name of ['alpha', 'bravo', 'charlie', 'delta', 'echo'] as const) {
      const r = await scoped.post(`/api/v1/devices/${d[name].id}/sessions`);
      if (listed.has(d[name].id)) {
        expect(r.body.error, name).not.toBe('out_of_scope');
        if (r.status === 201) await scoped.post(`/api/v1/sessions/${(r.body.session as SessionView).id}/leave`);
      } else {
        expect([r.status, r.body.error], name).toEqual([403, 'out_of_scope']);
      }
    }
  });

  it('out of scope is said before online: an offline out-of-scope device is out_of_scope, not device_offline', async () => {
    const charlie = await scoped.post(`/api/v1/devices/${d.charlie.id}/sessions`);
    expect([charlie.status, charlie.body.error]).toEqual([403, 'out_of_scope']);
    expect(String(charlie.body.message)).not.toMatch(/connected|online/i);
    // Online but excluded: the same answer.
    const delta = await scoped.post(`/api/v1/devices/${d.delta.id}/sessions`);
    expect([delta.status, delta.body.error]).toEqual([403, 'out_of_scope']);
    // In scope and offline: now it may be said.
    const bravo = await scoped.post(`/api/v1/devices/${d.bravo.id}/sessions`);
    expect([bravo.status, bravo.body.error]).toEqual([409, 'device_offline']);
    // Someone who may see every device (devices.read) still launches only within their scope,
    // and each device says whether it is in that scope.
    const seesAll = await list(scopedReader);
    expect(seesAll.devices.map((device) => [device.name, device.inScope])).toEqual([
      ['alpha', true],
      ['bravo', true],
      ['charlie', false],
      ['delta', false],
      ['echo', false],
    ]);
    expect((await scopedReader.json(`/api/v1/devices/${d.delta.id}`)).body).toMatchObject({ inScope: false });
    expect((await scopedReader.json(`/api/v1/devices/${d.alpha.id}`)).body).toMatchObject({ inScope: true });
    const seen = await scopedReader.post(`/api/v1/devices/${d.charlie.id}/sessions`);
    expect([seen.status, seen.body.error]).toEqual([403, 'out_of_scope']);
    const seenOnline = await scopedReader.post(`/api/v1/devices/${d.delta.id}/sessions`);
    expect([seenOnline.status, seenOnline.body.error]).toEqual([403, 'out_of_scope']);
    expect((await scopedReader.post(`/api/v1/devices/${d.bravo.id}/sessions`)).body.error).toBe('device_offline');
    // The device page of a helper without devices.read follows the same scope.
    expect((await scoped.json(`/api/v1/devices/${d.charlie.id}`)).body.error).toBe('out_of_scope');
    expect((await scoped.json(`/api/v1/devices/${d.bravo.id}`)).body).toMatchObject({ name: 'bravo', online: false });
  });
});

describe('a code session offered to a device (the device page’s “New remote assistance session”)', () => {
  const accept = async (sessionId: string, device: TestDevice, email = 'sharer@contoso.example') => {
    const token = (await agentSignIn(t.url, email)).access_token;
    return device.answerLaunch(sessionId, token);
  };

  it('the device gets the offer for the same session; accepting joins and retires the code; its user becomes the primary user', async () => {
    const made = await admin.post('/api/v1/sessions');
    expect(made.status).toBe(201);
    const { session, code } = made.body as { session: SessionView; code: string };
    const offered = await admin.post(`/api/v1/devices/${d.alpha.id}/sessions`, { sessionId: session.id });
    expect(offered.status, JSON.stringify(offered.body)).toBe(201);
    expect((offered.body.session as SessionView).id).toBe(session.id);
    expect((offered.body.session as SessionView).device).toMatchObject({ id: d.alpha.id, name: 'alpha' });
    const socket = sockets[0]!;
    const launch = await socket.next((m) => m.type === 'launch' && m.sessionId === session.id);
    expect(launch).toMatchObject({ helper: { displayName: 'Priya Raman' } });

    const accepted = await accept(session.id, d.alpha);
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { session: SessionView }).session).toMatchObject({
      state: 'joined',
      sharer: { displayName: 'Lena Fischer' },
    });
    // The code was not entered; it no longer opens anything.
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).body.error).toBe('code_invalid');
    await admin.post(`/api/v1/sessions/${session.id}/leave`);

    const alpha = (await list(admin, 'search=lena')).devices;
    expect(alpha.map((device) => device.name)).toEqual(['alpha']);
    expect(alpha[0]?.primaryUser).toMatchObject({ displayName: 'Lena Fischer', email: 'sharer@contoso.example' });
    expect(await names(admin, 'search=sharer%40contoso')).toEqual(['alpha']);
    expect(await names(admin, 'sort=primaryUser')).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(await names(admin, 'sort=primaryUser&order=desc')).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    // Set once: a later person does not replace the primary user.
    const again = (await admin.post('/api/v1/sessions')).body as { session: SessionView };
    expect((await admin.post(`/api/v1/devices/${d.alpha.id}/sessions`, { sessionId: again.session.id })).status).toBe(
      201,
    );
    expect((await accept(again.session.id, d.alpha, 'helper@contoso.example')).status).toBe(200);
    await admin.post(`/api/v1/sessions/${again.session.id}/leave`);
    expect((await admin.json(`/api/v1/devices/${d.alpha.id}`)).body).toMatchObject({
      primaryUser: { displayName: 'Lena Fischer' },
    });
    const audit = await t.server.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'device.primary_user_set')
      .where('target_id', '=', d.alpha.id)
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('the code entered elsewhere first: the device’s offer is withdrawn and the session forgets the device', async () => {
    const { session, code } = (await helper.post('/api/v1/sessions')).body as { session: SessionView; code: string };
    expect((await helper.post(`/api/v1/devices/${d.delta.id}/sessions`, { sessionId: session.id })).status).toBe(201);
    const socket = sockets[1]!;
    await socket.next((m) => m.type === 'launch' && m.sessionId === session.id);
    const joined = await sharer.post('/api/v1/sessions/redeem', { code });
    expect(joined.status).toBe(200);
    await socket.next((m) => m.type === 'launch_cancelled' && m.sessionId === session.id);
    const view = (await helper.json(`/api/v1/sessions/${session.id}`)).body.session as SessionView;
    expect(view).toMatchObject({ state: 'joined', device: null });
    expect(view.sharerDevice).toMatchObject({ enrolled: false });
    expect((await accept(session.id, d.delta)).status).toBe(409);
    await helper.post(`/api/v1/sessions/${session.id}/leave`);
  });

  it('only the helper’s own waiting code session, only to a device in their scope', async () => {
    const mine = (await admin.post('/api/v1/sessions')).body as { session: SessionView };
    const theirs = await helper.post(`/api/v1/devices/${d.alpha.id}/sessions`, { sessionId: mine.session.id });
    expect([theirs.status, theirs.body.error]).toEqual([403, 'not_participant']);
    sockets.push(await DeviceSocket.open(t.url, d.fabrikam));
    const foreign = await foreignAdmin.post(`/api/v1/devices/${d.fabrikam.id}/sessions`, {
      sessionId: mine.session.id,
    });
    expect(foreign.body.error).toBe('session_not_found');
    const scopedSession = (await scoped.post('/api/v1/sessions')).body as { session: SessionView };
    const out = await scoped.post(`/api/v1/devices/${d.delta.id}/sessions`, { sessionId: scopedSession.session.id });
    expect([out.status, out.body.error]).toEqual([403, 'out_of_scope']);
    const bad = await admin.post(`/api/v1/devices/${d.alpha.id}/sessions`, { sessionId: 'no/such' });
    expect([bad.status, bad.body.error]).toEqual([400, 'validation_failed']);
    const extra = await admin.post(`/api/v1/devices/${d.alpha.id}/sessions`, { sessionId: mine.session.id, x: 1 });
    expect([extra.status, extra.body.error]).toEqual([400, 'validation_failed']);
    // Nothing above offered it: it still waits for its code, for no device.
    expect(((await admin.json(`/api/v1/sessions/${mine.session.id}`)).body.session as SessionView).device).toBeNull();
    for (const c of [admin, scoped] as const) {
      const id = c === admin ? mine.session.id : scopedSession.session.id;
      await c.post(`/api/v1/sessions/${id}/leave`);
    }
  });
});

describe('enrollment tokens', () => {
  const tokens = async (c: Client, query = '') => {
    const r = await c.json(`/api/v1/enrollment-tokens${query ? `?${query}` : ''}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { tokens: EnrollmentTokenView[]; total: number };
  };
  const enrollWith = async (token: string) => {
    const r = await fetch(`${t.url}/api/v1/devices/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        publicKey: { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) },
        inventory: { ...TEST_INVENTORY, hostname: 'enrolled-by-token' },
      }),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const deviceCount = async () =>
    Number(
      (
        await t.server.db
          .selectFrom('devices')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('made, listed (never the token itself), revoked once with an audit entry, and then refused at enrollment', async () => {
    const r = await admin.post('/api/v1/enrollment-tokens', { expiresInHours: 2, maxUses: 2 });
    expect(r.status).toBe(201);
    const { token, view } = r.body as { token: string; view: EnrollmentTokenView };
    expect(view).toMatchObject({ hint: token.slice(-4), uses: 0, maxUses: 2, state: 'active', revokedAt: null });
    expect(view.createdBy).toMatchObject({ displayName: 'Priya Raman' });

    expect((await enrollWith(token)).status).toBe(201);
    const listed = await tokens(admin);
    const row = listed.tokens.find((x) => x.id === view.id);
    expect(row).toMatchObject({ uses: 1, maxUses: 2, state: 'active' });
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed.tokens.map((x) => x.createdAt)).toEqual([...listed.tokens.map((x) => x.createdAt)].sort().reverse());

    const revoked = await admin.post(`/api/v1/enrollment-tokens/${view.id}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: view.id, state: 'revoked', uses: 1 });
    expect((await tokens(admin, 'state=revoked')).tokens.map((x) => x.id)).toContain(view.id);
    expect((await tokens(admin, 'state=active')).tokens.map((x) => x.id)).not.toContain(view.id);
    // Revoking again changes nothing and is not audited twice.
    expect((await admin.post(`/api/v1/enrollment-tokens/${view.id}/revoke`)).body).toMatchObject({ state: 'revoked' });
    const audit = await t.server.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'enrollment_token.revoked')
      .where('target_id', '=', view.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.data!)).toMatchObject({
      before: { state: 'active', revokedAt: null },
      after: { state: 'revoked' },
    });
    expect(audit[0]!.actor_type).toBe('user');

    const before = await deviceCount();
    const refused = await enrollWith(token);
    expect([refused.status, refused.body.error]).toEqual([410, 'enrollment_token_revoked']);
    expect(await deviceCount()).toBe(before);
  });

  it('a used-up token and a made-up one are refused with their own codes', async () => {
    const { token } = (await admin.post('/api/v1/enrollment-tokens', { maxUses: 1 })).body as { token: string };
    expect((await enrollWith(token)).status).toBe(201);
    const usedUp = await enrollWith(token);
    expect([usedUp.status, usedUp.body.error]).toEqual([410, 'enrollment_token_used_up']);
    const madeUp = await enrollWith(`rhe_${'q'.repeat(43)}`);
    expect([madeUp.status, madeUp.body.error]).toEqual([401, 'enrollment_token_invalid']);
    expect((await tokens(admin, 'state=used_up')).tokens.some((x) => x.hint === token.slice(-4))).toBe(true);
  });

  it('only administrators with devices.manage, only their organization’s tokens; bad input is a typed 400', async () => {
    const { view } = (await admin.post('/api/v1/enrollment-tokens', {})).body as { view: EnrollmentTokenView };
    for (const c of [helper, sharer, readOnly]) {
      expect((await c.json('/api/v1/enrollment-tokens')).body.error).toBe('forbidden');
      expect((await c.post(`/api/v1/enrollment-tokens/${view.id}/revoke`)).body.error).toBe('forbidden');
    }
    expect((await tokens(foreignAdmin)).tokens.map((x) => x.id)).not.toContain(view.id);
    const foreign = await foreignAdmin.post(`/api/v1/enrollment-tokens/${view.id}/revoke`);
    expect([foreign.status, foreign.body.error]).toEqual([404, 'not_found']);
    for (const query of ['state=dead', 'limit=201', 'offset=-3', 'sort=name']) {
      expect((await admin.json(`/api/v1/enrollment-tokens?${query}`)).body.error, query).toBe('validation_failed');
    }
    for (const body of [{ expiresInHours: 0 }, { maxUses: 10_001 }, { expiresInHours: '24' }, { note: 'x' }]) {
      expect((await admin.post('/api/v1/enrollment-tokens', body)).body.error, JSON.stringify(body)).toBe(
        'validation_failed',
      );
    }
    expect((await admin.post(`/api/v1/enrollment-tokens/${view.id}/revoke`, { reason: 'x' })).body.error).toBe(
      'validation_failed',
    );
    expect((await admin.post('/api/v1/enrollment-tokens/bad.id/revoke')).body.error).toBe('validation_failed');
    // Nothing above changed it.
    expect((await tokens(admin)).tokens.find((x) => x.id === view.id)).toMatchObject({ state: 'active' });
  });

  it('an expired token is listed as expired and refused at enrollment', async () => {
    const { token, view } = (await admin.post('/api/v1/enrollment-tokens', { expiresInHours: 1 })).body as {
      token: string;
      view: EnrollmentTokenView;
    };
    ahead += 61 * 60_000;
    expect((await tokens(admin, 'state=expired')).tokens.map((x) => x.id)).toContain(view.id);
    const expired = await enrollWith(token);
    expect([expired.status, expired.body.error]).toEqual([410, 'enrollment_token_expired']);
  });
});
