/**
 * @module audit/audit
 * The audit log: who did what to which thing, from where. Every session transition and
 * every administrative change is written here.
 */
import type { Db } from '../db/client.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';

export interface AuditEntry {
  tenantId: string | null;
  actor: { type: 'user' | 'system' | 'device'; id: string | null };
  action: string;
  target?: { type: string; id: string };
  ip?: string | null;
  data?: Record<string, unknown>;
}

export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry, db: Db = this.db): Promise<void> {
    await db
      .insertInto('audit_events')
      .values({
        tenant_id: entry.tenantId,
        at: iso(this.clock.now()),
        actor_type: entry.actor.type,
        actor_id: entry.actor.id,
        action: entry.action,
        target_type: entry.target?.type ?? null,
        target_id: entry.target?.id ?? null,
        ip: entry.ip ?? null,
        data: entry.data ? JSON.stringify(entry.data) : null,
      })
      .execute();
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
