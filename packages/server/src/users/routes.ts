/**
 * @module users/routes
 * `GET /api/v1/me` and profile pictures. Pictures are served only to signed-in people of
 * the same tenant.
 */
import type { Me } from '@remote-help/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errors } from '../errors.js';
import { requirePrincipal } from '../http/auth.js';
import { parseWith } from '@remote-help/protocol';
import type { UsersRepo } from './repo.js';
import { personCard } from './presenter.js';

const PhotoParams = z.object({ id: z.string().min(1).max(64) });

export async function userRoutes(app: FastifyInstance, o: { users: UsersRepo }): Promise<void> {
  app.get('/api/v1/me', async (request): Promise<Me> => {
    const principal = requirePrincipal(request);
    const [user, tenant, domains] = await Promise.all([
      o.users.findById(principal.tenantId, principal.userId),
      o.users.tenant(principal.tenantId),
      o.users.verifiedDomains(principal.tenantId),
    ]);
    if (!user || !tenant || !request.auth) throw errors.authenticationRequired();
    return {
      user: personCard(user, tenant.name, domains),
      tenant: { id: tenant.id, name: tenant.name, verifiedDomains: domains },
      permissions: [...principal.permissions],
      csrfToken: request.auth.csrfToken ?? '',
    };
  });

  app.get('/api/v1/users/:id/photo', async (request, reply) => {
    const principal = requirePrincipal(request);
    const { id } = parseWith(PhotoParams, request.params, 'path');
    const photo = await o.users.photo(principal.tenantId, id);
    if (!photo) throw errors.notFound('Photo');
    return reply
      .header('content-type', photo.mime)
      .header('cache-control', 'private, max-age=3600')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(Buffer.from(photo.data));
  });
}
