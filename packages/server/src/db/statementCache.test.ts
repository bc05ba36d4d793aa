/**
 * The SQLite statement cache (`db/client` `withStatementCache`) on a real in-memory database:
 * each distinct SQL text is prepared once, results stay right through Kysely (reads, writes,
 * a rolled-back transaction), a cached `select *` sees a column added afterwards, and the
 * cache keeps only the most recently used statements.
 */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { withStatementCache } from './client.js';

interface T {
  t: { id: number; name: string };
}

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** A real in-memory SQLite whose `prepare` calls are counted. */
function counted() {
  const sqlite = new SQLite(':memory:');
  const prepared: string[] = [];
  const handle = {
    prepare: (text: string) => {
      prepared.push(text);
      return sqlite.prepare(text);
    },
    close: () => sqlite.close(),
  };
  return { handle, prepared };
}

it('prepares each SQL text once and answers every run with current data', async () => {
  const { handle, prepared } = counted();
  const cached = withStatementCache(handle);
  const db = new Kysely<T>({ dialect: new SqliteDialect({ database: cached }) });
  opened.push({ close: () => void db.destroy() });
  await sql`create table t (id integer primary key, name text not null)`.execute(db);
  for (let i = 1; i <= 3; i++)
    await db
      .insertInto('t')
      .values({ id: i, name: `n${i}` })
      .execute();
  const read = (id: number) => db.selectFrom('t').select('name').where('id', '=', id).executeTakeFirst();
  expect(await read(1)).toEqual({ name: 'n1' });
  expect(await read(2)).toEqual({ name: 'n2' });
  await db.updateTable('t').set({ name: 'changed' }).where('id', '=', 2).execute();
  expect(await read(2)).toEqual({ name: 'changed' });
  expect(await read(4)).toBeUndefined();
  // A transaction that throws rolls back through the cached begin/rollback statements.
  await expect(
    db.transaction().execute(async (trx) => {
      await trx.updateTable('t').set({ name: 'lost' }).where('id', '=', 1).execute();
      throw new Error('abort');
    }),
  ).rejects.toThrow('abort');
  expect(await read(1)).toEqual({ name: 'n1' });
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('t').set({ name: 'kept' }).where('id', '=', 1).execute();
  });
  expect(await read(1)).toEqual({ name: 'kept' });
  const counts = new Map<string, number>();
  for (const text of prepared) counts.set(text, (counts.get(text) ?? 0) + 1);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(counts.get('select "name" from "t" where "id" = ?')).toBe(1);
});

it('a cached statement follows a schema change', async () => {
  const { handle } = counted();
  const cached = withStatementCache(handle);
  opened.push(cached);
  cached.prepare('create table t (id integer primary key)').run([]);
  cached.prepare('insert into t (id) values (?)').run([1]);
  expect(cached.prepare('select * from t').all([])).toEqual([{ id: 1 }]);
  cached.prepare("alter table t add column name text not null default 'x'").run([]);
  expect(cached.prepare('select * from t').all([])).toEqual([{ id: 1, name: 'x' }]);
});

it('keeps only the most recently used statements', () => {
  const { handle, prepared } = counted();
  const cached = withStatementCache(handle, 2);
  opened.push(cached);
  cached.prepare('select 1');
  cached.prepare('select 2');
  cached.prepare('select 1'); // now the most recent
  cached.prepare('select 3'); // drops "select 2"
  cached.prepare('select 1');
  cached.prepare('select 2');
  expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
});
