/**
 * @module identity/bearer
 * Access tokens the embedded IdP issued to the native agent (RFC 8252 sign-in), accepted
 * as `Authorization: Bearer` on the API and the WebSocket.
 */
import type Provider from 'oidc-provider';
import { parseRoles, permissionsFor } from '../rbac/permissions.js';
import type { UsersRepo } from '../users/repo.js';
import type { Principal } from './principal.js';
import { AGENT_CLIENT_ID } from './provider.js';

export function bearerResolver(provider: Provider, users: UsersRepo) {
  return async (token: string, ip: string | null): Promise<Principal | undefined> => {
    if (!token || token.length > 512) return undefined;
    const accessToken = await provider.AccessToken.find(token).catch(() => undefined);
    if (!accessToken || accessToken.isExpired || accessToken.clientId !== AGENT_CLIENT_ID) return undefined;
    const user = await users.findBySubject(accessToken.accountId);
    if (!user || user.disabled) return undefined;
    return {
      userId: user.id,
      tenantId: user.tenant_id,
      permissions: permissionsFor(parseRoles(user.roles)),
      ip,
      client: 'agent',
    };
  };
}
