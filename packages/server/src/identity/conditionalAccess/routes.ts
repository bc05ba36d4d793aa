/**
 * @module identity/conditionalAccess/routes
 * Conditional access: the contract's endpoints (`api/conditionalAccess.ts`) to the service.
 * Caller, CSRF, permission and parsing are `http/endpoint.ts`'s.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../../http/endpoint.js';
import type { ConditionalAccessService } from './service.js';

export async function conditionalAccessRoutes(
  app: FastifyInstance,
  o: { service: ConditionalAccessService; publicOrigin: string },
): Promise<void> {
  const s = o.service;
  registerEndpoints(app, o, {
    listCaPolicies: async ({ principal }) => ({ policies: await s.listPolicies(principal) }),
    createCaPolicy: async ({ principal, body }) => ({ policy: await s.createPolicy(principal, body) }),
    updateCaPolicy: async ({ principal, params, body }) => ({
      policy: await s.updatePolicy(principal, params.id, body),
    }),
    deleteCaPolicy: async ({ principal, params }) => {
      await s.deletePolicy(principal, params.id);
    },
    listNamedLocations: async ({ principal }) => ({ locations: await s.listLocations(principal) }),
    createNamedLocation: async ({ principal, body }) => ({ location: await s.createLocation(principal, body) }),
    updateNamedLocation: async ({ principal, params, body }) => ({
      location: await s.updateLocation(principal, params.id, body),
    }),
    deleteNamedLocation: async ({ principal, params }) => {
      await s.deleteLocation(principal, params.id);
    },
    whatIf: ({ principal, body }) => s.whatIf(principal, body),
    listSignIns: ({ principal, query }) => s.signIns(principal, query),
  });
}
