/**
 * @module db/atomically
 * A repository's multi-statement write runs in a transaction of its own, or inside its
 * caller's when the repository is bound to one (`AuditLog.together`: a change and its audit
 * record commit together). Kysely cannot open a transaction inside a transaction.
 */
import type { Db } from './client.js';

/** Runs `work` in a new transaction on `db`, or on `db` itself when it already is one. */
export function atomically<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
