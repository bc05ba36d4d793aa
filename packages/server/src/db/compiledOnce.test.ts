/**
 * `db/compiledOnce` on a real in-memory SQLite through Kysely: the query is built once, runs
 * with each call's values as bound parameters (never in the SQL text), answers as the query
 * built every time would, and refuses a slot that did not become a parameter.
 */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { compiledOnce } from './compiledOnce.js';

interface T {
  people: { id: string; tenant: string; name: string; kind: string };
}

const db = new Kysely<T>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
afterAll(() => db.destroy());

it('builds once, binds each call’s values, and answers as the query built every time', async () => {
  await sql`create table people (id text primary key, tenant text not null, name text not null, kind text not null)`.execute(
    db,
  );
  await db
    .insertInto('people')
    .values([
      { id: 'a', tenant: 't1', name: 'Ann', kind: 'member' },
      { id: 'b', tenant: 't1', name: 'Bob', kind: 'guest' },
      { id: 'c', tenant: 't2', name: 'Cy', kind: 'member' },
    ])
    .execute();
  let builds = 0;
  const byTenant = compiledOnce((slot: (name: 'tenant' | 'id') => string) => {
    builds++;
    return db
      .selectFrom('people')
      .select(['id', 'name'])
      .where('tenant', '=', slot('tenant'))
      .where('kind', '=', 'member')
      .where('id', '!=', slot('id'))
      .orderBy('id');
  });
  const everyTime = (tenant: string, id: string) =>
    db
      .selectFrom('people')
      .select(['id', 'name'])
      .where('tenant', '=', tenant)
      .where('kind', '=', 'member')
      .where('id', '!=', id)
      .orderBy('id')
      .execute();
  for (const [tenant, id] of [
    ['t1', 'x'],
    ['t2', 'x'],
    ['t1', 'a'],
    ["t1' or 1=1 --", 'x'],
  ] as const) {
    const compiled = byTenant({ tenant, id });
    expect(compiled.sql).not.toContain(tenant);
    expect(compiled.parameters).toEqual([tenant, 'member', id]);
    expect((await db.executeQuery(compiled)).rows).toEqual(await everyTime(tenant, id));
  }
  expect(builds).toBe(1);
});

it('refuses a slot that was not bound as a parameter', () => {
  const inlined = compiledOnce((slot: (name: 'name') => string) =>
    db.selectFrom('people').select(sql.lit(slot('name')).as('n')),
  );
  expect(() => inlined({ name: 'x' })).toThrow(/slot name/);
});
