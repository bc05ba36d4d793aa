/**
 * Integration (issue 8, item 7): the audit log over the real server. Events with their actor's
 * name, target and before → after; every filter and paging; tenant isolation; `audit.read`
 * refusals; bad input (typed 400, nothing written); the CSV export (BOM, header, every event,
 * and the export audited).
 */
import type { AuditEventList, AuditEventView, AuditIntegrity } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_VERIFY_TENANT } from '../ratelimit/policies.js';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { addAdministrator, joined, parseCsv, userId } from '../test/reportsWorld.js';

let t: TestServer;
let admin: Client;
let helper: Client;
let sharer: Client;
let foreignAdmin: Client;
const ids = { admin: '', helper: '', sharer: '', session: '', group: '' };
let startedAt = '';

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};
const events = async (c: Client, query = '') =>
  (await c.json(`/api/v1/audit${query}`)).body as unknown as AuditEventList;
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
  startedAt = new Date().toISOString();
  [admin, helper, sharer, foreignAdmin] = await Promise.all([
    signedIn('admin@contoso.example'),
    signedIn('helper@contoso.example'),
    signedIn('sharer@contoso.example'),
    signedIn('admin@fabrikam.example'),
  ]);
  ids.admin = await userId(t, 'admin@contoso.example');
  ids.helper = await userId(t, 'helper@contoso.example');
  ids.sharer = await userId(t, 'sharer@contoso.example');
  ids.session = await joined(helper, sharer);
  await helper.post(`/api/v1/sessions/${ids.session}/leave`);
  const settings = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
  expect((await admin.json('/api/v1/tenant/settings', 'PUT', { ...settings, reportRetentionDays: 45 })).status).toBe(
    200,
  );
  const group = await admin.post('/api/v1/groups', { name: 'Finance', kind: 'user' });
  expect(group.status).toBe(201);
  ids.group = (group.body.group as { id: string }).id;
  await foreignAdmin.json('/api/v1/tenant/settings', 'PUT', { ...settings, reportRetentionDays: 60 });
}, 90_000);
afterAll(async () => t?.stop());

