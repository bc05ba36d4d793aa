/**
 * @module test/refuseAudit
 * Makes the database itself refuse audit rows, the way a full disk or a lost connection would
 * refuse them: a trigger on `audit_events` (PL/pgSQL on PostgreSQL, `RAISE(ABORT)` on SQLite).
 * Tests use it to show that a change and its audit record commit together or not at all.
 */
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { testPostgresUrl } from './database.js';

/** Refuses audit rows of `action` (every row when omitted) until the returned function runs. */
export async function refuseAudit(db: Db, action?: string): Promise<() => Promise<void>> {
  const only = action === undefined ? sql`` : sql`WHEN (NEW.action = ${sql.lit(action)})`;
  if (testPostgresUrl()) {
    await sql`CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit store refused the row'; END $$ LANGUAGE plpgsql`.execute(
      db,
    );
    await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW ${only} EXECUTE FUNCTION refuse_audit()`.execute(
      db,
    );
    return async () => {
      await sql`DROP TRIGGER refuse_audit ON audit_events`.execute(db);
      await sql`DROP FUNCTION refuse_audit()`.execute(db);
    };
  }
  await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events ${only} BEGIN SELECT RAISE(ABORT, 'audit store refused the row'); END`.execute(
    db,
  );
  return async () => {
    await sql`DROP TRIGGER refuse_audit`.execute(db);
  };
}
