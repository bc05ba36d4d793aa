/**
 * @module devices/launchChannel
 * `GET /api/v1/devices/ws`: an enrolled, running agent keeps this connection so a helper
 * can start a session for its device (remote launch). The device proves itself on the
 * upgrade; the server pushes `launch` and `launch_cancelled`. Only the holder of a device's key
 * gets this far, and even it gets a few sockets and a few frames a second: a copied or stolen key
 * must not take a node's sockets or event loop from everyone else.
 */
import { DEVICE_WS_REVOKED, DeviceClientMessage } from '@remote-help/protocol';
import type { DeviceServerMessage } from '@remote-help/protocol';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Bus } from '../bus/bus.js';
import { AppError } from '../errors.js';
import type { Clock } from '../time.js';
import { TokenBucket } from '../ws/connection.js';
import { WS_RATE_LIMITED_CLOSE } from '../ws/limits.js';
import type { ReplayCache } from './deviceAuth.js';
import { verifyDeviceProof } from './deviceAuth.js';
import type { DevicePresence } from './devicePresence.js';
import type { DevicesRepo } from './repo.js';

/** Sockets one device may hold on a node (the agent keeps one; a reconnect may overlap the old for a while). */
export const DEVICE_SOCKETS_PER_DEVICE = 4;
/** Frames a device socket may send: the agent sends none (the server pings), a test client a few. */
const DEVICE_FRAMES = { capacity: 20, perSecond: 2 };

/** Bus topic for messages to one device. */
export const deviceTopic = (id: string): string => `device:${id}`;

export interface LaunchChannelOptions {
  repo: DevicesRepo;
  replay: ReplayCache;
  clock: Clock;
  bus: Bus;
  presence: DevicePresence;
  publicUrl: string;
  heartbeatMs: number;
}

export async function launchChannel(app: FastifyInstance, o: LaunchChannelOptions): Promise<void> {
  const sockets = new Set<WebSocket>();
  const perDevice = new Map<string, number>();
  app.addHook('onClose', async () => {
    for (const socket of sockets) socket.close(1001, 'server shutting down');
  });

  app.get('/api/v1/devices/ws', { websocket: true }, async (socket, request) => {
    const send = (m: DeviceServerMessage) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(m));
    let device;
    try {
      device = await verifyDeviceProof(o.repo, o.replay, o.clock, {
        header: request.headers.authorization,
        method: 'GET',
        url: `${o.publicUrl}/api/v1/devices/ws`,
      });
    } catch (error) {
      // Only our own refusals say why; anything else is logged, never sent.
      if (!(error instanceof AppError)) request.log.error({ err: error }, 'device proof check failed');
      if (error instanceof AppError && error.code === 'device_revoked') {
        send({ type: 'revoked', message: error.message });
        socket.close(DEVICE_WS_REVOKED, 'device enrollment revoked');
        return;
      }
      const message = error instanceof AppError ? error.message : 'Device authentication failed.';
      send({ type: 'error', ok: false, error: 'authentication_required', message });
      socket.close(4401, 'device authentication failed');
      return;
    }
    // The device may have gone while its proof was checked: its close has been and gone, so
    // nothing below would ever be undone (it would stay online, and launches would go nowhere).
    if (socket.readyState !== socket.OPEN) return;
    const id = device.id;
    const held = perDevice.get(id) ?? 0;
    if (held >= DEVICE_SOCKETS_PER_DEVICE) {
      request.log.warn({ deviceId: id }, 'device socket refused: too many connections for this device');
      send({
        type: 'error',
        ok: false,
        error: 'rate_limited',
        message: `Too many connections for this device (at most ${DEVICE_SOCKETS_PER_DEVICE}).`,
      });
      socket.close(WS_RATE_LIMITED_CLOSE, 'too many connections for this device');
      return;
    }
    perDevice.set(id, held + 1);
    const frames = new TokenBucket(DEVICE_FRAMES);
    sockets.add(socket);
    o.presence.join(id);
    const off = o.bus.subscribe(deviceTopic(id), (message) => {
      const m = message as DeviceServerMessage;
      send(m);
      // Revoked (`revokeDevice`, on any node): told, then closed with the code that says not to come back.
      if (m.type === 'revoked') socket.close(DEVICE_WS_REVOKED, 'device enrollment revoked');
    });
    let lastSeen = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - lastSeen > o.heartbeatMs * 3) socket.terminate();
      else socket.ping();
    }, o.heartbeatMs);
    socket.on('pong', () => (lastSeen = Date.now()));
    socket.on('message', (data) => {
      lastSeen = Date.now();
      if (!frames.take()) {
        request.log.warn({ deviceId: id }, 'device socket closed: too many frames');
        send({ type: 'error', ok: false, error: 'rate_limited', message: 'Too many messages.' });
        socket.close(WS_RATE_LIMITED_CLOSE, 'too many messages');
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        json = undefined;
      }
      const parsed = DeviceClientMessage.safeParse(json);
      if (!parsed.success) send({ type: 'error', ok: false, error: 'validation_failed', message: 'Unknown message.' });
      else send({ type: 'pong' });
    });
    socket.on('close', () => {
      clearInterval(timer);
      off();
      o.presence.leave(id);
      sockets.delete(socket);
      const left = (perDevice.get(id) ?? 1) - 1;
      if (left > 0) perDevice.set(id, left);
      else perDevice.delete(id);
    });
    send({ type: 'hello', deviceId: id, heartbeatMs: o.heartbeatMs });
  });
}
