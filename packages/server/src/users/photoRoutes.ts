/**
 * @module users/photoRoutes
 * Profile pictures (contract: `@remote-help/protocol` `api/users.ts`): served only to
 * signed-in people of the same organization, with the stored type exactly, `nosniff`, a
 * CSP that allows nothing and `inline` with a name made of the person's id — a picture can
 * never be rendered as a page. Uploads go through `UserPhotos` (re-encoded, audited).
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import { registerEndpoints } from '../http/endpoint.js';
import type { UsersRepo } from './repo.js';
import type { UserPhotos } from './photoService.js';
import { SERVABLE_PHOTO_TYPES } from './photoService.js';

export async function photoRoutes(
  app: FastifyInstance,
  o: { users: UsersRepo; photos: UserPhotos; publicOrigin: string },
): Promise<void> {
  registerEndpoints(app, o, {
    getUserPhoto: async ({ principal, params, reply }) => {
      const photo = await o.users.photo(principal.tenantId, params.id);
      const extension = photo ? SERVABLE_PHOTO_TYPES[photo.mime] : undefined;
      if (!photo || !extension) throw errors.notFound('Photo');
      return reply
        .header('content-type', photo.mime)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'; sandbox")
        .header('content-disposition', `inline; filename="${params.id.replace(/[^A-Za-z0-9_-]/g, '')}.${extension}"`)
        .header('cross-origin-resource-policy', 'same-origin')
        .header('cache-control', 'private, max-age=3600')
        .send(Buffer.from(photo.data));
    },
    setUserPhoto: ({ principal, params, body }) => o.photos.set(principal, params.id, body.image),
    deleteUserPhoto: ({ principal, params }) => o.photos.remove(principal, params.id),
    setMyPhoto: ({ principal, body }) => o.photos.set(principal, principal.userId, body.image),
    deleteMyPhoto: ({ principal }) => o.photos.remove(principal, principal.userId),
  });
}
