/**
 * The audit log's hash chain (ADR 0035) on the configured engine (SQLite, or PostgreSQL in its
 * run): events written through `AuditLog` form one chain per organization, also when many are
 * written at once; every kind of edit made around the service is found (an edited field, a
 * removed event, an event put in, an edit with every later hash recomputed, a removed tail), the
 * last two only against a head noted earlier; an event outside the walk (numbered 0 or below) is
 * found too; retention keeps the chain going and removes only a prefix of it, also when nodes'
 * clocks differ; the integrity check's limits; migration 0024 chains the events written before it
 * (SQLite file made through 0023).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../db/client.js';
import type { Db } from '../db/client.js';
import { migrationProvider } from '../db/migrations.js';
import { Backoff } from '../ratelimit/backoff.js';
import { AUDIT_VERIFY_TENANT } from '../ratelimit/policies.js';
import { SqlBackoffStore } from '../ratelimit/store.js';
import { RetentionJob } from '../reports/retention.js';
import { useTestDatabase } from '../test/useTestDatabase.js';
import type { Principal } from '../identity/principal.js';
import { AuditLog } from './audit.js';
import { AuditQueries } from './queries.js';
import { AuditRepo } from './repo.js';
import type { AuditEntry } from './audit.js';
import { GENESIS_HASH, eventHash, verifyChain } from './chain.js';

const database = useTestDatabase('rh-audit-chain-');
const DAY = 86_400_000;
let now = Date.parse('2026-06-01T09:00:00.000Z');
const clock = { now: () => now };

let tenants = 0;
/** A fresh organization id, so that each test has chains of its own. */
const newTenant = () => `t-chain-${++tenants}-${Math.random().toString(36).slice(2, 8)}`;
const entry = (tenantId: string | null, i: number): AuditEntry => ({
  tenantId,
  actor: { type: 'user', id: `u${i % 3}` },
  action: 'user.updated',
  target: { type: 'user', id: `target-${i}` },
  ip: '192.0.2.7',
  data: { i, name: i % 2 ? '张伟' : 'ليلى', nested: { b: 1, a: [true, null] } },
});
const rowsOf = (db: Db, tenantId: string) =>
  db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).orderBy('seq').execute();
const write = async (db: Db, tenantId: string, n: number) => {
  const log = new AuditLog(db, clock);
  for (let i = 0; i < n; i++) await log.record(entry(tenantId, i));
};
/** An organization's row (retention reads organizations from `tenants`), keeping events 30 days. */
const addTenant = (db: Db, id: string) =>
  db
    .insertInto('tenants')
    .values({
      id,
      name: 'Chain Ltd',
      slug: id,
      remote_help_enabled: 1,
      allow_unenrolled: 0,
      code_ttl_seconds: null,
      created_at: new Date(now).toISOString(),
    })
    .execute();
const reader = (tenantId: string): Principal => ({
  userId: 'reader',
  tenantId,
  permissions: ['audit.read'],
  ip: null,
  client: 'web',
});
/** The integrity check of one node; nodes given the same database share its limits. */
const checker = (db: Db, at: { now: () => number } = clock) =>
  new AuditQueries({
    repo: new AuditRepo(db),
    audit: new AuditLog(db, at),
    db,
    clock: at,
    verifyLimits: new Backoff(new SqlBackoffStore(db), at, AUDIT_VERIFY_TENANT),
  });

