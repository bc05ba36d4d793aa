/**
 * Integration: the statements a node sends to its database are counted (`remote_help_db_statements_total`), each
 * once, on the engine the suite runs on (SQLite, or PostgreSQL with TEST_DATABASE=postgres): plain reads, a
 * transaction's BEGIN, statements and COMMIT, a rolled-back transaction, and a prepared read run again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../test/database.js';
import { migrate, openDatabase, type Db, type StatementCount } from './client.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-statements-'));
let database: TestDatabase;
let db: Db;
const statements: StatementCount = { count: 0 };

beforeAll(async () => {
  database = testDatabase(dir);
  db = openDatabase(database.config, statements);
  await migrate(db);
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

it('counts every statement run through the database once, BEGIN and COMMIT included', async () => {
  const start = statements.count;
  await db.selectFrom('tenants').select('id').where('id', '=', 'nobody').execute();
  await db.selectFrom('tenants').select('id').where('id', '=', 'nobody').execute();
  expect(statements.count - start).toBe(2);

  await db.transaction().execute(async (trx) => {
    await trx.selectFrom('users').select('id').limit(1).execute();
    await sql`SELECT 1`.execute(trx);
  });
  expect(statements.count - start).toBe(2 + 4);

  await expect(
    db.transaction().execute(async (trx) => {
      await trx.selectFrom('users').select('id').limit(1).execute();
      throw new Error('undone');
    }),
  ).rejects.toThrow('undone');
  // BEGIN, the read, ROLLBACK.
  expect(statements.count - start).toBe(2 + 4 + 3);
});
