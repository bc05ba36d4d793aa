/**
 * @module reports/routes
 * The reports endpoints of the contract (`api/reports.ts`) to their services: the sessions
 * report, Monitor, the audit log, and both CSV exports (sent as attachments, never cached).
 * Caller, CSRF, permission and parsing are `http/endpoint.ts`'s.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditQueries } from '../audit/queries.js';
import { registerEndpoints } from '../http/endpoint.js';
import type { Clock } from '../time.js';
import type { ReportsService } from './service.js';

export interface ReportsRoutesOptions {
  reports: ReportsService;
  auditQueries: AuditQueries;
  clock: Clock;
  publicOrigin: string;
}

/** Sends a CSV file as a download named `<name>-<UTC date and time>.csv`. */
function sendCsv(reply: FastifyReply, name: string, now: number, file: { csv: string; truncated: boolean }) {
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return reply
    .status(200)
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${stamp}.csv"`)
    .header('cache-control', 'no-store')
    .header('x-truncated', String(file.truncated))
    .send(file.csv);
}

export async function reportsRoutes(app: FastifyInstance, o: ReportsRoutesOptions): Promise<void> {
  registerEndpoints(app, o, {
    listSessionReports: async ({ principal, query: { limit, offset, ...filters } }) =>
      o.reports.list(principal, filters, { limit, offset }),
    exportSessionReportsCsv: async ({ principal, query, reply }) =>
      sendCsv(reply, 'remote-help-sessions', o.clock.now(), await o.reports.exportCsv(principal, query)),
    listLiveSessions: async ({ principal }) => o.reports.live(principal),
    endSessionAsAdmin: async ({ principal, params }) => ({ session: await o.reports.end(principal, params.id) }),
    listAuditEvents: async ({ principal, query: { limit, offset, ...filters } }) =>
      o.auditQueries.list(principal, filters, { limit, offset }),
    exportAuditCsv: async ({ principal, query, reply }) =>
      sendCsv(reply, 'audit-log', o.clock.now(), await o.auditQueries.exportCsv(principal, query)),
    verifyAudit: async ({ principal, body }) => o.auditQueries.verify(principal, body.anchors),
  });
}
