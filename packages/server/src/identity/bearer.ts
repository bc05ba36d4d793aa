/**
 * @module identity/bearer
 * Access tokens the embedded IdP issued to the native agent (RFC 8252 sign-in), accepted
 * as `Authorization: Bearer` on the API and the WebSocket.
 */
import type Provider from 'oidc-provider';
import type { AccessPolicy } from '../rbac/policy.js';
import type { UsersRepo } from '../users/repo.js';
import type { Principal } from './principal.js';
import { AGENT_CLIENT_ID } from './provider.js';

export function bearerResolver(provider: Provider, users: UsersRepo, access: AccessPolicy) {
  return async (token: string, ip: string | null): Promise<Principal | undefined> => {
    if (!token || token.length > 512) return undefined;
    const accessToken = await provider.AccessToken.find(token).catch(() => undefined);
    if (!accessToken || accessToken.isExpired || accessToken.clientId !== AGENT_CLIENT_ID) return undefined;
    const user = await users.findBySubject(accessToken.accountId);
    if (!user || user.disabled) return undefined;
    return {
      userId: user.id,
      tenantId: user.tenant_id,
      permissions: await access.effectivePermissions(user.tenant_id, user.id),
      ip,
      client: 'agent',
      ...signInOf(accessToken.extra),
    };
  };
}

/** How and when the person signed in, as the provider put it in the token (`extraTokenClaims`). */
function signInOf(extra: Record<string, unknown> | undefined): { amr: string[]; authTime: number | null } {
  const amr = Array.isArray(extra?.rh_amr) ? extra.rh_amr.filter((m): m is string => typeof m === 'string') : [];
  const authTime = typeof extra?.rh_auth_time === 'number' ? extra.rh_auth_time * 1000 : null;
  return { amr, authTime };
}