describe('the audit chain', () => {
  it('numbers each organization’s events 1, 2, 3… and links each to the one before', async () => {
    const db = database();
    const [a, b] = [newTenant(), newTenant()];
    const log = new AuditLog(db, clock);
    for (let i = 0; i < 4; i++) {
      await log.record(entry(a, i));
      await log.record(entry(b, i));
    }
    const rows = await rowsOf(db, a);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    for (const row of rows) expect(eventHash({ ...row, seq: row.seq!, prev_hash: row.prev_hash! })).toBe(row.hash);
    // The other organization's chain is its own.
    expect((await rowsOf(db, b)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    const report = await verifyChain(db, a);
    expect(report).toMatchObject({ events: 4, break: null, first: { seq: 1 }, head: { seq: 4, hash: rows[3]!.hash } });
  });

  it('gives every event its own place when many are written at once, inside changes’ transactions too', async () => {
    const db = database();
    const tenant = newTenant();
    const log = new AuditLog(db, clock);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 2
          ? log.record(entry(tenant, i))
          : log.together(
              async (trx) => trx.selectFrom('audit_events').select('id').limit(1).execute(),
              () => entry(tenant, i),
            ),
      ),
    );
    const rows = await rowsOf(db, tenant);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect((await verifyChain(db, tenant)).break).toBeNull();
  });

  it('refuses a record inside a transaction that together did not open (its event would never be logged)', async () => {
    const db = database();
    const tenant = newTenant();
    const log = new AuditLog(db, clock);
    await expect(db.transaction().execute((trx) => log.record(entry(tenant, 1), trx))).rejects.toThrow(
      /not opened by together: user\.updated/,
    );
    expect(await rowsOf(db, tenant)).toEqual([]);
  });

  it('chains the events without an organization as one chain of their own', async () => {
    const db = database();
    const log = new AuditLog(db, clock);
    const before = (await verifyChain(db, null)).head?.seq ?? 0;
    await log.record(entry(null, 1));
    await log.record(entry(null, 2));
    const report = await verifyChain(db, null);
    expect(report.head?.seq).toBe(before + 2);
    expect(report.break).toBeNull();
  });

  it('finds an event put in at number 0, and the oldest event moved below 1 (it would pass for pruned)', async () => {
    const db = database();
    const tenant = newTenant();
    await write(db, tenant, 3);
    const rows = await rowsOf(db, tenant);
    const noted = (await verifyChain(db, tenant)).head!;
    // Put in at number 0, hashed correctly: listed and exported like any event, outside the walk from 1.
    const forged = { ...rows[2]!, seq: 0, prev_hash: GENESIS_HASH, actor_id: 'someone', action: 'audit.exported' };
    const { id } = await db
      .insertInto('audit_events')
      .values({ ...forged, id: undefined, hash: eventHash(forged) })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await verifyChain(db, tenant)).break).toEqual({ id, seq: null, reason: 'unchained' });

    // The first event edited and moved to -1: the chain alone then starts at 2, as if pruned.
    const other = newTenant();
    await write(db, other, 3);
    const first = (await rowsOf(db, other))[0]!;
    await db
      .updateTable('audit_events')
      .set({ seq: -1, data: '{"edited":true}', actor_id: 'framed-user' })
      .where('id', '=', first.id)
      .execute();
    const report = await verifyChain(db, other, [{ seq: 1, hash: first.hash! }]);
    expect(report).toMatchObject({
      events: 2,
      first: { seq: 2 },
      break: { id: first.id, seq: null, reason: 'unchained' },
    });
    expect(report.anchors[0]!.result).toBe('pruned');

    // Both in one chain, as the review found them: not intact, though every noted head still matches or is pruned.
    await db.updateTable('audit_events').set({ seq: -1 }).where('id', '=', rows[0]!.id).execute();
    const checked = await checker(db).verify(reader(tenant), [
      { seq: noted.seq, hash: noted.hash },
      { seq: 1, hash: rows[0]!.hash! },
    ]);
    expect(checked.anchors.map((a) => a.result)).toEqual(['matches', 'pruned']);
    expect(checked).toMatchObject({ intact: false, break: { eventId: rows[0]!.id, seq: null, reason: 'unchained' } });
  });

  it('finds an edited field at the event edited', async () => {
    const db = database();
    const tenant = newTenant();
    await write(db, tenant, 5);
    const third = (await rowsOf(db, tenant))[2]!;
    await db.updateTable('audit_events').set({ ip: '203.0.113.9' }).where('id', '=', third.id).execute();
    expect((await verifyChain(db, tenant)).break).toEqual({ id: third.id, seq: 3, reason: 'hash_mismatch' });
  });

  it('finds an event removed from the middle, and one put in without a place', async () => {
    const db = database();
    const tenant = newTenant();
    await write(db, tenant, 5);
    const rows = await rowsOf(db, tenant);
    await db.deleteFrom('audit_events').where('id', '=', rows[1]!.id).execute();
    expect((await verifyChain(db, tenant)).break).toEqual({ id: rows[2]!.id, seq: 3, reason: 'seq_gap' });

    const other = newTenant();
    await write(db, other, 2);
    const { id } = await db
      .insertInto('audit_events')
      .values({ tenant_id: other, at: new Date(now).toISOString(), actor_type: 'system', action: 'user.updated' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await verifyChain(db, other)).break).toEqual({ id, seq: null, reason: 'unchained' });
  });

  it('finds an event put in with a made-up place, linked or not', async () => {
    const db = database();
    const tenant = newTenant();
    await write(db, tenant, 3);
    const rows = await rowsOf(db, tenant);
    // Renumber the last event and put a forged one before it, hashed correctly but linking to nothing.
    await db.updateTable('audit_events').set({ seq: 4 }).where('id', '=', rows[2]!.id).execute();
    const forged = { ...rows[2]!, seq: 3, prev_hash: 'f'.repeat(64), ip: '198.51.100.1' };
    const { id } = await db
      .insertInto('audit_events')
      .values({ ...forged, id: undefined, hash: eventHash(forged) })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await verifyChain(db, tenant)).break).toEqual({ id, seq: 3, reason: 'link_mismatch' });
  });

  it('an edit with every later hash recomputed holds by itself, and differs from a head noted before it', async () => {
    const db = database();
    const tenant = newTenant();
    await write(db, tenant, 6);
    const noted = (await verifyChain(db, tenant)).head!;
    // Someone with the database rewrites event 2 and recomputes the chain from there on.
    const rows = await rowsOf(db, tenant);
    let previous = rows[0]!.hash!;
    for (const row of rows.slice(1)) {
      const fields = { ...row, seq: row.seq!, prev_hash: previous, data: row.seq === 2 ? '{"i":99}' : row.data };
      previous = eventHash(fields);
      await db
        .updateTable('audit_events')
        .set({ data: fields.data, prev_hash: fields.prev_hash, hash: previous })
        .where('id', '=', row.id)
        .execute();
    }
    const report = await verifyChain(db, tenant, [{ seq: noted.seq, hash: noted.hash }]);
    expect(report.break).toBeNull();
    expect(report.anchors).toEqual([{ seq: noted.seq, hash: noted.hash, result: 'differs' }]);
  });

  it('a removed tail holds by itself, and a head noted before it is missing', async () => {
    const db = database();
    const tenant = newTenant();
    await write(db, tenant, 4);
    const noted = (await verifyChain(db, tenant)).head!;
    const early = (await rowsOf(db, tenant))[1]!;
    await db.deleteFrom('audit_events').where('tenant_id', '=', tenant).where('seq', '>', 2).execute();
    const report = await verifyChain(db, tenant, [
      { seq: noted.seq, hash: noted.hash },
      { seq: 2, hash: early.hash! },
    ]);
    expect(report.break).toBeNull();
    expect(report.anchors.map((a) => a.result)).toEqual(['missing', 'matches']);
  });

  it('reads a chain longer than one page', async () => {
    const db = database();
    const tenant = newTenant();
    await write(db, tenant, 2_100);
    const report = await verifyChain(db, tenant, [{ seq: 1_500, hash: (await rowsOf(db, tenant))[1_499]!.hash! }]);
    expect(report).toMatchObject({ events: 2_100, break: null, head: { seq: 2_100 } });
    expect(report.anchors[0]!.result).toBe('matches');
  }, 60_000);

  it('retention removes old events but keeps the newest, so the chain goes on from it', async () => {
    const db = database();
    const id = newTenant();
    await addTenant(db, id);
    await write(db, id, 3);
    const kept = (await rowsOf(db, id))[2]!;
    now += 40 * DAY;
    const lines: unknown[] = [];
    const log = { error: () => undefined, info: (obj: unknown) => lines.push(obj) };
    const [result] = (await new RetentionJob({ db, audit: new AuditLog(db, clock), clock, log }).run()).filter(
      (r) => r.tenantId === id,
    );
    expect(result!.auditEvents).toBe(2);
    const rows = await rowsOf(db, id);
    // The newest old event stays; the pruning's own record links to it.
    expect(rows.map((r) => [r.seq, r.action])).toEqual([
      [3, 'user.updated'],
      [4, 'retention.pruned'],
    ]);
    expect(rows[1]!.prev_hash).toBe(kept.hash);
    // A head noted before the pruning can no longer be compared: pruned, not missing.
    const report = await verifyChain(db, id, [{ seq: 1, hash: GENESIS_HASH }]);
    expect(report).toMatchObject({ events: 2, first: { seq: 3 }, head: { seq: 4 }, break: null });
    expect(report.anchors[0]!.result).toBe('pruned');
    // The head is logged, outside the database, after the pass.
    expect(lines).toContainEqual({ auditChain: { tenantId: id, seq: 4, hash: rows[1]!.hash } });
  });
});

