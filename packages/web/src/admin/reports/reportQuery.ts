/**
 * @module admin/reports/reportQuery
 * The reports pages keep their filters and page in the address (a link or the back button
 * shows the same view), read back strictly: a value the contract would refuse is dropped,
 * not sent. Dates are the reader's calendar days: `from` is the start of that local day,
 * `to` the start of the day after, so "to 3 March" includes all of 3 March.
 */
import type { AuditAction, AuditActorType, AuditTargetType, EndReason, SessionReportStatus } from '@remote-help/protocol';
import { AuditAction as AuditActionSchema, AuditActorType as ActorTypeSchema } from '@remote-help/protocol';
import { AuditTargetType as TargetTypeSchema, EndReason as EndReasonSchema, Id } from '@remote-help/protocol';
import { SessionReportStatus as StatusSchema } from '@remote-help/protocol';
import type { AuditCsvQuery, SessionReportCsvQuery } from '@remote-help/protocol';

/** Rows per page of both lists. */
export const PAGE_SIZE = 50;

/** `YYYY-MM-DD` as an `<input type="date">` gives it. */
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A valid calendar day, or ''. */
export function dayOf(value: string | null): string {
  const match = value ? DAY.exec(value) : null;
  if (!match) return '';
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d ? (value ?? '') : '';
}

/** The instant the local day `day` starts, `days` later (ISO 8601, UTC). */
export function dayStart(day: string, days = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + days).toISOString();
}

/** The shared part of both views: the period and the page. */
interface Period {
  from: string;
  to: string;
  page: number;
}

/** True when `to` is before `from` (the page says so instead of asking the server). */
export const periodInverted = (v: Pick<Period, 'from' | 'to'>): boolean => Boolean(v.from && v.to && v.to < v.from);

function periodQuery(v: Period): { from?: string; to?: string } {
  return {
    ...(v.from ? { from: dayStart(v.from) } : {}),
    ...(v.to ? { to: dayStart(v.to, 1) } : {}),
  };
}

const idOf = (value: string | null): string | null => (value && Id.safeParse(value).success ? value : null);
const pageOf = (value: string | null): number => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n < 20_000 ? n : 0;
};
function enumOf<T extends string>(schema: { safeParse(v: unknown): { success: boolean } }, value: string | null) {
  return value !== null && schema.safeParse(value).success ? (value as T) : null;
}
const set = (params: URLSearchParams, key: string, value: string | number | null) => {
  if (value !== null && value !== '' && value !== 0) params.set(key, String(value));
};

// Sessions ------------------------------------------------------------------------------

export interface SessionsView extends Period {
  q: string;
  status: SessionReportStatus | null;
  endReason: EndReason | null;
  deviceId: string | null;
  helperId: string | null;
  sharerId: string | null;
}

export function sessionsViewFromParams(params: URLSearchParams): SessionsView {
  return {
    q: (params.get('q') ?? '').slice(0, 100),
    status: enumOf<SessionReportStatus>(StatusSchema, params.get('status')),
    endReason: enumOf<EndReason>(EndReasonSchema, params.get('endReason')),
    deviceId: idOf(params.get('deviceId')),
    helperId: idOf(params.get('helperId')),
    sharerId: idOf(params.get('sharerId')),
    from: dayOf(params.get('from')),
    to: dayOf(params.get('to')),
    page: pageOf(params.get('page')),
  };
}

export function paramsFromSessionsView(v: SessionsView): URLSearchParams {
  const params = new URLSearchParams();
  set(params, 'q', v.q);
  set(params, 'status', v.status);
  set(params, 'endReason', v.endReason);
  set(params, 'deviceId', v.deviceId);
  set(params, 'helperId', v.helperId);
  set(params, 'sharerId', v.sharerId);
  set(params, 'from', v.from);
  set(params, 'to', v.to);
  set(params, 'page', v.page);
  return params;
}

/** The filters as the contract takes them (the CSV export sends exactly these). */
export function sessionFilters(v: SessionsView): SessionReportCsvQuery {
  const q = v.q.trim();
  return {
    ...(q ? { q } : {}),
    ...(v.status ? { status: v.status } : {}),
    ...(v.endReason ? { endReason: v.endReason } : {}),
    ...(v.deviceId ? { deviceId: v.deviceId } : {}),
    ...(v.helperId ? { helperId: v.helperId } : {}),
    ...(v.sharerId ? { sharerId: v.sharerId } : {}),
    ...periodQuery(v),
  };
}

export const sessionsFiltered = (v: SessionsView): boolean => Object.keys(sessionFilters(v)).length > 0;

// Audit ---------------------------------------------------------------------------------

export interface AuditView extends Period {
  action: AuditAction | null;
  actorType: AuditActorType | null;
  actorId: string | null;
  targetType: AuditTargetType | null;
  targetId: string | null;
}

export function auditViewFromParams(params: URLSearchParams): AuditView {
  return {
    action: enumOf<AuditAction>(AuditActionSchema, params.get('action')),
    actorType: enumOf<AuditActorType>(ActorTypeSchema, params.get('actorType')),
    actorId: idOf(params.get('actorId')),
    targetType: enumOf<AuditTargetType>(TargetTypeSchema, params.get('targetType')),
    targetId: idOf(params.get('targetId')),
    from: dayOf(params.get('from')),
    to: dayOf(params.get('to')),
    page: pageOf(params.get('page')),
  };
}

export function paramsFromAuditView(v: AuditView): URLSearchParams {
  const params = new URLSearchParams();
  set(params, 'action', v.action);
  set(params, 'actorType', v.actorType);
  set(params, 'actorId', v.actorId);
  set(params, 'targetType', v.targetType);
  set(params, 'targetId', v.targetId);
  set(params, 'from', v.from);
  set(params, 'to', v.to);
  set(params, 'page', v.page);
  return params;
}

export function auditFilters(v: AuditView): AuditCsvQuery {
  return {
    ...(v.action ? { action: v.action } : {}),
    ...(v.actorType ? { actorType: v.actorType } : {}),
    ...(v.actorId ? { actorId: v.actorId } : {}),
    ...(v.targetType ? { targetType: v.targetType } : {}),
    ...(v.targetId ? { targetId: v.targetId } : {}),
    ...periodQuery(v),
  };
}

export const auditFiltered = (v: AuditView): boolean => Object.keys(auditFilters(v)).length > 0;

/** `remote-help-sessions-20260301-091500.csv`: a name with the local date and time of the export. */
export function csvFileName(base: string, now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  return `${base}-${date}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}.csv`;
}
