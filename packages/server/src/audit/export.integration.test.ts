/**
 * The audit log's CSV export reads a page at a time and stops at a size as well as at
 * `REPORT_EXPORT_MAX` events: an event can hold a whole member list (~70 KB), and 10,000 of them
 * read at once were hundreds of megabytes in the server's memory. Real database (SQLite, or
 * PostgreSQL with `TEST_DATABASE=postgres`), a small size bound so that the test stays small.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../db/client.js';
import type { Principal } from '../identity/principal.js';
import { Backoff } from '../ratelimit/backoff.js';
import { AUDIT_VERIFY_TENANT } from '../ratelimit/policies.js';
import { MemoryBackoffStore } from '../ratelimit/store.js';
import { openTestDatabase } from '../test/database.js';
import { systemClock } from '../time.js';
import { AuditLog } from './audit.js';
import { AuditQueries } from './queries.js';
import { AuditRepo } from './repo.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-audit-export-'));
let db: Db;
let close: () => Promise<void>;
const reader: Principal = {
  userId: 'reader',
  tenantId: 'tenant-a',
  permissions: ['audit.read'],
  ip: null,
  client: 'web',
};
/** The integrity check's limits (not used by the export). */
const verifyLimits = new Backoff(new MemoryBackoffStore(), systemClock, AUDIT_VERIFY_TENANT);

beforeAll(async () => {
  ({ db, close } = await openTestDatabase(dir));
  const members = JSON.stringify({ after: Array.from({ length: 2000 }, (_, i) => `member-${i}`) });
  const rows = Array.from({ length: 1200 }, (_, i) => ({
    tenant_id: 'tenant-a',
    at: new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString(),
    actor_type: 'user',
    actor_id: 'admin',
    action: 'group.members_set',
    target_type: 'group',
    target_id: 'g1',
    ip: null,
    data: members,
  }));
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('audit_events')
      .values(rows.slice(i, i + 200))
      .execute();
}, 60_000);
afterAll(async () => {
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

it('stops at its size bound, marks the export truncated, and keeps the newest events', async () => {
  const perEvent = JSON.stringify({ after: Array.from({ length: 2000 }, (_, i) => `member-${i}`) }).length;
  const audit = new AuditLog(db, systemClock);
  const queries = new AuditQueries({
    repo: new AuditRepo(db),
    audit,
    db,
    clock: systemClock,
    verifyLimits,
    exportMaxBytes: 700 * perEvent,
  });
  const out = await queries.exportCsv(reader, {});
  expect(out.truncated).toBe(true);
  // Read across pages (500 at a time) and stopped just past the bound, not at the 1,200 there are.
  expect(out.rows).toBeGreaterThan(700);
  expect(out.rows).toBeLessThan(720);
  const lines = out.csv.split('\r\n');
  expect(lines[1]).toContain('2026-12-01T00:19:59');
});

it('exports everything, untruncated, when it fits', async () => {
  const audit = new AuditLog(db, systemClock);
  // The 1,200 and the first test's own record of its export.
  const total = await new AuditRepo(db).count('tenant-a', {});
  expect(total).toBe(1201);
  const out = await new AuditQueries({
    repo: new AuditRepo(db),
    audit,
    db,
    clock: systemClock,
    verifyLimits,
  }).exportCsv(reader, {});
  expect(out).toMatchObject({ rows: total, truncated: false });
});
