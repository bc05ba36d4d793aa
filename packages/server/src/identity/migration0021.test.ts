/**
 * Migration 0021 on a database made before it (a real SQLite file through 0020): the embedded
 * provider's records already stored get their person (`account_id`) from their JSON, so signing
 * out everywhere right after an upgrade still ends sign-ins made before it; records that name
 * nobody (an interaction) or are not JSON stay without one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { migrate, openDatabase } from '../db/client.js';
import { migrationProvider } from '../db/migrations.js';
import { endSignInsOf } from './accountSecurity.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-0021-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('gives stored records their person, and sign out everywhere ends those made before the upgrade', async () => {
  const db = openDatabase({ kind: 'sqlite', file: join(dir, 'before.db') });
  try {
    expect(
      (await new Migrator({ db, provider: migrationProvider }).migrateTo('0020_audit_page_index')).error,
    ).toBeUndefined();
    const record = (model: string, id: string, payload: string) =>
      ({
        model,
        id,
        payload,
        grant_id: null,
        user_code: null,
        uid: null,
        expires_at: null,
        consumed_at: null,
      }) as never;
    // More than one page of the migration's reads, two people, and records that name nobody.
    const rows = [
      ...Array.from({ length: 600 }, (_, i) =>
        record('Grant', `g${i}`, JSON.stringify({ accountId: i % 2 ? 'ada' : 'bob' })),
      ),
      record('Session', 's-ada', JSON.stringify({ accountId: 'ada', uid: 'x' })),
      record('RefreshToken', 'r-ada', JSON.stringify({ accountId: 'ada' })),
      record('Interaction', 'i1', JSON.stringify({ params: {} })),
      record('Grant', 'broken', '{not json'),
      // A person's id inside another field does not make the record theirs.
      record('Grant', 'mentions-ada', JSON.stringify({ accountId: 'carol', note: 'ada' })),
    ];
    for (let at = 0; at < rows.length; at += 100)
      await db
        .insertInto('oidc_payloads')
        .values(rows.slice(at, at + 100))
        .execute();

    expect(await migrate(db)).toContain('0021_oidc_account_index');
    const owners = await db.selectFrom('oidc_payloads').select(['id', 'account_id']).execute();
    const ownerOf = new Map(owners.map((r) => [r.id, r.account_id]));
    expect(ownerOf.get('g1')).toBe('ada');
    expect(ownerOf.get('g598')).toBe('bob');
    expect(ownerOf.get('s-ada')).toBe('ada');
    expect(ownerOf.get('i1')).toBeNull();
    expect(ownerOf.get('broken')).toBeNull();
    expect(ownerOf.get('mentions-ada')).toBe('carol');

    // Ada signs out everywhere: her 300 grants, her session and refresh token go; nothing else.
    expect(await endSignInsOf(db, 'ada')).toBe(302);
    const left = await db.selectFrom('oidc_payloads').select('id').execute();
    expect(left).toHaveLength(rows.length - 302);
    expect(left.map((r) => r.id)).toContain('mentions-ada');
  } finally {
    await db.destroy();
  }
});
