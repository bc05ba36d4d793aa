/**
 * @module ws/gateway
 * `GET /api/v1/ws`: authenticates the upgrade (session cookie + Origin), holds each user
 * and address to their share of sockets, moves frames, validates every frame against
 * the protocol, keeps the heartbeat, and hands valid messages to their domain handler.
 * It never decides permissions itself. Client mistakes are answered with an error frame
 * and logged at `warn` without a stack (bounded per connection); only the server's own
 * failures are errors.
 */
import { ClientMessage, MAX_WS_FRAME_BYTES, parseWith } from '@remote-help/protocol';
import type { ErrorCode, IceServer } from '@remote-help/protocol';
import { ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { toEnvelope } from '../errors.js';
import { isSameOrigin } from '../http/auth.js';
import type { SessionChannel } from '../sessions/signaling.js';
import type { Principal } from '../identity/principal.js';
import { Connection, textFrame } from './connection.js';
import { Heartbeat } from './heartbeat.js';
import type { SocketLimits } from './limits.js';
import { WS_RATE_LIMITED_CLOSE } from './limits.js';
import { answerRawPings } from './rawPings.js';
import { releaseMessageFragments } from './releaseFragments.js';
import { frameArrivalTime } from '../ops/observe.js';
import type { Bus } from '../bus/bus.js';
import { SIGNINS_ENDED_TOPIC } from '../bus/messages.js';

/** The web app's ping frame (`{ type: 'ping' }` without an id) and the answer to it. */
const PING_FRAME = Buffer.from(JSON.stringify({ type: 'ping' }));
const PONG = textFrame(JSON.stringify({ type: 'pong' }));

export interface GatewayOptions {
  channel: SessionChannel;
  /**
   * The ICE servers a user's hello carries (TURN credentials are minted per connection). When
   * they take a lookup, the hello waits for it and the connection's frames wait for the hello.
   */
  iceServers: IceServer[] | ((principal: Principal) => IceServer[] | Promise<IceServer[]>);
  publicOrigin: string;
  heartbeatMs: number;
  /** A connection that has not answered pings for this long is dead. */
  deadAfterMs: number;
  limits: SocketLimits;
  /** Where `users:signins_ended` arrives (every node's sockets of that person are rechecked). */
  bus?: Bus;
}

/** Close codes sent to clients. */
export const WS_CLOSE = {
  unauthenticated: 4401,
  forbiddenOrigin: 4403,
  dead: 4408,
  rateLimited: WS_RATE_LIMITED_CLOSE,
  /** The server is restarting or shutting down: reconnect (with back-off) and re-attach. */
  shutdown: 1001,
} as const;

/** The close reason sent with {@link WS_CLOSE.shutdown}; clients reconnect on the code. */
export const SHUTDOWN_REASON = 'server restarting: reconnect';

/** Client mistakes logged per connection before the rest are only counted. */
const MISTAKES_LOGGED = 5;

function refuse(socket: WebSocket, code: number, error: ErrorCode, message: string): void {
  socket.send(JSON.stringify({ type: 'error', ok: false, error, message }));
  socket.close(code, message.slice(0, 120));
}

export async function gateway(app: FastifyInstance, o: GatewayOptions): Promise<void> {
  // Received messages die young instead of filling the old generation (see the module).
  if (!releaseMessageFragments()) app.log.warn('ws has no Receiver#dataMessage: received messages are promoted');
  const connections = new Set<Connection>();
  const heartbeat = new Heartbeat({
    intervalMs: o.heartbeatMs,
    deadAfterMs: o.deadAfterMs,
    connections: () => connections,
    onStall: (stallMs) => app.log.warn({ stallMs }, 'event loop stalled; heartbeat deadlines extended'),
  });
  heartbeat.start();
  app.addHook('onClose', async () => heartbeat.stop());

  // Someone's sign-ins were ended: their sockets opened with an ended credential close (4401),
  // as a request with it would be refused. The others (this browser, kept by a password change) stay.
  const offSignInsEnded = o.bus?.subscribe(SIGNINS_ENDED_TOPIC, (message) => {
    const { userId } = message as { userId: string };
    for (const conn of connections) {
      if (conn.userId !== userId || !conn.recheck) continue;
      conn.recheck().then(
        (valid) => {
          if (valid || !conn.open) return;
          app.log.info({ connection: conn.id, userId }, 'websocket closed: its sign-in was ended');
          refuse(
            conn.socket,
            WS_CLOSE.unauthenticated,
            'authentication_required',
            'You were signed out. Sign in again.',
          );
        },
        (error: unknown) => app.log.error({ err: error, userId }, 'could not recheck a websocket’s sign-in'),
      );
    }
  });
  if (offSignInsEnded) app.addHook('onClose', async () => offSignInsEnded());

  const mistake = (conn: Connection, log: FastifyBaseLogger, error: ErrorCode, message: string, replyTo?: string) => {
    if (conn.mistakesLogged++ < MISTAKES_LOGGED) {
      log.warn({ connection: conn.id, userId: conn.principal.userId, error }, `websocket frame refused: ${message}`);
    }
    conn.sendError(error, message, replyTo);
  };

  app.get('/api/v1/ws', { websocket: true }, (socket, request) => {
    const origin = request.headers.origin;
    if (origin && origin !== o.publicOrigin && !isSameOrigin(origin, request)) {
      socket.close(WS_CLOSE.forbiddenOrigin, 'origin not allowed');
      return;
    }
    if (!request.auth) {
      refuse(socket, WS_CLOSE.unauthenticated, 'authentication_required', 'Sign in to continue.');
      return;
    }
    const principal = request.auth.principal;
    // What the socket's life needs from its upgrade request, so that neither the request nor
    // its reply stays reachable from a live socket: the plugin's own error listener closes over
    // both (Fastify's request and reply, Node's IncomingMessage and ServerResponse), a few KiB
    // per socket for as long as it lives. Ours keeps the (lazy) logger only.
    const { log, ip } = request;
    socket.removeAllListeners('error');
    socket.on('error', (error) => websocketErrorHandler(error, socket, { log }));
    // The plugin also made a ServerResponse for the upgrade and assigned the TCP socket to it
    // (`socket._httpMessage`), which holds the IncomingMessage in turn: detach it.
    const tcp = request.raw.socket as (typeof request.raw.socket & { _httpMessage?: unknown }) | null;
    const upgradeReply = tcp?._httpMessage;
    if (upgradeReply instanceof ServerResponse && tcp) upgradeReply.detachSocket(tcp);
    const place = o.limits.admit(principal.userId, ip);
    if (!place.ok) {
      log.warn({ userId: principal.userId }, `websocket refused: ${place.message}`);
      refuse(socket, WS_CLOSE.rateLimited, 'rate_limited', place.message);
      return;
    }
    const conn = new Connection(socket, principal, ip, undefined, place.bucket);
    conn.tcp = tcp;
    conn.recheck = request.auth.recheck ?? null;
    connections.add(conn);
    let inbound: Promise<void> = Promise.resolve();
    // The bare ping, answered from its TCP chunk (ws/rawPings); the same checks as below.
    if (tcp) {
      answerRawPings(tcp, socket, () => {
        if (!conn.take()) return false; // through ws, which refuses it as rate limited
        conn.lastPongAt = Date.now();
        conn.sendFrame(PONG);
        return true;
      });
    }
    socket.on('pong', () => {
      conn.lastPongAt = Date.now();
    });
    socket.on('close', () => {
      connections.delete(conn);
      place.release();
      conn.closeAll();
    });
    socket.on('message', (data, isBinary) => {
      const arrivedAt = frameArrivalTime();
      conn.lastPongAt = Date.now();
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (!conn.take()) {
        if (conn.mistakesLogged++ < MISTAKES_LOGGED) log.warn({ connection: conn.id }, 'websocket rate limited');
        return conn.sendError('rate_limited', 'Too many messages. Slow down.', undefined, { retryAfterSeconds: 1 });
      }
      if (isBinary) return mistake(conn, log, 'bad_request', 'Binary frames are not accepted.');
      if (bytes > MAX_WS_FRAME_BYTES) {
        return mistake(conn, log, 'payload_too_large', `Frames are limited to ${MAX_WS_FRAME_BYTES} bytes.`);
      }
      // The web app's once-a-beat ping, byte for byte: answered here, without JSON, schema or
      // handler queue. At 8,000 sockets (load bench) these pings were most of an idle node's work.
      if (bytes === PING_FRAME.length && Buffer.isBuffer(data) && data.equals(PING_FRAME)) return conn.sendFrame(PONG);
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return mistake(conn, log, 'bad_request', 'Frames must be JSON.');
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
        if (conn.mistakesLogged++ < MISTAKES_LOGGED) {
          log.warn({ connection: conn.id, error: body.error }, `websocket frame refused: ${body.message}`);
        }
        return conn.sendError(body.error, body.message, replyTo, body.data);
      }
      // One connection's messages are handled in the order they arrived: a signal sent right
      // after its attach must find the attachment made (it used to race it and be refused).
      inbound = inbound.then(() =>
        // The arrival time rides along so the signaling relay can be timed (ops/observe).
        o.channel.handle(conn, message, arrivedAt).catch((error: unknown) => {
          const { body, internal } = toEnvelope(error);
          if (internal) log.error({ err: error }, 'websocket handler failed');
          conn.sendError(body.error, body.message, replyTo, body.data);
        }),
      );
    });
    const hello = (iceServers: IceServer[]) =>
      conn.send({ type: 'hello', userId: principal.userId, iceServers, heartbeatMs: o.heartbeatMs });
    const iceServers = typeof o.iceServers === 'function' ? o.iceServers(principal) : o.iceServers;
    if (Array.isArray(iceServers)) hello(iceServers);
    else {
      inbound = iceServers.then(hello, (error: unknown) => {
        log.error({ err: error }, 'ICE servers for hello failed; sent none');
        hello([]);
      });
    }
  });
}

