/**
 * @module sessions/routes
 * REST commands of a Remote Help session. Thin: parse, authorize via the service, present.
 */
import { RedeemCodeRequest, RequestModeRequest, RespondRequest, parseWith } from '@remote-help/protocol';
import type { CreateSessionResponse, SessionResponse } from '@remote-help/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { assertCsrf, requirePrincipal } from '../http/auth.js';
import type { SessionService } from './service.js';

const Params = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
});
const Empty = z.union([z.strictObject({}), z.null(), z.undefined()]);

export async function sessionRoutes(
  app: FastifyInstance,
  o: { service: SessionService; publicOrigin: string },
): Promise<void> {
  const command = (request: Parameters<typeof requirePrincipal>[0]) => {
    const principal = requirePrincipal(request);
    assertCsrf(request, o.publicOrigin);
    return principal;
  };
  const idOf = (params: unknown) => parseWith(Params, params, 'path').id;

  app.post('/api/v1/sessions', async (request, reply) => {
    const principal = command(request);
    parseWith(Empty, request.body, 'body');
    const result: CreateSessionResponse = await o.service.create(principal);
    return reply.status(201).send(result);
  });

  app.post('/api/v1/sessions/redeem', async (request): Promise<SessionResponse> => {
    const principal = command(request);
    const body = parseWith(RedeemCodeRequest, request.body, 'body');
    // Full control needs the native agent; only a caller signed in through the agent counts as one.
    if (body.client === 'agent' && principal.client !== 'agent') {
      throw new AppError('forbidden', 'Only the Remote Help app can join as the native agent.');
    }
    return { session: await o.service.redeem(principal, body.code, body.client) };
  });

  app.get('/api/v1/sessions/:id', async (request): Promise<SessionResponse> => {
    const principal = requirePrincipal(request);
    return { session: await o.service.view(principal, idOf(request.params)) };
  });

  app.post('/api/v1/sessions/:id/request', async (request): Promise<SessionResponse> => {
    const principal = command(request);
    const { mode } = parseWith(RequestModeRequest, request.body, 'body');
    return { session: await o.service.request(principal, idOf(request.params), mode) };
  });

  app.post('/api/v1/sessions/:id/respond', async (request): Promise<SessionResponse> => {
    const principal = command(request);
    const { allow } = parseWith(RespondRequest, request.body, 'body');
    return { session: await o.service.respond(principal, idOf(request.params), allow) };
  });

  app.post('/api/v1/sessions/:id/drop-control', async (request): Promise<SessionResponse> => {
    const principal = command(request);
    parseWith(Empty, request.body, 'body');
    return { session: await o.service.dropControl(principal, idOf(request.params)) };
  });

  app.post('/api/v1/sessions/:id/leave', async (request): Promise<SessionResponse> => {
    const principal = command(request);
    parseWith(Empty, request.body, 'body');
    return { session: await o.service.leave(principal, idOf(request.params)) };
  });
}
