/**
 * @module reports/retention
 * Report retention: every tenant keeps ended sessions and audit events for its
 * `report_retention_days` (tenant settings, default 30). The job runs at start and hourly;
 * older ended sessions go with the rows of any table that refers to them (found from the
 * schema's foreign keys, so a table added later — chat messages, say — is covered without
 * a change here), older audit events go too (a prefix of each chain, never a hole in it), and
 * each tenant's pruning is itself audited
 * (`retention.pruned`, by the system, with the counts). The sign-in log (conditional access
 * evaluations) follows the same period. Events without a tenant (a sign-in
 * with an unknown account) are kept for the default period. After each pass the head of every
 * organization's audit chain is logged (`audit chain head`), outside the database.
 */
import { sql } from 'kysely';
import type { AuditLog } from '../audit/audit.js';
import { chainHead } from '../audit/chain.js';
import type { Db } from '../db/client.js';
import { foreignKeysTo } from '../db/dialect.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';

const DAY_MS = 86_400_000;
/** What migration 0007 gives every tenant (`report_retention_days` default). */
export const RETENTION_DEFAULT_DAYS = 30;
/** Rows deleted per statement, so a large backlog never holds the database for long. */
const BATCH = 500;
export const RETENTION_INTERVAL_MS = 60 * 60_000;

export interface PruneResult {
  tenantId: string | null;
  retentionDays: number;
  /** Ended before this instant (ISO) were pruned. */
  before: string;
  sessions: number;
  auditEvents: number;
  /** Sign-in log rows (conditional access evaluations). */
  signIns: number;
}

