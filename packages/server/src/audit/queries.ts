/**
 * @module audit/queries
 * Reading the audit log (`audit.read`): a page of events, or all matching events as CSV
 * (audited, since it takes the log out of the service). Names of people and devices pass
 * through `displayText`; `data` is what was recorded (`{ before, after }` for admin changes).
 */
import type { AuditChainPoint, AuditEventList, AuditEventView, AuditIntegrity } from '@remote-help/protocol';
import { REPORT_EXPORT_MAX, displayText, displayTextOrNull } from '@remote-help/protocol';
import { errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { deviceDisplayName } from '../devices/presenter.js';
import type { CsvExport } from '../reports/service.js';
import type { CsvValue } from '../reports/csv.js';
import { toCsv } from '../reports/csv.js';
import { PERSON_TEXT_MAX } from '../users/presenter.js';
import type { AuditLog } from './audit.js';
import { byPerson } from './audit.js';
import type { Db } from '../db/client.js';
import type { Backoff } from '../ratelimit/backoff.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import { verifyChain } from './chain.js';
import type { AuditEventRow, AuditFilters, AuditRepo } from './repo.js';

/** Events read per query while exporting. */
const AUDIT_EXPORT_PAGE = 500;
/** About this much of the events' own data goes into one export; past it the export is marked truncated. */
export const AUDIT_EXPORT_MAX_BYTES = 32 * 1024 * 1024;

function parseData(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { unreadable: text.slice(0, 200) };
  }
}

export function presentAuditEvent(row: AuditEventRow): AuditEventView {
  const actorName =
    row.actor_type === 'device' && row.actor_id
      ? row.actor_device_name === null
        ? null
        : deviceDisplayName(row.actor_device_name, row.actor_id)
      : displayTextOrNull(row.actor_user_name, PERSON_TEXT_MAX);
  const targetName =
    row.target_type === 'device' && row.target_id && row.target_device_name !== null
      ? deviceDisplayName(row.target_device_name, row.target_id)
      : displayTextOrNull(row.target_user_name ?? row.target_tenant_name, PERSON_TEXT_MAX);
  return {
    id: row.id,
    at: row.at,
    actor: {
      type: row.actor_type as AuditEventView['actor']['type'],
      id: row.actor_id,
      name: actorName,
      upn: row.actor_user_email === null ? null : displayText(row.actor_user_email, { max: 254, fallback: '' }),
    },
    action: row.action,
    target: row.target_type && row.target_id ? { type: row.target_type, id: row.target_id, name: targetName } : null,
    ip: row.ip,
    data: parseData(row.data),
    seq: row.seq === null ? null : Number(row.seq),
    hash: row.hash,
  };
}

/** The columns of `audit.csv`, in order. */
export const AUDIT_CSV_HEADER = [
  'Event ID',
  'Time (UTC)',
  'Actor type',
  'Actor ID',
  'Actor',
  'Actor UPN',
  'Action',
  'Target type',
  'Target ID',
  'Target',
  'IP address',
  'Details (JSON)',
  'Chain number',
  'Hash',
] as const;

export function auditCsvRow(e: AuditEventView): CsvValue[] {
  return [
    e.id,
    e.at,
    e.actor.type,
    e.actor.id,
    e.actor.name,
    e.actor.upn,
    e.action,
    e.target?.type,
    e.target?.id,
    e.target?.name,
    e.ip,
    e.data === null ? null : JSON.stringify(e.data),
    e.seq,
    e.hash,
  ];
}

/** What a second integrity check of an organization, while one runs, is told to wait. */
const VERIFY_RETRY_SECONDS = 5;

export class AuditQueries {
  /** Organizations whose log is being checked now. */
  private readonly checking = new Set<string>();

  constructor(
    private readonly d: {
      repo: AuditRepo;
      audit: AuditLog;
      db: Db;
      clock: Clock;
      /** Integrity checks per organization, shared by every node (`AUDIT_VERIFY_TENANT`). */
      verifyLimits: Backoff;
      exportMaxBytes?: number;
    },
  ) {}

