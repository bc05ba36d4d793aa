/**
 * Integration (issue 8, item 7): the Remote Help sessions report, its CSV export and Monitor
 * over the real server. What a row says (people, device, duration, highest mode, compliance at
 * start), every filter and paging, tenant isolation (another organization's sessions never
 * appear; its administrator cannot end ours), permission refusals, bad input (typed 400,
 * nothing changed), CSV quoting, formula neutralisation and BOM, and ending a session from
 * Monitor (both sides told at once, audited).
 */
import type { LiveSessionList, SessionReport, SessionReportList } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';
import type { TestDevice } from '../test/testDevice.js';
import { TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';
import { BOM } from './csv.js';
import { addAdministrator, joined, parseCsv, userId, viewing } from '../test/reportsWorld.js';

let t: TestServer;
let admin: Client;
let helper: Client;
let sharer: Client;
let foreignAdmin: Client;
let foreignHelper: Client;
let foreignSharer: Client;
let device: TestDevice;
const ids = { helper: '', sharer: '' };
/** Sessions of the world: web (viewed, then left by the helper), agent (full control, live), waiting, Fabrikam's. */
const s = { web: '', agent: '', waiting: '', foreign: '' };

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

/** The agent's redeem from the enrolled device (bearer token + device proof). */
async function agentRedeem(code: string): Promise<{ status: number; body: { session: { id: string } } }> {
  const token = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
  const r = await fetch(`${t.url}/api/v1/sessions/redeem`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-device-proof': `Device ${await device.proof('POST', '/api/v1/sessions/redeem')}`,
    },
    body: JSON.stringify({ code, client: 'agent' }),
  });
  return { status: r.status, body: (await r.json()) as { session: { id: string } } };
}

const list = async (c: Client, query = '') => c.json(`/api/v1/reports/sessions${query}`);
const sessionsOf = async (query = '') => ((await list(admin, query)).body as unknown as SessionReportList).sessions;
const idsOf = async (query = '') => (await sessionsOf(query)).map((r) => r.id);
const auditCount = async () =>
  Number(
    (
      await t.server.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  t = await startTestServer();
  await addAdministrator(t, 'fabrikam', 'admin@fabrikam.example', 'Fabrikam Admin');
  [admin, helper, sharer, foreignAdmin, foreignHelper, foreignSharer] = await Promise.all([
    signedIn('admin@contoso.example'),
    signedIn('helper@contoso.example'),
    signedIn('sharer@contoso.example'),
    signedIn('admin@fabrikam.example'),
    signedIn('helper@fabrikam.example'),
    signedIn('sharer@fabrikam.example'),
  ]);
  ids.helper = await userId(t, 'helper@contoso.example');
  ids.sharer = await userId(t, 'sharer@contoso.example');
  device = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, hostname: 'lena-mbp' });

  // 1. A web sharer, view only, then the helper leaves.
  s.web = await joined(helper, sharer);
  await viewing(helper, sharer, s.web);
  expect((await helper.post(`/api/v1/sessions/${s.web}/leave`)).status).toBe(200);
  // 2. The agent on the enrolled device, full control (live).
  const created = await helper.post('/api/v1/sessions', {});
  const redeemed = await agentRedeem(created.body.code as string);
  expect(redeemed.status).toBe(200);
  s.agent = redeemed.body.session.id;
  const token = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
  const agentRespond = () =>
    fetch(`${t.url}/api/v1/sessions/${s.agent}/respond`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ allow: true }),
    });
  expect((await helper.post(`/api/v1/sessions/${s.agent}/request`, { mode: 'view' })).status).toBe(200);
  expect((await agentRespond()).status).toBe(200);
  expect((await helper.post(`/api/v1/sessions/${s.agent}/request`, { mode: 'control' })).status).toBe(200);
  expect((await agentRespond()).status).toBe(200);
  // 3. A code nobody redeemed yet.
  s.waiting = ((await helper.post('/api/v1/sessions', {})).body.session as { id: string }).id;
  // 4. Fabrikam's own session.
  s.foreign = await joined(foreignHelper, foreignSharer);
}, 90_000);
afterAll(async () => t?.stop());