/**
 * `@fastify/websocket` `errorHandler`: protocol errors a client caused (oversize or
 * malformed frames, bad UTF-8) are logged at `warn` without a stack; `ws` has already
 * closed such a socket with the matching code (1009, 1002, 1007). Anything else is ours.
 */
export function websocketErrorHandler(error: Error, socket: WebSocket, request: { log: FastifyBaseLogger }): void {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('WS_ERR_') || code === 'ECONNRESET' || code === 'EPIPE')) {
    request.log.warn({ code }, `websocket closed after a client protocol error: ${error.message}`);
    return;
  }
  request.log.error({ err: error }, 'websocket failed');
  socket.terminate();
}

/**
 * `@fastify/websocket` `preClose`: tells every client the server is going away (1001,
 * {@link SHUTDOWN_REASON}) instead of the plugin's bare close (1005), waits briefly for
 * the close handshakes, then cuts what is left. Sessions are not ended here: their
 * people reconnect to the restarted node (see `sessions/sweeper`).
 */
export function closeForShutdown(clients: Set<WebSocket>, waitMs = 2000): Promise<void> {
  if (clients.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let left = clients.size;
    const finish = () => {
      clearTimeout(timer);
      for (const client of clients) client.terminate();
      resolve();
    };
    const timer = setTimeout(finish, waitMs);
    for (const client of [...clients]) {
      client.once('close', () => {
        if (--left === 0) finish();
      });
      client.close(WS_CLOSE.shutdown, SHUTDOWN_REASON);
    }
  });
}
