/**
 * Integration (issue 8, item 7): report retention on a real server whose clock the test moves.
 * Ended sessions older than the organization's `reportRetentionDays` go, with the rows of
 * tables that refer to them; live sessions stay whatever their age; audit events older than
 * the period go; each organization uses its own period; the pruning is audited by the system
 * with its counts; the job runs at start and on its interval and stops with the server.
 */
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../audit/audit.js';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { RETENTION_INTERVAL_MS, RetentionJob } from './retention.js';
import { joined } from '../test/reportsWorld.js';

const DAY = 86_400_000;
let now = Date.parse('2026-03-01T09:00:00.000Z');
const clock = { now: () => now };

let t: TestServer;
let admin: Client;
let helper: Client;
let sharer: Client;
let foreignHelper: Client;
let foreignSharer: Client;
let job: RetentionJob;
const tenant = { contoso: '', fabrikam: '' };

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};
const sessionExists = async (id: string) =>
  Boolean(await t.server.db.selectFrom('help_sessions').select('id').where('id', '=', id).executeTakeFirst());
const eventsOf = (tenantId: string) =>
  t.server.db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
const pruned = async (tenantId: string) =>
  (await eventsOf(tenantId)).filter((e) => e.action === 'retention.pruned').map((e) => JSON.parse(e.data!) as unknown);
const ended = async (helperClient: Client, sharerClient: Client) => {
  const id = await joined(helperClient, sharerClient);
  expect((await helperClient.post(`/api/v1/sessions/${id}/leave`)).status).toBe(200);
  return id;
};

/** Everyone signs in (again: sign-ins expire when the clock jumps days ahead). */
const signInAll = async () => {
  [admin, helper, sharer, foreignHelper, foreignSharer] = await Promise.all([
    signedIn('admin@contoso.example'),
    signedIn('helper@contoso.example'),
    signedIn('sharer@contoso.example'),
    signedIn('helper@fabrikam.example'),
    signedIn('sharer@fabrikam.example'),
  ]);
};
/** Moves the clock `days` ahead and signs everyone in again. */
const jump = async (days: number) => {
  now += days * DAY;
  await signInAll();
};

beforeAll(async () => {
  t = await startTestServer({}, { clock });
  await signInAll();
  for (const slug of ['contoso', 'fabrikam'] as const) {
    tenant[slug] = (
      await t.server.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()
    ).id;
  }
  // A table added later that refers to sessions without ON DELETE CASCADE (chat messages, say).
  await sql`CREATE TABLE test_session_notes (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL REFERENCES help_sessions(id), note TEXT)`.execute(
    t.server.db,
  );
  job = new RetentionJob({ db: t.server.db, audit: new AuditLog(t.server.db, clock), clock });
}, 90_000);
afterAll(async () => t?.stop());
afterEach(() => vi.useRealTimers());

