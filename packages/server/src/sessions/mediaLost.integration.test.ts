/**
 * Integration: a media path that stays dead while both WebSockets live ends the session
 * after the reconnect grace (`{type:'path'}` reports, see `sessions/mediaWatch`), over
 * real HTTP and WebSocket. The grace is 1.5 s here instead of 30 s.
 */
import type { ServerMessage, SessionView } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

const GRACE_MS = 1500;
let t: TestServer;
const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

beforeAll(async () => {
  t = await startTestServer({}, { presence: { heartbeatMs: 1000, deadAfterMs: 2500, graceMs: GRACE_MS } });
});
afterAll(async () => t?.stop());

/** An active view-only session, the sharer sharing, both sides attached. */
async function activeSession() {
  const helper = await signedIn('helper@contoso.example');
  const sharer = await signedIn('sharer@contoso.example');
  const created = (await helper.post('/api/v1/sessions')).body as { code: string; session: SessionView };
  const id = created.session.id;
  const helperSocket = await helper.socket();
  helperSocket.send({ type: 'attach', sessionId: id });
  await sharer.post('/api/v1/sessions/redeem', { code: created.code });
  const sharerSocket = await sharer.socket();
  sharerSocket.send({ type: 'attach', sessionId: id });
  await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' });
  await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true });
  await helperSocket.next(sessionIn('active'));
  await sharer.post(`/api/v1/sessions/${id}/sharer-status`, { status: 'sharing' });
  return { helper, sharer, id, helperSocket, sharerSocket };
}

const stateOf = async (c: Client, id: string) =>
  ((await c.json(`/api/v1/sessions/${id}`)).body.session as SessionView).state;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a media path that never comes back', () => {
  it('ends the session with connection_lost after the grace, both sockets still up, and tells both sides', async () => {
    const { helper, id, helperSocket, sharerSocket } = await activeSession();
    helperSocket.send({ type: 'path', sessionId: id, state: 'down' });
    const ended = (m: ServerMessage) =>
      m.type === 'session' && m.session.state === 'ended' && m.session.endReason === 'connection_lost';
    await helperSocket.next(ended, GRACE_MS + 3000);
    await sharerSocket.next(ended, 3000);
    expect(await stateOf(helper, id)).toBe('ended');
    const audit = await t.server.db
      .selectFrom('audit_events')
      .select(['action', 'data'])
      .where('target_id', '=', id)
      .where('action', '=', 'session.ended')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.data ?? '{}')).toMatchObject({
      to: 'ended',
      endReason: 'connection_lost',
      lostRole: 'helper',
      path: 'media',
    });
  });

  it('a path that comes back within the grace ends nothing', async () => {
    const { helper, id, helperSocket, sharerSocket } = await activeSession();
    helperSocket.send({ type: 'path', sessionId: id, state: 'down' });
    sharerSocket.send({ type: 'path', sessionId: id, state: 'down' });
    await sleep(GRACE_MS / 2);
    sharerSocket.send({ type: 'path', sessionId: id, state: 'up' });
    await sleep(GRACE_MS + 500);
    expect(await stateOf(helper, id)).toBe('active');
  });

  it('a sharer choosing what to share again has no path to lose', async () => {
    const { helper, sharer, id, helperSocket } = await activeSession();
    helperSocket.send({ type: 'path', sessionId: id, state: 'down' });
    await sharer.post(`/api/v1/sessions/${id}/sharer-status`, { status: 'choosing' });
    await sleep(GRACE_MS + 500);
    expect(await stateOf(helper, id)).toBe('active');
    helperSocket.send({ type: 'path', sessionId: id, state: 'down' }); // ignored while choosing
    await sleep(GRACE_MS + 500);
    expect(await stateOf(helper, id)).toBe('active');
  });

  it('only an attached participant may report, with a known state', async () => {
    const { id } = await activeSession();
    const other = await signedIn('helper@fabrikam.example');
    const otherSocket = await other.socket();
    otherSocket.send({ type: 'path', id: 'p1', sessionId: id, state: 'down' });
    const refused = await otherSocket.next((m) => m.type === 'error');
    expect(refused).toMatchObject({ type: 'error', error: 'bad_request', replyTo: 'p1' });
    otherSocket.send({ type: 'attach', id: 'a1', sessionId: id });
    const notFound = await otherSocket.next((m) => m.type === 'error' && m.replyTo === 'a1');
    expect(notFound).toMatchObject({ error: 'session_not_found' });

    const helper = await signedIn('helper@contoso.example');
    const socket = await helper.socket();
    socket.send({ type: 'path', id: 'p2', sessionId: id, state: 'sideways' });
    expect(await socket.next((m) => m.type === 'error')).toMatchObject({ error: 'validation_failed' });
  });
});
