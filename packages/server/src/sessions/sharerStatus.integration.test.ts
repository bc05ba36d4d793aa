/**
 * Integration: the sharer's pause and resume, and what a reloaded sharer page tells the
 * helper (`POST /api/v1/sessions/:id/sharer-status`), over real HTTP and WebSocket.
 */
import type { SessionView } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

let t: TestServer;
const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

/** A view-only session between Contoso's helper and sharer, active, with the helper attached. */
async function activeSession() {
  const helper = await signedIn('helper@contoso.example');
  const sharer = await signedIn('sharer@contoso.example');
  const created = (await helper.post('/api/v1/sessions')).body as { code: string; session: SessionView };
  const id = created.session.id;
  const helperSocket = await helper.socket();
  helperSocket.send({ type: 'attach', sessionId: id });
  await sharer.post('/api/v1/sessions/redeem', { code: created.code });
  await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' });
  const allowed = await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true });
  expect((allowed.body.session as SessionView).sharerStatus).toBe('pending');
  await helperSocket.next(sessionIn('active'));
  return { helper, sharer, id, helperSocket };
}

const status = (sharer: Client, id: string, value: string) =>
  sharer.post(`/api/v1/sessions/${id}/sharer-status`, { status: value });

describe('sharer status', () => {
  it('pause and resume reach the helper at once, need no new request or Allow, and are audited', async () => {
    const { sharer, id, helperSocket } = await activeSession();
    expect((await status(sharer, id, 'sharing')).status).toBe(200);
    const since = helperSocket.received.length;
    const paused = await status(sharer, id, 'paused');
    expect(paused.body.session).toMatchObject({ state: 'active', mode: 'view', sharerStatus: 'paused' });
    await helperSocket.next((m) => m.type === 'session' && m.session.sharerStatus === 'paused', 2000, since);

    const resumed = await status(sharer, id, 'sharing');
    expect(resumed.body.session).toMatchObject({ state: 'active', mode: 'view', sharerStatus: 'sharing' });
    await helperSocket.next((m) => m.type === 'session' && m.session.sharerStatus === 'sharing', 2000, since);

    const actions = (
      await t.server.db.selectFrom('audit_events').select(['action', 'data']).where('target_id', '=', id).execute()
    ).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['session.paused', 'session.resumed']));
  });

  it('a reloaded sharer page says it is choosing what to share, and the helper sees it', async () => {
    const { sharer, id, helperSocket } = await activeSession();
    await status(sharer, id, 'sharing');
    const since = helperSocket.received.length;
    await status(sharer, id, 'choosing');
    const pushed = await helperSocket.next<{ type: 'session'; session: SessionView }>(
      (m) => m.type === 'session' && m.session.sharerStatus === 'choosing',
      2000,
      since,
    );
    expect(pushed.session.state).toBe('active');
  });

  it('only the sharer, only while active, only known statuses', async () => {
    const { helper, sharer, id } = await activeSession();
    const byHelper = await status(helper, id, 'paused');
    expect(byHelper.status).toBe(403);
    expect(byHelper.body.error).toBe('forbidden');
    for (const bad of ['pending', 'PAUSED', '', 42]) {
      const r = await sharer.post(`/api/v1/sessions/${id}/sharer-status`, { status: bad });
      expect(r.status, String(bad)).toBe(400);
      expect(r.body.error).toBe('validation_failed');
    }
    const extra = await sharer.post(`/api/v1/sessions/${id}/sharer-status`, { status: 'paused', by: 'me' });
    expect(extra.status).toBe(400);
    // Nothing changed through the refused calls.
    expect(((await sharer.json(`/api/v1/sessions/${id}`)).body.session as SessionView).sharerStatus).toBe('pending');

    // Before the sharer allowed anything there is no picture to pause.
    const other = await signedIn('helper@contoso.example');
    const created = (await other.post('/api/v1/sessions')).body as { code: string; session: SessionView };
    await sharer.post('/api/v1/sessions/redeem', { code: created.code });
    const early = await status(sharer, created.session.id, 'paused');
    expect(early.status).toBe(409);
    expect(early.body.error).toBe('invalid_transition');

    await sharer.post(`/api/v1/sessions/${id}/leave`);
    const late = await status(sharer, id, 'sharing');
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('session_ended');
  });
});