describe('the audit log', () => {
  it('lists the organization’s events newest first, with who (name and UPN), what, target and before → after', async () => {
    const body = await events(admin);
    expect(body.total).toBeGreaterThanOrEqual(8);
    expect(body.events.map((e) => e.id)).toEqual([...body.events.map((e) => e.id)].sort((a, b) => b - a));
    const [group] = body.events as [AuditEventView];
    expect(group).toMatchObject({
      action: 'group.created',
      actor: { type: 'user', id: ids.admin, name: 'Priya Raman', upn: 'admin@contoso.example' },
      target: { type: 'group', id: ids.group, name: null },
      ip: '127.0.0.1',
      data: { before: null, after: { name: 'Finance', kind: 'user' } },
    });
    const settings = body.events.find((e) => e.action === 'tenant.settings_updated')!;
    expect(settings.target).toMatchObject({ type: 'tenant', name: 'Contoso' });
    expect(settings.data).toEqual({ before: { reportRetentionDays: 30 }, after: { reportRetentionDays: 45 } });
    const seeded = body.events.find((e) => e.action === 'tenant.seeded')!;
    expect(seeded.actor).toEqual({ type: 'system', id: null, name: null, upn: null });
    expect(seeded.target).toBeNull();
  });

  it.each([
    ['action', () => '?action=tenant.settings_updated', (e: AuditEventView) => e.action === 'tenant.settings_updated'],
    ['actor', () => `?actorId=${ids.helper}`, (e: AuditEventView) => e.actor.id === ids.helper],
    ['actor type', () => '?actorType=system', (e: AuditEventView) => e.actor.type === 'system'],
    ['target type', () => '?targetType=group', (e: AuditEventView) => e.target?.type === 'group'],
    [
      'target',
      () => `?targetType=session&targetId=${ids.session}`,
      (e: AuditEventView) => e.target?.id === ids.session,
    ],
  ])('filters by %s', async (_, query, holds) => {
    const body = await events(admin, query());
    expect(body.events.length).toBeGreaterThan(0);
    expect(body.events.every(holds)).toBe(true);
    expect(body.total).toBe(body.events.length);
  });

  it('the session’s trail is its whole life, oldest last', async () => {
    const body = await events(admin, `?targetId=${ids.session}`);
    expect(body.events.map((e) => e.action)).toEqual(['session.ended', 'session.redeem', 'session.created']);
    expect(body.events[0]?.data).toMatchObject({ endReason: 'helper_left', from: 'joined', to: 'ended' });
  });

  it('filters by time: [from, to)', async () => {
    const all = await events(admin, '?limit=200');
    const pivot = all.events.find((e) => e.action === 'tenant.settings_updated')!.at;
    const after = await events(admin, `?from=${encodeURIComponent(pivot)}&limit=200`);
    const before = await events(admin, `?to=${encodeURIComponent(pivot)}&limit=200`);
    expect(after.events.every((e) => e.at >= pivot)).toBe(true);
    expect(before.events.every((e) => e.at < pivot)).toBe(true);
    expect(after.total + before.total).toBe(all.total);
    expect((await events(admin, '?to=2000-01-01T00:00:00Z')).total).toBe(0);
    expect(
      (await events(admin, `?from=${encodeURIComponent(startedAt)}`)).events.some((e) => e.action === 'tenant.seeded'),
    ).toBe(false);
  });

  it('pages with limit and offset; total counts every match', async () => {
    const all = await events(admin, '?limit=200');
    const page = await events(admin, '?limit=2&offset=1');
    expect(page.events.map((e) => e.id)).toEqual(all.events.slice(1, 3).map((e) => e.id));
    expect([page.total, page.limit, page.offset]).toEqual([all.total, 2, 1]);
  });

  it('another organization’s events never appear', async () => {
    const ours = await events(admin, '?limit=200');
    const theirs = await events(foreignAdmin, '?limit=200');
    const ourIds = new Set(ours.events.map((e) => e.id));
    expect(theirs.events.some((e) => ourIds.has(e.id))).toBe(false);
    expect(theirs.events.find((e) => e.action === 'tenant.settings_updated')?.data).toEqual({
      before: { reportRetentionDays: 30 },
      after: { reportRetentionDays: 60 },
    });
    expect((await events(foreignAdmin, `?targetId=${ids.session}`)).total).toBe(0);
    expect((await events(foreignAdmin, `?actorId=${ids.admin}`)).total).toBe(0);
    const csv = await (await foreignAdmin.raw('/api/v1/audit.csv')).text();
    expect(csv).not.toContain(ids.session);
    expect(csv).not.toContain('admin@contoso.example');
  });

  it('needs audit.read: a help desk operator and a sharer are refused', async () => {
    for (const c of [helper, sharer]) {
      for (const path of ['/api/v1/audit', '/api/v1/audit.csv']) {
        const r = await c.json(path);
        expect([r.status, r.body.error], path).toEqual([403, 'forbidden']);
      }
    }
  });

  it.each([
    ['an action outside the vocabulary', '?action=made.up'],
    ['an unknown actor type', '?actorType=robot'],
    ['an unknown target type', '?targetType=planet'],
    ['a malformed target id', '?targetId=a%20b'],
    ['a limit over 200', '?limit=201'],
    ['a date that is not ISO 8601', '?from=last%20week'],
    ['from after to', '?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['an unknown filter', '?q=x'],
  ])('%s → 400 validation_failed, nothing written', async (_, query) => {
    const before = await auditCount();
    for (const path of ['/api/v1/audit', '/api/v1/audit.csv']) {
      if (path.endsWith('.csv') && query.startsWith('?limit')) continue;
      const r = await admin.json(`${path}${query}`);
      expect([r.status, r.body.error], path).toEqual([400, 'validation_failed']);
    }
    expect(await auditCount()).toBe(before);
  });
});

describe('audit.csv', () => {
  it('holds every matching event with the BOM and header row; the export is audited after', async () => {
    const listed = await events(admin, '?limit=200');
    const response = await admin.raw('/api/v1/audit.csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-\d{8}-\d{6}\.csv"$/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder().decode(bytes));
    expect(rows[0]).toEqual([
      'Event ID',
      'Time (UTC)',
      'Actor type',
      'Actor ID',
      'Actor',
      'Actor UPN',
      'Action',
      'Target type',
      'Target ID',
      'Target',
      'IP address',
      'Details (JSON)',
      'Chain number',
      'Hash',
    ]);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(listed.events.map((e) => e.id));
    // Each row carries its place in the chain and its hash, as the list shows them.
    expect(rows.slice(1).map((r) => [Number(r[12]), r[13]])).toEqual(listed.events.map((e) => [e.seq, e.hash]));
    expect(listed.events.every((e) => e.seq !== null && /^[0-9a-f]{64}$/.test(e.hash ?? ''))).toBe(true);
    const settings = rows.find((r) => r[6] === 'tenant.settings_updated')!;
    expect(settings.slice(4, 6)).toEqual(['Priya Raman', 'admin@contoso.example']);
    expect(JSON.parse(settings[11]!)).toEqual({
      before: { reportRetentionDays: 30 },
      after: { reportRetentionDays: 45 },
    });
    const [exported] = (await events(admin, '?action=audit.exported')).events;
    expect(exported).toMatchObject({
      actor: { id: ids.admin },
      data: { filters: {}, rows: listed.total, truncated: false },
    });
  });

  it('takes the same filters', async () => {
    const rows = parseCsv(await (await admin.raw(`/api/v1/audit.csv?targetId=${ids.session}`)).text());
    expect(rows.slice(1).map((r) => r[6])).toEqual(['session.ended', 'session.redeem', 'session.created']);
  });
});

describe('the integrity check (POST /api/v1/audit/verify)', () => {
  const verify = async (c: Client, body?: unknown) => {
    const r = await c.post('/api/v1/audit/verify', body);
    return { status: r.status, body: r.body as unknown as AuditIntegrity & { error?: string } };
  };

  it('finds the organization’s chain intact, names its head, and is itself audited', async () => {
    const listed = await events(admin, '?limit=200');
    const r = await verify(admin);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      intact: true,
      events: listed.total,
      break: null,
      anchors: [],
      first: { seq: 1 },
      head: { seq: listed.events[0]!.seq, hash: listed.events[0]!.hash },
    });
    const [recorded] = (await events(admin, '?action=audit.verified')).events;
    expect(recorded).toMatchObject({
      actor: { id: ids.admin },
      seq: listed.events[0]!.seq! + 1,
      data: { intact: true, events: listed.total, head: { seq: r.body.head!.seq, hash: r.body.head!.hash } },
    });
  });

  it('compares heads noted earlier: one still there matches, a forged hash differs, a number never written is missing', async () => {
    const noted = (await verify(admin)).body.head!;
    const r = await verify(admin, {
      anchors: [
        { seq: noted.seq, hash: noted.hash.toUpperCase() },
        { seq: noted.seq, hash: 'a'.repeat(64) },
        { seq: noted.seq + 1_000, hash: noted.hash },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.intact).toBe(false);
    expect(r.body.break).toBeNull();
    expect(r.body.anchors.map((a) => a.result)).toEqual(['matches', 'differs', 'missing']);
  });

  it('finds an event edited in the database, and only in that organization’s chain', async () => {
    const [settings] = (await events(foreignAdmin, '?action=tenant.settings_updated')).events;
    await t.server.db
      .updateTable('audit_events')
      .set({ data: JSON.stringify({ before: { reportRetentionDays: 30 }, after: { reportRetentionDays: 3650 } }) })
      .where('id', '=', settings!.id)
      .execute();
    const theirs = await verify(foreignAdmin);
    expect(theirs.body).toMatchObject({
      intact: false,
      break: { eventId: settings!.id, seq: settings!.seq, reason: 'hash_mismatch' },
    });
    expect((await verify(admin)).body).toMatchObject({ intact: true, break: null });
  });

  it('needs audit.read; a help desk operator and a sharer are refused and nothing is written', async () => {
    const before = await auditCount();
    for (const c of [helper, sharer]) expect((await verify(c)).status).toBe(403);
    expect(await auditCount()).toBe(before);
  });

  it.each([
    ['a hash that is not SHA-256 hex', { anchors: [{ seq: 1, hash: 'xyz' }] }],
    ['a number below 1', { anchors: [{ seq: 0, hash: '0'.repeat(64) }] }],
    ['more than 20 heads', { anchors: Array.from({ length: 21 }, (_, i) => ({ seq: i + 1, hash: '0'.repeat(64) })) }],
    ['an unknown field', { anchors: [], everything: true }],
  ])('%s → 400 validation_failed, nothing written', async (_, body) => {
    const before = await auditCount();
    const r = await verify(admin, body);
    expect([r.status, r.body.error]).toEqual([400, 'validation_failed']);
    expect(await auditCount()).toBe(before);
  });

  it('allows a few checks a minute per organization; past them 429 rate_limited with Retry-After, nothing recorded', async () => {
    // The checks above count too: the refusal comes at the latest after the minute's allowance.
    let refused: Response | undefined;
    for (let i = 0; i <= AUDIT_VERIFY_TENANT.ceiling! && !refused; i++) {
      const before = await auditCount();
      const r = await admin.raw('/api/v1/audit/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf },
        body: '{}',
      });
      if (r.status === 429) refused = r;
      else expect(r.status, await r.text()).toBe(200);
      expect(await auditCount()).toBe(r.status === 429 ? before : before + 1);
    }
    expect(refused?.status).toBe(429);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused!.json()).toMatchObject({
      ok: false,
      error: 'rate_limited',
      data: { retryAfterSeconds: retryAfter },
    });
    // Another organization has its own allowance.
    expect((await verify(foreignAdmin)).status).toBe(200);
  });
});
