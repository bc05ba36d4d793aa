/**
 * Migration 0007 on a database made before it (a real SQLite file through 0006): existing
 * organizations keep helping web sharers (`allow_unenrolled` was never read before, so it
 * turns on), get the new settings' defaults, and existing devices and sessions read as
 * "not evaluated" / "joined before the record existed". A tenant made after it starts with
 * unenrolled devices refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { migrate, openDatabase } from '../db/client.js';
import { migrationProvider } from '../db/migrations.js';
import { presentDevice } from '../devices/presenter.js';
import { TEST_INVENTORY } from '../test/testDevice.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-0007-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps existing organizations helping unenrolled sharers and defaults everything new', async () => {
  const db = openDatabase({ kind: 'sqlite', file: join(dir, 'before.db') });
  try {
    const before = await new Migrator({ db, provider: migrationProvider }).migrateTo('0006_rbac');
    expect(before.error).toBeUndefined();
    const now = new Date().toISOString();
    for (const [id, allow] of [
      ['old-off', 0],
      ['old-on', 1],
    ] as const) {
      await db
        .insertInto('tenants')
        .values({
          id,
          name: id,
          slug: id,
          remote_help_enabled: 1,
          allow_unenrolled: allow,
          code_ttl_seconds: null,
          created_at: now,
        } as never)
        .execute();
    }
    await db
      .insertInto('devices')
      .values({
        id: 'dev',
        tenant_id: 'old-off',
        name: 'dev',
        public_key: '{}',
        inventory: JSON.stringify(TEST_INVENTORY),
        enrolled_at: now,
        last_check_in_at: now,
        last_ip: null,
        revoked_at: null,
      } as never)
      .execute();

    expect(await migrate(db)).toContain('0007_settings_compliance');

    const tenants = await db.selectFrom('tenants').selectAll().orderBy('id').execute();
    expect(tenants.map((t) => [t.id, t.allow_unenrolled, t.disable_chat, t.report_retention_days])).toEqual([
      ['old-off', 1, 0, 30],
      ['old-on', 1, 0, 30],
    ]);
    const device = await db.selectFrom('devices').selectAll().where('id', '=', 'dev').executeTakeFirstOrThrow();
    expect(presentDevice(device, false)).toMatchObject({ compliance: 'not_evaluated', failingRules: [] });

    await db
      .insertInto('tenants')
      .values({ id: 'new', name: 'new', slug: 'new', remote_help_enabled: 1, created_at: now } as never)
      .execute();
    const fresh = await db.selectFrom('tenants').selectAll().where('id', '=', 'new').executeTakeFirstOrThrow();
    expect(fresh.allow_unenrolled).toBe(0);
  } finally {
    await db.destroy();
  }
});
