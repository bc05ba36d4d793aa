/**
 * @module db/client
 * Opens the database named by the configuration and brings its schema up to date: SQLite
 * (embedded default, one file) or PostgreSQL (scale-out, a pool of connections). What differs
 * between the two engines is kept in `db/dialect` (ADR 0020).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { isPostgres } from './dialect.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

/** Connections per node; PostgreSQL's default `max_connections` (100) leaves room for several nodes. */
export const PG_POOL_SIZE = 10;
/** A statement running longer than this is cancelled by the server (a stuck query must not hold a connection). */
export const PG_STATEMENT_TIMEOUT_MS = 15_000;

/** Unquoted PostgreSQL identifiers only: the schema name goes into `search_path`. */
export const PG_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// pg hands back int8 (COUNT(*), bigint columns) and numeric as strings; every such value here is
// a count, a millisecond timestamp or a counter, far below 2^53, so they are read as numbers,
// as SQLite gives them. Set per pool, not on pg's global registry.
const INT8 = 20;
const NUMERIC = 1700;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/**
 * Counts the SQL statements a node sends to its database (`remote_help_db_statements_total`): every
 * statement Kysely runs, transactions' BEGIN and COMMIT included, the same way on both engines.
 */
export interface StatementCount {
  count: number;
}

/**
 * Opens the database (creating the SQLite file and its folder, or the PostgreSQL schema, when needed).
 * `statements` counts what is run through it.
 */
export function openDatabase(database: Config['database'], statements: StatementCount = { count: 0 }): Db {
  if (database.kind === 'postgres') return openPostgres(database.url, database.schema, statements);
  if (database.file !== ':memory:') makeFolders(dirname(database.file));
  const sqlite = new SQLite(database.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const handle = withStatementCache(sqlite);
  // Kysely's SQLite connection prepares each statement it runs, once per run (the cache answers).
  const counted: SqliteHandle = {
    prepare(text) {
      statements.count++;
      return handle.prepare(text);
    },
    close: () => handle.close(),
  };
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: counted }) });
}

/**
 * Creates `dir` and its missing parents, one `mkdir` each. Not Node's recursive `mkdirSync`: where
 * `mkdir` answers ENOENT under a folder that exists (procfs: `sqlite:/proc/x/rh.db`) it retried
 * for ever and the server hung at start. Throws mkdir's own error (code, syscall, path) for the
 * first folder it cannot make, and ENOTDIR when the nearest existing one is not a folder.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (existsSync(at) && !statSync(at).isDirectory()) {
    const error = new Error(`ENOTDIR: not a directory, mkdir '${at}'`);
    throw Object.assign(error, { code: 'ENOTDIR', syscall: 'mkdir', path: at });
  }
  for (const folder of missing) mkdirSync(folder);
}

/** What Kysely's SQLite dialect uses of a better-sqlite3 database. */
export interface SqliteHandle {
  prepare(sql: string): SQLite.Statement<unknown[]>;
  close(): void;
}

/** Prepared statements kept per SQLite connection (the most recently used). */
export const SQLITE_STATEMENT_CACHE_SIZE = 500;

/**
 * The SQLite handle as Kysely sees it, preparing each distinct SQL text once: Kysely's driver
 * prepares every query it runs, and a load run (`npm run bench:load`) spent about a tenth of the
 * server's busy time in `prepare` of the same few dozen statements. A statement is only ever used
 * by one query at a time: Kysely holds its single SQLite connection behind a mutex for a whole
 * query, streams included. SQLite re-prepares a cached statement by itself after a schema change
 * (a migration). Least recently used statements beyond `size` are dropped (SQL with `in (…)`
 * lists of varying length is distinct text).
 */
