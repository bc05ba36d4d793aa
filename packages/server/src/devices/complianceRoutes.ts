/**
 * @module devices/complianceRoutes
 * Compliance policies: the contract's endpoints (`api/settings.ts`, `policies.manage`) to
 * the service. Caller, CSRF, permission and parsing are `http/endpoint.ts`'s.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../http/endpoint.js';
import type { ComplianceService } from './complianceService.js';

export async function complianceRoutes(
  app: FastifyInstance,
  o: { compliance: ComplianceService; publicOrigin: string },
): Promise<void> {
  const c = o.compliance;
  registerEndpoints(app, o, {
    listCompliancePolicies: async ({ principal }) => ({ policies: await c.list(principal) }),
    getComplianceStatus: ({ principal }) => c.status(principal),
    createCompliancePolicy: async ({ principal, body }) => ({ policy: await c.create(principal, body) }),
    updateCompliancePolicy: async ({ principal, params, body }) => ({
      policy: await c.update(principal, params.id, body),
    }),
    deleteCompliancePolicy: async ({ principal, params }) => {
      await c.remove(principal, params.id);
    },
  });
}
