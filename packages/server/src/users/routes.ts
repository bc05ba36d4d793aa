/**
 * @module users/routes
 * `GET /api/v1/me` and `PUT /api/v1/me/language` (contract: `@remote-help/protocol`
 * `api/users.ts`); profile pictures are `photoRoutes.ts`'s.
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import { registerEndpoints } from '../http/endpoint.js';
import type { UserLanguages } from './language.js';
import type { UsersRepo } from './repo.js';
import { personCard } from './presenter.js';

export async function userRoutes(
  app: FastifyInstance,
  o: { users: UsersRepo; languages: UserLanguages; publicOrigin: string },
): Promise<void> {
  registerEndpoints(app, o, {
    getMe: async ({ principal, request }) => {
      const [user, tenant, domains, language] = await Promise.all([
        o.users.findById(principal.tenantId, principal.userId),
        o.users.tenant(principal.tenantId),
        o.users.heldDomains(principal.tenantId),
        o.languages.get(principal.tenantId, principal.userId),
      ]);
      if (!user || !tenant || !request.auth) throw errors.authenticationRequired();
      return {
        user: personCard(user, tenant.name, domains),
        tenant: { id: tenant.id, name: tenant.name, verifiedDomains: domains.map((d) => d.domain) },
        permissions: [...principal.permissions],
        language,
        csrfToken: request.auth.csrfToken ?? '',
      };
    },
    setMyLanguage: ({ principal, body }) => o.languages.set(principal, body.language),
  });
}