export interface RetentionDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  log?: { error(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void };
}

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly d: RetentionDeps) {}

  /** Runs now and then every `intervalMs`; a run still going when the next is due is not doubled. */
  start(intervalMs = RETENTION_INTERVAL_MS): void {
    const tick = () => {
      if (this.running) return;
      this.running = this.run()
        .catch((error: unknown) => this.d.log?.error({ err: error }, 'report retention failed'))
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /** Resolves when no run is in progress. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over every tenant (and the events without one). Returns what each pruned. */
  async run(): Promise<PruneResult[]> {
    const now = this.d.clock.now();
    const tenants = await this.d.db.selectFrom('tenants').select(['id', 'report_retention_days']).execute();
    const results: PruneResult[] = [];
    for (const t of tenants) results.push(await this.pruneTenant(t.id, t.report_retention_days, now));
    results.push(await this.pruneTenantless(now));
    await this.logChainHeads([...tenants.map((t) => t.id), null]);
    return results;
  }

  private async pruneTenant(tenantId: string, retentionDays: number, now: number): Promise<PruneResult> {
    const before = iso(now - retentionDays * DAY_MS);
    const sessions = await this.pruneSessions(tenantId, before);
    const auditEvents = await this.pruneEvents(tenantId, before);
    const signIns = Number(
      (await this.d.db.deleteFrom('signin_log').where('tenant_id', '=', tenantId).where('at', '<', before).executeTakeFirst())
        .numDeletedRows,
    );
    const result = { tenantId, retentionDays, before, sessions, auditEvents, signIns };
    if (sessions > 0 || auditEvents > 0 || signIns > 0) {
      await this.d.audit.record({
        tenantId,
        actor: { type: 'system', id: null },
        action: 'retention.pruned',
        target: { type: 'tenant', id: tenantId },
        data: { retentionDays, before, sessions, auditEvents, ...(signIns > 0 ? { signIns } : {}) },
      });
    }
    return result;
  }

  private async pruneTenantless(now: number): Promise<PruneResult> {
    const before = iso(now - RETENTION_DEFAULT_DAYS * DAY_MS);
    const auditEvents = await this.pruneEvents(null, before);
    return { tenantId: null, retentionDays: RETENTION_DEFAULT_DAYS, before, sessions: 0, auditEvents, signIns: 0 };
  }

  /**
   * Logs each organization's audit chain head (ADR 0035): a log kept apart from the database (a
   * log pipeline, a SIEM) then holds the points a later integrity check compares the chain with.
   */
  private async logChainHeads(tenantIds: (string | null)[]): Promise<void> {
    if (!this.d.log) return;
    for (const tenantId of tenantIds) {
      const head = await chainHead(this.d.db, tenantId);
      if (head) this.d.log.info({ auditChain: { tenantId, seq: head.seq, hash: head.hash } }, 'audit chain head');
    }
  }

  /** The tables with a foreign key to `help_sessions`, and the column that holds the session id. */
  private async dependents(): Promise<{ name: string; column: string }[]> {
    return foreignKeysTo(this.d.db, 'help_sessions');
  }

  /** Deletes the tenant's sessions that ended before `before`, with their dependent rows. */
  private async pruneSessions(tenantId: string, before: string): Promise<number> {
    const dependents = await this.dependents();
    let pruned = 0;
    for (;;) {
      const ids = (
        await this.d.db
          .selectFrom('help_sessions')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('state', '=', 'ended')
          .where('ended_at', '<', before)
          .limit(BATCH)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) return pruned;
      await this.d.db.transaction().execute(async (trx) => {
        for (const { name, column } of dependents) {
          await sql`DELETE FROM ${sql.table(name)} WHERE ${sql.ref(column)} IN (${sql.join(ids)})`.execute(trx);
        }
        await trx.deleteFrom('help_sessions').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
      });
      pruned += ids.length;
    }
  }

  /**
   * Deletes the tenant's (or the tenantless) audit events written before `before`, as a prefix of
   * its chain (ADR 0035): the events numbered up to the one before the oldest event written since
   * `before` (or, if there is none, up to the one before the newest), lowest numbers first. Never
   * the chain's newest event: the next event links to it, so a quiet organization's chain goes on
   * from where it was instead of starting again at 1. Not every event older than `before`: `at`
   * comes from the writing node's clock, and nodes' clocks differ (or step), so an old event can
   * follow a newer one; deleting it would cut a hole the integrity check reports as a removed event
   * (`seq_gap`). It goes once the events before it are old too. An interrupted pass leaves a
   * shorter prefix removed, never a hole. Events outside the chain (no number, or below 1: written
   * around the service, `unchained` in the check) go when older than `before`, as before.
   */
  private async pruneEvents(tenantId: string | null, before: string): Promise<number> {
    const tenant = tenantId === null ? 'is' : '=';
    let pruned = Number(
      (
        await this.d.db
          .deleteFrom('audit_events')
          .where('tenant_id', tenant, tenantId)
          .where((eb) => eb.or([eb('seq', 'is', null), eb('seq', '<', 1)]))
          .where('at', '<', before)
          .executeTakeFirst()
      ).numDeletedRows,
    );
    const head = await chainHead(this.d.db, tenantId);
    if (!head) return pruned;
    // The oldest event written since `before`: it and everything after it stay.
    const firstKept = await this.d.db
      .selectFrom('audit_events')
      .select('seq')
      .where('tenant_id', tenant, tenantId)
      .where('seq', '>=', 1)
      .where('at', '>=', before)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    const young = firstKept?.seq ?? null;
    // The last event removed: the one before the oldest young one, and never the head.
    const cutoff = Math.min(head.seq, young === null ? head.seq : Number(young)) - 1;
    for (;;) {
      const ids = (
        await this.d.db
          .selectFrom('audit_events')
          .select('id')
          .where('tenant_id', tenant, tenantId)
          .where('seq', '>=', 1)
          .where('seq', '<=', cutoff)
          .orderBy('seq')
          .limit(BATCH)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) return pruned;
      await this.d.db.deleteFrom('audit_events').where('id', 'in', ids).execute();
      pruned += ids.length;
    }
  }
}
