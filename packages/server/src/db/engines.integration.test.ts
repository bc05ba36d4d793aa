/**
 * What must behave the same on SQLite and PostgreSQL (ADR 0020), run on the engine the test run
 * uses (`TEST_DATABASE=postgres` for PostgreSQL): compare-and-set under concurrency, chat numbering
 * under concurrent sends, numbers and bytes as the code reads them, and the `db/dialect` pieces.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatRepo } from '../chat/repo.js';
import { SessionsRepo } from '../sessions/repo.js';
import { openTestDatabase, testPostgresUrl } from '../test/database.js';
import type { Db } from './client.js';
import { pingDatabase } from './client.js';
import { foreignKeysTo, isUniqueViolation, jsonText, likeInsensitive } from './dialect.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-engines-'));
let db: Db;
let close: () => Promise<void>;
const NOW = '2026-01-01T00:00:00.000Z';
const TENANT = 'tenant-engines';

async function newSession(id: string): Promise<void> {
  await db
    .insertInto('help_sessions')
    .values({
      id,
      tenant_id: TENANT,
      helper_id: 'helper-1',
      state: 'waiting',
      created_at: NOW,
      updated_at: NOW,
    } as never)
    .execute();
}

beforeAll(async () => {
  ({ db, close } = await openTestDatabase(dir));
  await db
    .insertInto('tenants')
    .values({ id: TENANT, name: 'Engines', slug: 'engines', created_at: NOW } as never)
    .execute();
}, 60_000);
afterAll(async () => {
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('both engines', () => {
  it('answers a ping', async () => {
    await expect(pingDatabase(db)).resolves.toBeUndefined();
  });

  it('lets exactly one of 20 concurrent compare-and-set updates win, and returns the row it wrote', async () => {
    await newSession('cas-1');
    const repo = new SessionsRepo(db);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => repo.update(TENANT, 'cas-1', 0, { pending_mode: `m${i}`, updated_at: NOW })),
    );
    const won = results.filter((r) => r !== undefined);
    expect(won).toHaveLength(1);
    expect(won[0]!.version).toBe(1);
    const stored = await repo.find(TENANT, 'cas-1');
    expect(stored).toMatchObject({ version: 1, pending_mode: won[0]!.pending_mode });
    // Another tenant's id never matches.
    expect(await repo.update('other-tenant', 'cas-1', 1, { updated_at: NOW })).toBeUndefined();
  });

  it('numbers 20 concurrent chat messages 1..20 without gaps, stores a repeated send once, and keeps a bound', async () => {
    await newSession('chat-1');
    const chat = new ChatRepo(db);
    const message = (i: number, clientId = `c${i}`) => ({
      tenantId: TENANT,
      sessionId: 'chat-1',
      senderId: i % 2 ? 'helper-1' : 'sharer-1',
      senderRole: i % 2 ? ('helper' as const) : ('sharer' as const),
      clientId,
      text: `message ${i}`,
      sentAt: NOW,
    });
    const roomy = { maxMessages: 1000, maxCharacters: 100_000 };
    const rows = await Promise.all(Array.from({ length: 20 }, (_, i) => chat.insert(message(i), roomy)));
    expect(rows.map((r) => r!.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await chat.insert(message(3), roomy)).toBeUndefined();
    expect((await chat.after(TENANT, 'chat-1', 0, 100)).map((r) => r.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // 20 at once against a bound of 15: exactly 15 stored, whichever senders won the races.
    await newSession('chat-2');
    const bounded = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        chat.insert({ ...message(i), sessionId: 'chat-2' }, { maxMessages: 15, maxCharacters: 100_000 }),
      ),
    );
    expect(bounded.filter(Boolean)).toHaveLength(15);
    expect((await chat.after(TENANT, 'chat-2', 0, 100)).map((r) => r.seq)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    // The tests below count this file's sessions.
    await db.deleteFrom('chat_messages').where('session_id', '=', 'chat-2').execute();
    await db.deleteFrom('help_sessions').where('id', '=', 'chat-2').execute();
  });

  it('reads a page of chat up to a budget in characters (code points), counting what follows', async () => {
    await newSession('chat-3');
    const chat = new ChatRepo(db);
    const texts = ['ab', '😀😀😀', 'cd', 'ef', 'gh'];
    for (const [i, text] of texts.entries()) {
      const m = { tenantId: TENANT, sessionId: 'chat-3', senderId: 'helper-1', senderRole: 'helper' as const };
      await chat.insert({ ...m, clientId: `p${i}`, text, sentAt: NOW }, { maxMessages: 10, maxCharacters: 100 });
    }
    const all = await chat.after(TENANT, 'chat-3', 0, 100);
    // Characters before each message: 0, 2, 5, 7, 9 (an emoji is one, on both engines).
    expect(await chat.pageAfter(TENANT, 'chat-3', 0, 10, 6)).toEqual({ rows: all.slice(0, 3), following: 5 });
    expect(await chat.pageAfter(TENANT, 'chat-3', 0, 10, 5)).toEqual({ rows: all.slice(0, 2), following: 5 });
    expect(await chat.pageAfter(TENANT, 'chat-3', 0, 1, 1000)).toEqual({ rows: all.slice(0, 2), following: 2 });
    // The first is always there, whatever the budget.
    expect(await chat.pageAfter(TENANT, 'chat-3', 3, 10, 1)).toEqual({ rows: all.slice(3, 4), following: 2 });
    expect(await chat.pageAfter(TENANT, 'chat-3', 5, 10, 1)).toEqual({ rows: [], following: 0 });
    expect(await chat.pageAfter('other-tenant', 'chat-3', 0, 10, 1000)).toEqual({ rows: [], following: 0 });
    await db.deleteFrom('chat_messages').where('session_id', '=', 'chat-3').execute();
    await db.deleteFrom('help_sessions').where('id', '=', 'chat-3').execute();
  });

  it('reads counts, bigints and integers as numbers, and bytes as a Buffer', async () => {
    const count = await db
      .selectFrom('help_sessions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('tenant_id', '=', TENANT)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(2);
    await db
      .insertInto('rate_limits')
      .values({ key: 'k', attempts: 3, last_at: 1_796_000_000_000, window_ends_at: 1_796_000_060_000 })
      .execute();
    const limit = await db.selectFrom('rate_limits').selectAll().where('key', '=', 'k').executeTakeFirstOrThrow();
    expect(limit).toEqual({ key: 'k', attempts: 3, last_at: 1_796_000_000_000, window_ends_at: 1_796_000_060_000 });
    const photo = Buffer.from([0, 1, 2, 254, 255]);
    await db
      .insertInto('users')
      .values({
        id: 'user-1',
        tenant_id: TENANT,
        email: 'Person@Engines.example',
        display_name: 'Person',
        photo,
        created_at: NOW,
        updated_at: NOW,
      } as never)
      .execute();
    const user = await db
      .selectFrom('users')
      .select(['photo', 'disabled'])
      .where('id', '=', 'user-1')
      .executeTakeFirstOrThrow();
    expect(Buffer.compare(user.photo as Buffer, photo)).toBe(0);
    expect(user.disabled).toBe(0);
  });

  it('reads JSON members as text, null for malformed JSON', async () => {
    await db
      .insertInto('audit_events')
      .values([
        { tenant_id: TENANT, at: NOW, actor_type: 'system', action: 'test.json', data: '{"mode":"control"}' },
        { tenant_id: TENANT, at: NOW, actor_type: 'system', action: 'test.json', data: '{not json' },
        { tenant_id: TENANT, at: NOW, actor_type: 'system', action: 'test.json', data: null },
      ] as never)
      .execute();
    const rows = await db
      .selectFrom('audit_events')
      .select(['id', jsonText(db, 'data', 'mode').as('mode')])
      .where('action', '=', 'test.json')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.mode)).toEqual(['control', null, null]);
    // Auto-numbered keys count up.
    expect(rows[1]!.id).toBeGreaterThan(rows[0]!.id);
  });

  it('matches LIKE patterns without regard to case, with backslash escapes', async () => {
    const found = (pattern: string) =>
      db
        .selectFrom('users')
        .select('id')
        .where(() => likeInsensitive(db, 'email', pattern))
        .execute();
    expect(await found('%@engines.EXAMPLE')).toHaveLength(1);
    expect(await found('person\\_%')).toHaveLength(0);
  });

  it('tells a unique violation apart, and which constraint it concerns', async () => {
    const error = await db
      .insertInto('tenants')
      .values({ id: 'tenant-2', name: 'Again', slug: 'engines', created_at: NOW } as never)
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'slug')).toBe(true);
    expect(isUniqueViolation(error, 'device_id')).toBe(false);
    expect(isUniqueViolation(new Error('something else'))).toBe(false);
    // The partial unique index: one waiting launch per device.
    await newSession('launch-1');
    await db.updateTable('help_sessions').set({ device_id: 'device-1' }).where('id', '=', 'launch-1').execute();
    await newSession('launch-2');
    const second = await db
      .updateTable('help_sessions')
      .set({ device_id: 'device-1' })
      .where('id', '=', 'launch-2')
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(second, 'device_id')).toBe(true);
    await db.updateTable('help_sessions').set({ state: 'ended' }).where('id', '=', 'launch-1').execute();
    await db.updateTable('help_sessions').set({ device_id: 'device-1' }).where('id', '=', 'launch-2').execute();
  });

  it('finds the tables that refer to help_sessions', async () => {
    expect(await foreignKeysTo(db, 'help_sessions')).toContainEqual({ name: 'chat_messages', column: 'session_id' });
  });

  it('runs a failed transaction back entirely', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('tenants').set({ name: 'Changed' }).where('id', '=', TENANT).execute();
        await sql`SELECT no_such_column FROM tenants`.execute(trx);
      }),
    ).rejects.toThrow();
    const tenant = await db.selectFrom('tenants').select('name').where('id', '=', TENANT).executeTakeFirstOrThrow();
    expect(tenant.name).toBe('Engines');
  });
});

// On whichever way the run selects PostgreSQL (TEST_DATABASE=postgres or TEST_DATABASE_URL, as `npm test` does).
describe.runIf(testPostgresUrl() !== null)('PostgreSQL statements', () => {
  it('prepares a statement with parameters once per connection, by name, and runs it again', async () => {
    await db.connection().execute(async (conn) => {
      for (let i = 0; i < 3; i++) {
        const row = await conn.selectFrom('tenants').select('name').where('id', '=', TENANT).executeTakeFirst();
        expect(row?.name).toBe('Engines');
      }
      const prepared = await sql<{ name: string; statement: string }>`
        SELECT name, statement FROM pg_prepared_statements`.execute(conn);
      const mine = prepared.rows.filter((r) => r.statement.includes('from "tenants" where "id" = $1'));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.name).toMatch(/^rh\d+_[\w-]{22}$/);
    });
  });

  it('prepares afresh once a table changed shape under a prepared select *', async () => {
    await db.connection().execute(async (conn) => {
      await sql`CREATE TABLE shape_probe (id text PRIMARY KEY)`.execute(conn);
      await sql`INSERT INTO shape_probe (id) VALUES (${'a'})`.execute(conn);
      const read = () => sql<Record<string, unknown>>`SELECT * FROM shape_probe WHERE id = ${'a'}`.execute(conn);
      expect((await read()).rows).toEqual([{ id: 'a' }]);
      // What another node's migration does to a table this node has prepared statements on.
      await sql`ALTER TABLE shape_probe ADD COLUMN extra text DEFAULT 'x'`.execute(conn);
      await expect(read()).rejects.toThrow(/cached plan must not change result type/);
      expect((await read()).rows).toEqual([{ id: 'a', extra: 'x' }]);
      await sql`DROP TABLE shape_probe`.execute(conn);
    });
  });
});
