/**
 * @module sessions/repo
 * The only SQL about help sessions. Updates are compare-and-set on `version`, so two
 * racing transitions (two nodes, two tabs) cannot both win.
 */
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../db/client.js';
import { compiledOnce } from '../db/compiledOnce.js';
import { lockForTransaction } from '../db/dialect.js';
import type { HelpSessionsTable } from '../db/schema.js';

export type SessionRow = Selectable<HelpSessionsTable>;

export class SessionsRepo {
  constructor(private readonly db: Db) {}

  // Reads that every session command and presentation makes, built once (`db/compiledOnce`).
  private readonly byId = compiledOnce((slot: (name: 'tenantId' | 'id') => string) =>
    this.db
      .selectFrom('help_sessions')
      .selectAll()
      .where('tenant_id', '=', slot('tenantId'))
      .where('id', '=', slot('id')),
  );
  private readonly byIdAnyTenant = compiledOnce((slot: (name: 'id') => string) =>
    this.db.selectFrom('help_sessions').selectAll().where('id', '=', slot('id')),
  );
  private readonly byLiveCode = compiledOnce((slot: (name: 'codeHash') => string) =>
    this.db.selectFrom('help_sessions').selectAll().where('code_hash', '=', slot('codeHash')),
  );

  /** The same repository on `db` (a caller's transaction, `AuditLog.together`): its writes commit with the caller's. */
  on(db: Db): SessionsRepo {
    return db === this.db ? this : new SessionsRepo(db);
  }

  async insert(row: SessionRow): Promise<boolean> {
    try {
      await this.db.insertInto('help_sessions').values(row).execute();
      return true;
    } catch (error) {
      // A live code collided with another live code: the caller draws a new one.
      if (/UNIQUE|unique/.test((error as Error).message) && /code_hash/.test((error as Error).message)) return false;
      throw error;
    }
  }

  async find(tenantId: string, id: string): Promise<SessionRow | undefined> {
    return (await this.db.executeQuery(this.byId({ tenantId, id }))).rows[0];
  }

  /** The sessions a helper runs that have not ended, newest first (the start screen lists them to resume). */
  async liveForHelper(tenantId: string, helperId: string, limit = 20): Promise<SessionRow[]> {
    return this.db
      .selectFrom('help_sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('helper_id', '=', helperId)
      .where('state', '!=', 'ended')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Every session of a tenant that has not ended (Remote Help switched off ends them). */
  async liveInTenant(tenantId: string, limit = 10_000): Promise<SessionRow[]> {
    return this.db
      .selectFrom('help_sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('state', '!=', 'ended')
      .limit(limit)
      .execute();
  }

  /** For system events (presence) that know only the session id; the row carries its tenant. */
  async findByIdAnyTenant(id: string): Promise<SessionRow | undefined> {
    return (await this.db.executeQuery(this.byIdAnyTenant({ id }))).rows[0];
  }

  /** Live codes are unique across tenants; the caller must check the tenant. */
  async findByLiveCode(codeHash: string): Promise<SessionRow | undefined> {
    return (await this.db.executeQuery(this.byLiveCode({ codeHash }))).rows[0];
  }

  /**
   * How many codes `helperId` has that can be redeemed now. Inside a transaction, it first takes
   * the helper's lock (`lockForTransaction`), so that a count and the insert it allows are one step
   * against a parallel create. Read through the tenant's live-code index, not the helper's history.
   */
  async liveCodesOf(tenantId: string, helperId: string, nowIso: string): Promise<number> {
    if (this.db.isTransaction) await lockForTransaction(this.db, `help_sessions.codes:${helperId}`);
    const row = await this.db
      .selectFrom('help_sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('code_hash', 'is not', null)
      .where('code_expires_at', '>', nowIso)
      .where('helper_id', '=', helperId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async findBySpentCode(tenantId: string, codeHash: string): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('help_sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('spent_code_hash', '=', codeHash)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  /** Applies `changes` only if the row is still at `version`; returns the new row or undefined if it lost a race. */
  async update(
    tenantId: string,
    id: string,
    version: number,
    changes: Updateable<HelpSessionsTable>,
  ): Promise<SessionRow | undefined> {
    // Compare-and-set: the row comes back from the same statement, so a later writer cannot slip in
    // between (PostgreSQL re-checks `version` on the row a concurrent update left; one of them wins).
    return this.db
      .updateTable('help_sessions')
      .set({ ...changes, version: version + 1 })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst();
  }

  /** Waiting sessions whose code expired at or before `nowIso`, across tenants (for the expiry sweeper). */
  async expiredWaiting(nowIso: string, limit = 100): Promise<SessionRow[]> {
    return this.db
      .selectFrom('help_sessions')
      .selectAll()
      .where('state', '=', 'waiting')
      .where('code_expires_at', '<=', nowIso)
      .limit(limit)
      .execute();
  }

  /** Sessions with both people in them (joined, requested, active), across tenants, for the restart sweep. */
  async liveWithParticipants(): Promise<Pick<SessionRow, 'id' | 'helper_id' | 'sharer_id'>[]> {
    return this.db
      .selectFrom('help_sessions')
      .select(['id', 'helper_id', 'sharer_id'])
      .where('state', 'in', ['joined', 'requested', 'active'])
      .execute();
  }
}
