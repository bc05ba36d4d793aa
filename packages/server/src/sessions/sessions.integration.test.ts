/**
 * Integration: the real server over HTTP and WebSocket, people signed in through the
 * embedded IdP, two tenants. No browser.
 */
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseAudit } from '../test/refuseAudit.js';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

let t: TestServer;
const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

beforeAll(async () => {
  t = await startTestServer({}, { presence: { heartbeatMs: 200, deadAfterMs: 600, graceMs: 300 } });
});
afterAll(async () => t?.stop());

async function newSession(helper: Client) {
  const created = await helper.post('/api/v1/sessions');
  expect(created.status).toBe(201);
  return created.body as { code: string; session: { id: string } };
}

describe('sign-in and basics', () => {
  it('answers /healthz', async () => {
    const r = await fetch(`${t.url}/healthz`);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('refuses the API without a session and with a wrong password', async () => {
    const anonymous = new Client(t.url);
    expect((await anonymous.json('/api/v1/me')).body.error).toBe('authentication_required');
    await expect(anonymous.signIn('helper@contoso.example', 'wrong password')).rejects.toThrow(/sign-in failed: 401/);
  });

  it('signs in through the embedded IdP and shows the profile with the (asserted) domain', async () => {
    const helper = await signedIn('helper@contoso.example');
    const me = await helper.json('/api/v1/me');
    expect(me.body).toMatchObject({
      user: {
        displayName: 'Daniel Okafor',
        jobTitle: 'Help Desk Technician',
        company: 'Contoso Ltd.',
        // The demo's domain is the administrator's word, not a DNS proof.
        verifiedDomain: null,
        assertedDomain: 'contoso.example',
      },
      tenant: { name: 'Contoso', verifiedDomains: ['contoso.example'] },
    });
    expect(me.body.permissions).toContain('remoteHelp.viewScreen');
    const photo = await helper.raw((me.body.user as { photoUrl: string }).photoUrl);
    expect(photo.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('requires the CSRF token for commands', async () => {
    const helper = await signedIn('helper@contoso.example');
    helper.csrf = 'forged';
    expect((await helper.post('/api/v1/sessions')).body.error).toBe('csrf_failed');
  });

  it('lets only helpers offer assistance', async () => {
    const sharer = await signedIn('sharer@contoso.example');
    expect((await sharer.post('/api/v1/sessions')).body.error).toBe('forbidden');
  });
});

describe('security codes', () => {
  it('refuses a code from another tenant with the same answer as an unknown code', async () => {
    const helper = await signedIn('helper@contoso.example');
    const { code } = await newSession(helper);
    const outsider = await signedIn('sharer@fabrikam.example');
    const cross = await outsider.post('/api/v1/sessions/redeem', { code });
    expect(cross.status).toBe(400);
    expect(cross.body.error).toBe('code_invalid');
    const unknown = await outsider.post('/api/v1/sessions/redeem', {
      code: code === '00000000' ? '00000001' : '00000000',
    });
    expect(unknown.body.error).toBe('code_invalid');
    expect(cross.body.message).toBe(unknown.body.message);
  });

  it('refuses a second sharer redeeming a used code', async () => {
    const helper = await signedIn('helper@contoso.example');
    const { code } = await newSession(helper);
    const first = await signedIn('sharer@contoso.example');
    expect((await first.post('/api/v1/sessions/redeem', { code: `${code.slice(0, 4)} ${code.slice(4)}` })).status).toBe(
      200,
    );
    const second = await signedIn('admin@contoso.example');
    const again = await second.post('/api/v1/sessions/redeem', { code });
    expect(again.body.error).toBe('code_used');
  });

  it('refuses redeeming your own code', async () => {
    const helper = await signedIn('helper@contoso.example');
    const { code } = await newSession(helper);
    expect((await helper.post('/api/v1/sessions/redeem', { code })).body.error).toBe('code_own_session');
  });

  it("clears no back-off with one's own code, which stays live", async () => {
    // Entering one's own live code between wrong guesses used to reset the account's count.
    const helper = await signedIn('helper@fabrikam.example');
    const { code } = await newSession(helper);
    let limited = false;
    for (let round = 0; round < 8 && !limited; round++) {
      for (const guess of [String(20_000_000 + round * 2), String(20_000_001 + round * 2)]) {
        const r = await helper.post('/api/v1/sessions/redeem', { code: guess });
        if (r.body.error === 'rate_limited') limited = true;
        else expect(r.body.error).toBe('code_invalid');
      }
      const own = await helper.post('/api/v1/sessions/redeem', { code });
      if (own.body.error === 'rate_limited') limited = true;
      else expect(own.body.error).toBe('code_own_session');
    }
    expect(limited).toBe(true);
  });

  it('rejects malformed codes with a validation error that changes nothing', async () => {
    const sharer = await signedIn('sharer@contoso.example');
    for (const code of ['1234567', 'abcdefgh', '123456789', '']) {
      const r = await sharer.post('/api/v1/sessions/redeem', { code });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('validation_failed');
    }
    expect((await sharer.post('/api/v1/sessions/redeem', { code: '12345678', extra: 1 })).body.error).toBe(
      'validation_failed',
    );
  });

  it('backs off after repeated wrong codes, per account', async () => {
    const guesser = await signedIn('sharer@fabrikam.example');
    let last: { status: number; body: Record<string, unknown> } | undefined;
    for (let i = 0; i < 8; i++) {
      last = await guesser.post('/api/v1/sessions/redeem', { code: String(10_000_000 + i) });
      if (last.body.error === 'rate_limited') break;
    }
    expect(last!.body.error).toBe('rate_limited');
    expect((last!.body.data as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect(last!.status).toBe(429);
  });
});

describe('session over WebSocket', () => {
  async function activeSession() {
    const helper = await signedIn('helper@contoso.example');
    const sharer = await signedIn('sharer@contoso.example');
    const { code, session } = await newSession(helper);
    const hws = await helper.socket();
    hws.send({ type: 'attach', sessionId: session.id });
    await hws.next(sessionIn('waiting'));
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
    const joined = await hws.next<Extract<ServerMessage, { type: 'session' }>>(sessionIn('joined'));
    expect(joined.session.sharer?.displayName).toBe('Lena Fischer');
    expect(joined.session.via).toBe('code');
    const sws = await sharer.socket();
    sws.send({ type: 'attach', sessionId: session.id });
    await sws.next(sessionIn('joined'));
    expect((await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' })).body.session).toMatchObject({
      state: 'requested',
      pendingMode: 'view',
    });
    await sws.next(sessionIn('requested'));
    expect((await sharer.post(`/api/v1/sessions/${session.id}/respond`, { allow: true })).status).toBe(200);
    await hws.next(sessionIn('active'));
    return { helper, sharer, hws, sws, id: session.id };
  }

  it('relays signaling between the two participants only', async () => {
    const { hws, sws, id } = await activeSession();
    sws.send({
      type: 'signal',
      sessionId: id,
      payload: { kind: 'sdp', description: { type: 'offer', sdp: 'v=0 offer' } },
    });
    const relayed = await hws.next((m) => m.type === 'signal');
    expect(relayed).toMatchObject({ from: 'sharer', payload: { kind: 'sdp', description: { type: 'offer' } } });
    hws.send({ type: 'signal', sessionId: id, payload: { kind: 'ice', candidate: null } });
    expect(await sws.next((m) => m.type === 'signal')).toMatchObject({ from: 'helper', payload: { kind: 'ice' } });
  });

  it('relays signaling while the sharer reads the request, and refuses it before a request and after a decline', async () => {
    const helper = await signedIn('helper@contoso.example');
    const sharer = await signedIn('sharer@contoso.example');
    const { code, session } = await newSession(helper);
    const id = session.id;
    const hws = await helper.socket();
    hws.send({ type: 'attach', sessionId: id });
    await hws.next(sessionIn('waiting'));
    const ice = { kind: 'ice', candidate: null } as const;
    // waiting: nobody to connect to.
    hws.send({ type: 'signal', id: 'w', sessionId: id, payload: ice });
    expect(await hws.next((m) => m.type === 'error' && m.replyTo === 'w')).toMatchObject({
      error: 'invalid_transition',
    });
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
    await hws.next(sessionIn('joined'));
    const sws = await sharer.socket();
    sws.send({ type: 'attach', sessionId: id });
    await sws.next(sessionIn('joined'));
    // joined: the helper has asked for nothing yet.
    sws.send({ type: 'signal', id: 'j', sessionId: id, payload: ice });
    expect(await sws.next((m) => m.type === 'error' && m.replyTo === 'j')).toMatchObject({
      error: 'invalid_transition',
    });
    expect((await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' })).status).toBe(200);
    await sws.next(sessionIn('requested'));
    // requested: the connection is set up while the sharer reads, both ways.
    const offer = { kind: 'sdp', description: { type: 'offer', sdp: 'v=0 early' } } as const;
    sws.send({ type: 'signal', sessionId: id, payload: offer });
    expect(await hws.next((m) => m.type === 'signal')).toMatchObject({ from: 'sharer', payload: offer });
    hws.send({ type: 'signal', sessionId: id, payload: ice });
    expect(await sws.next((m) => m.type === 'signal')).toMatchObject({ from: 'helper', payload: ice });
    // The sharer declines: the session ends and signaling with it.
    expect((await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: false })).status).toBe(200);
    await hws.next(sessionIn('ended'));
    sws.send({ type: 'signal', id: 'e', sessionId: id, payload: offer });
    expect(await sws.next((m) => m.type === 'error' && m.replyTo === 'e')).toMatchObject({ error: 'session_ended' });
  });

  it('relays signals from the row its feed holds: no query of the session per signal', async () => {
    const { hws, sws, id } = await activeSession();
    // Every statement the server runs from here on (the real database still answers them).
    const executor = t.server.db.getExecutor();
    const execute = executor.executeQuery.bind(executor);
    const seen: string[] = [];
    executor.executeQuery = (query) => {
      seen.push(query.sql);
      return execute(query);
    };
    try {
      for (let i = 0; i < 5; i++) {
        const candidate = {
          kind: 'ice',
          candidate: { candidate: `candidate:${i} 1 udp 1 127.0.0.1 9 typ host` },
        } as const;
        sws.send({ type: 'signal', sessionId: id, payload: candidate });
        expect(
          await hws.next((m) => m.type === 'signal' && JSON.stringify(m).includes(`candidate:${i} `)),
        ).toMatchObject({
          from: 'sharer',
        });
      }
    } finally {
      executor.executeQuery = execute;
    }
    // The code-expiry sweeper reads waiting sessions once a second whatever happens here; it
    // names `code_expires_at`, which no read of one session by id does.
    const sweeper = (q: string) => q.includes('code_expires_at');
    expect(seen.filter((q) => q.includes('help_sessions') && !sweeper(q))).toEqual([]);
  });

  it('a signal the feed’s row would refuse is decided by the database (a request made through another node)', async () => {
    const helper = await signedIn('helper@contoso.example');
    const sharer = await signedIn('sharer@contoso.example');
    const { code, session } = await newSession(helper);
    const id = session.id;
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
    const [hws, sws] = [await helper.socket(), await sharer.socket()];
    hws.send({ type: 'attach', sessionId: id });
    sws.send({ type: 'attach', sessionId: id });
    await Promise.all([hws.next(sessionIn('joined')), sws.next(sessionIn('joined'))]);
    // Another node asked for the screen: the row changed, and this node has not heard of it yet.
    const row = await t.server.db
      .selectFrom('help_sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await t.server.db
      .updateTable('help_sessions')
      .set({ state: 'requested', pending_mode: 'view', version: row.version + 1 })
      .where('id', '=', id)
      .execute();
    const offer = { kind: 'sdp', description: { type: 'offer', sdp: 'v=0 other node' } } as const;
    sws.send({ type: 'signal', sessionId: id, payload: offer });
    expect(await hws.next((m) => m.type === 'signal')).toMatchObject({ from: 'sharer', payload: offer });
  });

  it("relays a signal to the newest of a participant's sockets only (a socket moving, a second tab)", async () => {
    const { helper, hws, sws, id } = await activeSession();
    const newer = await helper.socket();
    newer.send({ type: 'attach', sessionId: id });
    await newer.next(sessionIn('active'));
    const offer = { kind: 'sdp', description: { type: 'offer', sdp: 'v=0 restart' } } as const;
    sws.send({ type: 'signal', sessionId: id, payload: offer });
    expect(await newer.next((m) => m.type === 'signal')).toMatchObject({ from: 'sharer', payload: offer });
    // Chat still reaches every socket; the older one got no copy of the offer before it.
    sws.send({ type: 'chat.send', sessionId: id, clientId: 'c-newest-1', text: 'still here' });
    await hws.next((m) => m.type === 'chat.message');
    expect(hws.received.filter((m) => m.type === 'signal')).toHaveLength(0);
    // The newer socket closes (its tab went away): the older one negotiates again.
    newer.close();
    await new Promise((r) => setTimeout(r, 200));
    sws.send({ type: 'signal', sessionId: id, payload: offer });
    expect(await hws.next((m) => m.type === 'signal')).toMatchObject({ from: 'sharer', payload: offer });
  });

  it('refuses a WebSocket without a session, or from another site', async () => {
    const { default: WebSocket } = await import('ws');
    const url = t.url.replace(/^http/, 'ws') + '/api/v1/ws';
    const anonymous = new WebSocket(url);
    expect(await new Promise((resolve) => anonymous.on('close', resolve))).toBe(4401);
    const helper = await signedIn('helper@contoso.example');
    const hijack = new WebSocket(url, { headers: { cookie: helper.cookieHeader, origin: 'https://evil.example' } });
    expect(await new Promise((resolve) => hijack.on('close', resolve))).toBe(4403);
  });

  it('keeps a non-participant out: no attach, no signaling, no reading', async () => {
    const { id, hws } = await activeSession();
    const intruder = await signedIn('admin@contoso.example');
    const ws = await intruder.socket();
    ws.send({ type: 'attach', id: 'a1', sessionId: id });
    expect(await ws.next((m) => m.type === 'error')).toMatchObject({ error: 'not_participant', replyTo: 'a1' });
    const before = hws.received.length;
    ws.send({ type: 'signal', id: 's1', sessionId: id, payload: { kind: 'restart' } });
    expect(await ws.next((m) => m.type === 'error' && m.replyTo === 's1')).toMatchObject({ error: 'bad_request' });
    expect((await intruder.json(`/api/v1/sessions/${id}`)).body.error).toBe('not_participant');
    const otherTenant = await signedIn('helper@fabrikam.example');
    expect((await otherTenant.json(`/api/v1/sessions/${id}`)).body.error).toBe('session_not_found');
    await new Promise((r) => setTimeout(r, 100));
    expect(hws.received.slice(before).filter((m) => m.type === 'signal')).toHaveLength(0);
  });

  it('answers malformed and oversized frames with an error frame and keeps the session working', async () => {
    const { hws, sws, id } = await activeSession();
    sws.send('this is not json');
    expect(await sws.next((m) => m.type === 'error')).toMatchObject({ error: 'bad_request' });
    sws.send({ type: 'signal', id: 'x', sessionId: id, payload: { kind: 'sdp', description: { type: 'bogus' } } });
    expect(await sws.next((m) => m.type === 'error' && m.replyTo === 'x')).toMatchObject({
      error: 'validation_failed',
    });
    sws.send({ type: 'nonsense', id: 'y' });
    expect(await sws.next((m) => m.type === 'error' && m.replyTo === 'y')).toMatchObject({
      error: 'validation_failed',
    });
    const errorsBefore = sws.received.filter((m) => m.type === 'error').length;
    sws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(100_000) }));
    await sws.next((m) => m.type === 'error' && m.error === 'payload_too_large');
    expect(sws.received.filter((m) => m.type === 'error').length).toBe(errorsBefore + 1);
    sws.send({ type: 'signal', sessionId: id, payload: { kind: 'restart' } });
    expect(await hws.next((m) => m.type === 'signal')).toMatchObject({ payload: { kind: 'restart' } });
    expect(sws.ws.readyState).toBe(sws.ws.OPEN);
  });

  it('tells the helper at once when the sharer leaves', async () => {
    const { sharer, hws, id } = await activeSession();
    const started = Date.now();
    await sharer.post(`/api/v1/sessions/${id}/leave`);
    const ended = await hws.next<Extract<ServerMessage, { type: 'session' }>>(sessionIn('ended'), 1000);
    expect(ended.session.endReason).toBe('sharer_left');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('ends with connection_lost when the sharer’s connection dies and does not come back', async () => {
    const { sws, hws } = await activeSession();
    sws.ws.terminate();
    const ended = await hws.next<Extract<ServerMessage, { type: 'session' }>>(sessionIn('ended'), 5000);
    expect(ended.session.endReason).toBe('connection_lost');
  });

  it('ends with connection_lost when the sharer’s network dies silently (no pongs)', async () => {
    const { sharer, sws, hws, id } = await activeSession();
    const { default: WebSocket } = await import('ws');
    // A second connection that stops answering pings, like a laptop whose Wi-Fi dropped.
    const silent = new WebSocket(t.url.replace(/^http/, 'ws') + '/api/v1/ws', {
      headers: { cookie: sharer.cookieHeader },
      autoPong: false,
    });
    await new Promise((resolve) => silent.once('message', resolve));
    silent.send(JSON.stringify({ type: 'attach', sessionId: id }));
    await new Promise((r) => setTimeout(r, 50));
    sws.ws.terminate();
    const ended = await hws.next<Extract<ServerMessage, { type: 'session' }>>(sessionIn('ended'), 5000);
    expect(ended.session.endReason).toBe('connection_lost');
    silent.terminate();
  });

  it('ends with declined when the sharer declines, and refuses illegal commands', async () => {
    const helper = await signedIn('helper@contoso.example');
    const sharer = await signedIn('sharer@contoso.example');
    const { code, session } = await newSession(helper);
    expect((await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' })).body.error).toBe(
      'invalid_transition',
    );
    await sharer.post('/api/v1/sessions/redeem', { code });
    expect((await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'control' })).body.error).toBe(
      'unsupported_mode',
    );
    expect((await sharer.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' })).body.error).toBe(
      'forbidden',
    );
    await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' });
    expect((await helper.post(`/api/v1/sessions/${session.id}/respond`, { allow: true })).body.error).toBe('forbidden');
    const declined = await sharer.post(`/api/v1/sessions/${session.id}/respond`, { allow: false });
    expect(declined.body.session).toMatchObject({ state: 'ended', endReason: 'declined' });
    expect((await helper.json(`/api/v1/sessions/${session.id}`)).body.session).toMatchObject({ endReason: 'declined' });
    expect((await sharer.post(`/api/v1/sessions/${session.id}/respond`, { allow: true })).body.error).toBe(
      'session_ended',
    );
  });

  it('writes every transition to the audit log', async () => {
    const { sharer, id } = await activeSession();
    await sharer.post(`/api/v1/sessions/${id}/leave`);
    const rows = await t.server.db
      .selectFrom('audit_events')
      .select('action')
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.action)).toEqual([
      'session.created',
      'session.redeem',
      'session.request',
      'session.allow',
      'session.ended',
    ]);
  });
});

describe('a change and its audit record commit together', () => {
  const auditedOf = async (id: string) =>
    (
      await t.server.db.selectFrom('audit_events').select('action').where('target_id', '=', id).orderBy('id').execute()
    ).map((r) => r.action);

  it('a request whose audit row cannot be written changes nothing, and works once the log takes it', async () => {
    const helper = await signedIn('helper@contoso.example');
    const sharer = await signedIn('sharer@contoso.example');
    const { code, session } = await newSession(helper);
    expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
    const before = await t.server.db
      .selectFrom('help_sessions')
      .selectAll()
      .where('id', '=', session.id)
      .executeTakeFirstOrThrow();
    const allow = await refuseAudit(t.server.db, 'session.request');
    let refused;
    try {
      refused = await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' });
    } finally {
      await allow();
    }
    expect(refused.status).toBe(500);
    expect(refused.body.error).toBe('internal_error');
    // The row did not move: the sharer was not asked, and the helper may simply ask again.
    expect(
      await t.server.db.selectFrom('help_sessions').selectAll().where('id', '=', session.id).executeTakeFirstOrThrow(),
    ).toEqual(before);
    expect(await auditedOf(session.id)).toEqual(['session.created', 'session.redeem']);
    const again = await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' });
    expect(again.body.session).toMatchObject({ state: 'requested', pendingMode: 'view' });
    expect(await auditedOf(session.id)).toEqual(['session.created', 'session.redeem', 'session.request']);
  });

  it('a session whose creation cannot be audited is not created', async () => {
    const helper = await signedIn('helper@contoso.example');
    const helperId = ((await helper.json('/api/v1/me')).body.user as { id: string }).id;
    const count = async () =>
      Number(
        (
          await t.server.db
            .selectFrom('help_sessions')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('helper_id', '=', helperId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const sessionsBefore = await count();
    const allow = await refuseAudit(t.server.db, 'session.created');
    let refused;
    try {
      refused = await helper.post('/api/v1/sessions');
    } finally {
      await allow();
    }
    expect(refused.status).toBe(500);
    expect(await count()).toBe(sessionsBefore);
    expect((await helper.post('/api/v1/sessions')).status).toBe(201);
    expect(await count()).toBe(sessionsBefore + 1);
  });
});
