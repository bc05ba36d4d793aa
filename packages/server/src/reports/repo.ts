/**
 * @module reports/repo
 * The only SQL of the sessions report and Monitor: help sessions of one tenant with their
 * helper, sharer and device, filtered, newest first. The highest mode a session reached is
 * read from its audit trail (every transition records the mode in force after it), by the
 * `audit_events_target_idx` index, so the session state machine keeps one writer.
 */
import type { EndReason } from '@remote-help/protocol';
import type { SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { jsonText, likeInsensitive } from '../db/dialect.js';
import type { Database } from '../db/schema.js';

/** The filters of a sessions query, already parsed and normalised (times as stored: ISO UTC). */
export interface SessionFilters {
  /** One session (Monitor's reply after ending it). */
  id?: string | undefined;
  deviceId?: string | undefined;
  helperId?: string | undefined;
  sharerId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  endReason?: EndReason | undefined;
  status?: 'live' | 'ended' | undefined;
  q?: string | undefined;
}

/** `%`, `_` and the escape itself match literally in a LIKE pattern. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type Joined = SelectQueryBuilder<
  Database & {
    s: Database['help_sessions'];
    h: Database['users'];
    p: Database['users'];
    d: Database['devices'];
  },
  's' | 'h' | 'p' | 'd',
  object
>;

export class ReportsRepo {
  constructor(private readonly db: Db) {}

  /** The tenant's sessions joined to their people and device, with the filters applied. */
  private filtered(tenantId: string, f: SessionFilters): Joined {
    let q = this.db
      .selectFrom('help_sessions as s')
      .leftJoin('users as h', (j) => j.onRef('h.id', '=', 's.helper_id').onRef('h.tenant_id', '=', 's.tenant_id'))
      .leftJoin('users as p', (j) => j.onRef('p.id', '=', 's.sharer_id').onRef('p.tenant_id', '=', 's.tenant_id'))
      .leftJoin('devices as d', (j) => j.onRef('d.id', '=', 's.device_id').onRef('d.tenant_id', '=', 's.tenant_id'))
      .where('s.tenant_id', '=', tenantId) as unknown as Joined;
    if (f.id) q = q.where('s.id', '=', f.id);
    if (f.deviceId) q = q.where('s.device_id', '=', f.deviceId);
    if (f.helperId) q = q.where('s.helper_id', '=', f.helperId);
    if (f.sharerId) q = q.where('s.sharer_id', '=', f.sharerId);
    if (f.from) q = q.where('s.created_at', '>=', f.from);
    if (f.to) q = q.where('s.created_at', '<', f.to);
    if (f.endReason) q = q.where('s.end_reason', '=', f.endReason);
    if (f.status === 'live') q = q.where('s.state', '!=', 'ended');
    if (f.status === 'ended') q = q.where('s.state', '=', 'ended');
    if (f.q) {
      const pattern = likePattern(f.q);
      const like = (column: string) => likeInsensitive(this.db, column, pattern);
      q = q.where((eb) =>
        eb.or([like('h.display_name'), like('h.email'), like('p.display_name'), like('p.email'), like('d.name')]),
      );
    }
    return q;
  }

  /** How many sessions match. */
  async count(tenantId: string, f: SessionFilters): Promise<number> {
    const row = await this.filtered(tenantId, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One page of matching sessions, newest first. */
  async list(tenantId: string, f: SessionFilters, limit: number, offset = 0): Promise<SessionReportRow[]> {
    return this.filtered(tenantId, f)
      .selectAll('s')
      .select([
        'h.display_name as helper_name',
        'h.email as helper_email',
        'p.display_name as sharer_name',
        'p.email as sharer_email',
        'd.name as device_name',
        sql<number | null>`(SELECT MAX(
            CASE ${jsonText(this.db, 'a.data', 'mode')} WHEN 'control' THEN 2 WHEN 'view' THEN 1 ELSE 0 END)
          FROM audit_events a
          WHERE a.tenant_id = s.tenant_id AND a.target_type = 'session' AND a.target_id = s.id)`.as(
          'highest_mode_rank',
        ),
      ])
      .orderBy('s.created_at', 'desc')
      .orderBy('s.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute() as Promise<SessionReportRow[]>;
  }
}

/** A session row with what the report shows beside it. */
export interface SessionReportRow {
  id: string;
  tenant_id: string;
  helper_id: string;
  sharer_id: string | null;
  state: string;
  mode: string | null;
  sharer_client: string | null;
  device_id: string | null;
  end_reason: string | null;
  sharer_enrolled: number | null;
  sharer_compliance: string | null;
  sharer_failing_rules: string | null;
  created_at: string;
  joined_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  helper_name: string | null;
  helper_email: string | null;
  sharer_name: string | null;
  sharer_email: string | null;
  device_name: string | null;
  /** 2: full control was allowed at some point, 1: view only, 0 or null: neither. */
  highest_mode_rank: number | null;
}
