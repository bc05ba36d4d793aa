/**
 * @module identity/authSessions
 * Browser sign-in sessions: a random token in an HttpOnly cookie, stored only as its
 * SHA-256, with a CSRF token bound to it.
 */
import type { Db } from '../db/client.js';
import { newToken, sha256 } from '../ids.js';
import { parseRoles, permissionsFor } from '../rbac/permissions.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { Principal } from './principal.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface ResolvedSession {
  principal: Principal;
  /** Null for bearer-token callers: a header token is not an ambient credential, so CSRF does not apply. */
  csrfToken: string | null;
}

export class AuthSessions {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async create(user: { id: string; tenant_id: string }, ip: string | null, userAgent: string | null): Promise<string> {
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
      })
      .execute();
    return token;
  }

  /** The principal behind a cookie token, or undefined when unknown, expired or the user is disabled. */
  async resolve(token: string, ip: string | null): Promise<ResolvedSession | undefined> {
    if (token.length > 100) return undefined;
    const row = await this.db
      .selectFrom('auth_sessions')
      .innerJoin('users', (join) =>
        join.onRef('users.id', '=', 'auth_sessions.user_id').onRef('users.tenant_id', '=', 'auth_sessions.tenant_id'),
      )
      .select([
        'auth_sessions.tenant_id',
        'auth_sessions.user_id',
        'auth_sessions.csrf_token',
        'auth_sessions.expires_at',
        'users.roles',
        'users.disabled',
      ])
      .where('auth_sessions.id', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.disabled || row.expires_at <= iso(this.clock.now())) return undefined;
    return {
      principal: {
        userId: row.user_id,
        tenantId: row.tenant_id,
        permissions: permissionsFor(parseRoles(row.roles)),
        ip,
        client: 'web',
      },
      csrfToken: row.csrf_token,
    };
  }

  async destroy(token: string): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('id', '=', sha256(token)).execute();
  }
}
