/**
 * @module db/dialect
 * The few places where SQLite and PostgreSQL need different SQL, in one file (ADR 0020).
 * Everything else is written once, with Kysely's builders or portable raw SQL.
 */
import type { Kysely, RawBuilder } from 'kysely';
import { PostgresAdapter, sql } from 'kysely';

/** True when `db` (a database, a transaction, or a migration's handle) talks to PostgreSQL. */
export function isPostgres<DB>(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** The byte-string column type: SQLite's blob, PostgreSQL's bytea. */
export function blobType<DB>(db: Kysely<DB>): 'blob' | 'bytea' {
  return isPostgres(db) ? 'bytea' : 'blob';
}

/**
 * One string-valued member of a JSON object stored as text, or null when the text is not valid
 * JSON (or has no such member). SQLite: `json_extract`; PostgreSQL: `rh_try_jsonb` (created by
 * migration 0017) so that a malformed document yields null instead of failing the query.
 */
export function jsonText<DB>(db: Kysely<DB>, column: string, key: string): RawBuilder<string | null> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`jsonText: unsupported key ${key}`);
  return isPostgres(db)
    ? sql<string | null>`(rh_try_jsonb(${sql.ref(column)}) ->> ${sql.lit(key)})`
    : sql<
        string | null
      >`(CASE WHEN json_valid(${sql.ref(column)}) THEN json_extract(${sql.ref(column)}, ${sql.lit(`$.${key}`)}) END)`;
}

/**
 * `column LIKE pattern ESCAPE '\'`, case-insensitive on both engines (SQLite's LIKE already is,
 * for ASCII; PostgreSQL's is not, so it gets ILIKE).
 */
export function likeInsensitive<DB>(db: Kysely<DB>, column: string, pattern: string): RawBuilder<boolean> {
  return isPostgres(db)
    ? sql<boolean>`${sql.ref(column)} ILIKE ${pattern} ESCAPE '\\'`
    : sql<boolean>`${sql.ref(column)} LIKE ${pattern} ESCAPE '\\'`;
}

/** The tables with a foreign key to `table`, and the (single) column that holds the key. */
export async function foreignKeysTo<DB>(db: Kysely<DB>, table: string): Promise<{ name: string; column: string }[]> {
  const found = isPostgres(db)
    ? await sql<{ name: string; column: string }>`
        SELECT c.conrelid::regclass::text AS name, a.attname AS "column"
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = ${table}::regclass
        ORDER BY 1, 2`.execute(db)
    : await sql<{ name: string; column: string }>`
        SELECT m.name AS name, f."from" AS "column"
        FROM sqlite_master m, pragma_foreign_key_list(m.name) f
        WHERE m.type = 'table' AND f."table" = ${table}
        ORDER BY 1, 2`.execute(db);
  return found.rows;
}

/**
 * True when `error` is a unique-constraint (or primary-key) violation, from either engine; with
 * `mentioning`, only when the violated constraint concerns that column or index name. SQLite says
 * `UNIQUE constraint failed: help_sessions.device_id`; PostgreSQL gives code 23505, the
 * constraint's name and `Key (device_id)=(…) already exists` in its detail.
 */
export function isUniqueViolation(error: unknown, mentioning?: string): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: unknown; detail?: unknown; constraint?: unknown };
  const unique =
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/.test(e.message);
  if (!unique || mentioning === undefined) return unique;
  return [e.message, e.detail, e.constraint].some((text) => typeof text === 'string' && text.includes(mentioning));
}

/**
 * Serializes the transactions that call this with the same `key` until they end (a check and
 * the write it guards, such as "fewer than N rows, then insert"). PostgreSQL: a transaction-level
 * advisory lock on the key's hash (a collision only serializes two unrelated keys). SQLite: nothing
 * to do, since the one connection runs one transaction at a time. Call it inside a transaction.
 */
export async function lockForTransaction<DB>(db: Kysely<DB>, key: string): Promise<void> {
  if (!db.isTransaction) throw new Error('lockForTransaction: not inside a transaction');
  if (isPostgres(db)) await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(db);
}
