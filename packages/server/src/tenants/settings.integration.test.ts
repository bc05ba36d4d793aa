/**
 * Integration (issue 8, item 5): tenant settings over the real server. Reading and replacing
 * them (administrators only, validated, audited before → after); the unenrolled switch for a
 * web sharer, an unenrolled agent, an agent with another organization's device and an
 * enrolled agent; Enable Remote Help off refusing every session action and ending live ones.
 */
import type { SessionView, TenantSettings } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';
import type { TestDevice } from '../test/testDevice.js';
import { DeviceSocket, TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';

let t: TestServer;
let admin: Client;
let helper: Client;
let sharer: Client;
let agentToken: string;
let device: TestDevice;

const DEFAULTS: TenantSettings = {
  remoteHelpEnabled: true,
  allowUnenrolledDevices: true,
  disableChat: false,
  codeTtlSeconds: null,
  reportRetentionDays: 30,
};

beforeAll(async () => {
  t = await startTestServer();
  [admin, helper, sharer] = [new Client(t.url), new Client(t.url), new Client(t.url)];
  await Promise.all([
    admin.signIn('admin@contoso.example'),
    helper.signIn('helper@contoso.example'),
    sharer.signIn('sharer@contoso.example'),
  ]);
  agentToken = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
  device = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, isVirtualMachine: true });
}, 60_000);
afterAll(async () => t?.stop());

