/**
 * Integration (issue 8, item 6): compliance policies over the real server. CRUD for
 * `policies.manage` only, typed refusals of bad input with nothing changed, each change
 * audited before → after, and every device evaluated again on enrollment, check-in and a
 * change of policies, as shown on the device views.
 */
import type { CompliancePolicy, DeviceView } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { agentSignIn } from '../test/agentSignIn.js';
import { TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';
import { AuditLog } from '../audit/audit.js';
import { systemClock } from '../time.js';
import { ComplianceRepo } from './complianceRepo.js';
import { ComplianceService } from './complianceService.js';
import { DevicesRepo } from './repo.js';
import { RbacRepo } from '../rbac/repo.js';

let t: TestServer;
let admin: Client;
let helper: Client;
beforeAll(async () => {
  t = await startTestServer();
  [admin, helper] = [new Client(t.url), new Client(t.url)];
  await Promise.all([admin.signIn('admin@contoso.example'), helper.signIn('helper@contoso.example')]);
}, 60_000);
afterAll(async () => t?.stop());

const BASELINE = {
  name: 'Baseline',
  rules: [{ type: 'minOsVersion', os: 'macos', version: '14.0' }, { type: 'diskEncryption' }, { type: 'firewall' }],
  assignment: { kind: 'allDevices' },
};
const deviceView = async (id: string) => (await helper.json(`/api/v1/devices/${id}`)).body as unknown as DeviceView;
const policies = async () => (await admin.json('/api/v1/compliance-policies')).body.policies as CompliancePolicy[];

describe('compliance policies', () => {
  it('a device is not evaluated while no policy applies', async () => {
    const device = await enrollDevice(t.url, admin);
    expect(await deviceView(device.id)).toMatchObject({ compliance: 'not_evaluated', failingRules: [] });
  });

  it('only policies.manage may list, create, change or delete them', async () => {
    expect((await helper.json('/api/v1/compliance-policies')).status).toBe(403);
    expect((await helper.post('/api/v1/compliance-policies', BASELINE)).body.error).toBe('forbidden');
    expect(await policies()).toEqual([]);
  });

  it.each([
    ['no rules', { ...BASELINE, rules: [] }],
    ['an unknown rule', { ...BASELINE, rules: [{ type: 'antivirus' }] }],
    ['a bad version', { ...BASELINE, rules: [{ type: 'minOsVersion', os: 'macos', version: '14; DROP' }] }],
    ['zero days', { ...BASELINE, rules: [{ type: 'checkInWithinDays', days: 0 }] }],
    ['days as text', { ...BASELINE, rules: [{ type: 'checkInWithinDays', days: '7' }] }],
    ['an extra field in a rule', { ...BASELINE, rules: [{ type: 'firewall', strict: true }] }],
    ['an empty name', { ...BASELINE, name: '   ' }],
    ['an oversized name', { ...BASELINE, name: 'x'.repeat(101) }],
    ['an unknown assignment', { ...BASELINE, assignment: { kind: 'everyone' } }],
    ['too many rules', { ...BASELINE, rules: Array.from({ length: 21 }, () => ({ type: 'firewall' })) }],
  ])('%s → 400 validation_failed, nothing stored', async (_, body) => {
    const r = await admin.post('/api/v1/compliance-policies', body);
    expect([r.status, r.body.error]).toEqual([400, 'validation_failed']);
    expect(await policies()).toEqual([]);
  });

  it('creating, changing and deleting a policy re-evaluates devices and is audited before → after', async () => {
    const good = await enrollDevice(t.url, admin);
    const old = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, osVersion: '13.6', firewallEnabled: false });

    const created = await admin.post('/api/v1/compliance-policies', BASELINE);
    expect(created.status).toBe(201);
    const policy = created.body.policy as CompliancePolicy;
    expect(policy).toMatchObject(BASELINE);
    expect(await deviceView(good.id)).toMatchObject({ compliance: 'compliant', failingRules: [] });
    const failing = await deviceView(old.id);
    expect(failing.compliance).toBe('noncompliant');
    expect(failing.failingRules.map((f) => f.message)).toEqual([
      'macOS 13.6 is older than the required 14.0.',
      'The firewall is off.',
    ]);

    // A check-in with a fixed inventory makes the device compliant again.
    expect((await old.checkIn({ ...TEST_INVENTORY, osVersion: '14.1' })).status).toBe(200);
    expect(await deviceView(old.id)).toMatchObject({ compliance: 'compliant' });
    // …and one that breaks a rule makes it noncompliant at once.
    const checkedIn = (await (await good.checkIn({ ...TEST_INVENTORY, diskEncrypted: null })).json()) as DeviceView;
    expect(checkedIn).toMatchObject({ compliance: 'noncompliant' });
    expect(checkedIn.failingRules.map((f) => f.rule.type)).toEqual(['diskEncryption']);

    const changed = await admin.json(`/api/v1/compliance-policies/${policy.id}`, 'PUT', {
      ...BASELINE,
      name: 'No VMs',
      rules: [{ type: 'notVirtualMachine' }],
    });
    expect(changed.status).toBe(200);
    expect(await deviceView(good.id)).toMatchObject({ compliance: 'compliant' });

    expect((await admin.json(`/api/v1/compliance-policies/${policy.id}`, 'DELETE')).status).toBe(204);
    expect(await policies()).toEqual([]);
    expect(await deviceView(good.id)).toMatchObject({ compliance: 'not_evaluated', failingRules: [] });

    const audit = await t.server.db
      .selectFrom('audit_events')
      .select(['action', 'data'])
      .where('target_id', '=', policy.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'compliance_policy.created',
      'compliance_policy.updated',
      'compliance_policy.deleted',
    ]);
    const updated = JSON.parse(audit[1]!.data!) as { before: { name: string }; after: { name: string } };
    expect([updated.before.name, updated.after.name]).toEqual(['Baseline', 'No VMs']);
    expect(JSON.parse(audit[2]!.data!)).toMatchObject({ before: { name: 'No VMs' }, after: null });
  });

  it('changing or deleting a policy that does not exist → 404; a malformed id → 400', async () => {
    expect((await admin.json('/api/v1/compliance-policies/nope', 'PUT', BASELINE)).body.error).toBe('not_found');
    expect((await admin.json('/api/v1/compliance-policies/nope', 'DELETE')).body.error).toBe('not_found');
    expect((await admin.json('/api/v1/compliance-policies/bad.id', 'DELETE')).body.error).toBe('validation_failed');
  });

  it('time alone breaks "checked in within N days": a join evaluates afresh, and so does the periodic sweep', async () => {
    const policy = await admin.post('/api/v1/compliance-policies', {
      name: 'Fresh',
      rules: [{ type: 'checkInWithinDays', days: 7 }],
      assignment: { kind: 'allDevices' },
    });
    expect(policy.status).toBe(201);
    const joining = await enrollDevice(t.url, admin);
    const idle = await enrollDevice(t.url, admin);
    expect(await deviceView(joining.id)).toMatchObject({ compliance: 'compliant' });
    // Both devices fall silent for 8 days (their last check-in moves back; nothing else happens).
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await t.server.db
      .updateTable('devices')
      .set({ last_check_in_at: eightDaysAgo })
      .where('id', 'in', [joining.id, idle.id])
      .execute();
    expect(await deviceView(joining.id)).toMatchObject({ compliance: 'compliant' }); // as last stored

    // The sharer joins from one of them: the session records a fresh evaluation.
    const offered = await helper.post('/api/v1/sessions', {});
    const token = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
    const joined = await fetch(`${t.url}/api/v1/sessions/redeem`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-device-proof': `Device ${await joining.proof('POST', '/api/v1/sessions/redeem')}`,
      },
      body: JSON.stringify({ code: offered.body.code, client: 'agent' }),
    });
    expect(joined.status).toBe(200);
    const id = (offered.body.session as { id: string }).id;
    const view = (await helper.json(`/api/v1/sessions/${id}`)).body.session as {
      sharerDevice: { compliance: string; failingRules: { message: string }[] };
    };
    expect(view.sharerDevice.compliance).toBe('noncompliant');
    expect(view.sharerDevice.failingRules[0]?.message).toBe(
      'The last check-in was 8 days ago; at most 7 days are allowed.',
    );
    expect(await deviceView(joining.id)).toMatchObject({ compliance: 'noncompliant' });

    // The other one changes on the periodic sweep (the service `app.ts` runs hourly, on the same database).
    expect(await deviceView(idle.id)).toMatchObject({ compliance: 'compliant' });
    const db = t.server.db;
    const sweep = new ComplianceService({
      repo: new ComplianceRepo(db),
      devices: new DevicesRepo(db),
      audit: new AuditLog(db, systemClock),
      clock: systemClock,
      groups: new RbacRepo(db),
    });
    await sweep.reevaluateAll();
    expect(await deviceView(idle.id)).toMatchObject({ compliance: 'noncompliant' });
  });

  it('a policy assigned to device groups applies to their static members and to what a dynamic group’s rule matches', async () => {
    // Only this test's policies: clear what earlier tests left.
    for (const p of await policies()) await admin.json(`/api/v1/compliance-policies/${p.id}`, 'DELETE');
    const inStatic = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, firewallEnabled: false });
    const linux = await enrollDevice(t.url, admin, {
      ...TEST_INVENTORY,
      os: 'linux',
      osVersion: '12',
      firewallEnabled: false,
    });
    const outside = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, firewallEnabled: false });
    const group = async (body: Record<string, unknown>) => {
      const r = await admin.post('/api/v1/groups', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return (r.body.group as { id: string }).id;
    };
    const finance = await group({ name: 'Finance laptops', kind: 'device' });
    expect((await admin.json(`/api/v1/groups/${finance}/members`, 'PUT', { members: [inStatic.id] })).status).toBe(200);
    const linuxGroup = await group({ name: 'Linux', kind: 'device', rule: { field: 'os', op: 'eq', value: 'linux' } });
    const people = await group({ name: 'People', kind: 'user' });

    const firewall = { name: 'Firewall', rules: [{ type: 'firewall' }] };
    for (const groupIds of [['no-such-group'], [people], [finance, 'no-such-group']]) {
      const r = await admin.post('/api/v1/compliance-policies', {
        ...firewall,
        assignment: { kind: 'deviceGroups', groupIds },
      });
      expect([r.status, r.body.error]).toEqual([400, 'validation_failed']);
    }
    expect(await policies()).toEqual([]);

    const created = await admin.post('/api/v1/compliance-policies', {
      ...firewall,
      assignment: { kind: 'deviceGroups', groupIds: [finance, linuxGroup] },
    });
    expect(created.status).toBe(201);
    expect(await deviceView(inStatic.id)).toMatchObject({ compliance: 'noncompliant' });
    expect(await deviceView(linux.id)).toMatchObject({ compliance: 'noncompliant' });
    expect(await deviceView(outside.id)).toMatchObject({ compliance: 'not_evaluated' });
    // The dynamic group follows the inventory: a check-in as macOS leaves it.
    expect((await linux.checkIn({ ...TEST_INVENTORY, firewallEnabled: false })).status).toBe(200);
    expect(await deviceView(linux.id)).toMatchObject({ compliance: 'not_evaluated' });
  });
});

