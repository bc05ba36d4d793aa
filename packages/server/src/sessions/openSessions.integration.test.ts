/**
 * Integration: a helper's open sessions (`GET /api/v1/sessions`) — what the start screen of
 * any tab lists to resume or end. Only the caller's own live sessions as a helper, never
 * another person's or another tenant's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionView } from '@remote-help/protocol';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

let t: TestServer;
const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};
const openIds = async (c: Client) => {
  const r = await c.json('/api/v1/sessions');
  expect(r.status).toBe(200);
  return (r.body.sessions as SessionView[]).map((s) => s.id);
};

beforeAll(async () => {
  t = await startTestServer({}, { presence: { heartbeatMs: 200, deadAfterMs: 600, graceMs: 300 } });
});
afterAll(async () => t?.stop());

describe('open sessions of a helper', () => {
  it('lists my live sessions newest first, from a second sign-in too, and drops them once ended', async () => {
    const helper = await signedIn('helper@contoso.example');
    const otherTab = await signedIn('helper@contoso.example');
    const first = (await helper.post('/api/v1/sessions')).body as { session: SessionView };
    const second = (await helper.post('/api/v1/sessions')).body as { session: SessionView };
    expect(await openIds(otherTab)).toEqual([second.session.id, first.session.id]);

    const sharer = await signedIn('sharer@contoso.example');
    const code = ((await helper.post('/api/v1/sessions')).body as { code: string; session: SessionView }).code;
    const joined = (await sharer.post('/api/v1/sessions/redeem', { code })).body as { session: SessionView };
    const listed = (await otherTab.json('/api/v1/sessions')).body.sessions as SessionView[];
    expect(listed[0]).toMatchObject({ id: joined.session.id, state: 'joined', role: 'helper' });
    expect(listed[0]!.sharer?.displayName).toBe('Lena Fischer');

    await otherTab.post(`/api/v1/sessions/${first.session.id}/leave`);
    expect(await openIds(helper)).toEqual([joined.session.id, second.session.id]);
    // The sharer's side is not a helper's open session.
    expect(await openIds(sharer)).toEqual([]);
  });

  it("never lists another helper's or another tenant's sessions", async () => {
    const helper = await signedIn('helper@contoso.example');
    const mine = await openIds(helper);
    const colleague = await signedIn('admin@contoso.example');
    const stranger = await signedIn('helper@fabrikam.example');
    const colleagues = (await colleague.post('/api/v1/sessions')).body as { session: SessionView };
    const strangers = (await stranger.post('/api/v1/sessions')).body as { session: SessionView };
    const after = await openIds(helper);
    expect(after).toEqual(mine);
    expect(after).not.toContain(colleagues.session.id);
    expect(after).not.toContain(strangers.session.id);
    expect(await openIds(stranger)).toEqual([strangers.session.id]);
  });

  it('a waiting session outlives the tab that made it; a joined one still ends when its helper is gone', async () => {
    const helper = await signedIn('helper@contoso.example');
    const created = (await helper.post('/api/v1/sessions')).body as { code: string; session: SessionView };
    const tab = await helper.socket();
    tab.send({ type: 'attach', sessionId: created.session.id });
    await tab.next(sessionIn('waiting'));
    tab.close();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // > grace (300 ms)
    expect((await helper.json(`/api/v1/sessions/${created.session.id}`)).body.session).toMatchObject({
      state: 'waiting',
    });
    expect(await openIds(helper)).toContain(created.session.id);

    // Once somebody joined, a helper who is gone for longer than the grace period ends it.
    const sharer = await signedIn('sharer@contoso.example');
    await sharer.post('/api/v1/sessions/redeem', { code: created.code });
    const again = await helper.socket();
    again.send({ type: 'attach', sessionId: created.session.id });
    await again.next(sessionIn('joined'));
    again.close();
    await expect
      .poll(async () => (await helper.json(`/api/v1/sessions/${created.session.id}`)).body.session, { timeout: 5000 })
      .toMatchObject({ state: 'ended', endReason: 'connection_lost' });
  });

  it('needs a signed-in caller', async () => {
    const anonymous = new Client(t.url);
    const r = await anonymous.json('/api/v1/sessions');
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ ok: false, error: 'authentication_required' });
  });
});