const put = (c: Client, body: unknown) => c.json('/api/v1/tenant/settings', 'PUT', body);
const settings = async () => (await admin.json('/api/v1/tenant/settings')).body.settings as TenantSettings;
const offer = async () => {
  const r = await helper.post('/api/v1/sessions', {});
  expect(r.status).toBe(201);
  return { code: r.body.code as string, id: (r.body.session as SessionView).id };
};
/** The agent's redeem: bearer token, and the device's proof when `proof` says so. */
const agentRedeem = async (code: string, proof?: string) =>
  fetch(`${t.url}/api/v1/sessions/redeem`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${agentToken}`,
      ...(proof ? { 'x-device-proof': proof } : {}),
    },
    body: JSON.stringify({ code, client: 'agent' }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const proofFor = async (d: TestDevice) => `Device ${await d.proof('POST', '/api/v1/sessions/redeem')}`;
const helperView = async (id: string) => (await helper.json(`/api/v1/sessions/${id}`)).body.session as SessionView;
const audits = (action: string) =>
  t.server.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id', 'desc').execute();

describe('reading and replacing the settings', () => {
  it('the demo organizations start with Remote Help on, unenrolled devices allowed, 30 days retention', async () => {
    expect(await settings()).toEqual(DEFAULTS);
  });

  it('the reply names the code lifetime the server uses while the organization sets none', async () => {
    const r = await admin.json('/api/v1/tenant/settings');
    expect(r.body.defaults).toEqual({ codeTtlSeconds: 600 });
    expect((await put(admin, DEFAULTS)).body.defaults).toEqual({ codeTtlSeconds: 600 });
    // …and it is what a code lives while codeTtlSeconds is null.
    const created = await helper.post('/api/v1/sessions', {});
    const seconds = (Date.parse((created.body.session as SessionView).codeExpiresAt!) - Date.now()) / 1000;
    expect(Math.round(seconds)).toBeGreaterThan(590);
    expect(Math.round(seconds)).toBeLessThanOrEqual(600);
    await helper.post(`/api/v1/sessions/${(created.body.session as SessionView).id}/leave`);
  });

  it('a new organization starts with unenrolled devices refused (the column default)', async () => {
    await t.server.db
      .insertInto('tenants')
      .values({
        id: 'fresh',
        name: 'Fresh',
        slug: 'fresh',
        remote_help_enabled: 1,
        created_at: new Date().toISOString(),
      } as never)
      .execute();
    const row = await t.server.db.selectFrom('tenants').selectAll().where('id', '=', 'fresh').executeTakeFirstOrThrow();
    expect([row.allow_unenrolled, row.disable_chat, row.report_retention_days]).toEqual([0, 0, 30]);
  });

  it('only settings.manage may read or change them', async () => {
    expect((await helper.json('/api/v1/tenant/settings')).body.error).toBe('forbidden');
    const r = await put(helper, { ...DEFAULTS, disableChat: true });
    expect([r.status, r.body.error]).toEqual([403, 'forbidden']);
    expect(await settings()).toEqual(DEFAULTS);
  });

  it.each([
    ['a code lifetime under a minute', { ...DEFAULTS, codeTtlSeconds: 10 }],
    ['a code lifetime over an hour', { ...DEFAULTS, codeTtlSeconds: 3601 }],
    ['a retention of 0 days', { ...DEFAULTS, reportRetentionDays: 0 }],
    ['a fractional retention', { ...DEFAULTS, reportRetentionDays: 1.5 }],
    ['a string for a switch', { ...DEFAULTS, remoteHelpEnabled: 'yes' }],
    ['a missing field', { remoteHelpEnabled: true }],
    ['an unknown field', { ...DEFAULTS, allowEverything: true }],
    ['an oversized field', { ...DEFAULTS, reportRetentionDays: 'x'.repeat(10_000) }],
    ['not an object', [1, 2, 3]],
  ])('%s → 400 validation_failed, nothing changed', async (_, body) => {
    const r = await put(admin, body);
    expect([r.status, r.body.error]).toEqual([400, 'validation_failed']);
    expect(await settings()).toEqual(DEFAULTS);
  });

  it('a change is stored and audited with the changed fields before → after', async () => {
    const next = { ...DEFAULTS, disableChat: true, codeTtlSeconds: 300, reportRetentionDays: 90 };
    const r = await put(admin, next);
    expect(r.status).toBe(200);
    expect(r.body.settings).toEqual(next);
    expect(await settings()).toEqual(next);
    const [entry] = await audits('tenant.settings_updated');
    expect(JSON.parse(entry!.data!)).toEqual({
      before: { disableChat: false, codeTtlSeconds: null, reportRetentionDays: 30 },
      after: { disableChat: true, codeTtlSeconds: 300, reportRetentionDays: 90 },
    });
    // The code lifetime is used: a new code expires in 300 s.
    const created = await helper.post('/api/v1/sessions', {});
    const expires = Date.parse((created.body.session as SessionView).codeExpiresAt!);
    expect(Math.round((expires - Date.now()) / 1000)).toBeGreaterThan(290);
    expect(Math.round((expires - Date.now()) / 1000)).toBeLessThanOrEqual(300);
    await helper.post(`/api/v1/sessions/${(created.body.session as SessionView).id}/leave`);
    expect((await put(admin, DEFAULTS)).status).toBe(200);
  });
});

describe('Allow Remote Help to unenrolled devices', () => {
  it('on: a web sharer joins, and the helper sees an unenrolled sharer', async () => {
    const { code, id } = await offer();
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
    expect((await helperView(id)).sharerDevice).toEqual({
      enrolled: false,
      deviceId: null,
      name: null,
      compliance: null,
      failingRules: [],
    });
    await helper.post(`/api/v1/sessions/${id}/leave`);
  });

  it('off: a web sharer is refused with unenrolled_not_allowed and the helper’s session is not disturbed', async () => {
    expect((await put(admin, { ...DEFAULTS, allowUnenrolledDevices: false })).status).toBe(200);
    const { code, id } = await offer();
    const r = await sharer.post('/api/v1/sessions/redeem', { code });
    expect([r.status, r.body.error]).toEqual([403, 'unenrolled_not_allowed']);
    expect(r.body.message).toMatch(/only on devices it manages/);
    const view = await helperView(id);
    expect([view.state, view.sharer, view.sharerDevice ?? null]).toEqual(['waiting', null, null]);
    // …and the same code still works for an enrolled agent.
    const joined = await agentRedeem(code, await proofFor(device));
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    await helper.post(`/api/v1/sessions/${id}/leave`);
    expect((await audits('session.join_refused')).length).toBeGreaterThan(0);
  });

  it('off: an agent without a device proof (not enrolled) is refused', async () => {
    const { code, id } = await offer();
    const r = await agentRedeem(code);
    expect([r.status, r.body.error]).toEqual([403, 'unenrolled_not_allowed']);
    expect(r.body.message).toMatch(/this device is not enrolled/);
    expect((await helperView(id)).state).toBe('waiting');
    await helper.post(`/api/v1/sessions/${id}/leave`);
  });

  it('off: an agent with a forged device proof is refused and nothing changes', async () => {
    const { code, id } = await offer();
    const r = await agentRedeem(code, 'Device not.a.proof');
    // 403, not 401: the person's sign-in is fine, the device's claim is not.
    expect([r.status, r.body.error]).toEqual([403, 'forbidden']);
    expect(r.body.message).toMatch(/^Device authentication failed/);
    expect((await helperView(id)).state).toBe('waiting');
    await helper.post(`/api/v1/sessions/${id}/leave`);
  });

  it('off: an agent whose device is enrolled in another organization is refused', async () => {
    const fabrikam = await t.server.db
      .selectFrom('tenants')
      .select('id')
      .where('slug', '=', 'fabrikam')
      .executeTakeFirstOrThrow();
    await t.server.db.updateTable('tenants').set({ allow_unenrolled: 0 }).where('id', '=', fabrikam.id).execute();
    const fabHelper = new Client(t.url);
    await fabHelper.signIn('helper@fabrikam.example');
    const code = (await fabHelper.post('/api/v1/sessions', {})).body.code as string;
    const fabToken = (await agentSignIn(t.url, 'sharer@fabrikam.example')).access_token;
    const r = await fetch(`${t.url}/api/v1/sessions/redeem`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${fabToken}`,
        'x-device-proof': await proofFor(device), // a Contoso device
      },
      body: JSON.stringify({ code, client: 'agent' }),
    });
    expect([r.status, ((await r.json()) as { error: string }).error]).toEqual([403, 'unenrolled_not_allowed']);
  });

  it('off: an enrolled agent joins, and the session records its device and compliance at that moment', async () => {
    const created = await admin.post('/api/v1/compliance-policies', {
      name: 'Baseline',
      rules: [{ type: 'notVirtualMachine' }, { type: 'firewall' }],
      assignment: { kind: 'allDevices' },
    });
    expect(created.status).toBe(201);
    const { code, id } = await offer();
    const r = await agentRedeem(code, await proofFor(device));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const view = await helperView(id);
    expect(view.device?.id).toBe(device.id);
    expect(view.sharerDevice).toMatchObject({
      enrolled: true,
      deviceId: device.id,
      name: 'lena-mbp',
      compliance: 'noncompliant',
      failingRules: [
        { policyName: 'Baseline', rule: { type: 'notVirtualMachine' }, message: 'The device is a virtual machine.' },
      ],
    });
    // The sharer's own view does not carry it.
    const sharerView = (await fetch(`${t.url}/api/v1/sessions/${id}`, {
      headers: { authorization: `Bearer ${agentToken}` },
    }).then((x) => x.json())) as { session: SessionView };
    expect(sharerView.session.sharerDevice).toBeNull();
    // What was recorded stays as it was when the sharer joined, whatever the policies do later.
    await admin.json(`/api/v1/compliance-policies/${(created.body.policy as { id: string }).id}`, 'DELETE');
    expect((await helperView(id)).sharerDevice?.compliance).toBe('noncompliant');
    await helper.post(`/api/v1/sessions/${id}/leave`);
    expect((await put(admin, DEFAULTS)).status).toBe(200);
  });
});

