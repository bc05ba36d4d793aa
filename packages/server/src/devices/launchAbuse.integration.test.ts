/**
 * Integration (issue 7, findings 11 and 9): remote launch under abuse, over the real HTTP
 * server, the device's real signed WebSocket and real SQLite. A burst of launches reaches
 * the device once; a helper's launch rate is bounded; a closed offer is withdrawn from the
 * device (`launch_cancelled`) within 1 s; names a device or a directory chooses are shown
 * normalised; a used device proof stays used across a restart and under a race.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceServerMessage, DeviceView, SessionView } from '@remote-help/protocol';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { testDatabase, testPostgresUrl } from '../test/database.js';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { DeviceSocket, TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';

type Launch = Extract<DeviceServerMessage, { type: 'launch' }>;
type Cancelled = Extract<DeviceServerMessage, { type: 'launch_cancelled' }>;
const isLaunch = (m: DeviceServerMessage): m is Launch => m.type === 'launch';
const cancelledFor =
  (sessionId: string) =>
  (m: DeviceServerMessage): m is Cancelled =>
    m.type === 'launch_cancelled' && m.sessionId === sessionId;

/** Everything the normaliser must take out. */
const HOSTILE = /[\p{Cc}\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

describe('remote launch under abuse', () => {
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
  const online = async () => {
    const device = await enrollDevice(t.url, admin);
    const socket = await DeviceSocket.open(t.url, device);
    sockets.push(socket);
    return { device, socket };
  };

  it('an offer dismissed on one connection of the device is withdrawn from its other connections', async () => {
    const { device, socket } = await online();
    const second = await DeviceSocket.open(t.url, device);
    sockets.push(second);
    const launched = await admin.post(`/api/v1/devices/${device.id}/sessions`);
    expect(launched.status).toBe(201);
    const sessionId = (launched.body.session as SessionView).id;
    await second.next(isLaunch);
    const { agentSignIn } = await import('../test/agentSignIn.js');
    const token = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
    const path = `/api/v1/sessions/${sessionId}/dismiss-launch`;
    const dismissed = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'x-device-proof': `Device ${await device.proof('POST', path)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ deviceId: device.id }),
    });
    expect(dismissed.status).toBe(200);
    expect(await second.next(cancelledFor(sessionId))).toMatchObject({ reason: 'dismissed' });
    expect(await socket.next(cancelledFor(sessionId))).toMatchObject({ reason: 'dismissed' });
  });

  it('50 launches to one device in a burst: one offer reaches the device, the rest are refused', async () => {
    const { device, socket } = await online();
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => admin.post(`/api/v1/devices/${device.id}/sessions`)),
    );
    const accepted = replies.filter((r) => r.status === 201);
    const count = (error: string) => replies.filter((r) => r.body.error === error).length;
    console.info(
      `burst of 50: ${accepted.length} accepted, ${count('launch_pending')} launch_pending, ${count('rate_limited')} rate_limited`,
    );
    expect(accepted).toHaveLength(1);
    for (const r of replies.filter((reply) => reply.status !== 201)) {
      expect([409, 429]).toContain(r.status);
      expect(['launch_pending', 'rate_limited']).toContain(r.body.error);
    }
    await socket.settle();
    const launches = socket.received.filter(isLaunch);
    expect(launches.map((m) => m.sessionId)).toEqual([(accepted[0]!.body.session as SessionView).id]);
  });

  it('a cancelled launch is withdrawn from the device within 1 s, and the device may be offered again', async () => {
    const { device, socket } = await online();
    const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`);
    expect(launched.status).toBe(201);
    const sessionId = (launched.body.session as SessionView).id;
    await socket.next(isLaunch);
    expect((await helper.post(`/api/v1/devices/${device.id}/sessions`)).body.error).toBe('launch_pending');

    const started = performance.now();
    const waiting = socket.next(cancelledFor(sessionId), 5000);
    expect((await helper.post(`/api/v1/sessions/${sessionId}/leave`)).status).toBe(200);
    const cancelled = await waiting;
    const elapsedMs = performance.now() - started;
    console.info(`launch_cancelled arrived ${elapsedMs.toFixed(1)} ms after the helper's leave request`);
    expect(cancelled).toEqual({ type: 'launch_cancelled', sessionId, reason: 'cancelled' });
    expect(elapsedMs).toBeLessThan(1000);
    expect((await helper.post(`/api/v1/devices/${device.id}/sessions`)).status).toBe(201);
  });

  it('a device that renames itself with bidi overrides and controls is shown normalised', async () => {
    const { device } = await online();
    const hostile = {
      ...TEST_INVENTORY,
      hostname: `\u202Eexe.\u2066IT\u2069-\u0000\u001B[2J\r\nSUPPORT ${'x'.repeat(200)}`,
      model: 'Mac\u200Fbook\u0085Pro',
      serial: '\u202A\u202C',
    };
    expect((await device.checkIn(hostile)).status).toBe(200);

    const list = (await helper.json('/api/v1/devices')).body.devices as DeviceView[];
    const seen = list.find((d) => d.id === device.id)!;
    expect(seen.name).not.toMatch(HOSTILE);
    expect(seen.name.startsWith('exe.IT-[2J SUPPORT xxx')).toBe(true);
    expect(Array.from(seen.name).length).toBeLessThanOrEqual(64);
    expect(seen.inventory).toMatchObject({ model: 'Macbook Pro', serial: null });
    expect(JSON.stringify(seen.inventory)).not.toMatch(/\\u00|\\u20/);

    // Only controls: the device keeps its previous (normalised) name.
    expect((await device.checkIn({ ...hostile, hostname: '\u202E\u0007 ' })).status).toBe(200);
    expect(((await helper.json(`/api/v1/devices/${device.id}`)).body as DeviceView).name).toBe(seen.name);

    const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`);
    expect(launched.status).toBe(201);
    const session = (await helper.json(`/api/v1/sessions/${(launched.body.session as SessionView).id}`)).body
      .session as SessionView;
    expect(session.device?.name).toBe(seen.name);
    await helper.post(`/api/v1/sessions/${session.id}/leave`);
  });

  it('names, titles and companies from the directory are shown normalised', async () => {
    const me = (await admin.json('/api/v1/me')).body.user as { id: string };
    await t.server.db
      .updateTable('users')
      .set({
        // PostgreSQL text cannot hold U+0000 at all; SQLite can, so only there is it part of the test.
        display_name: `Ad\u202Enimda\u202C${testPostgresUrl() ? '' : '\u0000'} \u2067Admin`,
        job_title: '\u0007\u200E',
        company: `Contoso\u2028${'Ltd '.repeat(100)}`,
      })
      .where('id', '=', me.id)
      .execute();
    const card = (await admin.json('/api/v1/me')).body.user as {
      displayName: string;
      jobTitle: string | null;
      company: string;
    };
    expect(card.displayName).toBe('Adnimda Admin');
    expect(card.jobTitle).toBeNull();
    expect(card.company.startsWith('Contoso Ltd Ltd')).toBe(true);
    expect(Array.from(card.company).length).toBeLessThanOrEqual(128);
    expect(JSON.stringify(card)).not.toMatch(HOSTILE);
  });

  it('a device that drops its connection while its proof is checked does not stay online', async () => {
    const device = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, hostname: 'flaky-socket' });
    for (let i = 0; i < 5; i++) {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/devices/ws`, {
        headers: { authorization: `Device ${await device.proof('GET', '/api/v1/devices/ws')}` },
      });
      ws.on('error', () => {});
      ws.on('upgrade', () => ws.terminate());
      await new Promise((resolve) => ws.on('close', resolve));
    }
    // Past the proof checks still under way when the sockets went.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(((await admin.json(`/api/v1/devices/${device.id}`)).body as unknown as DeviceView).online).toBe(false);
    const launched = await helper.post(`/api/v1/devices/${device.id}/sessions`);
    expect(launched.status).toBe(409);
    expect(launched.body.error).toBe('device_offline');
  });

  it('a proof naming no plausible device id (a NUL byte) is 401 on every database, and says nothing internal', async () => {
    const key = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ htm: 'POST', htu: `${t.url}/api/v1/devices/checkin`, jti: 'x' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('dev\u0000ice')
      .setIssuedAt()
      .sign(key.privateKey);
    const checkin = await fetch(`${t.url}/api/v1/devices/checkin`, {
      method: 'POST',
      headers: { authorization: `Device ${forged}`, 'content-type': 'application/json' },
      body: JSON.stringify(TEST_INVENTORY),
    });
    expect(checkin.status).toBe(401);
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/devices/ws`, {
      headers: { authorization: `Device ${forged}` },
    });
    const said = new Promise<string>((resolve) => ws.on('message', (data) => resolve(String(data))));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    expect(await closed).toBe(4401);
    expect(JSON.parse(await said)).toEqual({
      type: 'error',
      ok: false,
      error: 'authentication_required',
      message: 'Device authentication failed: no device named.',
    });
  });

  it("a device's key holds at most 4 sockets and a few frames a second; other devices are not affected", async () => {
    const { device, socket } = await online();
    const more: DeviceSocket[] = [];
    for (let i = 0; i < 3; i++) more.push(await DeviceSocket.open(t.url, device));
    sockets.push(...more);
    /** A fifth connection with a fresh, valid proof: told why, then closed with 4429. */
    const refused = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/v1/devices/ws`, {
      headers: { authorization: `Device ${await device.proof('GET', '/api/v1/devices/ws')}` },
    });
    const said: unknown[] = [];
    refused.on('message', (data) => said.push(JSON.parse(String(data))));
    const code = await new Promise<number>((resolve) => refused.on('close', (c) => resolve(c)));
    expect(code).toBe(4429);
    expect(said).toEqual([expect.objectContaining({ type: 'error', error: 'rate_limited' })]);
    // Another device is not affected, and a place freed is free again.
    const other = await online();
    await other.socket.settle();
    socket.close();
    await expect
      .poll(async () => {
        try {
          const again = await DeviceSocket.open(t.url, device);
          sockets.push(again);
          return true;
        } catch {
          return false;
        }
      })
      .toBe(true);
    // A flood of frames closes that socket (the agent sends none; the server pings), not the others.
    const flooding = sockets[sockets.length - 1] as DeviceSocket;
    const closed = new Promise<number>((resolve) => flooding.ws.on('close', (c) => resolve(c)));
    for (let i = 0; i < 100; i++) flooding.ws.send(JSON.stringify({ type: 'ping' }));
    expect(await closed).toBe(4429);
    expect(flooding.received).toContainEqual(expect.objectContaining({ type: 'error', error: 'rate_limited' }));
    await other.socket.settle();
    await more[0]!.settle();
  });

  it('bounds how many launches one helper starts, even when each is cancelled before the next', async () => {
    const { device, socket } = await online();
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 8; i++) {
      const r = await helper.post(`/api/v1/devices/${device.id}/sessions`);
      statuses.push(r.status);
      if (r.status === 201) await helper.post(`/api/v1/sessions/${(r.body.session as SessionView).id}/leave`);
      else {
        expect(r.body.error).toBe('rate_limited');
        retryAfter = (r.body.data as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      }
    }
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(5);
    expect(statuses).toContain(429);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    await socket.settle();
    expect(socket.received.filter(isLaunch).length).toBe(statuses.filter((s) => s === 201).length);
  });
});

