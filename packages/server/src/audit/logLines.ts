/**
 * @module audit/logLines
 * `AUDIT_TO_LOG`: every audit event, once committed, also goes to the server's JSON log as one
 * `audit event` line at `info`, for a log pipeline or SIEM to keep and search. The line carries
 * every field the event's hash covers exactly as stored (`data` as its JSON text), its number,
 * the previous hash and its own hash, so whoever holds the lines can recompute each hash and
 * check the chain without the database (ADR 0035): every event is then a head kept outside it.
 * Events written before the server's logger exists (the demo seed) wait and follow once it does.
 */
import type { StoredAuditEvent } from './audit.js';

interface Logger {
  info(obj: unknown, msg: string): void;
}

/** Most events kept while no logger is attached yet; more are counted as dropped. */
const WAITING_MAX = 10_000;

/** The `audit event` line's object: the stored fields under their API names. */
export function auditLine(e: StoredAuditEvent) {
  return {
    auditEvent: {
      tenantId: e.tenant_id,
      seq: e.seq,
      prevHash: e.prev_hash,
      hash: e.hash,
      at: e.at,
      actorType: e.actor_type,
      actorId: e.actor_id,
      action: e.action,
      targetType: e.target_type,
      targetId: e.target_id,
      ip: e.ip,
      data: e.data,
    },
  };
}

/** See the module description. */
export class AuditLogLines {
  private log: Logger | null = null;
  private waiting: StoredAuditEvent[] = [];
  private dropped = 0;

  /** What `AuditLog` calls with each committed event. */
  readonly emit = (event: StoredAuditEvent): void => {
    if (this.log) this.log.info(auditLine(event), 'audit event');
    else if (this.waiting.length < WAITING_MAX) this.waiting.push(event);
    else this.dropped++;
  };

  /** Starts writing to `log`, first the events that waited for it. */
  attach(log: Logger): void {
    this.log = log;
    for (const event of this.waiting) log.info(auditLine(event), 'audit event');
    if (this.dropped > 0)
      log.info({ dropped: this.dropped }, 'audit events written before the log existed, not logged');
    this.waiting = [];
    this.dropped = 0;
  }
}