describe('report retention', () => {
  const s = { old: '', recent: '', live: '', foreignOld: '' };

  it('prunes ended sessions and audit events older than the period, keeps live and recent ones, and audits it', async () => {
    // Day 0: an ended session, a live one (joined, never ended), Fabrikam's ended one (90 days kept).
    s.old = await ended(helper, sharer);
    s.live = await joined(helper, sharer);
    s.foreignOld = await ended(foreignHelper, foreignSharer);
    const settings = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
    await t.server.db.updateTable('tenants').set({ report_retention_days: 90 }).where('id', '=', tenant.fabrikam).execute();
    // Day 20: another ended session.
    await jump(20);
    s.recent = await ended(helper, sharer);
    await t.server.db
      .insertInto('test_session_notes' as never)
      .values([
        { id: 1, session_id: s.old, note: 'old' },
        { id: 2, session_id: s.recent, note: 'recent' },
      ] as never)
      .execute();

    // Sign-in log rows of day 0 and day 20 (conditional access evaluations).
    const signInRow = (id: string, at: number) => ({
      id,
      tenant_id: tenant.contoso,
      at: new Date(at).toISOString(),
      event: 'signIn',
      user_id: null,
      user_name: null,
      email: null,
      app: 'helper',
      client_app: 'browser',
      platform: 'linux',
      ip: null,
      device_id: null,
      device_state: 'unknown',
      amr: '[]',
      decision: 'allowed',
      unmet: '[]',
      policies: '[]',
    });
    await t.server.db
      .insertInto('signin_log')
      .values([signInRow('signin-day0', now - 20 * DAY), signInRow('signin-day20', now)])
      .execute();

    // Day 31: day 0 is past 30 days; day 20 is not.
    await jump(11);
    const cutoff = new Date(now - 30 * DAY).toISOString();
    const kept = (await eventsOf(tenant.contoso)).filter((e) => e.at >= cutoff).map((e) => e.id);
    const results = await job.run();
    const contoso = results.find((r) => r.tenantId === tenant.contoso)!;
    expect(contoso).toMatchObject({ retentionDays: 30, before: new Date(now - 30 * DAY).toISOString(), sessions: 1 });
    expect(contoso.auditEvents).toBeGreaterThan(0);
    expect([await sessionExists(s.old), await sessionExists(s.recent), await sessionExists(s.live)]).toEqual([
      false,
      true,
      true,
    ]);
    expect(await sessionExists(s.foreignOld)).toBe(true);
    const notes = await sql<{ note: string }>`SELECT note FROM test_session_notes ORDER BY id`.execute(t.server.db);
    expect(notes.rows.map((r) => r.note)).toEqual(['recent']);
    // Audit events older than 30 days are gone; those of day 20 remain; the pruning itself is recorded.
    const left = await eventsOf(tenant.contoso);
    expect(left.every((e) => e.at >= contoso.before)).toBe(true);
    expect(left.filter((e) => e.action !== 'retention.pruned').map((e) => e.id)).toEqual(kept);
    const record = left.at(-1)!;
    expect([record.action, record.actor_type, record.actor_id, record.target_type, record.target_id]).toEqual([
      'retention.pruned',
      'system',
      null,
      'tenant',
      tenant.contoso,
    ]);
    expect(JSON.parse(record.data!)).toEqual({
      retentionDays: 30,
      before: contoso.before,
      sessions: 1,
      auditEvents: contoso.auditEvents,
      signIns: 1,
    });
    // The sign-in log follows the same period.
    const signIns = await t.server.db.selectFrom('signin_log').select('id').where('id', 'like', 'signin-day%').execute();
    expect(signIns.map((r) => r.id)).toEqual(['signin-day20']);
    // Fabrikam keeps 90 days: nothing of theirs went, and nothing was recorded for them.
    expect(results.find((r) => r.tenantId === tenant.fabrikam)).toMatchObject({ sessions: 0, auditEvents: 0 });
    expect(await pruned(tenant.fabrikam)).toEqual([]);
    // The sessions report no longer shows the pruned session.
    const report = (await admin.json('/api/v1/reports/sessions')).body as { sessions: { id: string }[] };
    expect(report.sessions.map((r) => r.id)).toEqual([s.recent, s.live]);
    await admin.json('/api/v1/tenant/settings', 'PUT', { ...settings });
  });

  it('a second run with nothing to prune changes nothing and records nothing', async () => {
    const before = await eventsOf(tenant.contoso);
    const results = await job.run();
    expect(results.find((r) => r.tenantId === tenant.contoso)).toMatchObject({ sessions: 0, auditEvents: 0 });
    expect(await eventsOf(tenant.contoso)).toEqual(before);
  });

  it('a shorter period set by the administrator applies on the next run', async () => {
    const settings = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
    expect((await admin.json('/api/v1/tenant/settings', 'PUT', { ...settings, reportRetentionDays: 10 })).status).toBe(
      200,
    );
    await job.run();
    expect([await sessionExists(s.recent), await sessionExists(s.live)]).toEqual([false, true]);
    expect((await pruned(tenant.contoso)).at(-1)).toMatchObject({ retentionDays: 10, sessions: 1 });
  });

  it('runs at start and then on its interval; stop waits for a run in progress', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const first = await ended(helper, sharer);
    await jump(11);
    const scheduled = new RetentionJob({ db: t.server.db, audit: new AuditLog(t.server.db, clock), clock });
    scheduled.start();
    // The first run starts at once (its promise is what stop() waits for).
    await scheduled.stop();
    expect(await sessionExists(first)).toBe(false);

    const second = await ended(helper, sharer);
    await jump(11);
    scheduled.start();
    await scheduled.stop();
    expect(await sessionExists(second)).toBe(false);

    const third = await ended(helper, sharer);
    const interval = new RetentionJob({ db: t.server.db, audit: new AuditLog(t.server.db, clock), clock });
    // Started before the session aged: the start run keeps it; the run an interval later prunes it.
    interval.start();
    await interval.settled();
    expect(await sessionExists(third)).toBe(true);
    now += 11 * DAY;
    vi.advanceTimersByTime(RETENTION_INTERVAL_MS - 1);
    await interval.settled();
    expect(await sessionExists(third)).toBe(true);
    vi.advanceTimersByTime(1);
    await interval.stop();
    expect(await sessionExists(third)).toBe(false);
    expect((await pruned(tenant.contoso)).at(-1)).toMatchObject({ sessions: 1 });
  });

  it('keeps events without an organization for the default 30 days', async () => {
    await t.server.db
      .insertInto('audit_events')
      .values([
        { tenant_id: null, at: new Date(now - 31 * DAY).toISOString(), actor_type: 'user', actor_id: null, action: 'signin.failed', target_type: null, target_id: null, ip: null, data: null },
        { tenant_id: null, at: new Date(now - 29 * DAY).toISOString(), actor_type: 'user', actor_id: null, action: 'signin.failed', target_type: null, target_id: null, ip: null, data: '{"keep":true}' },
      ])
      .execute();
    const results = await job.run();
    expect(results.find((r) => r.tenantId === null)?.auditEvents).toBe(1);
    const left = await t.server.db.selectFrom('audit_events').select('data').where('tenant_id', 'is', null).execute();
    expect(left.map((e) => e.data)).toEqual(['{"keep":true}']);
  });
});
