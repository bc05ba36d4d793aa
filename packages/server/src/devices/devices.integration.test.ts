/**
 * Integration: enrollment with an admin's token, device-signed check-ins, the device list,
 * and remote launch through the device's own connection. Proofs are made with jose exactly
 * as the agent makes them.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceServerMessage, Inventory, ServerMessage } from '@remote-help/protocol';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

let t: TestServer;
let admin: Client;
let helper: Client;
beforeAll(async () => {
  t = await startTestServer();
  admin = new Client(t.url);
  await admin.signIn('admin@contoso.example');
  helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
});
afterAll(async () => t?.stop());

const inventory: Inventory = {
  hostname: 'lena-mbp',
  os: 'macos',
  osVersion: '14.5',
  model: 'MacBookPro18,3',
  serial: 'C02XK0AAJGH5',
  isVirtualMachine: false,
  diskEncrypted: true,
  firewallEnabled: true,
  screenCount: 2,
  agentVersion: '0.1.0',
};

async function newDevice(token?: string) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(publicKey);
  const enrollToken = token ?? ((await admin.post('/api/v1/enrollment-tokens', {})).body.token as string);
  const r = await fetch(`${t.url}/api/v1/devices/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: enrollToken, publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, inventory }),
  });
  const body = (await r.json()) as { deviceId: string; error?: string };
  const proof = (method: string, path: string, jti: string = randomUUID()) =>
    new SignJWT({ htm: method, htu: `${t.url}${path}` })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(body.deviceId)
      .setIssuedAt()
      .setJti(jti)
      .sign(privateKey);
  return { status: r.status, id: body.deviceId, error: body.error, proof };
}

describe('enrollment', () => {
  it('enrolls with an admin token once, and refuses a used or made-up token', async () => {
    const token = (await admin.post('/api/v1/enrollment-tokens', { maxUses: 1 })).body.token as string;
    expect((await newDevice(token)).status).toBe(201);
    const again = await newDevice(token);
    expect(again.status).toBe(410);
    expect(again.error).toBe('enrollment_token_used_up');
    expect((await newDevice('rhe_' + 'x'.repeat(43))).error).toBe('enrollment_token_invalid');
  });

  it('lets only admins make tokens', async () => {
    expect((await helper.post('/api/v1/enrollment-tokens', {})).body.error).toBe('forbidden');
  });

  it('accepts signed check-ins and refuses replays, other requests and other keys', async () => {
    const device = await newDevice();
    const checkin = async (authorization: string) =>
      fetch(`${t.url}/api/v1/devices/checkin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ inventory: { ...inventory, osVersion: '14.6' } }),
      });
    const proof = await device.proof('POST', '/api/v1/devices/checkin');
    const ok = await checkin(`Device ${proof}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { inventory: Inventory }).inventory.osVersion).toBe('14.6');
    expect((await checkin(`Device ${proof}`)).status).toBe(401); // replay
    expect((await checkin(`Device ${await device.proof('GET', '/api/v1/devices/checkin')}`)).status).toBe(401);
    const other = await newDevice();
    const forged = (await other.proof('POST', '/api/v1/devices/checkin')).split('.');
    const mine = (await device.proof('POST', '/api/v1/devices/checkin')).split('.');
    expect((await checkin(`Device ${mine[0]}.${mine[1]}.${forged[2]}`)).status).toBe(401);
    expect((await checkin('Device not-a-jwt')).status).toBe(401);
  });

  it('lists devices to helpers of the same tenant only', async () => {
    const device = await newDevice();
    const list = await helper.json('/api/v1/devices');
    expect((list.body.devices as { id: string }[]).map((d) => d.id)).toContain(device.id);
    const outsider = new Client(t.url);
    await outsider.signIn('helper@fabrikam.example');
    expect(((await outsider.json('/api/v1/devices')).body.devices as unknown[]).length).toBe(0);
    expect((await outsider.json(`/api/v1/devices/${device.id}`)).status).toBe(404);
  });
});

describe('remote launch', () => {
  it('tells the helper at once when the device is offline', async () => {
    const device = await newDevice();
    const r = await helper.post(`/api/v1/devices/${device.id}/sessions`);
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('device_offline');
  });

  it('pushes the launch to the online device and refuses a connection without a valid proof', async () => {
    const device = await newDevice();
    const bad = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/devices/ws`, {
      headers: { authorization: 'Device nope' },
    });
    expect(await new Promise((resolve) => bad.on('close', resolve))).toBe(4401);

    const messages: DeviceServerMessage[] = [];
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/devices/ws`, {
      headers: { authorization: `Device ${await device.proof('GET', '/api/v1/devices/ws')}` },
    });
    await new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        messages.push(JSON.parse(String(d)) as DeviceServerMessage);
        resolve();
      }),
    );
    expect(messages[0]).toMatchObject({ type: 'hello', deviceId: device.id });
    expect(((await helper.json(`/api/v1/devices/${device.id}`)).body as { online: boolean }).online).toBe(true);

    const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`);
    expect(launched.status).toBe(201);
    const sessionId = (launched.body.session as { id: string }).id;
    const hws = await helper.socket();
    hws.send({ type: 'attach', sessionId });
    await hws.next(sessionIn('waiting'));
    await expect
      .poll(() => messages.find((m) => m.type === 'launch'))
      .toMatchObject({
        type: 'launch',
        sessionId,
        helper: { displayName: 'Daniel Okafor', verifiedDomain: null, assertedDomain: 'contoso.example' },
      });
    ws.close();
  });

  it('the invited device’s user joins with no code; a browser or another device cannot', async () => {
    const device = await newDevice();
    const other = await newDevice();
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/devices/ws`, {
      headers: { authorization: `Device ${await device.proof('GET', '/api/v1/devices/ws')}` },
    });
    await new Promise((resolve) => ws.once('message', resolve));
    const launched = (await helper.post(`/api/v1/devices/${device.id}/sessions`)).body.session as { id: string };
    expect(launched).toMatchObject({ state: 'waiting', via: 'launch' });
    const sessionId = launched.id;
    const hws = await helper.socket();
    hws.send({ type: 'attach', sessionId });
    await hws.next(sessionIn('waiting'));

    const browser = new Client(t.url);
    await browser.signIn('sharer@contoso.example');
    expect(
      (await browser.post(`/api/v1/sessions/${sessionId}/accept-launch`, { deviceId: device.id })).body.error,
    ).toBe('forbidden');

    const token = await agentAccessToken('sharer@contoso.example');
    const answer = async (as: typeof device, deviceId: string) => {
      const path = `/api/v1/sessions/${sessionId}/accept-launch`;
      return fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-device-proof': `Device ${await as.proof('POST', path)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ deviceId }),
      });
    };
    expect((await answer(other, device.id)).status).toBe(403);
    const accepted = await answer(device, device.id);
    expect(accepted.status).toBe(200);
    const joined = await hws.next<Extract<ServerMessage, { type: 'session' }>>(sessionIn('joined'));
    expect(joined.session).toMatchObject({
      sharerClient: 'agent',
      sharer: { displayName: 'Lena Fischer' },
      via: 'launch',
    });
    ws.close();
  });
});

describe('an invitation past its time', () => {
  it('is refused when accepted, even before the expiry sweep has ended it', async () => {
    const device = await newDevice();
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/devices/ws`, {
      headers: { authorization: `Device ${await device.proof('GET', '/api/v1/devices/ws')}` },
    });
    await new Promise((resolve) => ws.once('message', resolve));
    const sessionId = ((await helper.post(`/api/v1/devices/${device.id}/sessions`)).body.session as { id: string }).id;
    // Past its time, as when the sweep (a bounded number a pass, once a second) has not reached it yet.
    await t.server.db
      .updateTable('help_sessions')
      .set({ code_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', sessionId)
      .execute();
    const token = await agentAccessToken('sharer@contoso.example');
    const path = `/api/v1/sessions/${sessionId}/accept-launch`;
    const r = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'x-device-proof': `Device ${await device.proof('POST', path)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ deviceId: device.id }),
    });
    const body = (await r.json()) as { error?: string };
    // `invalid_transition` only when the sweep happened to end it in between.
    expect(['code_expired', 'invalid_transition']).toContain(body.error);
    const row = await t.server.db
      .selectFrom('help_sessions')
      .select(['state', 'end_reason', 'sharer_id'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'ended', end_reason: 'code_expired', sharer_id: null });
    ws.close();
  });
});

/** The agent's sign-in, condensed: see identity/agentSignIn.integration.test.ts for the full flow. */
async function agentAccessToken(email: string): Promise<string> {
  const { agentSignIn } = await import('../test/agentSignIn.js');
  return (await agentSignIn(t.url, email)).access_token;
}
