/**
 * @module audit/audit
 * The audit log: who did what to which thing, from where. Every session transition and
 * every administrative change is written here. Actions and target types come from the
 * protocol's closed vocabulary (`AUDIT_ACTIONS`, `AUDIT_TARGET_TYPES`): a new action joins it
 * before it can be written (compile time; a cast around it is refused at run time).
 */
import type { AuditAction, AuditTargetType } from '@remote-help/protocol';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES } from '@remote-help/protocol';
import type { Db } from '../db/client.js';
import { lockForTransaction } from '../db/dialect.js';
import type { Principal } from '../identity/principal.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { ChainedFields } from './chain.js';
import { GENESIS_HASH, chainHead, chainLockKey, eventHash } from './chain.js';

export interface AuditEntry {
  tenantId: string | null;
  actor: { type: 'user' | 'system' | 'device'; id: string | null };
  action: AuditAction;
  target?: { type: AuditTargetType; id: string };
  ip?: string | null;
  data?: Record<string, unknown>;
}

/** An entry for something a signed-in person did: their organization, their user id, the address they came from. */
export function byPerson(
  principal: Principal,
  action: AuditAction,
  target?: AuditEntry['target'],
  data?: Record<string, unknown>,
): AuditEntry {
  return {
    tenantId: principal.tenantId,
    actor: { type: 'user', id: principal.userId },
    action,
    ...(target ? { target } : {}),
    ip: principal.ip,
    ...(data ? { data } : {}),
  };
}

const ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS);
const TARGET_TYPES: ReadonlySet<string> = new Set(AUDIT_TARGET_TYPES);

/** An event as stored: every field its hash covers, and the hash. */
export type StoredAuditEvent = ChainedFields & { hash: string };

export class AuditLog {
  /** Events written inside a change's transaction (`together`, its only key), handed to `emit` once it commits. */
  private readonly uncommitted = new WeakMap<Db, StoredAuditEvent[]>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Called with each event once it is committed (`AUDIT_TO_LOG`: a log line per event). */
    private readonly emit?: (event: StoredAuditEvent) => void,
  ) {}

  /**
   * Runs `work` in one transaction and records there the entry made of its result: a change and
   * its audit record commit together or not at all (an audit insert that failed after the change
   * had committed left it made, unrecorded, and the caller told it failed). `entry` returns null
   * when nothing changed, or several entries for a change of several things. `work` must run its
   * statements on the `db` it is given, and must not record itself: the records come after all of
   * its writes, so the chain's lock is taken last, just before the commit (ADR 0035; a lock taken
   * before other writes can deadlock on PostgreSQL with a change that holds one of their rows and
   * waits for the chain). The events are emitted once the transaction commits.
   */
  async together<T>(
    work: (db: Db) => Promise<T>,
    entry: (result: T) => AuditEntry | readonly AuditEntry[] | null,
  ): Promise<T> {
    let written: StoredAuditEvent[] = [];
    const result = await this.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      const made = entry(result);
      this.uncommitted.set(trx, []);
      for (const one of made === null ? [] : Array.isArray(made) ? made : [made]) await this.record(one, trx);
      written = this.uncommitted.get(trx) ?? [];
      return result;
    });
    for (const event of written) this.emit?.(event);
    return result;
  }

  /**
   * Records an event on its own (in a transaction of its own, emitted once committed). `db` is
   * for `together` only: a record made inside any other transaction would never be emitted (with
   * `AUDIT_TO_LOG`, a committed event missing from the log) and is refused.
   */
  async record(entry: AuditEntry, db: Db = this.db): Promise<void> {
    if (!ACTIONS.has(entry.action)) throw new Error(`audit action outside the vocabulary: ${entry.action}`);
    if (entry.target && !TARGET_TYPES.has(entry.target.type))
      throw new Error(`audit target type outside the vocabulary: ${entry.target.type}`);
    const write = async (trx: Db): Promise<StoredAuditEvent> => {
      // One writer per chain at a time (PostgreSQL: until this transaction commits), so that two
      // events never take the same place; SQLite's one connection already runs one transaction.
      await lockForTransaction(trx, chainLockKey(entry.tenantId));
      const head = await chainHead(trx, entry.tenantId);
      const fields: ChainedFields = {
        tenant_id: entry.tenantId,
        seq: (head?.seq ?? 0) + 1,
        prev_hash: head?.hash ?? GENESIS_HASH,
        at: iso(this.clock.now()),
        actor_type: entry.actor.type,
        actor_id: entry.actor.id,
        action: entry.action,
        target_type: entry.target?.type ?? null,
        target_id: entry.target?.id ?? null,
        ip: entry.ip ?? null,
        data: entry.data ? JSON.stringify(entry.data) : null,
      };
      const stored = { ...fields, hash: eventHash(fields) };
      await trx.insertInto('audit_events').values(stored).execute();
      return stored;
    };
    if (db.isTransaction) {
      // Inside a change's transaction: emitted by `together` once it commits (never if it rolls back).
      const pending = this.uncommitted.get(db);
      if (!pending) throw new Error(`audit record inside a transaction not opened by together: ${entry.action}`);
      pending.push(await write(db));
    } else {
      // (Not `this.emit?.(await …)`: without `emit` that would skip the write itself.)
      const stored = await db.transaction().execute(write);
      this.emit?.(stored);
    }
  }

  /** The newest events of one tenant, newest first. */
  async list(tenantId: string, limit = 100) {
    return this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}