describe('remote launch', () => {
  it('the session records the device that accepted, with its compliance at that moment', async () => {
    const policy = await admin.post('/api/v1/compliance-policies', {
      name: 'No VMs',
      rules: [{ type: 'notVirtualMachine' }],
      assignment: { kind: 'allDevices' },
    });
    const socket = await DeviceSocket.open(t.url, device);
    try {
      const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`, {});
      expect(launched.status).toBe(201);
      const id = (launched.body.session as SessionView).id;
      expect((await helperView(id)).sharerDevice ?? null).toBeNull();
      const path = `/api/v1/sessions/${id}/accept-launch`;
      const accepted = await fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${agentToken}`,
          'x-device-proof': `Device ${await device.proof('POST', path)}`,
        },
        body: JSON.stringify({ deviceId: device.id }),
      });
      expect(accepted.status).toBe(200);
      expect((await helperView(id)).sharerDevice).toMatchObject({
        enrolled: true,
        deviceId: device.id,
        compliance: 'noncompliant',
        failingRules: [{ policyName: 'No VMs', message: 'The device is a virtual machine.' }],
      });
      await helper.post(`/api/v1/sessions/${id}/leave`);
    } finally {
      socket.close();
      await admin.json(`/api/v1/compliance-policies/${(policy.body.policy as { id: string }).id}`, 'DELETE');
    }
  });
});

