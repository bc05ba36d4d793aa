/**
 * `AUDIT_TO_LOG` over a real server (ADR 0035): each committed audit event is one `audit event`
 * log line with every hashed field as stored, so the lines alone recompute every hash and link;
 * the demo seed's events, written before the logger exists, follow once it does; a change whose
 * audit record the database refuses (rolled back) writes no line; without the setting, no lines.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { refuseAudit } from '../test/refuseAudit.js';
import type { StoredAuditEvent } from './audit.js';
import { GENESIS_HASH, eventHash } from './chain.js';

interface Line {
  msg: string;
  auditEvent?: {
    tenantId: string | null;
    seq: number;
    prevHash: string;
    hash: string;
    at: string;
    actorType: string;
    actorId: string | null;
    action: string;
    targetType: string | null;
    targetId: string | null;
    ip: string | null;
    data: string | null;
  };
}

function captured(): { stream: Writable; lines: () => Line[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines: () => raw.map((line) => JSON.parse(line) as Line) };
}

describe('with AUDIT_TO_LOG', () => {
  const log = captured();
  let t: TestServer;
  let admin: Client;
  const events = () => log.lines().flatMap((l) => (l.msg === 'audit event' && l.auditEvent ? [l.auditEvent] : []));

  beforeAll(async () => {
    t = await startTestServer({ AUDIT_TO_LOG: 'true' }, { logger: { stream: log.stream } });
    admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
  }, 60_000);
  afterAll(async () => t?.stop());

  it('logs every committed event as stored, the seed’s included, and the lines alone check every hash and link', async () => {
    const current = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
    expect((await admin.json('/api/v1/tenant/settings', 'PUT', { ...current, reportRetentionDays: 40 })).status).toBe(
      200,
    );
    const stored = await t.server.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    const logged = events();
    // Every stored event is logged once, the seed's (written before the logger) among them.
    expect(logged.map((e) => e.hash).sort()).toEqual(stored.map((e) => e.hash).sort());
    expect(logged.some((e) => e.action === 'tenant.seeded')).toBe(true);
    const change = logged.find((e) => e.action === 'tenant.settings_updated')!;
    expect(JSON.parse(change.data!)).toEqual({
      before: { reportRetentionDays: 30 },
      after: { reportRetentionDays: 40 },
    });
    // Recompute from the lines alone: each hash from its fields, each link to the line before in its chain.
    const last = new Map<string | null, { seq: number; hash: string }>();
    for (const e of logged) {
      const fields: StoredAuditEvent = {
        tenant_id: e.tenantId,
        seq: e.seq,
        prev_hash: e.prevHash,
        at: e.at,
        actor_type: e.actorType,
        actor_id: e.actorId,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        ip: e.ip,
        data: e.data,
        hash: e.hash,
      };
      expect(eventHash(fields), `${e.action} #${e.seq}`).toBe(e.hash);
      const before = last.get(e.tenantId);
      expect([e.seq, e.prevHash]).toEqual(before ? [before.seq + 1, before.hash] : [1, GENESIS_HASH]);
      last.set(e.tenantId, { seq: e.seq, hash: e.hash });
    }
  });

  it('a change whose audit record the database refuses is rolled back and logs nothing', async () => {
    const before = events().length;
    const allow = await refuseAudit(t.server.db, 'tenant.settings_updated');
    try {
      const current = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
      const r = await admin.json('/api/v1/tenant/settings', 'PUT', { ...current, reportRetentionDays: 50 });
      expect(r.status).toBe(500);
    } finally {
      await allow();
    }
    expect(
      ((await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>).reportRetentionDays,
    ).toBe(40);
    expect(
      events()
        .slice(before)
        .some((e) => e.action === 'tenant.settings_updated'),
    ).toBe(false);
  });
});

describe('without AUDIT_TO_LOG (the default)', () => {
  const log = captured();
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, { logger: { stream: log.stream } });
  }, 60_000);
  afterAll(async () => t?.stop());

  it('writes no audit event lines', async () => {
    const admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    expect(
      Number(
        (
          await t.server.db
            .selectFrom('audit_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBeGreaterThan(0);
    expect(log.lines().some((l) => l.msg === 'audit event')).toBe(false);
  });
});
