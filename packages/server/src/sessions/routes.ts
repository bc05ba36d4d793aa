/**
 * @module sessions/routes
 * REST commands of a Remote Help session: a table from the contract's endpoint names
 * (`@remote-help/protocol` `api/sessions.ts`) to the service. Caller, CSRF, permission and
 * input parsing are `http/endpoint.ts`'s; who is helper or sharer is the service's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeviceRow } from '../devices/repo.js';
import { AppError } from '../errors.js';
import { registerEndpoints } from '../http/endpoint.js';
import type { SessionService } from './service.js';

export async function sessionRoutes(
  app: FastifyInstance,
  o: {
    service: SessionService;
    publicOrigin: string;
    /** Verifies the `x-device-proof` an enrolled agent sends on redeem (the sharer's device). */
    deviceProof: (request: FastifyRequest, header: string | undefined) => Promise<DeviceRow>;
  },
): Promise<void> {
  const s = o.service;
  registerEndpoints(app, o, {
    createSession: ({ principal }) => s.create(principal),
    listSessions: async ({ principal }) => ({ sessions: await s.listLive(principal) }),
    redeemCode: async ({ principal, body, request }) => {
      // Full control needs the native agent; only a caller signed in through the agent counts as one.
      if (body.client === 'agent' && principal.client !== 'agent') {
        throw new AppError('forbidden', 'Only the Remote Help app can join as the native agent.');
      }
      // An enrolled agent proves its device; the service decides what an unenrolled sharer may do.
      // A proof that fails is 403, not 401: the person's sign-in is fine (no token refresh, no
      // "sign in again"), the device's claim is not.
      const header = request.headers['x-device-proof'];
      const device =
        typeof header === 'string'
          ? await o.deviceProof(request, header).catch((error: unknown) => {
              if (error instanceof AppError && error.code === 'authentication_required') {
                throw new AppError('forbidden', error.message);
              }
              throw error;
            })
          : null;
      return { session: await s.redeem(principal, body.code, body.client, device) };
    },
    getSession: async ({ principal, params }) => ({ session: await s.view(principal, params.id) }),
    requestMode: async ({ principal, params, body }) => ({
      session: await s.request(principal, params.id, body.mode),
    }),
    respond: async ({ principal, params, body }) => ({ session: await s.respond(principal, params.id, body.allow) }),
    dropControl: async ({ principal, params }) => ({ session: await s.dropControl(principal, params.id) }),
    setSharerStatus: async ({ principal, params, body }) => ({
      session: await s.setSharerStatus(principal, params.id, body.status),
    }),
    leaveSession: async ({ principal, params }) => ({ session: await s.leave(principal, params.id) }),
  });
}
