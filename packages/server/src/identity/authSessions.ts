/**
 * @module identity/authSessions
 * Browser sign-in sessions: a random token in an HttpOnly cookie, stored only as its
 * SHA-256, with a CSRF token bound to it.
 */
import type { Db } from '../db/client.js';
import { compiledOnce } from '../db/compiledOnce.js';
import { newToken, sha256 } from '../ids.js';
import { permissionsOf } from '../rbac/policy.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { Principal } from './principal.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface ResolvedSession {
  principal: Principal;
  /** Null for bearer-token callers: a header token is not an ambient credential, so CSRF does not apply. */
  csrfToken: string | null;
  /**
   * Whether the same credential (cookie or bearer token) still signs this person in: a long-lived
   * WebSocket asks when their sign-ins were ended (`ws/gateway`). Set by `http/auth`.
   */
  recheck?: () => Promise<boolean>;
}

export class AuthSessions {
  /**
   * One query: the session, its user, and the roles of the assignments whose member groups
   * hold the user (one row per group × assignment; a user in no assignment gives one row of
   * nulls). Built once (`db/compiledOnce`): it runs on every API request and WebSocket.
   */
  private readonly resolveQuery = compiledOnce((slot: (name: 'id') => string) =>
    this.db
      .selectFrom('auth_sessions')
      .innerJoin('users', (join) =>
        join.onRef('users.id', '=', 'auth_sessions.user_id').onRef('users.tenant_id', '=', 'auth_sessions.tenant_id'),
      )
      .leftJoin('rbac_group_members as gm', (join) =>
        join.onRef('gm.tenant_id', '=', 'auth_sessions.tenant_id').onRef('gm.member_id', '=', 'auth_sessions.user_id'),
      )
      .leftJoin('rbac_assignment_groups as ag', (join) =>
        join.onRef('ag.group_id', '=', 'gm.group_id').on('ag.relation', '=', 'member'),
      )
      .leftJoin('rbac_assignments as a', (join) =>
        join.onRef('a.id', '=', 'ag.assignment_id').onRef('a.tenant_id', '=', 'auth_sessions.tenant_id'),
      )
      .leftJoin('rbac_roles as r', (join) =>
        join.onRef('r.id', '=', 'a.role_id').onRef('r.tenant_id', '=', 'a.tenant_id'),
      )
      .select([
        'auth_sessions.tenant_id',
        'auth_sessions.user_id',
        'auth_sessions.csrf_token',
        'auth_sessions.expires_at',
        'auth_sessions.amr',
        'auth_sessions.auth_time',
        'auth_sessions.user_agent',
        'users.disabled',
        'a.role_id',
        'r.permissions as custom_permissions',
      ])
      .where('auth_sessions.id', '=', slot('id')),
  );

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** `how`: the sign-in's `amr` and `auth_time` (seconds) from the ID token, for conditional access. */
  async create(
    user: { id: string; tenant_id: string },
    ip: string | null,
    userAgent: string | null,
    how: { amr?: readonly string[]; authTime?: number | null } = {},
  ): Promise<string> {
    const token = newToken();
    const now = this.clock.now();
    await this.db
      .insertInto('auth_sessions')
      .values({
        id: sha256(token),
        tenant_id: user.tenant_id,
        user_id: user.id,
        csrf_token: newToken(),
        ip,
        user_agent: userAgent?.slice(0, 512) ?? null,
        created_at: iso(now),
        expires_at: iso(now + SESSION_TTL_MS),
        last_seen_at: iso(now),
        amr: JSON.stringify(how.amr ?? []),
        auth_time: how.authTime ? iso(how.authTime * 1000) : iso(now),
      })
      .execute();
    return token;
  }

  /** The principal behind a cookie token, or undefined when unknown, expired or the user is disabled. */
  async resolve(token: string, ip: string | null): Promise<ResolvedSession | undefined> {
    if (token.length > 100) return undefined;
    const { rows } = await this.db.executeQuery(this.resolveQuery({ id: sha256(token) }));
    const row = rows[0];
    if (!row || row.disabled || row.expires_at <= iso(this.clock.now())) return undefined;
    const permissions = permissionsOf(
      rows.flatMap((r) => (r.role_id ? [{ roleId: r.role_id, customPermissions: r.custom_permissions }] : [])),
    );
    return {
      principal: {
        userId: row.user_id,
        tenantId: row.tenant_id,
        permissions,
        ip,
        client: 'web',
        amr: amrOf(row.amr),
        authTime: row.auth_time ? Date.parse(row.auth_time) : null,
        userAgent: row.user_agent,
      },
      csrfToken: row.csrf_token,
    };
  }

  async destroy(token: string): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('id', '=', sha256(token)).execute();
  }
}

/** The stored `amr` (a JSON array of strings); anything else reads as no method. */
function amrOf(stored: string): string[] {
  try {
    const value: unknown = JSON.parse(stored);
    return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : [];
  } catch {
    return [];
  }
}
