/**
 * @module test/database
 * The database a test server uses: a temporary SQLite file (the default), or with
 * `TEST_DATABASE=postgres` (or `TEST_DATABASE_URL=postgres://…`) a fresh schema with a random
 * name in that PostgreSQL database, migrated by the server like any other, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../db/client.js';
import { migrate, openDatabase } from '../db/client.js';

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The PostgreSQL URL tests run against, or null for SQLite. */
export function testPostgresUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.TEST_DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.TEST_DATABASE_URL))
      throw new Error('TEST_DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
    return env.TEST_DATABASE_URL;
  }
  const kind = env.TEST_DATABASE?.trim().toLowerCase();
  if (!kind || kind === 'sqlite') return null;
  if (kind === 'postgres' || kind === 'postgresql' || kind === 'pg') return DEFAULT_TEST_POSTGRES_URL;
  throw new Error(`TEST_DATABASE=${env.TEST_DATABASE}: expected sqlite or postgres`);
}

export interface TestDatabase {
  /** What to give the server as `DATABASE_URL`. */
  url: string;
  /** The same database as `openDatabase` takes it. */
  config: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };
  /** `sqlite` or `postgres`. */
  kind: 'sqlite' | 'postgres';
  /** Removes the PostgreSQL schema (SQLite files go with their temporary folder). */
  drop(): Promise<void>;
}

/**
 * A database for one test server, or for several servers that must share it (a restart):
 * `dir` is the test's temporary folder, `name` the SQLite file name within it.
 */
export function testDatabase(dir: string, name = 'test.db'): TestDatabase {
  const base = testPostgresUrl();
  if (!base) {
    const file = join(dir, name);
    return { url: `sqlite:${file}`, config: { kind: 'sqlite', file }, kind: 'sqlite', drop: async () => undefined };
  }
  const schema = `rh_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    config: { kind: 'postgres', url: base, schema },
    kind: 'postgres',
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A migrated database of the configured engine without a server (for repository tests); `close` drops it. */
export async function openTestDatabase(
  dir: string,
): Promise<{ db: Db; kind: TestDatabase['kind']; close(): Promise<void> }> {
  const database = testDatabase(dir);
  const db = openDatabase(database.config);
  await migrate(db);
  return {
    db,
    kind: database.kind,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}