describe('Enable Remote Help off', () => {
  it('ends live sessions and refuses every session action', async () => {
    // A live session (active) and a remote launch waiting on an online device.
    const { code, id } = await offer();
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
    expect((await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' })).status).toBe(200);
    expect((await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true })).status).toBe(200);
    const helperSocket = await helper.socket();
    helperSocket.send({ type: 'attach', sessionId: id });
    await helperSocket.next(sessionIn('active'));
    const socket = await DeviceSocket.open(t.url, device);
    const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`, {});
    expect(launched.status).toBe(201);
    const launchId = (launched.body.session as SessionView).id;
    const waiting = await offer();
    const joinedLater = await offer();

    expect((await put(admin, { ...DEFAULTS, remoteHelpEnabled: false })).status).toBe(200);

    // Live sessions end for their people, pushed on the socket.
    const ended = await helperSocket.next((m) => m.type === 'session' && m.session.state === 'ended');
    expect(ended.type === 'session' && ended.session.endReason).toBe('terminated_by_admin');
    for (const sid of [id, launchId, waiting.id]) expect((await helperView(sid)).endReason).toBe('terminated_by_admin');
    await socket.next((m) => m.type === 'launch_cancelled' && m.sessionId === launchId);

    const refused = async (r: Promise<{ status: number; body: Record<string, unknown> }>) => {
      const { status, body } = await r;
      expect([status, body.error]).toEqual([403, 'tenant_disabled']);
    };
    await refused(helper.post('/api/v1/sessions', {}));
    await refused(sharer.post('/api/v1/sessions/redeem', { code: joinedLater.code }));
    await refused(agentRedeem(joinedLater.code, await proofFor(device)));
    await refused(helper.post(`/api/v1/devices/${device.id}/sessions`, {}));
    await refused(helper.post(`/api/v1/sessions/${id}/request`, { mode: 'control' }));
    await refused(sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true }));
    const accept = await fetch(`${t.url}/api/v1/sessions/${launchId}/accept-launch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${agentToken}`,
        'x-device-proof': `Device ${await device.proof('POST', `/api/v1/sessions/${launchId}/accept-launch`)}`,
      },
      body: JSON.stringify({ deviceId: device.id }),
    });
    expect([accept.status, ((await accept.json()) as { error: string }).error]).toEqual([403, 'tenant_disabled']);
    // Signaling on the ended session relays nothing.
    const before = helperSocket.received.length;
    helperSocket.send({
      type: 'signal',
      sessionId: id,
      payload: { kind: 'sdp', description: { type: 'offer', sdp: 'v=0' } },
    });
    const error = await helperSocket.next((m) => m.type === 'error', 5000, before);
    expect(error.type === 'error' && error.error).toBe('session_ended');
    helperSocket.close();
    socket.close();

    // On again: sessions work.
    expect((await put(admin, DEFAULTS)).status).toBe(200);
    const again = await offer();
    expect((await sharer.post('/api/v1/sessions/redeem', { code: again.code })).status).toBe(200);
  });
});
