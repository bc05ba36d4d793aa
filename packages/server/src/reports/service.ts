/**
 * @module reports/service
 * The Remote Help sessions report, its CSV export and Monitor (live sessions, ending one).
 * Everything is the caller's organization's; exports are audited with their filters and
 * row count, since they take personal data out of the service.
 */
import type {
  LiveSessionReport,
  Role,
  SessionReport,
  SessionReportList,
} from '@remote-help/protocol';
import { LIVE_SESSIONS_MAX, REPORT_EXPORT_MAX } from '@remote-help/protocol';
import type { AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import { errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import type { Clock } from '../time.js';
import { toCsv } from './csv.js';
import { SESSION_CSV_HEADER, presentSessionReport, sessionCsvRow } from './presenter.js';
import type { ReportsRepo, SessionFilters } from './repo.js';

export interface ReportsServiceDeps {
  repo: ReportsRepo;
  audit: AuditLog;
  clock: Clock;
  /** Whether a side of a session holds a live connection now (on any node). */
  isPresent: (sessionId: string, role: Role) => Promise<boolean>;
  /** Ends one live session of the principal's tenant as an administrator (`SessionService.endAsAdmin`). */
  endSession: (principal: Principal, id: string) => Promise<void>;
}

/** A CSV file and whether it was cut at `REPORT_EXPORT_MAX` rows. */
export interface CsvExport {
  csv: string;
  rows: number;
  truncated: boolean;
}

export class ReportsService {
  constructor(private readonly d: ReportsServiceDeps) {}

  private require(principal: Principal, permission: 'reports.read' | 'settings.manage', what: string): void {
    if (!can(principal, permission)) throw errors.forbidden(`Your role does not allow you to ${what}.`);
  }

  async list(
    principal: Principal,
    filters: SessionFilters,
    page: { limit: number; offset: number },
  ): Promise<SessionReportList> {
    this.require(principal, 'reports.read', 'see Remote Help reports');
    const [rows, total] = await Promise.all([
      this.d.repo.list(principal.tenantId, filters, page.limit, page.offset),
      this.d.repo.count(principal.tenantId, filters),
    ]);
    const now = this.d.clock.now();
    return { sessions: rows.map((r) => presentSessionReport(r, now)), total, ...page };
  }

  /** The matching sessions as CSV (newest first, at most `REPORT_EXPORT_MAX`); audited. */
  async exportCsv(principal: Principal, filters: SessionFilters): Promise<CsvExport> {
    this.require(principal, 'reports.read', 'see Remote Help reports');
    const rows = await this.d.repo.list(principal.tenantId, filters, REPORT_EXPORT_MAX + 1);
    const truncated = rows.length > REPORT_EXPORT_MAX;
    const now = this.d.clock.now();
    const reports = rows.slice(0, REPORT_EXPORT_MAX).map((r) => presentSessionReport(r, now));
    await this.d.audit.record(byPerson(principal, 'reports.sessions_exported', undefined, { filters, rows: reports.length, truncated }));
    return { csv: toCsv(SESSION_CSV_HEADER, reports.map(sessionCsvRow)), rows: reports.length, truncated };
  }

  /** Monitor: sessions that have not ended, newest first, with who is connected now. */
  async live(principal: Principal): Promise<{ sessions: LiveSessionReport[]; total: number }> {
    this.require(principal, 'reports.read', 'see Remote Help reports');
    const filters: SessionFilters = { status: 'live' };
    const [rows, total] = await Promise.all([
      this.d.repo.list(principal.tenantId, filters, LIVE_SESSIONS_MAX),
      this.d.repo.count(principal.tenantId, filters),
    ]);
    const now = this.d.clock.now();
    return {
      sessions: await Promise.all(
        rows.map(async (r) => ({
          ...presentSessionReport(r, now),
          helperOnline: await this.d.isPresent(r.id, 'helper'),
          sharerOnline: r.sharer_id !== null && (await this.d.isPresent(r.id, 'sharer')),
        })),
      ),
      total,
    };
  }

  /** Ends a live session (`terminated_by_admin`, audited by the session service); returns it as it ended. */
  async end(principal: Principal, id: string): Promise<SessionReport> {
    this.require(principal, 'settings.manage', 'end Remote Help sessions');
    await this.d.endSession(principal, id);
    const [row] = await this.d.repo.list(principal.tenantId, { id }, 1);
    if (!row) throw errors.sessionNotFound();
    return presentSessionReport(row, this.d.clock.now());
  }
}
