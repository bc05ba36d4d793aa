/** A session row as `help_sessions` holds it: active in view mode between `h1` and `s1` of tenant `t1`, for tests. */
import type { SessionRow } from '../sessions/repo.js';

export function activeSessionRow(version: number, at = new Date().toISOString()): SessionRow {
  return {
    id: 'sess1',
    tenant_id: 't1',
    helper_id: 'h1',
    sharer_id: 's1',
    code_hash: null,
    spent_code_hash: 'x',
    code_expires_at: null,
    state: 'active',
    mode: 'view',
    pending_mode: null,
    sharer_client: 'web',
    device_id: null,
    end_reason: null,
    sharer_status: 'sharing',
    sharer_enrolled: 0,
    sharer_compliance: null,
    sharer_failing_rules: '[]',
    version,
    created_at: at,
    joined_at: at,
    started_at: at,
    ended_at: null,
    updated_at: at,
  };
}
