/**
 * @module domains/routes
 * `/api/v1/domains`: the contract's endpoints (`api/domains.ts`) to the service. Caller, CSRF,
 * permission (`settings.manage`) and parsing (the domain name normalized) are `http/endpoint.ts`'s.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../http/endpoint.js';
import type { DomainService } from './service.js';

export async function domainRoutes(
  app: FastifyInstance,
  o: { domains: DomainService; publicOrigin: string },
): Promise<void> {
  registerEndpoints(app, o, {
    listDomains: async ({ principal }) => ({ domains: await o.domains.list(principal) }),
    addDomain: async ({ principal, body }) => ({ domain: await o.domains.add(principal, body.domain) }),
    verifyDomain: async ({ principal, params }) => ({ domain: await o.domains.verify(principal, params.id) }),
    removeDomain: async ({ principal, params }) => o.domains.remove(principal, params.id),
  });
}
