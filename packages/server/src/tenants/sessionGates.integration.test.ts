/**
 * Integration (issue 8, items 5 and 6): what `settings.integration.test.ts` leaves out.
 *
 * - Each compliance rule, failing alone on the device a sharer joins from, is what the helper's
 *   trust screen gets (`SessionView.sharerDevice`), in words; a device that passes every rule is
 *   compliant; a value the device did not report fails (never assumed).
 * - "Allow Remote Help to unenrolled devices" on: an agent without a device proof joins (as the
 *   web sharer does there); off: a remote launch, which always targets an enrolled device, is
 *   still accepted; on again: the web sharer joins again; another organization's switch is its own.
 * - "Enable Remote Help" off is one organization's: the other one's live session goes on and its
 *   people still offer, join and request.
 */
import type { SessionView, TenantSettings } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import type { TestDevice } from '../test/testDevice.js';
import { DeviceSocket, TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';

let t: TestServer;
let admin: Client;
let helper: Client;
let sharer: Client;
let agentToken: string;
const fabrikam = {} as { helper: Client; sharer: Client };

const DEFAULTS: TenantSettings = {
  remoteHelpEnabled: true,
  allowUnenrolledDevices: true,
  disableChat: false,
  codeTtlSeconds: null,
  reportRetentionDays: 30,
};
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestServer();
  const signedIn = async (email: string) => {
    const c = new Client(t.url);
    await c.signIn(email);
    return c;
  };
  [admin, helper, sharer, fabrikam.helper, fabrikam.sharer] = await Promise.all([
    signedIn('admin@contoso.example'),
    signedIn('helper@contoso.example'),
    signedIn('sharer@contoso.example'),
    signedIn('helper@fabrikam.example'),
    signedIn('sharer@fabrikam.example'),
  ]);
  agentToken = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
}, 60_000);
afterAll(async () => t?.stop());

const put = async (settings: TenantSettings) => {
  const r = await admin.json('/api/v1/tenant/settings', 'PUT', settings);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
const offer = async (by: Client = helper) => {
  const r = await by.post('/api/v1/sessions', {});
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { code: r.body.code as string, id: (r.body.session as SessionView).id };
};
const viewOf = async (id: string, by: Client = helper) =>
  (await by.json(`/api/v1/sessions/${id}`)).body.session as SessionView;
/** Contoso's sharer joins with the agent, from `device` (its proof) or from an unenrolled one. */
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

describe('each compliance rule on the helper’s trust screen', () => {
  let policyId = '';
  beforeAll(async () => {
    const r = await admin.post('/api/v1/compliance-policies', {
      name: 'Baseline',
      rules: [
        { type: 'minOsVersion', os: 'macos', version: '14.0' },
        { type: 'diskEncryption' },
        { type: 'firewall' },
        { type: 'notVirtualMachine' },
        { type: 'checkInWithinDays', days: 7 },
      ],
      assignment: { kind: 'allDevices' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    policyId = (r.body.policy as { id: string }).id;
  });
  afterAll(async () => {
    await admin.json(`/api/v1/compliance-policies/${policyId}`, 'DELETE');
  });

  /** A device that breaks exactly one rule (TEST_INVENTORY passes them all), and the words the helper reads. */
  const cases: { rule: string; breaks: Partial<typeof TEST_INVENTORY>; lastCheckIn?: number; message: string }[] = [
    { rule: 'minOsVersion', breaks: { osVersion: '13.6.1' }, message: 'macOS 13.6.1 is older than the required 14.0.' },
    { rule: 'diskEncryption', breaks: { diskEncrypted: false }, message: 'The disk is not encrypted.' },
    { rule: 'firewall', breaks: { firewallEnabled: false }, message: 'The firewall is off.' },
    { rule: 'notVirtualMachine', breaks: { isVirtualMachine: true }, message: 'The device is a virtual machine.' },
    {
      rule: 'checkInWithinDays',
      breaks: {},
      lastCheckIn: 8 * DAY,
      message: 'The last check-in was 8 days ago; at most 7 days are allowed.',
    },
    {
      rule: 'firewall',
      breaks: { firewallEnabled: null },
      message: 'The firewall could not be confirmed to be on.',
    },
  ];

  it.each(cases.map((c) => [`${c.rule}: “${c.message}”, and the session still starts`, c] as const))(
    '%s',
    async (_, { rule, breaks, lastCheckIn, message }) => {
      const device = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, ...breaks });
      if (lastCheckIn) {
        const at = new Date(Date.now() - lastCheckIn - 60_000).toISOString();
        await t.server.db.updateTable('devices').set({ last_check_in_at: at }).where('id', '=', device.id).execute();
      }
      const { code, id } = await offer();
      const joined = await agentRedeem(code, device);
      expect(joined.status, JSON.stringify(joined.body)).toBe(200);
      const view = await viewOf(id);
      expect(view.sharerDevice).toMatchObject({ enrolled: true, deviceId: device.id, compliance: 'noncompliant' });
      expect(view.sharerDevice?.failingRules.map((f) => [f.policyName, f.rule.type, f.message])).toEqual([
        ['Baseline', rule, message],
      ]);
      // A warning, not a gate: the helper may still ask for full control.
      expect((await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'control' })).status).toBe(200);
      await helper.post(`/api/v1/sessions/${id}/leave`);
    },
  );

  it('a device that passes every rule is compliant, with nothing to warn about', async () => {
    const device = await enrollDevice(t.url, admin, TEST_INVENTORY);
    const { code, id } = await offer();
    expect((await agentRedeem(code, device)).status).toBe(200);
    expect((await viewOf(id)).sharerDevice).toMatchObject({ compliance: 'compliant', failingRules: [] });
    await helper.post(`/api/v1/sessions/${id}/leave`);
  });
});