  private require(principal: Principal): void {
    if (!can(principal, 'audit.read')) throw errors.forbidden('Your role does not allow you to see the audit log.');
  }

  async list(
    principal: Principal,
    filters: AuditFilters,
    page: { limit: number; offset: number },
  ): Promise<AuditEventList> {
    this.require(principal);
    const [rows, total] = await Promise.all([
      this.d.repo.list(principal.tenantId, filters, page.limit, page.offset),
      this.d.repo.count(principal.tenantId, filters),
    ]);
    return { events: rows.map(presentAuditEvent), total, ...page };
  }

  /**
   * The matching events as CSV (newest first, at most `REPORT_EXPORT_MAX` events and about
   * `AUDIT_EXPORT_MAX_BYTES` of their data: an event can hold a whole member list, ~70 KB, so
   * 10,000 of them read at once were hundreds of megabytes in memory); read a page at a time.
   * The export itself is audited after.
   */
  async exportCsv(principal: Principal, filters: AuditFilters): Promise<CsvExport> {
    this.require(principal);
    const events: AuditEventView[] = [];
    let bytes = 0;
    let truncated = false;
    for (let offset = 0; !truncated; offset += AUDIT_EXPORT_PAGE) {
      const rows = await this.d.repo.list(principal.tenantId, filters, AUDIT_EXPORT_PAGE, offset);
      for (const row of rows) {
        if (events.length === REPORT_EXPORT_MAX || bytes > (this.d.exportMaxBytes ?? AUDIT_EXPORT_MAX_BYTES)) {
          truncated = true;
          break;
        }
        bytes += row.data?.length ?? 0;
        events.push(presentAuditEvent(row));
      }
      if (rows.length < AUDIT_EXPORT_PAGE) break;
    }
    await this.d.audit.record(
      byPerson(principal, 'audit.exported', undefined, { filters, rows: events.length, truncated }),
    );
    return { csv: toCsv(AUDIT_CSV_HEADER, events.map(auditCsvRow)), rows: events.length, truncated };
  }

  /**
   * Checks the organization's chain from its oldest kept event to its newest, and the heads the
   * caller noted earlier (ADR 0035). The check is audited after, with what it found, so the next
   * check's head covers this one. A check reads the organization's whole log: one at a time per
   * organization on this node, and a few a minute per organization over all nodes; a refused one
   * (`rate_limited`) reads and records nothing.
   */
  async verify(principal: Principal, anchors: AuditChainPoint[]): Promise<AuditIntegrity> {
    this.require(principal);
    if (this.checking.has(principal.tenantId)) throw errors.rateLimited(VERIFY_RETRY_SECONDS);
    this.checking.add(principal.tenantId);
    try {
      const allowed = await this.d.verifyLimits.reserve([`audit-verify:tenant:${principal.tenantId}`]);
      if (!allowed.ok) throw errors.rateLimited(allowed.retryAfterSeconds);
      return await this.verifyNow(principal, anchors);
    } finally {
      this.checking.delete(principal.tenantId);
    }
  }

  private async verifyNow(principal: Principal, anchors: AuditChainPoint[]): Promise<AuditIntegrity> {
    const checkedAt = iso(this.d.clock.now());
    const report = await verifyChain(this.d.db, principal.tenantId, anchors);
    const intact =
      report.break === null && report.anchors.every((a) => a.result === 'matches' || a.result === 'pruned');
    await this.d.audit.record(
      byPerson(principal, 'audit.verified', undefined, {
        intact,
        events: report.events,
        head: report.head && { seq: report.head.seq, hash: report.head.hash },
        ...(report.break ? { break: report.break } : {}),
        ...(anchors.length > 0 ? { anchors: report.anchors } : {}),
      }),
    );
    return {
      checkedAt,
      intact,
      events: report.events,
      first: report.first,
      head: report.head,
      break: report.break && { eventId: report.break.id, seq: report.break.seq, reason: report.break.reason },
      anchors: report.anchors,
    };
  }
}
