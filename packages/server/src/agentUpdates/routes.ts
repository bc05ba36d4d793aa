/**
 * @module agentUpdates/routes
 * The contract's agent-update endpoints (`api/agentUpdates.ts`) to the policy and the release
 * shelf, and `GET /download/releases/<file>`: a release package, public like `/download` (it
 * holds no secret, and the agent trusts only its signature). Only a file a published manifest
 * names is served; any other name or path is 404.
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeviceRow } from '../devices/repo.js';
import { registerEndpoints } from '../http/endpoint.js';
import type { AgentUpdatePolicies } from './policy.js';
import type { ReleaseShelf } from './releases.js';

export interface AgentUpdateRoutesOptions {
  policies: AgentUpdatePolicies;
  releases: ReleaseShelf;
  publicOrigin: string;
  publicUrl: string;
  verifyDevice: (request: FastifyRequest, header: string | undefined) => Promise<DeviceRow>;
}

export async function agentUpdateRoutes(app: FastifyInstance, o: AgentUpdateRoutesOptions): Promise<void> {
  registerEndpoints(
    app,
    { publicOrigin: o.publicOrigin, verifyDevice: o.verifyDevice },
    {
      getAgentUpdate: async ({ device, query }) => {
        const latest = query.platform ? await o.releases.latest(query.platform, query.channel) : null;
        return {
          release: latest
            ? {
                ...latest.signed,
                url: `${o.publicUrl}/download/releases/${encodeURIComponent(latest.manifest.file)}`,
              }
            : null,
          policy: await o.policies.of(device.tenant_id),
        };
      },
      getAgentUpdatePolicy: ({ principal }) => o.policies.get(principal),
      updateAgentUpdatePolicy: ({ principal, body }) => o.policies.put(principal, body),
      getAgentVersions: ({ principal }) => o.policies.summary(principal),
    },
  );

  app.get<{ Params: { file: string } }>('/download/releases/:file', async (request, reply) => {
    const found = await o.releases.packagePath(request.params.file);
    if (!found) return reply.code(404).type('text/plain; charset=utf-8').send('No such release.');
    return reply
      .header('content-type', 'application/gzip')
      .header('content-length', String(found.size))
      .header('content-disposition', `attachment; filename="${request.params.file}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(createReadStream(found.path));
  });
}