describe('an expiring offer', () => {
  it('an offer that expires is withdrawn from the device, and the device may be offered again', async () => {
    const t = await startTestServer();
    try {
      const admin = new Client(t.url);
      await admin.signIn('admin@contoso.example');
      const device = await enrollDevice(t.url, admin);
      const socket = await DeviceSocket.open(t.url, device);
      // Offers live as long as the tenant's code lifetime: one second here, so the sweeper ends it.
      const tenantId = ((await admin.json('/api/v1/me')).body.tenant as { id: string }).id;
      await t.server.db.updateTable('tenants').set({ code_ttl_seconds: 1 }).where('id', '=', tenantId).execute();
      const launched = await admin.post(`/api/v1/devices/${device.id}/sessions`);
      expect(launched.status).toBe(201);
      const sessionId = (launched.body.session as SessionView).id;
      await socket.next(isLaunch);
      expect(await socket.next(cancelledFor(sessionId), 10_000)).toMatchObject({ reason: 'expired' });
      expect((await admin.post(`/api/v1/devices/${device.id}/sessions`)).status).toBe(201);
      socket.close();
    } finally {
      await t.stop();
    }
  });
});

describe('device proofs are single-use, across restarts and races', () => {
  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });

  it('a proof used before a restart is refused after it (same database)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-proofs-'));
    const port = await freePort();
    const database = testDatabase(dir, 'restart.db');
    const env = {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: database.url,
    };
    try {
      let t = await startTestServer(env);
      const admin = new Client(t.url);
      await admin.signIn('admin@contoso.example');
      const device = await enrollDevice(t.url, admin);
      const proof = `Device ${await device.proof('POST', '/api/v1/devices/checkin')}`;
      expect((await device.checkIn(TEST_INVENTORY, proof)).status).toBe(200);
      expect((await device.checkIn(TEST_INVENTORY, proof)).status).toBe(401);
      const stale = { device_id: device.id, jti: 'long-expired', expires_at: '2000-01-01T00:00:00.000Z' };
      await t.server.db.insertInto('device_proofs').values(stale).execute();
      await t.stop();

      t = await startTestServer(env);
      // The HTTP client may still pool a connection to the stopped server: let it find out first.
      await fetch(`${t.url}/healthz`).catch(() => undefined);
      try {
        const replay = await device.checkIn(TEST_INVENTORY, proof);
        expect(replay.status).toBe(401);
        expect(((await replay.json()) as { message: string }).message).toMatch(/already used/);
        expect((await device.checkIn(TEST_INVENTORY)).status).toBe(200); // a fresh proof still works
        const kept = await t.server.db
          .selectFrom('device_proofs')
          .select('jti')
          .where('device_id', '=', device.id)
          .execute();
        expect(kept.map((r) => r.jti)).not.toContain('long-expired'); // swept
        expect(kept).toHaveLength(2); // both used proofs stay until they could no longer be valid
      } finally {
        await t.stop();
      }
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('one proof sent in 20 parallel requests is accepted exactly once', async () => {
    const t = await startTestServer();
    try {
      const admin = new Client(t.url);
      await admin.signIn('admin@contoso.example');
      const device = await enrollDevice(t.url, admin);
      const proof = `Device ${await device.proof('POST', '/api/v1/devices/checkin')}`;
      const replies = await Promise.all(Array.from({ length: 20 }, () => device.checkIn(TEST_INVENTORY, proof)));
      expect(replies.map((r) => r.status).sort()).toEqual([200, ...Array<number>(19).fill(401)]);
      const rows = await t.server.db
        .selectFrom('device_proofs')
        .selectAll()
        .where('device_id', '=', device.id)
        .execute();
      expect(rows.length).toBeGreaterThanOrEqual(1);
    } finally {
      await t.stop();
    }
  });
});
