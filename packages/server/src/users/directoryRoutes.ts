/**
 * @module users/directoryRoutes
 * Administration of the embedded directory (`users.manage`): list, create, edit,
 * disable/enable (PATCH `disabled`), group membership (PATCH `groups`), reset password —
 * the contract's endpoints (`@remote-help/protocol` `api/rbac.ts`) to the directory — and a
 * person's organization sign-in links (`api/userIdentities.ts`, `identity/federation/links.ts`).
 * Profile pictures are `photoRoutes.ts`'s.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../http/endpoint.js';
import type { Directory } from './directory.js';

export async function directoryRoutes(
  app: FastifyInstance,
  o: { directory: Directory; publicOrigin: string },
): Promise<void> {
  const d = o.directory;
  registerEndpoints(app, o, {
    listUsers: ({ principal, query }) => d.list(principal, query),
    getUser: async ({ principal, params }) => ({ user: await d.get(principal, params.id) }),
    createUser: ({ principal, body }) => d.create(principal, body),
    updateUser: async ({ principal, params, body }) => ({ user: await d.update(principal, params.id, body) }),
    resetPassword: ({ principal, params, body }) =>
      d.resetPassword(principal, params.id, body.password, body.requireChange ?? false),
    listUserIdentities: ({ principal, params }) => d.identities.list(principal, params.id),
    unlinkUserIdentity: ({ principal, params }) => d.identities.unlink(principal, params.id, params.providerId),
  });
}
