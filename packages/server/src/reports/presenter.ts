/**
 * @module reports/presenter
 * A session row of the report as the contract's `SessionReport`, and as a CSV row. Names pass
 * through `displayText` like everywhere else people and devices are shown.
 */
import type { EndReason, SessionMode, SessionReport, SessionState, SharerClient } from '@remote-help/protocol';
import { displayText } from '@remote-help/protocol';
import { deviceDisplayName, presentCompliance } from '../devices/presenter.js';
import { PERSON_TEXT_MAX } from '../users/presenter.js';
import type { CsvValue } from './csv.js';
import type { SessionReportRow } from './repo.js';

const person = (id: string, name: string | null, email: string | null) => {
  const upn = displayText(email, { max: 254, fallback: '' });
  return { id, name: displayText(name, { max: PERSON_TEXT_MAX, fallback: upn || '—' }), upn };
};

const highestMode = (rank: number | null): SessionMode | null => (rank === 2 ? 'control' : rank === 1 ? 'view' : null);

/** Whole seconds from `startedAt` to `endedAt` (or `now` while live); null when sharing never started. */
export function durationSeconds(startedAt: string | null, endedAt: string | null, now: number): number | null {
  if (!startedAt) return null;
  const end = endedAt ? Date.parse(endedAt) : now;
  return Math.max(0, Math.floor((end - Date.parse(startedAt)) / 1000));
}

export function presentSessionReport(row: SessionReportRow, now: number): SessionReport {
  const ended = row.state === 'ended';
  return {
    id: row.id,
    state: row.state as SessionState,
    status: ended ? 'ended' : 'live',
    helper: person(row.helper_id, row.helper_name, row.helper_email),
    sharer: row.sharer_id ? person(row.sharer_id, row.sharer_name, row.sharer_email) : null,
    sharerClient: row.sharer_client as SharerClient | null,
    device: row.device_id ? { id: row.device_id, name: deviceDisplayName(row.device_name, row.device_id) } : null,
    createdAt: row.created_at,
    joinedAt: row.joined_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationSeconds: durationSeconds(row.started_at, row.ended_at, now),
    mode: ended ? null : (row.mode as SessionMode | null),
    highestMode: highestMode(row.highest_mode_rank),
    endReason: row.end_reason as EndReason | null,
    sharerDevice:
      row.sharer_enrolled === null
        ? null
        : {
            enrolled: row.sharer_enrolled === 1,
            ...(row.sharer_enrolled === 1
              ? presentCompliance(row.sharer_compliance, row.sharer_failing_rules)
              : { compliance: null, failingRules: [] }),
          },
  };
}

/** The columns of `sessions.csv`, in order. Times are ISO 8601 UTC. */
export const SESSION_CSV_HEADER = [
  'Session ID',
  'Created (UTC)',
  'Joined (UTC)',
  'Started (UTC)',
  'Ended (UTC)',
  'Duration (seconds)',
  'Status',
  'Helper',
  'Helper UPN',
  'Sharer',
  'Sharer UPN',
  'Sharer app',
  'Device',
  'Device ID',
  'Highest mode',
  'End reason',
  'Enrolled',
  'Compliance at start',
  'Failing rules',
] as const;

export function sessionCsvRow(r: SessionReport): CsvValue[] {
  return [
    r.id,
    r.createdAt,
    r.joinedAt,
    r.startedAt,
    r.endedAt,
    r.durationSeconds,
    r.status,
    r.helper.name,
    r.helper.upn,
    r.sharer?.name,
    r.sharer?.upn,
    r.sharerClient,
    r.device?.name,
    r.device?.id,
    r.highestMode,
    r.endReason,
    r.sharerDevice ? (r.sharerDevice.enrolled ? 'yes' : 'no') : null,
    r.sharerDevice?.compliance,
    r.sharerDevice?.failingRules.map((f) => f.message).join('; '),
  ];
}
