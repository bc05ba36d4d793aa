/**
 * @module devices/routes
 * Enrollment tokens (admins), enrollment and check-in (devices, signed), the device list
 * and remote launch (helpers), and the agent's answer to a launch (the device's user): a
 * table from the contract's endpoint names (`@remote-help/protocol` `api/devices.ts`) to
 * the services. Caller (incl. device proofs), CSRF, permission and parsing are `http/endpoint.ts`'s.
 */
import type { DeviceServerMessage } from '@remote-help/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bus } from '../bus/bus.js';
import { AppError, errors } from '../errors.js';
import { registerEndpoints } from '../http/endpoint.js';
import type { SessionService } from '../sessions/service.js';
import type { Clock } from '../time.js';
import type { ReplayCache } from './deviceAuth.js';
import { deviceRevoked, verifyDeviceProof } from './deviceAuth.js';
import type { DevicePresence } from './devicePresence.js';
import { deviceTopic } from './launchChannel.js';
import type { TokenBuckets } from './launchLimits.js';
import { deviceDisplayName } from './presenter.js';
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
  /** Remote launches per helper (token bucket). */
  launchLimits: TokenBuckets;
}

export async function deviceRoutes(app: FastifyInstance, o: DeviceRoutesOptions): Promise<void> {
  const urlOf = (request: FastifyRequest) => `${o.publicUrl}${request.url.split('?')[0] ?? ''}`;
  const verifyDevice = (request: FastifyRequest, header: string | undefined) =>
    verifyDeviceProof(o.repo, o.replay, o.clock, { header, method: request.method, url: urlOf(request) });
  const d = o.devices;

  registerEndpoints(
    app,
    { publicOrigin: o.publicOrigin, verifyDevice },
    {
      createEnrollmentToken: ({ principal, body }) =>
        d.createEnrollmentToken(principal, body.expiresInHours, body.maxUses),
      listEnrollmentTokens: ({ principal, query }) => d.listEnrollmentTokens(principal, query),
      revokeEnrollmentToken: ({ principal, params }) => d.revokeEnrollmentToken(principal, params.id),
      enrollDevice: ({ body, request }) => d.enroll(body.token, body.publicKey, body.inventory, request.ip),
      checkIn: ({ device, body, request }) => d.checkIn(device, body.inventory, request.ip),
      listDevices: ({ principal, query }) => d.list(principal, query),
      getDevice: async ({ principal, params }) => {
        const row = await d.get(principal, params.id, { includeRevoked: true });
        return d.present(row, (await d.scopeOf(principal))(row));
      },

      /**
       * Revokes a device's enrollment, then tells every node: the device's launch connection is
       * told and closed wherever it is, and its sessions that have not ended end. Told again on
       * a repeated call only if it still holds a connection (a node that missed the first).
       */
      revokeDevice: async ({ principal, params }) => {
        const { row, revoked } = await d.revoke(principal, params.id);
        if (revoked || (await o.presence.isOnline(row.id))) {
          await o.bus.publish(deviceTopic(row.id), { type: 'revoked', message: deviceRevoked().message });
        }
        if (revoked) await o.sessions.endAllForDevice(principal.tenantId, row.id, principal);
        return d.present(row, (await d.scopeOf(principal))(row));
      },

      /**
       * Remote launch: only for a device in the helper's scope (checked first, so an
       * out-of-scope helper learns nothing of the device's state), that holds its launch
       * connection right now, within the helper's launch rate, and only while no other launch
       * waits on the device (`launch_pending`). With `sessionId`, the helper's waiting code
       * session is offered instead of a new one.
       */
      launchOnDevice: async ({ principal, params, body }) => {
        const device = await d.get(principal, params.id);
        await o.sessions.assertMayLaunch(principal, device.id);
        const wait = o.launchLimits.take(principal.userId);
        if (wait > 0) throw errors.rateLimited(wait);
        if (!(await o.presence.isOnline(device.id))) {
          throw new AppError(
            'device_offline',
            `${deviceDisplayName(device.name, device.id)} is not connected. Ask the person to start Remote Help, or use a security code.`,
          );
        }
        const session = body?.sessionId
          ? await o.sessions.offerToDevice(principal, body.sessionId, device.id)
          : await o.sessions.createForDevice(principal, device.id);
        const message: DeviceServerMessage = {
          type: 'launch',
          sessionId: session.id,
          helper: session.helper,
          expiresAt: session.codeExpiresAt ?? new Date(o.clock.now() + 600_000).toISOString(),
        };
        await o.bus.publish(deviceTopic(device.id), message);
        return { session };
      },

      /** The agent's user answers a launch; the caller is the user (bearer) on the invited device (proof). */
      acceptLaunch: async ({ principal, device, params, body }) => {
        if (device.id !== body.deviceId || device.tenant_id !== principal.tenantId)
          throw errors.forbidden('This device was not invited.');
        return { session: await o.sessions.acceptLaunch(principal, params.id, device.id) };
      },
      dismissLaunch: async ({ principal, device, params, body }) => {
        if (device.id !== body.deviceId || device.tenant_id !== principal.tenantId)
          throw errors.forbidden('This device was not invited.');
        await o.sessions.dismissLaunch(principal, params.id, device.id);
        return { ok: true } as const;
      },
    },
  );
}