describe('Remote Help sessions report', () => {
  it('lists the organization’s sessions newest first with people, device, mode, duration and compliance at start', async () => {
    const r = await list(admin);
    expect(r.status).toBe(200);
    const body = r.body as unknown as SessionReportList;
    expect(body.sessions.map((x) => x.id)).toEqual([s.waiting, s.agent, s.web]);
    expect([body.total, body.limit, body.offset]).toEqual([3, 50, 0]);
    const [waiting, agent, web] = body.sessions as [SessionReport, SessionReport, SessionReport];
    expect(web).toMatchObject({
      status: 'ended',
      state: 'ended',
      helper: { id: ids.helper, name: 'Daniel Okafor', upn: 'helper@contoso.example' },
      sharer: { id: ids.sharer, name: 'Lena Fischer', upn: 'sharer@contoso.example' },
      sharerClient: 'web',
      device: null,
      highestMode: 'view',
      mode: null,
      endReason: 'helper_left',
      sharerDevice: { enrolled: false, compliance: null, failingRules: [] },
    });
    expect(web.startedAt).not.toBeNull();
    expect(web.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(web.endedAt!)).toBeGreaterThanOrEqual(Date.parse(web.startedAt!));
    expect(agent).toMatchObject({
      status: 'live',
      state: 'active',
      sharerClient: 'agent',
      device: { id: device.id, name: 'lena-mbp' },
      mode: 'control',
      highestMode: 'control',
      endReason: null,
      endedAt: null,
      sharerDevice: { enrolled: true, compliance: 'not_evaluated' },
    });
    expect(waiting).toMatchObject({
      status: 'live',
      state: 'waiting',
      sharer: null,
      device: null,
      highestMode: null,
      durationSeconds: null,
      sharerDevice: null,
    });
  });

  it('keeps the highest mode after full control is dropped', async () => {
    const token = (await agentSignIn(t.url, 'sharer@contoso.example')).access_token;
    const r = await fetch(`${t.url}/api/v1/sessions/${s.agent}/drop-control`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(200);
    const [agent] = await sessionsOf(`?helperId=${ids.helper}&status=live&deviceId=${device.id}`);
    expect([agent?.mode, agent?.highestMode]).toEqual(['view', 'control']);
  });

  it.each([
    ['deviceId', () => `?deviceId=${device.id}`, () => [s.agent]],
    ['helperId', () => `?helperId=${ids.helper}`, () => [s.waiting, s.agent, s.web]],
    ['sharerId', () => `?sharerId=${ids.sharer}`, () => [s.agent, s.web]],
    ['status=live', () => '?status=live', () => [s.waiting, s.agent]],
    ['status=ended', () => '?status=ended', () => [s.web]],
    ['endReason', () => '?endReason=helper_left', () => [s.web]],
    ['endReason without a match', () => '?endReason=out_of_scope', () => []],
    ['q over the sharer’s name, any case', () => '?q=lena%20fISCHER', () => [s.agent, s.web]],
    ['q over the device’s name', () => '?q=mbp', () => [s.agent]],
    ['q over an email', () => '?q=helper%40contoso', () => [s.waiting, s.agent, s.web]],
    ['q with LIKE wildcards matches them literally', () => '?q=%25', () => []],
    ['from in the future', () => `?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, () => []],
    ['to in the past', () => '?to=2020-01-01T00:00:00Z', () => []],
    [
      'from and to around now (with an offset)',
      () => `?from=2020-01-01T08:00:00%2B08:00&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      () => [s.waiting, s.agent, s.web],
    ],
  ])('filters by %s', async (_, query, expected) => {
    const r = await list(admin, query());
    expect(r.status).toBe(200);
    const body = r.body as unknown as SessionReportList;
    expect(body.sessions.map((x) => x.id)).toEqual(expected());
    expect(body.total).toBe(expected().length);
  });

  it('pages with limit and offset; total counts every match', async () => {
    const page = (await list(admin, '?limit=1&offset=1')).body as unknown as SessionReportList;
    expect([page.sessions.map((x) => x.id), page.total, page.limit, page.offset]).toEqual([[s.agent], 3, 1, 1]);
    const beyond = (await list(admin, '?limit=200&offset=10')).body as unknown as SessionReportList;
    expect([beyond.sessions, beyond.total]).toEqual([[], 3]);
  });

  it.each([
    ['a limit over 200', '?limit=201'],
    ['a limit of 0', '?limit=0'],
    ['a fractional limit', '?limit=1.5'],
    ['a negative offset', '?offset=-1'],
    ['a date that is not ISO 8601', '?from=yesterday'],
    ['a date without a time', '?from=2026-01-01'],
    ['an impossible date', '?to=2026-02-30T00:00:00Z'],
    ['from after to', '?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['a date past the year 9999 in UTC', '?to=9999-12-31T23:59:59-23:59'],
    ['an unknown end reason', '?endReason=exploded'],
    ['an unknown status', '?status=paused'],
    ['a malformed id', '?deviceId=..%2Fetc'],
    ['an empty q', '?q=%20'],
    ['an oversized q', `?q=${'x'.repeat(101)}`],
    ['an unknown filter', '?colour=blue'],
  ])('%s → 400 validation_failed', async (_, query) => {
    const before = await auditCount();
    for (const path of ['/api/v1/reports/sessions', '/api/v1/reports/sessions.csv']) {
      if (path.endsWith('.csv') && /limit|offset/.test(query)) continue;
      const r = await admin.json(`${path}${query}`);
      expect([r.status, r.body.error], path).toEqual([400, 'validation_failed']);
    }
    expect(await auditCount()).toBe(before);
  });

  it('the CSV export takes no paging', async () => {
    const r = await admin.json('/api/v1/reports/sessions.csv?limit=10');
    expect([r.status, r.body.error]).toEqual([400, 'validation_failed']);
  });
});

describe('tenant isolation and permissions', () => {
  it('another organization’s sessions never appear, whatever the filter', async () => {
    const fabrikamHelper = await userId(t, 'helper@fabrikam.example');
    expect(await idsOf()).not.toContain(s.foreign);
    expect(await idsOf(`?helperId=${fabrikamHelper}`)).toEqual([]);
    expect(await idsOf('?q=Marco')).toEqual([]);
    const theirs = (await list(foreignAdmin)).body as unknown as SessionReportList;
    expect([theirs.sessions.map((x) => x.id), theirs.total]).toEqual([[s.foreign], 1]);
    expect(((await foreignAdmin.json(`/api/v1/reports/sessions?deviceId=${device.id}`)).body.total as number)).toBe(0);
    const live = (await foreignAdmin.json('/api/v1/reports/live-sessions')).body as unknown as LiveSessionList;
    expect(live.sessions.map((x) => x.id)).toEqual([s.foreign]);
    const csv = await (await foreignAdmin.raw('/api/v1/reports/sessions.csv')).text();
    expect(csv).toContain(s.foreign);
    expect(csv).not.toContain(s.agent);
  });

  it('a sharer (no reports.read) is refused every report; a help desk operator reads but may not end', async () => {
    for (const path of ['/api/v1/reports/sessions', '/api/v1/reports/sessions.csv', '/api/v1/reports/live-sessions']) {
      const r = await sharer.json(path);
      expect([r.status, r.body.error], path).toEqual([403, 'forbidden']);
    }
    expect((await helper.json('/api/v1/reports/sessions')).status).toBe(200);
    expect((await helper.json('/api/v1/reports/live-sessions')).status).toBe(200);
    const end = await helper.post(`/api/v1/reports/live-sessions/${s.agent}/end`);
    expect([end.status, end.body.error]).toEqual([403, 'forbidden']);
    expect((await sharer.post(`/api/v1/reports/live-sessions/${s.agent}/end`)).status).toBe(403);
    expect((await sessionsOf(`?status=live`)).map((x) => x.id)).toContain(s.agent);
  });

  it('another organization’s administrator cannot end our session (session_not_found), nothing changes', async () => {
    const before = await auditCount();
    const r = await foreignAdmin.post(`/api/v1/reports/live-sessions/${s.agent}/end`);
    expect([r.status, r.body.error]).toEqual([404, 'session_not_found']);
    expect(await auditCount()).toBe(before);
    const [agent] = await sessionsOf(`?deviceId=${device.id}`);
    expect(agent?.status).toBe('live');
  });
});

describe('CSV export', () => {
  it('is UTF-8 with a BOM, RFC 4180, formula cells neutralised, and audited', async () => {
    // A sharer whose name a spreadsheet would run, with quotes, a comma, a line break and Chinese.
    const tricky = '=HYPERLINK("http://evil.example","点击"),\n李雷';
    await t.server.db.updateTable('users').set({ display_name: tricky }).where('id', '=', ids.sharer).execute();
    try {
      const response = await admin.raw(`/api/v1/reports/sessions.csv?sharerId=${ids.sharer}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toMatch(
        /^attachment; filename="remote-help-sessions-\d{8}-\d{6}\.csv"$/,
      );
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-truncated')).toBe('false');
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      // Decoded as is (TextDecoder and Response.text() drop a BOM by default).
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
      expect(text.startsWith(BOM)).toBe(true);
      expect(text.endsWith('\r\n')).toBe(true);
      const rows = parseCsv(text.slice(1));
      expect(rows[0]).toEqual([
        'Session ID',
        'Created (UTC)',
        'Joined (UTC)',
        'Started (UTC)',
        'Ended (UTC)',
        'Duration (seconds)',
        'Status',
        'Helper',
        'Helper UPN',
        'Sharer',
        'Sharer UPN',
        'Sharer app',
        'Device',
        'Device ID',
        'Highest mode',
        'End reason',
        'Enrolled',
        'Compliance at start',
        'Failing rules',
      ]);
      expect(rows.slice(1).map((r) => r[0])).toEqual([s.agent, s.web]);
      for (const row of rows) expect(row).toHaveLength(19);
      const web = rows[2]!;
      // The name is shown as displayText makes it (no line break), with a leading apostrophe.
      expect(web[9]).toBe(`'=HYPERLINK("http://evil.example","点击"), 李雷`);
      expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""点击""), 李雷"`);
      expect(web.slice(6, 8)).toEqual(['ended', 'Daniel Okafor']);
      expect(web.slice(14, 17)).toEqual(['view', 'helper_left', 'no']);
      expect(rows[1]!.slice(12, 15)).toEqual(['lena-mbp', device.id, 'control']);
      const [entry] = await t.server.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'reports.sessions_exported')
        .orderBy('id', 'desc')
        .execute();
      expect(entry?.actor_id).toBe(await userId(t, 'admin@contoso.example'));
      expect(JSON.parse(entry!.data!)).toEqual({ filters: { sharerId: ids.sharer }, rows: 2, truncated: false });
    } finally {
      await t.server.db.updateTable('users').set({ display_name: 'Lena Fischer' }).where('id', '=', ids.sharer).execute();
    }
  });

  it('an empty result is the header row alone', async () => {
    // Response.text() drops the BOM.
    const text = await (await admin.raw('/api/v1/reports/sessions.csv?endReason=out_of_scope')).text();
    const rows = parseCsv(text);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.[0]).toBe('Session ID');
  });
});