describe('retention with nodes whose clocks differ', () => {
  it('removes only a prefix of the chain: an old event after a newer one waits, so no hole is cut', async () => {
    const db = database();
    const id = newTenant();
    await addTenant(db, id);
    // Two nodes writing one chain, the second's clock ten minutes behind the first's.
    const start = now;
    let tick = 0;
    const nodeA = new AuditLog(db, { now: () => start + tick++ });
    const nodeB = new AuditLog(db, { now: () => start - 10 * 60_000 + tick++ });
    for (let i = 0; i < 3; i++) for (const node of [nodeA, nodeB]) await node.record(entry(id, i));
    await nodeA.record(entry(id, 3));
    expect((await verifyChain(db, id)).break).toBeNull();

    // 30 days on, `before` falls between the two clocks: only node B's events (2, 4, 6) are older.
    const pass = async (at: number) => {
      const later = { now: () => at };
      const results = await new RetentionJob({ db, audit: new AuditLog(db, later), clock: later }).run();
      return results.find((r) => r.tenantId === id)!;
    };
    expect((await pass(start - 5 * 60_000 + 30 * DAY)).auditEvents).toBe(0);
    expect((await rowsOf(db, id)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await verifyChain(db, id)).break).toBeNull();

    // Once node A's are old too, the prefix goes, up to the newest, which stays.
    expect((await pass(start + 5 * 60_000 + 30 * DAY)).auditEvents).toBe(6);
    expect((await rowsOf(db, id)).map((r) => [r.seq, r.action])).toEqual([
      [7, 'user.updated'],
      [8, 'retention.pruned'],
    ]);
    expect((await verifyChain(db, id)).break).toBeNull();
  });

  it('removes old events outside the chain as before, and keeps the chain whole', async () => {
    const db = database();
    const id = newTenant();
    await addTenant(db, id);
    await write(db, id, 3);
    const old = new Date(now - 40 * DAY).toISOString();
    await db
      .insertInto('audit_events')
      .values([
        { tenant_id: id, at: old, actor_type: 'system', action: 'user.updated' },
        {
          tenant_id: id,
          seq: 0,
          prev_hash: GENESIS_HASH,
          hash: GENESIS_HASH,
          at: old,
          actor_type: 'system',
          action: 'user.updated',
        },
      ])
      .execute();
    const result = (await new RetentionJob({ db, audit: new AuditLog(db, clock), clock }).run()).find(
      (r) => r.tenantId === id,
    )!;
    expect(result.auditEvents).toBe(2);
    expect((await rowsOf(db, id)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect((await verifyChain(db, id)).break).toBeNull();
  });
});

describe('the integrity check of AuditQueries', () => {
  it('runs one check of an organization at a time; another organization’s runs beside it', async () => {
    const db = database();
    const [a, b] = [newTenant(), newTenant()];
    await write(db, a, 3);
    const queries = checker(db);
    const first = queries.verify(reader(a), []);
    await expect(queries.verify(reader(a), [])).rejects.toMatchObject({ code: 'rate_limited' });
    const other = queries.verify(reader(b), []);
    expect((await first).intact).toBe(true);
    expect((await other).intact).toBe(true);
    // Once it is done, the next may run.
    expect((await queries.verify(reader(a), [])).events).toBe(4);
  });

  it('allows five checks a minute per organization over all nodes; the next is refused and reads and records nothing', async () => {
    const db = database();
    const [a, b] = [newTenant(), newTenant()];
    await write(db, a, 2);
    let at = now;
    const ticking = { now: () => at };
    // Two nodes on one database: the count is the shared store's, not a node's.
    const nodes = [checker(db, ticking), checker(db, ticking)];
    for (let i = 0; i < AUDIT_VERIFY_TENANT.ceiling!; i++) {
      expect((await nodes[i % 2]!.verify(reader(a), [])).intact).toBe(true);
      at += 1_000;
    }
    const before = (await rowsOf(db, a)).length;
    for (const node of nodes)
      await expect(node.verify(reader(a), [])).rejects.toMatchObject({
        code: 'rate_limited',
        data: { retryAfterSeconds: 55 },
      });
    expect((await rowsOf(db, a)).length).toBe(before);
    // Another organization has its own budget; the first's comes back when the minute is over.
    expect((await nodes[0]!.verify(reader(b), [])).intact).toBe(true);
    at = now + 60_000;
    expect((await nodes[1]!.verify(reader(a), [])).events).toBe(before);
  });
});

describe('migration 0024 on a database made before it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rh-0024-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('chains the events written before it, per organization in the order they were written', async () => {
    const db = openDatabase({ kind: 'sqlite', file: join(dir, 'before.db') });
    try {
      expect(
        (await new Migrator({ db, provider: migrationProvider }).migrateTo('0023_one_challenge_per_page')).error,
      ).toBeUndefined();
      const old = Array.from({ length: 1_205 }, (_, i) => ({
        tenant_id: i % 5 === 0 ? null : i % 2 ? 'contoso' : 'fabrikam',
        at: new Date(now + i).toISOString(),
        actor_type: 'user',
        actor_id: `u${i}`,
        action: 'user.updated',
        target_type: null,
        target_id: null,
        ip: null,
        data: i % 7 ? JSON.stringify({ i }) : null,
      }));
      for (let at = 0; at < old.length; at += 200)
        await db
          .insertInto('audit_events')
          .values(old.slice(at, at + 200) as never)
          .execute();
      expect(await migrate(db)).toContain('0024_audit_chain');
      for (const tenant of ['contoso', 'fabrikam', null]) {
        const report = await verifyChain(db, tenant);
        expect(report.break).toBeNull();
        expect(report.events).toBe(old.filter((e) => e.tenant_id === tenant).length);
        expect(report.first?.seq).toBe(1);
      }
      // New events go on from the migrated head.
      await new AuditLog(db, clock).record(entry('contoso', 1));
      const report = await verifyChain(db, 'contoso');
      expect(report.break).toBeNull();
      expect(report.head?.seq).toBe(report.events);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
