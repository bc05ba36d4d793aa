/**
 * @module tenants/settingsRoutes
 * `GET`/`PUT /api/v1/tenant/settings`: the contract's endpoints (`api/settings.ts`) to the
 * service, with the server's defaults beside the settings (what a null code lifetime means).
 * Caller, CSRF, permission and parsing are `http/endpoint.ts`'s.
 */
import type { TenantSettingsDefaults } from '@remote-help/protocol';
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from '../http/endpoint.js';
import type { SettingsService } from './settingsService.js';

export async function settingsRoutes(
  app: FastifyInstance,
  o: { settings: SettingsService; publicOrigin: string; defaults: TenantSettingsDefaults },
): Promise<void> {
  registerEndpoints(app, o, {
    getTenantSettings: async ({ principal }) => ({ settings: await o.settings.get(principal), defaults: o.defaults }),
    updateTenantSettings: async ({ principal, body }) => ({
      settings: await o.settings.put(principal, body),
      defaults: o.defaults,
    }),
  });
}
