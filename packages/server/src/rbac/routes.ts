/**
 * @module rbac/routes
 * Groups (and their members), custom roles and role assignments: the contract's endpoints
 * (`@remote-help/protocol` `api/rbac.ts`) to the service (which authorizes the finer rules
 * and audits). Caller, CSRF, permission and parsing are `http/endpoint.ts`'s.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../http/endpoint.js';
import type { RbacService } from './service.js';

export async function rbacRoutes(
  app: FastifyInstance,
  o: { service: RbacService; publicOrigin: string },
): Promise<void> {
  const s = o.service;
  registerEndpoints(app, o, {
    // Groups
    listGroups: async ({ principal }) => ({ groups: await s.listGroups(principal) }),
    getGroup: async ({ principal, params }) => ({ group: await s.getGroup(principal, params.id) }),
    createGroup: async ({ principal, body }) => ({ group: await s.createGroup(principal, body) }),
    updateGroup: async ({ principal, params, body }) => ({ group: await s.updateGroup(principal, params.id, body) }),
    setGroupMembers: async ({ principal, params, body }) => ({
      group: await s.setGroupMembers(principal, params.id, body.members),
    }),
    deleteGroup: ({ principal, params }) => s.deleteGroup(principal, params.id),

    // Roles
    listRoles: async ({ principal }) => ({ roles: await s.listRoles(principal) }),
    getRole: async ({ principal, params }) => ({ role: await s.getRole(principal, params.id) }),
    createRole: async ({ principal, body }) => ({ role: await s.createRole(principal, body) }),
    updateRole: async ({ principal, params, body }) => ({ role: await s.updateRole(principal, params.id, body) }),
    deleteRole: ({ principal, params }) => s.deleteRole(principal, params.id),

    // Assignments
    listAssignments: async ({ principal }) => ({ assignments: await s.listAssignments(principal) }),
    getAssignment: async ({ principal, params }) => ({ assignment: await s.getAssignment(principal, params.id) }),
    createAssignment: async ({ principal, body }) => ({ assignment: await s.createAssignment(principal, body) }),
    replaceAssignment: async ({ principal, params, body }) => ({
      assignment: await s.replaceAssignment(principal, params.id, body),
    }),
    deleteAssignment: ({ principal, params }) => s.deleteAssignment(principal, params.id),
  });
}
