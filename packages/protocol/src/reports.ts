/**
 * @module reports
 * Reports for administrators (Tenant administration > Remote Help > Monitor, Remote Help
 * sessions) and the audit log: the rows, the filters and the closed vocabulary of audit actions.
 */
import { z } from 'zod';
import { ComplianceState, FailingRule } from './compliance.js';
import { Id } from './people.js';
import { EndReason, SessionMode, SessionState, SharerClient } from './sessions.js';

/**
 * Every action the server writes to the audit log. The server's `AuditLog.record` accepts only
 * these (compile time), so a new action joins this list before it can be written.
 * `session.<event>` follow the session state machine's events.
 */
export const AUDIT_ACTIONS = [
  // Sessions
  'session.created',
  'session.launched',
  'session.redeem',
  'session.request',
  'session.allow',
  'session.decline',
  'session.dropControl',
  'session.ended',
  'session.paused',
  'session.resumed',
  'session.sharer_status',
  'session.join_refused',
  'session.code_rejected',
  'session.out_of_scope',
  // Sign-in
  'signin.succeeded',
  'signin.failed',
  'signin.mfa_failed',
  'signin.recovery_code_used',
  'signin.blocked_by_policy',
  'signin.passkey_failed',
  'app.signed_in',
  'app.signed_out',
  'security.code_guessing_suspected',
  // Organization
  'tenant.seeded',
  'tenant.settings_updated',
  // Devices and compliance
  'enrollment_token.created',
  'enrollment_token.revoked',
  'device.enrolled',
  'device.primary_user_set',
  'device.revoked',
  'compliance_policy.created',
  'compliance_policy.updated',
  'compliance_policy.deleted',
  'ca_policy.created',
  'ca_policy.updated',
  'ca_policy.deleted',
  'named_location.created',
  'named_location.updated',
  'named_location.deleted',
  // Directory and RBAC
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.password_reset',
  'user.password_changed',
  'user.mfa_enrolled',
  'user.mfa_removed',
  'user.mfa_reset',
  'user.passkey_added',
  'user.passkey_renamed',
  'user.passkey_removed',
  'user.passkeys_reset',
  'user.identity_unlinked',
  'user.signed_out_everywhere',
  'user.photo_updated',
  'user.photo_removed',
  'user.language_changed',
  'group.created',
  'group.updated',
  'group.members_set',
  'group.deleted',
  'role.created',
  'role.updated',
  'role.deleted',
  'assignment.created',
  'assignment.updated',
  'assignment.deleted',
  // Identity (federation)
  'identity_provider.created',
  'identity_provider.updated',
  'identity_provider.deleted',
  // Domains
  'domain.added',
  'domain.verified',
  'domain.removed',
  // Reports and audit
  'reports.sessions_exported',
  'audit.exported',
  'audit.verified',
  'retention.pruned',
  // Chat: messages themselves are not audited (ADR 0017); someone else's thread read by an administrator is
  'chat.thread_read',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

/** What an audit event can be about. */
export const AUDIT_TARGET_TYPES = [
  'session',
  'tenant',
  'user',
  'device',
  'enrollment_token',
  'group',
  'role',
  'assignment',
  'compliance_policy',
  'ca_policy',
  'named_location',
  'identity_provider',
  'domain',
] as const;
export const AuditTargetType = z.enum(AUDIT_TARGET_TYPES);
export type AuditTargetType = z.infer<typeof AuditTargetType>;

/** Who did it: a person, the server itself (expiry, retention, seeding) or an enrolled device. */
export const AuditActorType = z.enum(['user', 'system', 'device']);
export type AuditActorType = z.infer<typeof AuditActorType>;

/** Largest page of a report list. */
export const REPORT_PAGE_MAX = 200;
/** Most rows one CSV export holds (newest first); the reply says when it was cut (`x-truncated: true`). */
export const REPORT_EXPORT_MAX = 10_000;

/**
 * An instant in a filter: ISO 8601 with a time and an offset (`2026-03-01T00:00:00Z`,
 * `2026-03-01T08:00:00+08:00`), normalised to UTC with milliseconds as the server stores times.
 */
export const ReportInstant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  // Stored times compare as text: a year past 9999 (`+010000-…`, from 9999-12-31 with a negative offset) would sort
  // before every one of them and a filter would quietly match nothing.
  .refine((s) => /^\d{4}-/.test(s), 'must fall within the years 0000 to 9999 in UTC')
  .describe('ISO 8601 date and time with an offset');

const Limit = z.coerce.number().int().min(1).max(REPORT_PAGE_MAX).default(50);
const Offset = z.coerce.number().int().min(0).max(1_000_000).default(0);

/** `from` must not be after `to`. */
const ordered = (q: { from?: string | undefined; to?: string | undefined }) => !q.from || !q.to || q.from <= q.to;
const ORDER = { message: '`from` must not be after `to`', path: ['to'] };

/** Live: the session has not ended (waiting for its sharer, joined, asked for, or running). */
export const SessionReportStatus = z.enum(['live', 'ended']);
export type SessionReportStatus = z.infer<typeof SessionReportStatus>;

/** The filters of the Remote Help sessions report (and its CSV export). `from`/`to` bound `createdAt` ([from, to)). */
export const SessionReportFilters = z.strictObject({
  deviceId: Id.optional(),
  helperId: Id.optional(),
  sharerId: Id.optional(),
  from: ReportInstant.optional(),
  to: ReportInstant.optional(),
  endReason: EndReason.optional(),
  status: SessionReportStatus.optional(),
  /** Free text over the helper's, the sharer's and the device's names (and the people's email). */
  q: z.string().trim().min(1).max(100).optional(),
});
export const SessionReportCsvQuery = SessionReportFilters.refine(ordered, ORDER);
export type SessionReportCsvQuery = z.input<typeof SessionReportCsvQuery>;
export const SessionReportQuery = SessionReportFilters.extend({ limit: Limit, offset: Offset }).refine(ordered, ORDER);
export type SessionReportQuery = z.input<typeof SessionReportQuery>;

/** A person in a report: their name and UPN (sign-in email) as they are now. */
export const ReportPerson = z.object({ id: Id, name: z.string(), upn: z.string() });
export type ReportPerson = z.infer<typeof ReportPerson>;

/** One Remote Help session in the history. */
export const SessionReport = z.object({
  id: Id,
  state: SessionState,
  status: SessionReportStatus,
  helper: ReportPerson,
  /** Null until someone joined. */
  sharer: ReportPerson.nullable(),
  sharerClient: SharerClient.nullable(),
  /** The enrolled device, or null for a web sharer and an agent on an unenrolled device. */
  device: z.object({ id: Id, name: z.string() }).nullable(),
  createdAt: z.string(),
  joinedAt: z.string().nullable(),
  /** When the sharer first allowed a mode (sharing started); null when it never did. */
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** From `startedAt` to `endedAt` (or now while live); null when sharing never started. */
  durationSeconds: z.number().int().nonnegative().nullable(),
  /** The mode in force now (live sessions only). */
  mode: SessionMode.nullable(),
  /** The highest mode the sharer allowed during the session: `control` over `view`; null when none. */
  highestMode: SessionMode.nullable(),
  endReason: EndReason.nullable(),
  /**
   * The sharer's device when they joined, as the session record keeps it (later policy
   * changes do not rewrite it); null before anyone joined.
   */
  sharerDevice: z
    .object({ enrolled: z.boolean(), compliance: ComplianceState.nullable(), failingRules: z.array(FailingRule) })
    .nullable(),
});
export type SessionReport = z.infer<typeof SessionReport>;

/** A page of the history, newest first, and how many sessions match in all. */
export const SessionReportList = z.object({
  sessions: z.array(SessionReport).max(REPORT_PAGE_MAX),
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type SessionReportList = z.infer<typeof SessionReportList>;

/** A live session in Monitor, with whether each side holds a connection now. */
export const LiveSessionReport = SessionReport.extend({ helperOnline: z.boolean(), sharerOnline: z.boolean() });
export type LiveSessionReport = z.infer<typeof LiveSessionReport>;

/** Most live sessions Monitor lists (newest first). */
export const LIVE_SESSIONS_MAX = 500;
export const LiveSessionList = z.object({
  sessions: z.array(LiveSessionReport).max(LIVE_SESSIONS_MAX),
  /** How many live sessions the organization has (may exceed the list). */
  total: z.number().int().nonnegative(),
});
export type LiveSessionList = z.infer<typeof LiveSessionList>;

/** `POST /api/v1/reports/live-sessions/:id/end` → the session as it ended. */
export const EndSessionAsAdminResponse = z.object({ session: SessionReport });
export type EndSessionAsAdminResponse = z.infer<typeof EndSessionAsAdminResponse>;

/** An audit event's hash: SHA-256, 64 lowercase hex digits. */
export const AuditHash = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash: 64 hex digits');

/** A place in an organization's audit chain: an event's number and hash (a chain head noted earlier). */
export const AuditChainPoint = z.strictObject({
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  hash: z.string().trim().toLowerCase().pipe(AuditHash),
});
export type AuditChainPoint = z.infer<typeof AuditChainPoint>;

/** Most noted heads one integrity check compares. */
export const AUDIT_ANCHORS_MAX = 20;

/** `POST /api/v1/audit/verify`: heads noted earlier (from the server's log, an export or this check) to compare. */
export const VerifyAuditRequest = z.strictObject({
  anchors: z.array(AuditChainPoint).max(AUDIT_ANCHORS_MAX).default([]),
});
export type VerifyAuditRequest = z.input<typeof VerifyAuditRequest>;

const ChainEnd = z.object({ seq: z.number().int().positive(), hash: AuditHash, at: z.string() });

/**
 * What the integrity check found. `intact`: every kept event matches its hash and links to the one
 * before it, and no noted head differs or is missing (one older than the oldest kept event is `pruned`). `break` is the first place that does not hold.
 */
export const AuditIntegrity = z.object({
  checkedAt: z.string(),
  intact: z.boolean(),
  events: z.number().int().nonnegative(),
  /** The oldest kept event (older ones were removed by retention) and the newest. */
  first: ChainEnd.nullable(),
  head: ChainEnd.nullable(),
  break: z
    .object({
      eventId: z.number().int().positive(),
      seq: z.number().int().positive().nullable(),
      reason: z.enum(['hash_mismatch', 'link_mismatch', 'seq_gap', 'unchained']),
    })
    .nullable(),
  anchors: z.array(
    z.object({
      seq: z.number().int().positive(),
      hash: AuditHash,
      /** `pruned`: older than the oldest event kept, so it cannot be compared (does not make the log not intact). */
      result: z.enum(['matches', 'differs', 'missing', 'pruned']),
    }),
  ),
});
export type AuditIntegrity = z.infer<typeof AuditIntegrity>;

/** The filters of the audit log (and its CSV export). `from`/`to` bound `at` ([from, to)). */
export const AuditFilters = z.strictObject({
  action: AuditAction.optional(),
  actorType: AuditActorType.optional(),
  actorId: Id.optional(),
  targetType: AuditTargetType.optional(),
  targetId: Id.optional(),
  from: ReportInstant.optional(),
  to: ReportInstant.optional(),
});
export const AuditCsvQuery = AuditFilters.refine(ordered, ORDER);
export type AuditCsvQuery = z.input<typeof AuditCsvQuery>;
export const AuditQuery = AuditFilters.extend({ limit: Limit, offset: Offset }).refine(ordered, ORDER);
export type AuditQuery = z.input<typeof AuditQuery>;

/** One audit event. `data` holds `{ before, after }` for administrative changes. */
export const AuditEventView = z.object({
  id: z.number().int().positive(),
  at: z.string(),
  actor: z.object({
    type: AuditActorType,
    id: z.string().nullable(),
    /** The person's display name (or the device's name) when still known. */
    name: z.string().nullable(),
    upn: z.string().nullable(),
  }),
  /** One of {@link AUDIT_ACTIONS} (older records may hold an action since renamed). */
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string(), name: z.string().nullable() }).nullable(),
  ip: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  /** The event's place in the organization's hash chain and its hash (ADR 0035); null: written around the service. */
  seq: z.number().int().positive().nullable(),
  hash: AuditHash.nullable(),
});
export type AuditEventView = z.infer<typeof AuditEventView>;

export const AuditEventList = z.object({
  events: z.array(AuditEventView).max(REPORT_PAGE_MAX),
  total: z.number().int().nonnegative(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type AuditEventList = z.infer<typeof AuditEventList>;
