/**
 * @module identity/federation/routes
 * `/api/v1/identity-providers`: the contract's endpoints (`api/identity.ts`) to the service.
 * Caller, CSRF, permission and parsing are `http/endpoint.ts`'s.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../../http/endpoint.js';
import type { FederationService } from './service.js';

export async function identityProviderRoutes(
  app: FastifyInstance,
  o: { federation: FederationService; publicOrigin: string },
): Promise<void> {
  registerEndpoints(app, o, {
    listIdentityProviders: async ({ principal }) => o.federation.list(principal),
    getIdentityProvider: async ({ principal, params }) => ({ provider: await o.federation.get(principal, params.id) }),
    createIdentityProvider: async ({ principal, body }) => ({ provider: await o.federation.create(principal, body) }),
    updateIdentityProvider: async ({ principal, params, body }) => ({
      provider: await o.federation.update(principal, params.id, body),
    }),
    deleteIdentityProvider: async ({ principal, params }) => o.federation.remove(principal, params.id),
  });
}
