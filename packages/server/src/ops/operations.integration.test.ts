/**
 * Integration: `/readyz`, `/metrics` (token and separate listener) and TURN credentials in the
 * hello, on the real server with real sockets. A whole session is played (wrong code, redeem,
 * view request, allow, a signal each way, chat, leave) and the scrape must show each step.
 */
import { createHmac } from 'node:crypto';
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_HANDLE_DEFAULTS } from './metrics.js';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

const TOKEN = 'metrics-token-for-the-test-0123456789';
const TURN_SECRET = 'coturn-static-auth-secret-for-tests';
const STUN = { urls: 'stun:stun.example.org:3478' };
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({
    METRICS_TOKEN: TOKEN,
    METRICS_ADDRESS: '127.0.0.1:0',
    TURN_URLS: 'turns:turn.example.org:443?transport=tcp,turn:turn.example.org:3478',
    TURN_SECRET,
    TURN_TTL_SECONDS: '600',
    ICE_SERVERS: JSON.stringify([STUN]),
  });
});
afterAll(async () => t?.stop());

const scrape = async (token = TOKEN) => {
  const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
};

/** The value of one sample (`name{labels}`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

describe('/readyz', () => {
  it('answers 200 with each check named while the database and bus answer', async () => {
    const response = await fetch(`${t.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, bus: { ok: true }, openFiles: { ok: true } },
    });
  });
});

describe('/metrics', () => {
  it('refuses a scrape without the token or with a wrong one', async () => {
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toBe('authentication_required');
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN.slice(1)}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('remote_help_');
  });

  it('counts a whole session: HTTP, sockets, states, redemptions, relay latency, chat, end reason', async () => {
    const before = await scrape();
    const helper = await signedIn('helper@contoso.example');
    const sharer = await signedIn('sharer@contoso.example');
    const { code, session } = (await helper.post('/api/v1/sessions')).body as { code: string; session: { id: string } };
    const id = session.id;
    const waiting = await scrape();
    expect(sample(waiting, 'remote_help_sessions_live', { state: 'waiting' })).toBeGreaterThanOrEqual(1);

    const wrong = code === '00000000' ? '00000001' : '00000000';
    expect((await sharer.post('/api/v1/sessions/redeem', { code: wrong })).body.error).toBe('code_invalid');
    const hws = await helper.socket();
    hws.send({ type: 'attach', sessionId: id });
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
    const sws = await sharer.socket();
    sws.send({ type: 'attach', sessionId: id });
    await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' });
    expect((await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true })).status).toBe(200);
    await hws.next(sessionIn('active'));
    await sws.next(sessionIn('active'));

    const during = await scrape();
    expect(sample(during, 'remote_help_sessions_live', { state: 'active' })).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'remote_help_websocket_connections')).toBeGreaterThanOrEqual(2);

    hws.send({ type: 'signal', sessionId: id, payload: { kind: 'sdp', description: { type: 'offer', sdp: 'v=0' } } });
    await sws.next((m) => m.type === 'signal' && m.payload.kind === 'sdp');
    sws.send({ type: 'signal', sessionId: id, payload: { kind: 'ice', candidate: null } });
    await hws.next((m) => m.type === 'signal' && m.payload.kind === 'ice');
    sws.send({ type: 'chat.send', sessionId: id, clientId: 'metrics-chat-0001', text: 'hello' });
    await hws.next((m) => m.type === 'chat.message' && m.message.clientId === 'metrics-chat-0001');
    expect((await helper.post(`/api/v1/sessions/${id}/leave`)).status).toBe(200);
    await sws.next(sessionIn('ended'));

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(moved('remote_help_code_redemptions_total', { outcome: 'succeeded', reason: 'none' })).toBe(1);
    expect(moved('remote_help_code_redemptions_total', { outcome: 'failed', reason: 'code_invalid' })).toBe(1);
    expect(moved('remote_help_signal_relay_seconds_count')).toBe(2);
    expect(moved('remote_help_signal_relay_seconds_sum')).toBeGreaterThan(0);
    expect(moved('remote_help_chat_messages_total')).toBe(1);
    // The session's commands, its feeds' presentations and the scrapes' own counts all reached the database.
    expect(moved('remote_help_db_statements_total')).toBeGreaterThan(30);
    expect(moved('remote_help_sessions_ended_total', { reason: 'helper_left' })).toBe(1);
    expect(
      moved('remote_help_http_requests_total', {
        method: 'POST',
        route: '/api/v1/sessions/:id/respond',
        status: '200',
      }),
    ).toBe(1);
    expect(
      moved('remote_help_http_requests_total', { method: 'POST', route: '/api/v1/sessions/redeem', status: '400' }),
    ).toBe(1);
    expect(
      moved('remote_help_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/sessions/:id/leave',
        status: '200',
      }),
    ).toBe(1);
    expect(sample(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(after).toContain('process_resident_memory_bytes');
    // Open files are counted (the two sockets of this session among them), but nothing that walks
    // every handle on the event loop at each scrape: at 20,000 sockets that held it ~100 ms.
    expect(sample(after, 'process_open_fds')).toBeGreaterThanOrEqual(2);
    for (const name of PER_HANDLE_DEFAULTS.filter((n) => n !== 'process_open_fds'))
      expect(after).not.toMatch(new RegExp(`^(# (HELP|TYPE) )?${name}[ {]`, 'm'));
    // Bounded labels only: no session, tenant or user id, no code.
    for (const secret of [id, code, helper.cookies.get('rh_session') ?? 'none']) expect(after).not.toContain(secret);
    expect(after).not.toMatch(/tenant|user_id|session_id/i);
    hws.close();
    sws.close();
  });

  it('serves the same registry on the separate metrics listener, without a token', async () => {
    const port = t.server.metricsPort;
    expect(port).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('remote_help_sessions_ended_total');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
  });

  it('does not exist without METRICS_TOKEN or METRICS_ADDRESS', async () => {
    const plain = await startTestServer();
    try {
      expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
      expect(plain.server.metricsPort).toBeNull();
    } finally {
      await plain.stop();
    }
  });
});

describe('TURN credentials in the hello', () => {
  it('carries the configured TURN URLs with a credential minted now for this user, and no static password', async () => {
    const helper = await signedIn('helper@contoso.example');
    const startedAt = Math.floor(Date.now() / 1000);
    const socket = await helper.socket();
    const hello = socket.received.find((m) => m.type === 'hello') as Extract<ServerMessage, { type: 'hello' }>;
    const finishedAt = Math.ceil(Date.now() / 1000);
    expect(hello.iceServers[0]).toEqual(STUN);
    const turn = hello.iceServers[1]!;
    expect(turn.urls).toEqual(['turns:turn.example.org:443?transport=tcp', 'turn:turn.example.org:3478']);
    const [expiry, who] = turn.username!.split(':');
    expect(who).toBe(hello.userId);
    expect(Number(expiry)).toBeGreaterThanOrEqual(startedAt + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(finishedAt + 600);
    expect(turn.credential).toBe(createHmac('sha1', TURN_SECRET).update(turn.username!).digest('base64'));
    expect(JSON.stringify(hello)).not.toContain(TURN_SECRET);
    socket.close();

    // Another person gets their own credential.
    const sharer = await signedIn('sharer@contoso.example');
    const other = await sharer.socket();
    const otherHello = other.received.find((m) => m.type === 'hello') as Extract<ServerMessage, { type: 'hello' }>;
    expect(otherHello.iceServers[1]!.username).toMatch(new RegExp(`^\\d+:${otherHello.userId}$`));
    expect(otherHello.iceServers[1]!.credential).not.toBe(turn.credential);
    other.close();
  });
});
