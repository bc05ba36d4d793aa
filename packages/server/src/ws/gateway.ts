/**
 * @module ws/gateway
 * `GET /api/v1/ws`: authenticates the upgrade (session cookie + Origin), moves frames,
 * validates every frame against the protocol, keeps the heartbeat, and hands valid
 * messages to their domain handler. It never decides permissions itself.
 */
import { ClientMessage, MAX_WS_FRAME_BYTES, parseWith } from '@remote-help/protocol';
import type { IceServer } from '@remote-help/protocol';
import type { FastifyInstance } from 'fastify';
import { toEnvelope } from '../errors.js';
import { isSameHost } from '../http/auth.js';
import type { SessionChannel } from '../sessions/signaling.js';
import { Connection } from './connection.js';

export interface GatewayOptions {
  channel: SessionChannel;
  iceServers: IceServer[];
  publicOrigin: string;
  heartbeatMs: number;
  /** A connection that has not answered pings for this long is dead. */
  deadAfterMs: number;
}

/** Close codes sent to clients. */
export const WS_CLOSE = { unauthenticated: 4401, forbiddenOrigin: 4403, dead: 4408, shutdown: 1001 } as const;

export async function gateway(app: FastifyInstance, o: GatewayOptions): Promise<void> {
  const connections = new Set<Connection>();

  const timer = setInterval(() => {
    const now = Date.now();
    for (const conn of connections) {
      if (now - conn.lastPongAt > o.deadAfterMs) {
        conn.socket.terminate();
        continue;
      }
      if (conn.open) conn.socket.ping();
    }
  }, o.heartbeatMs);
  timer.unref();

  app.addHook('onClose', async () => {
    clearInterval(timer);
    for (const conn of connections) conn.socket.close(WS_CLOSE.shutdown, 'server shutting down');
  });

  app.get('/api/v1/ws', { websocket: true }, (socket, request) => {
    const origin = request.headers.origin;
    if (origin && origin !== o.publicOrigin && !isSameHost(origin, request.headers.host)) {
      socket.close(WS_CLOSE.forbiddenOrigin, 'origin not allowed');
      return;
    }
    if (!request.auth) {
      socket.send(
        JSON.stringify({ type: 'error', ok: false, error: 'authentication_required', message: 'Sign in to continue.' }),
      );
      socket.close(WS_CLOSE.unauthenticated, 'authentication required');
      return;
    }
    const conn = new Connection(socket, request.auth.principal);
    connections.add(conn);
    socket.on('pong', () => {
      conn.lastPongAt = Date.now();
    });
    socket.on('close', () => {
      connections.delete(conn);
      conn.closeAll();
    });
    socket.on('message', (data, isBinary) => {
      conn.lastPongAt = Date.now();
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (!conn.take())
        return conn.sendError('rate_limited', 'Too many messages. Slow down.', undefined, { retryAfterSeconds: 1 });
      if (isBinary) return conn.sendError('bad_request', 'Binary frames are not accepted.');
      if (bytes > MAX_WS_FRAME_BYTES) {
        return conn.sendError('payload_too_large', `Frames are limited to ${MAX_WS_FRAME_BYTES} bytes.`);
      }
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return conn.sendError('bad_request', 'Frames must be JSON.');
      }
      const replyTo =
        typeof json === 'object' && json !== null && typeof (json as { id?: unknown }).id === 'string'
          ? (json as { id: string }).id.slice(0, 64)
          : undefined;
      let message: ClientMessage;
      try {
        message = parseWith(ClientMessage, json, 'message');
      } catch (error) {
        const { body } = toEnvelope(error);
        return conn.sendError(body.error, body.message, replyTo, body.data);
      }
      o.channel.handle(conn, message).catch((error: unknown) => {
        const { body, internal } = toEnvelope(error);
        if (internal) request.log.error({ err: error }, 'websocket handler failed');
        conn.sendError(body.error, body.message, replyTo, body.data);
      });
    });
    conn.send({ type: 'hello', userId: conn.principal.userId, iceServers: o.iceServers, heartbeatMs: o.heartbeatMs });
  });
}
