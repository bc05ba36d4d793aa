/**
 * Integration: an administrator revokes a device's enrollment (`POST /api/v1/devices/:id/revoke`),
 * over the real HTTP server, the device's real signed WebSocket and the real database. The
 * device's open launch connection is told and closed with 4403; a new one is refused the same
 * way; its check-ins are refused with `device_revoked` (a forged proof still gets plain
 * `authentication_required`); a session running on it ends; it is audited once;
 * nobody without `devices.manage` can do it. (Another organization's administrator gets
 * `not_found`: the authorization sweep, `security/httpSweep.test.ts`, covers every endpoint so.)
 */
import type { AuditEventList, DeviceServerMessage, DeviceView, SessionView } from '@remote-help/protocol';
import { DEVICE_WS_REVOKED } from '@remote-help/protocol';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { DeviceSocket, TEST_INVENTORY, enrollDevice, type TestDevice } from '../test/testDevice.js';

type Revoked = Extract<DeviceServerMessage, { type: 'revoked' }>;
const isRevoked = (m: DeviceServerMessage): m is Revoked => m.type === 'revoked';

/** Resolves with the close code of `ws` (already closed or to come). */
const closeCode = (ws: WebSocket): Promise<number> =>
  new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve(-1);
    ws.once('close', (code) => resolve(code));
  });

describe('revoking a device', () => {
  let t: TestServer;
  let admin: Client;
  let helper: Client;
  const sockets: DeviceSocket[] = [];
  beforeAll(async () => {
    t = await startTestServer();
    admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    helper = new Client(t.url);
    await helper.signIn('helper@contoso.example');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.stop();
  });
  const online = async (): Promise<{ device: TestDevice; socket: DeviceSocket }> => {
    const device = await enrollDevice(t.url, admin);
    const socket = await DeviceSocket.open(t.url, device);
    sockets.push(socket);
    return { device, socket };
  };

  it('tells and closes its launch connection, refuses it from then on, and is audited once', async () => {
    const { device, socket } = await online();
    const closed = closeCode(socket.ws);

    const r = await admin.post(`/api/v1/devices/${device.id}/revoke`, {});
    expect(r.status).toBe(200);
    const view = r.body as unknown as DeviceView;
    expect(view.enrollmentStatus).toBe('revoked');
    expect(Date.parse(view.revokedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

    expect((await socket.next(isRevoked)).message).toMatch(/removed this device/);
    expect(await closed).toBe(DEVICE_WS_REVOKED);

    // A new connection: told and closed the same way, never `hello`.
    const again = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/v1/devices/ws`, {
      headers: { authorization: `Device ${await device.proof('GET', '/api/v1/devices/ws')}` },
    });
    const messages: DeviceServerMessage[] = [];
    again.on('message', (data) => messages.push(JSON.parse(String(data)) as DeviceServerMessage));
    expect(await closeCode(again)).toBe(DEVICE_WS_REVOKED);
    expect(messages.map((m) => m.type)).toEqual(['revoked']);

    // Check-in: refused with its own code, nothing stored.
    const checkIn = await device.checkIn({ ...TEST_INVENTORY, model: 'after revocation' });
    expect(checkIn.status).toBe(403);
    expect(((await checkIn.json()) as { error: string }).error).toBe('device_revoked');
    const stored = (await admin.json(`/api/v1/devices/${device.id}`)).body as unknown as DeviceView;
    expect(stored.inventory.model).toBe(TEST_INVENTORY.model);
    expect(stored.online).toBe(false);

    // Again: answered as it is, no second audit record.
    const repeat = await admin.post(`/api/v1/devices/${device.id}/revoke`, {});
    expect(repeat.status).toBe(200);
    expect((repeat.body as unknown as DeviceView).revokedAt).toBe(view.revokedAt);
    const audit = (await admin.json(`/api/v1/audit?action=device.revoked&targetId=${device.id}`))
      .body as unknown as AuditEventList;
    expect(audit.total).toBe(1);
    expect(audit.events[0]).toMatchObject({
      actor: { type: 'user' },
      data: { name: 'lena-mbp', after: { enrollmentStatus: 'revoked', revokedAt: view.revokedAt } },
    });

    // Gone from the enrolled list and from remote launch; still found among the revoked.
    const list = (await admin.json('/api/v1/devices?enrollment=revoked&limit=200')).body as unknown as {
      devices: DeviceView[];
    };
    expect(list.devices.map((d) => d.id)).toContain(device.id);
    expect((await helper.post(`/api/v1/devices/${device.id}/sessions`)).status).toBe(404);
  });

  it('a forged proof for a revoked device is told nothing about it', async () => {
    const { device } = await online();
    expect((await admin.post(`/api/v1/devices/${device.id}/revoke`, {})).status).toBe(200);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ htm: 'POST', htu: `${t.url}/api/v1/devices/checkin` })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(device.id)
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    const r = await device.checkIn(TEST_INVENTORY, `Device ${forged}`);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: string }).error).toBe('authentication_required');
  });

  it('ends a session running on the device (terminated_by_admin)', async () => {
    const { device, socket } = await online();
    const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`);
    expect(launched.status).toBe(201);
    const sessionId = (launched.body.session as SessionView).id;
    await socket.next((m) => m.type === 'launch');
    const { agentSignIn } = await import('../test/agentSignIn.js');
    const token = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
    expect((await device.answerLaunch(sessionId, token)).status).toBe(200);
    const session = async () => (await helper.json(`/api/v1/sessions/${sessionId}`)).body.session as SessionView;
    expect((await session()).state).toBe('joined');

    expect((await admin.post(`/api/v1/devices/${device.id}/revoke`, {})).status).toBe(200);
    expect(await session()).toMatchObject({ state: 'ended', endReason: 'terminated_by_admin' });
  });

  it('a code entered with the revoked device’s proof is refused before it is spent: the same code works without it', async () => {
    const { device } = await online();
    expect((await admin.post(`/api/v1/devices/${device.id}/revoke`, {})).status).toBe(200);
    const code = (await helper.post('/api/v1/sessions')).body.code as string;
    const { agentSignIn } = await import('../test/agentSignIn.js');
    const token = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
    const redeem = async (proof?: string) => {
      const r = await fetch(`${t.url}/api/v1/sessions/redeem`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...(proof ? { 'x-device-proof': proof } : {}),
        },
        body: JSON.stringify({ code, client: 'agent' }),
      });
      return { status: r.status, body: (await r.json()) as { error?: string; session?: SessionView } };
    };
    // The agent learns of the revocation here (it missed the push) and tries once more without the proof.
    const withProof = await redeem(`Device ${await device.proof('POST', '/api/v1/sessions/redeem')}`);
    expect([withProof.status, withProof.body.error]).toEqual([403, 'device_revoked']);
    const without = await redeem();
    expect(without.status).toBe(200);
    expect(without.body.session?.state).toBe('joined');
  });

  it('needs devices.manage, and changes nothing when refused', async () => {
    const { device, socket } = await online();
    const byHelper = await helper.post(`/api/v1/devices/${device.id}/revoke`, {});
    expect(byHelper.status).toBe(403);
    expect(byHelper.body.error).toBe('forbidden');
    // Nothing changed: still enrolled, still connected.
    expect(((await admin.json(`/api/v1/devices/${device.id}`)).body as unknown as DeviceView).enrollmentStatus).toBe(
      'enrolled',
    );
    await socket.settle();
    expect(socket.received.some(isRevoked)).toBe(false);
    expect((await device.checkIn(TEST_INVENTORY)).status).toBe(200);
  });
});