describe('Monitor', () => {
  it('lists the live sessions with who is connected now', async () => {
    const socket = await helper.socket();
    socket.send({ type: 'attach', sessionId: s.agent });
    await socket.next((m) => m.type === 'session' && m.session.id === s.agent);
    const body = (await admin.json('/api/v1/reports/live-sessions')).body as unknown as LiveSessionList;
    expect(body.sessions.map((x) => x.id)).toEqual([s.waiting, s.agent]);
    expect(body.total).toBe(2);
    const agent = body.sessions.find((x) => x.id === s.agent)!;
    expect([agent.helperOnline, agent.sharerOnline]).toEqual([true, false]);
    expect(body.sessions.find((x) => x.id === s.waiting)?.sharerOnline).toBe(false);
    socket.close();
  });

  it('an administrator ends a live session: terminated_by_admin, pushed to the helper at once, audited', async () => {
    const socket = await helper.socket();
    socket.send({ type: 'attach', sessionId: s.agent });
    await socket.next((m) => m.type === 'session' && m.session.id === s.agent);
    const r = await admin.post(`/api/v1/reports/live-sessions/${s.agent}/end`);
    expect(r.status).toBe(200);
    expect((r.body as { session: SessionReport }).session).toMatchObject({
      id: s.agent,
      status: 'ended',
      endReason: 'terminated_by_admin',
      highestMode: 'control',
    });
    const pushed = await socket.next(sessionIn('ended'));
    expect(pushed.type === 'session' && pushed.session.endReason).toBe('terminated_by_admin');
    socket.close();
    const [entry] = await t.server.db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_id', '=', s.agent)
      .where('action', '=', 'session.ended')
      .execute();
    expect(entry?.actor_id).toBe(await userId(t, 'admin@contoso.example'));
    expect(JSON.parse(entry!.data!)).toMatchObject({ endReason: 'terminated_by_admin', because: 'ended_by_admin' });
    const live = (await admin.json('/api/v1/reports/live-sessions')).body as unknown as LiveSessionList;
    expect(live.sessions.map((x) => x.id)).toEqual([s.waiting]);
    expect((await idsOf('?endReason=terminated_by_admin'))).toEqual([s.agent]);
  });

  it('an ended session cannot be ended again (session_ended), an unknown one is session_not_found', async () => {
    const before = await auditCount();
    const again = await admin.post(`/api/v1/reports/live-sessions/${s.agent}/end`);
    expect([again.status, again.body.error]).toEqual([409, 'session_ended']);
    const unknown = await admin.post('/api/v1/reports/live-sessions/no-such-session/end');
    expect([unknown.status, unknown.body.error]).toEqual([404, 'session_not_found']);
    const withBody = await admin.post(`/api/v1/reports/live-sessions/${s.waiting}/end`, { reason: 'x' });
    expect([withBody.status, withBody.body.error]).toEqual([400, 'validation_failed']);
    expect(await auditCount()).toBe(before);
    expect((await sessionsOf('?status=live')).map((x) => x.id)).toEqual([s.waiting]);
  });

  it('ends a waiting code too (the code stops working)', async () => {
    const r = await admin.post(`/api/v1/reports/live-sessions/${s.waiting}/end`);
    expect(r.status).toBe(200);
    expect(((await admin.json('/api/v1/reports/live-sessions')).body as unknown as LiveSessionList).total).toBe(0);
  });
});