describe('Allow Remote Help to unenrolled devices', () => {
  afterAll(async () => put(DEFAULTS));

  it('on: an agent on a device that is not enrolled joins, and the helper sees it as unenrolled', async () => {
    await put(DEFAULTS);
    const { code, id } = await offer();
    const r = await agentRedeem(code);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await viewOf(id)).sharerDevice).toEqual({
      enrolled: false,
      deviceId: null,
      name: null,
      compliance: null,
      failingRules: [],
    });
    await helper.post(`/api/v1/sessions/${id}/leave`);
  });

  it('off: a remote launch (always to an enrolled device) is still accepted', async () => {
    await put({ ...DEFAULTS, allowUnenrolledDevices: false });
    const device = await enrollDevice(t.url, admin, TEST_INVENTORY);
    const socket = await DeviceSocket.open(t.url, device);
    try {
      const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`, {});
      expect(launched.status, JSON.stringify(launched.body)).toBe(201);
      const id = (launched.body.session as SessionView).id;
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
      expect(accepted.status, await accepted.clone().text()).toBe(200);
      expect((await viewOf(id)).sharerDevice).toMatchObject({ enrolled: true, deviceId: device.id });
      await helper.post(`/api/v1/sessions/${id}/leave`);
    } finally {
      socket.close();
    }
  });

  it('off in one organization: another organization’s web sharer still joins there', async () => {
    await put({ ...DEFAULTS, allowUnenrolledDevices: false });
    const { code, id } = await offer(fabrikam.helper);
    const r = await fabrikam.sharer.post('/api/v1/sessions/redeem', { code });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await fabrikam.helper.post(`/api/v1/sessions/${id}/leave`);
  });

  it('on again: the web sharer joins again', async () => {
    await put({ ...DEFAULTS, allowUnenrolledDevices: false });
    const refused = await offer();
    expect((await sharer.post('/api/v1/sessions/redeem', { code: refused.code })).body.error).toBe(
      'unenrolled_not_allowed',
    );
    await put(DEFAULTS);
    // The code refused while the switch was off was left untouched, and now joins.
    expect((await sharer.post('/api/v1/sessions/redeem', { code: refused.code })).status).toBe(200);
    await helper.post(`/api/v1/sessions/${refused.id}/leave`);
  });
});

describe('Enable Remote Help off', () => {
  afterAll(async () => put(DEFAULTS));

  it('is one organization’s: another organization’s live session goes on and its people still offer, join and request', async () => {
    const live = await offer(fabrikam.helper);
    expect((await fabrikam.sharer.post('/api/v1/sessions/redeem', { code: live.code })).status).toBe(200);
    const contoso = await offer();
    expect((await sharer.post('/api/v1/sessions/redeem', { code: contoso.code })).status).toBe(200);

    await put({ ...DEFAULTS, remoteHelpEnabled: false });

    expect(await viewOf(contoso.id)).toMatchObject({ state: 'ended', endReason: 'terminated_by_admin' });
    expect((await viewOf(live.id, fabrikam.helper)).state).toBe('joined');
    const request = await fabrikam.helper.post(`/api/v1/sessions/${live.id}/request`, { mode: 'view' });
    expect(request.status, JSON.stringify(request.body)).toBe(200);
    expect((await fabrikam.sharer.post(`/api/v1/sessions/${live.id}/respond`, { allow: true })).status).toBe(200);
    const next = await offer(fabrikam.helper);
    expect((await fabrikam.sharer.post('/api/v1/sessions/redeem', { code: next.code })).status).toBe(200);
    // …while Contoso's people are refused.
    expect((await helper.post('/api/v1/sessions', {})).body.error).toBe('tenant_disabled');
    for (const id of [live.id, next.id]) await fabrikam.helper.post(`/api/v1/sessions/${id}/leave`);
  });
});
