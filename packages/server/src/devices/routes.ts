/**
 * @module devices/routes
 * Enrollment tokens (admins), enrollment and check-in (devices, signed), the device list
 * and remote launch (helpers), and the agent's answer to a launch (the device's user).
 */
import {
  AcceptLaunchRequest,
  CheckInRequest,
  CreateEnrollmentTokenRequest,
  EnrollRequest,
  parseWith,
} from '@remote-help/protocol';
import type { DeviceServerMessage, DeviceView, SessionResponse } from '@remote-help/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Bus } from '../bus/bus.js';
import { AppError, errors } from '../errors.js';
import { assertCsrf, requirePrincipal } from '../http/auth.js';
import type { SessionService } from '../sessions/service.js';
import type { Clock } from '../time.js';
import type { ReplayCache } from './deviceAuth.js';
import { verifyDeviceProof } from './deviceAuth.js';
import type { DevicePresence } from './launchChannel.js';
import { deviceTopic } from './launchChannel.js';
import type { DevicesRepo } from './repo.js';
import type { DeviceService } from './service.js';

export interface DeviceRoutesOptions {
  devices: DeviceService;
  sessions: SessionService;
  repo: DevicesRepo;
  replay: ReplayCache;
  clock: Clock;
  bus: Bus;
  presence: DevicePresence;
  publicUrl: string;
  publicOrigin: string;
}

const Params = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
});

export async function deviceRoutes(app: FastifyInstance, o: DeviceRoutesOptions): Promise<void> {
  const urlOf = (request: FastifyRequest) => `${o.publicUrl}${request.url.split('?')[0] ?? ''}`;
  const proof = (request: FastifyRequest, header: string | undefined) =>
    verifyDeviceProof(o.repo, o.replay, o.clock, { header, method: request.method, url: urlOf(request) });

  app.post('/api/v1/enrollment-tokens', async (request, reply) => {
    const principal = requirePrincipal(request);
    assertCsrf(request, o.publicOrigin);
    const body = parseWith(CreateEnrollmentTokenRequest, request.body ?? {}, 'body');
    return reply.status(201).send(await o.devices.createEnrollmentToken(principal, body.expiresInHours, body.maxUses));
  });

  app.post('/api/v1/devices/enroll', async (request, reply) => {
    const body = parseWith(EnrollRequest, request.body, 'body');
    return reply.status(201).send(await o.devices.enroll(body.token, body.publicKey, body.inventory, request.ip));
  });

  app.post('/api/v1/devices/checkin', async (request): Promise<DeviceView> => {
    const device = await proof(request, request.headers.authorization);
    const { inventory } = parseWith(CheckInRequest, request.body, 'body');
    return o.devices.checkIn(device, inventory, request.ip);
  });

  app.get('/api/v1/devices', async (request): Promise<{ devices: DeviceView[] }> => {
    return { devices: await o.devices.list(requirePrincipal(request)) };
  });

  app.get('/api/v1/devices/:id', async (request): Promise<DeviceView> => {
    const { id } = parseWith(Params, request.params, 'path');
    return o.devices.present(await o.devices.get(requirePrincipal(request), id));
  });

  /** Remote launch: only for a device that holds its launch connection right now. */
  app.post('/api/v1/devices/:id/sessions', async (request, reply) => {
    const principal = requirePrincipal(request);
    assertCsrf(request, o.publicOrigin);
    const { id } = parseWith(Params, request.params, 'path');
    const device = await o.devices.get(principal, id);
    if (!o.presence.isOnline(device.id)) {
      throw new AppError(
        'device_offline',
        `${device.name} is not connected. Ask the person to start Remote Help, or use a security code.`,
      );
    }
    const session = await o.sessions.createForDevice(principal, device.id);
    const message: DeviceServerMessage = {
      type: 'launch',
      sessionId: session.id,
      helper: session.helper,
      expiresAt: session.codeExpiresAt ?? new Date(o.clock.now() + 600_000).toISOString(),
    };
    await o.bus.publish(deviceTopic(device.id), message);
    const response: SessionResponse = { session };
    return reply.status(201).send(response);
  });

  /**
   * The agent's user answers a launch. Two proofs: the user's bearer token (who joins) and
   * the device's signature in `x-device-proof` (that it is the invited device).
   */
  for (const answer of ['accept-launch', 'dismiss-launch'] as const) {
    app.post(`/api/v1/sessions/:id/${answer}`, async (request) => {
      const principal = requirePrincipal(request);
      if (principal.client !== 'agent') throw errors.forbidden('Only the Remote Help app can answer a launch.');
      const { id } = parseWith(Params, request.params, 'path');
      const { deviceId } = parseWith(AcceptLaunchRequest, request.body, 'body');
      const header = request.headers['x-device-proof'];
      const device = await proof(request, typeof header === 'string' ? header : undefined);
      if (device.id !== deviceId || device.tenant_id !== principal.tenantId)
        throw errors.forbidden('This device was not invited.');
      if (answer === 'dismiss-launch') {
        await o.sessions.dismissLaunch(principal, id, device.id);
        return { ok: true };
      }
      return { session: await o.sessions.acceptLaunch(principal, id, device.id) };
    });
  }
}