describe('device status per policy (GET /api/v1/compliance-policies/status)', () => {
  type Status = {
    policies: { policyId: string; compliant: number; noncompliant: number }[];
    devices: { compliant: number; noncompliant: number; notEvaluated: number };
    evaluatedAt: string;
  };
  const status = async () => {
    const r = await admin.json('/api/v1/compliance-policies/status');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as unknown as Status;
  };

  it('counts, per policy, the devices it applies to that pass or fail it, and every device overall', async () => {
    for (const p of await policies()) await admin.json(`/api/v1/compliance-policies/${p.id}`, 'DELETE');
    const good = await enrollDevice(t.url, admin);
    const vm = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, isVirtualMachine: true });
    const lab = await admin.post('/api/v1/groups', { name: 'Status lab', kind: 'device' });
    const labId = (lab.body.group as { id: string }).id;
    expect((await admin.json(`/api/v1/groups/${labId}/members`, 'PUT', { members: [good.id, vm.id] })).status).toBe(
      200,
    );

    // No policy: every device is "not evaluated".
    const none = await status();
    expect(none.policies).toEqual([]);
    expect(none.devices.compliant + none.devices.noncompliant).toBe(0);
    const total = none.devices.notEvaluated;
    expect(total).toBeGreaterThanOrEqual(2);

    const noVm = await admin.post('/api/v1/compliance-policies', {
      name: 'Lab: no VMs',
      rules: [{ type: 'notVirtualMachine' }],
      assignment: { kind: 'deviceGroups', groupIds: [labId] },
    });
    const noVmId = (noVm.body.policy as CompliancePolicy).id;
    const lab1 = await status();
    expect(lab1.policies).toEqual([{ policyId: noVmId, compliant: 1, noncompliant: 1 }]);
    expect(lab1.devices).toEqual({ compliant: 1, noncompliant: 1, notEvaluated: total - 2 });

    // A policy for all devices: it applies to each of them; overall agrees with the device list.
    const encrypted = await admin.post('/api/v1/compliance-policies', {
      name: 'All: encrypted',
      rules: [{ type: 'diskEncryption' }],
      assignment: { kind: 'allDevices' },
    });
    const encryptedId = (encrypted.body.policy as CompliancePolicy).id;
    const both = await status();
    const all = both.policies.find((p) => p.policyId === encryptedId)!;
    expect(all.compliant + all.noncompliant).toBe(total);
    expect(both.policies.find((p) => p.policyId === noVmId)).toEqual({
      policyId: noVmId,
      compliant: 1,
      noncompliant: 1,
    });
    const list = (await helper.json('/api/v1/devices')).body.devices as DeviceView[];
    const stored = (state: string) => list.filter((d) => d.compliance === state).length;
    expect(both.devices).toEqual({
      compliant: stored('compliant'),
      noncompliant: stored('noncompliant'),
      notEvaluated: stored('not_evaluated'),
    });
    expect(both.devices.notEvaluated).toBe(0);
    expect(Math.abs(Date.parse(both.evaluatedAt) - Date.now())).toBeLessThan(60_000);

    // Nothing is stored by reading the status; another tenant's administrator sees only their own.
    const fabrikam = new Client(t.url);
    await fabrikam.signIn('helper@fabrikam.example');
    expect((await fabrikam.json('/api/v1/compliance-policies/status')).status).toBe(403);
    for (const p of await policies()) await admin.json(`/api/v1/compliance-policies/${p.id}`, 'DELETE');
  });

  it('only policies.manage may read it', async () => {
    const r = await helper.json('/api/v1/compliance-policies/status');
    expect([r.status, r.body.error]).toEqual([403, 'forbidden']);
  });

  it('someone who only manages policies can read the device groups to assign, but not change groups', async () => {
    const people = await admin.post('/api/v1/groups', { name: 'Policy authors', kind: 'user' });
    const peopleId = (people.body.group as { id: string }).id;
    const created = await admin.post('/api/v1/users', {
      email: 'policy-author@contoso.example',
      displayName: 'Policy Author',
      password: 'a long enough password 1',
      groups: [peopleId],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const role = await admin.post('/api/v1/roles', { name: 'Compliance author', permissions: ['policies.manage'] });
    const assignment = await admin.post('/api/v1/assignments', {
      name: 'Compliance authors',
      roleId: (role.body.role as { id: string }).id,
      members: [peopleId],
      scope: { all: true, groups: [], excluded: [] },
    });
    expect(assignment.status, JSON.stringify(assignment.body)).toBe(201);
    const author = new Client(t.url);
    await author.signIn('policy-author@contoso.example', 'a long enough password 1');
    const groups = await author.json('/api/v1/groups');
    expect(groups.status, JSON.stringify(groups.body)).toBe(200);
    expect((groups.body.groups as { name: string }[]).map((g) => g.name)).toContain('Policy authors');
    expect((await author.json('/api/v1/compliance-policies/status')).status).toBe(200);
    const change = await author.post('/api/v1/groups', { name: 'Sneaky', kind: 'device' });
    expect([change.status, change.body.error]).toEqual([403, 'forbidden']);
    expect((await author.json(`/api/v1/groups/${peopleId}`, 'DELETE')).status).toBe(403);
  });
});