export function withStatementCache(sqlite: SqliteHandle, size = SQLITE_STATEMENT_CACHE_SIZE): SqliteHandle {
  const cache = new Map<string, SQLite.Statement<unknown[]>>();
  return {
    prepare(text: string) {
      const known = cache.get(text);
      if (known) {
        cache.delete(text);
        cache.set(text, known);
        return known;
      }
      const statement = sqlite.prepare(text);
      cache.set(text, statement);
      if (cache.size > size) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      return statement;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}

/** Distinct SQL texts a node prepares by name on its PostgreSQL connections; the rest run unnamed. */
export const PG_NAMED_STATEMENTS = 1_000;
/** PostgreSQL's answer to a prepared statement whose table changed shape under it (another node migrated). */
const PG_CACHED_PLAN_CHANGED = '0A000';

/**
 * pg's Client, preparing each distinct SQL text with parameters once per connection under a name:
 * pg sends every unnamed query through Parse (parse, analyse, plan) again. A named statement is
 * parsed once per connection and then only bound and executed: a primary-key read cost its backend
 * 38–40 µs of CPU instead of 90–98 (5,000 reads), and in `npm run bench:load` (pg-redis, 1,500
 * set-ups) PostgreSQL's backends spent 10.4 ms of CPU per session set-up instead of 19.5. Statements
 * without parameters (BEGIN, COMMIT, migrations' scripts) stay unnamed, in the simple protocol that
 * allows several statements in one text. The first {@link PG_NAMED_STATEMENTS} texts get names (the
 * texts are a fixed set but for `in (…)` lists of varying length), so a backend holds a bounded set.
 * When another node's migration changes a table under a prepared `select *`, PostgreSQL refuses the
 * statement once (the query fails, and with it a transaction it was part of); every name then
 * changes generation, so each connection prepares afresh. A pooler in front of PostgreSQL must
 * support named prepared statements (PgBouncer ≥ 1.21 with `max_prepared_statements`, or session pooling).
 */
const namedStatements = new Map<string, string>();
let statementGeneration = 0;

function statementName(text: string): string | undefined {
  let name = namedStatements.get(text);
  if (name === undefined) {
    if (namedStatements.size >= PG_NAMED_STATEMENTS) return undefined;
    name = createHash('sha256').update(text).digest('base64url').slice(0, 22);
    namedStatements.set(text, name);
  }
  return `rh${statementGeneration}_${name}`;
}

class PreparingClient extends pg.Client {
  // pg's query() has many overloads; Kysely calls query(text, values) and awaits the promise.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
      const name = statementName(text);
      if (name) {
        const pending = super.query({ name, text, values }) as Promise<pg.QueryResult>;
        return pending.catch((error: unknown) => {
          const { code, message } = error as { code?: string; message?: string };
          if (code === PG_CACHED_PLAN_CHANGED && message?.includes('cached plan')) statementGeneration++;
          throw error;
        }) as never;
      }
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

function openPostgres(url: string, schema: string | undefined, statements: StatementCount): Db {
  if (schema !== undefined && !PG_SCHEMA_NAME.test(schema))
    throw new Error(`PostgreSQL schema name "${schema}" must match ${String(PG_SCHEMA_NAME)}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: PG_POOL_SIZE,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    statement_timeout: PG_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'remote-help',
    types: pgTypes,
    // Kysely sends each statement as one `query` of a pooled client.
    Client: class CountingClient extends PreparingClient {
      override query(...args: unknown[]): never {
        statements.count++;
        return (super.query as (...a: unknown[]) => never)(...args);
      }
    },
    // Every connection of this pool resolves unqualified names in the schema first.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process;
  // the pool replaces it and the next query reports the failure to its caller. A connection
  // checked out between two queries (inside a transaction) reports the drop on itself, not on the
  // pool: without a listener that was an uncaught exception (seen on the clean-clone gate when the
  // readiness test cut PostgreSQL off). Its next query fails and the caller hears of it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: async () => {
        if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        return pool;
      },
    }),
  });
}

/** Answers whether the database takes a query now (for `/readyz`); throws what the driver threw otherwise. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/** Runs every pending migration; throws with the failing migration's name. */
export async function migrate(db: Db): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with several
  // schemas in one PostgreSQL database (tests, side-by-side installs) it must be this one.
  const migrationTableSchema = isPostgres(db)
    ? (await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db)).rows[0]?.schema
    : undefined;
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
