/**
 * @module api/reports
 * Tenant administration > Remote Help: Monitor (live sessions, end one), the Remote Help
 * sessions history and its CSV export (`reports.read`), and the audit log with its CSV export
 * (`audit.read`). Every list is the caller's organization's only.
 *
 * CSV exports are RFC 4180 (CRLF, every field quoted when it holds `"`, `,`, CR or LF), UTF-8
 * with a byte-order mark so spreadsheet programs read non-Latin names, and cells that a
 * spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a
 * leading apostrophe. At most `REPORT_EXPORT_MAX` rows, newest first; `x-truncated: true` when cut.
 */
import {
  AuditCsvQuery,
  AuditEventList,
  AuditIntegrity,
  AuditQuery,
  EndSessionAsAdminResponse,
  LiveSessionList,
  SessionReportCsvQuery,
  SessionReportList,
  SessionReportQuery,
  VerifyAuditRequest,
} from '../reports.js';
import type { PermissionRule } from './contract.js';
import { EmptyBody, IdParams, endpoint } from './contract.js';

const READ_REPORTS: PermissionRule = {
  all: ['reports.read'],
  denied: 'Your role does not allow you to see Remote Help reports.',
};
const READ_AUDIT: PermissionRule = {
  all: ['audit.read'],
  denied: 'Your role does not allow you to see the audit log.',
};
/**
 * Ending someone else's session is the power `settings.manage` already has for all of them
 * (turning Remote Help off ends every live session), so it is the permission for one.
 */
const END_SESSIONS: PermissionRule = {
  all: ['settings.manage'],
  denied: 'Your role does not allow you to end Remote Help sessions.',
};
const CSV = { contentType: 'text/csv', description: 'UTF-8 CSV with a byte-order mark (RFC 4180).' };

export const listSessionReports = endpoint({
  name: 'listSessionReports',
  method: 'GET',
  path: '/api/v1/reports/sessions',
  summary: 'The organization’s Remote Help sessions, newest first, filtered and paged',
  description:
    '`from`/`to` bound the creation time (`from` inclusive, `to` exclusive); `q` matches the helper’s, the sharer’s and the device’s names and the people’s email. `total` counts every match.',
  tag: 'Reports',
  query: SessionReportQuery,
  status: 200,
  response: SessionReportList,
  caller: 'user',
  permission: READ_REPORTS,
  command: false,
});

export const exportSessionReportsCsv = endpoint({
  name: 'exportSessionReportsCsv',
  method: 'GET',
  path: '/api/v1/reports/sessions.csv',
  summary: 'The Remote Help sessions report as CSV, with the same filters (audited)',
  tag: 'Reports',
  query: SessionReportCsvQuery,
  status: 200,
  response: CSV,
  caller: 'user',
  permission: READ_REPORTS,
  command: false,
});

export const listLiveSessions = endpoint({
  name: 'listLiveSessions',
  method: 'GET',
  path: '/api/v1/reports/live-sessions',
  summary: 'Monitor: the organization’s sessions that have not ended, with who is connected now',
  tag: 'Reports',
  status: 200,
  response: LiveSessionList,
  caller: 'user',
  permission: READ_REPORTS,
  command: false,
});

export const endSessionAsAdmin = endpoint({
  name: 'endSessionAsAdmin',
  method: 'POST',
  path: '/api/v1/reports/live-sessions/:id/end',
  summary: 'Ends a live session of the organization (`terminated_by_admin`); both sides are told at once',
  description:
    'Needs `settings.manage`, the permission that can already end every session by turning Remote Help off. Audited as `session.ended` with `because: ended_by_admin`. Another organization’s session is `session_not_found`; an ended one `session_ended`.',
  tag: 'Reports',
  params: IdParams,
  body: EmptyBody,
  bodyOptional: true,
  status: 200,
  response: EndSessionAsAdminResponse,
  caller: 'user',
  permission: END_SESSIONS,
  command: true,
});

export const listAuditEvents = endpoint({
  name: 'listAuditEvents',
  method: 'GET',
  path: '/api/v1/audit',
  summary: 'The organization’s audit log, newest first, filtered and paged',
  description: '`from`/`to` bound the event time (`from` inclusive, `to` exclusive). `total` counts every match.',
  tag: 'Audit',
  query: AuditQuery,
  status: 200,
  response: AuditEventList,
  caller: 'user',
  permission: READ_AUDIT,
  command: false,
});

export const exportAuditCsv = endpoint({
  name: 'exportAuditCsv',
  method: 'GET',
  path: '/api/v1/audit.csv',
  summary: 'The audit log as CSV, with the same filters (audited)',
  tag: 'Audit',
  query: AuditCsvQuery,
  status: 200,
  response: CSV,
  caller: 'user',
  permission: READ_AUDIT,
  command: false,
});

export const verifyAudit = endpoint({
  name: 'verifyAudit',
  method: 'POST',
  path: '/api/v1/audit/verify',
  summary: 'Checks the organization’s audit log against its hash chain and against heads noted earlier (audited)',
  description:
    'Reads every kept event from the oldest to the newest and checks each hash and each link (ADR 0035). The chain proves nothing against someone who can write the database unless a head noted outside it is compared: pass heads from the server’s hourly `audit chain head` log lines, an earlier export or an earlier check as `anchors`. The check itself is audited as `audit.verified`. An event of the organization outside the chain (no number, or a number below 1) is a break (`unchained`). One check at a time per organization on a node, and five a minute per organization over all nodes: past them `429 rate_limited` with `Retry-After` (and `data.retryAfterSeconds`), nothing read or recorded.',
  tag: 'Audit',
  body: VerifyAuditRequest,
  bodyOptional: true,
  status: 200,
  response: AuditIntegrity,
  caller: 'user',
  permission: READ_AUDIT,
  command: true,
});
