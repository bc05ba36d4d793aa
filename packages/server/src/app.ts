/**
 * @module app
 * Builds the whole server from a configuration: database, bus, identity, sessions,
 * HTTP routes and the WebSocket gateway. Tests build it the same way as `main.ts`.
 */
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { AuditLog } from './audit/audit.js';
import type { Bus } from './bus/bus.js';
import { InProcessBus } from './bus/bus.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { migrate, openDatabase } from './db/client.js';
import { toEnvelope } from './errors.js';
import { registerAuth, assertCsrf } from './http/auth.js';
import { staticRoutes } from './http/static.js';
import { AuthSessions } from './identity/authSessions.js';
import { bearerResolver } from './identity/bearer.js';
import { pruneOidcPayloads } from './identity/oidcAdapter.js';
import { createProvider, OIDC_PATH } from './identity/provider.js';
import { relyingPartyRoutes } from './identity/relyingParty.js';
import { signInRoutes } from './identity/signInRoutes.js';
import { Backoff, MemoryBackoffStore } from './ratelimit/backoff.js';
import { loadSecrets } from './secrets.js';
import { Presence } from './sessions/presence.js';
import { sessionRoutes } from './sessions/routes.js';
import { SessionService, sessionTopic } from './sessions/service.js';
import { SessionChannel } from './sessions/signaling.js';
import type { SeedResult } from './tenants/seed.js';
import { seedDemo } from './tenants/seed.js';
import type { Clock } from './time.js';
import { systemClock } from './time.js';
import { UsersRepo } from './users/repo.js';
import { userRoutes } from './users/routes.js';
import { SessionsRepo } from './sessions/repo.js';
import { MAX_WS_FRAME_BYTES } from '@remote-help/protocol';
import { gateway } from './ws/gateway.js';
import { ReplayCache } from './devices/deviceAuth.js';
import { DevicePresence, launchChannel } from './devices/launchChannel.js';
import { DevicesRepo } from './devices/repo.js';
import { deviceRoutes } from './devices/routes.js';
import { DeviceService } from './devices/service.js';

export interface ServerOptions {
  clock?: Clock;
  /** Pino logger options, or false to disable logging (tests). */
  logger?: boolean | Record<string, unknown>;
  /** Timing of presence detection. */
  presence?: { heartbeatMs: number; deadAfterMs: number; graceMs: number };
}

export interface RemoteHelpServer {
  app: FastifyInstance;
  db: Db;
  bus: Bus;
  sessions: SessionService;
  audit: AuditLog;
  seed: SeedResult;
  /** Starts listening; returns the URL it listens on. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
/** Heartbeat 1 s, dead after 2.5 s of silence, 1.5 s grace for a reload: a dead peer is known within 5 s. */
export const DEFAULT_PRESENCE = { heartbeatMs: 1000, deadAfterMs: 2500, graceMs: 1500 };

export async function createServer(config: Config, options: ServerOptions = {}): Promise<RemoteHelpServer> {
  const clock = options.clock ?? systemClock;
  const timing = options.presence ?? DEFAULT_PRESENCE;
  const db = openDatabase(config.database);
  await migrate(db);
  const secrets = await loadSecrets(db);
  const audit = new AuditLog(db, clock);
  const seed = config.seedDemo
    ? await seedDemo(db, audit, config.demoPassword)
    : { seeded: false, generatedPassword: null, accounts: [] };
  const bus: Bus = new InProcessBus();
  const users = new UsersRepo(db);
  const backoffStore = new MemoryBackoffStore(clock);
  const redeemLimits = {
    account: new Backoff(backoffStore, clock, {
      freeFailures: 5,
      baseDelayMs: 2000,
      maxDelayMs: 15 * 60_000,
      resetAfterMs: 15 * 60_000,
    }),
    address: new Backoff(backoffStore, clock, {
      freeFailures: 30,
      baseDelayMs: 2000,
      maxDelayMs: 15 * 60_000,
      resetAfterMs: 15 * 60_000,
    }),
  };
  const loginBackoff = new Backoff(backoffStore, clock, {
    freeFailures: 5,
    baseDelayMs: 1000,
    maxDelayMs: 15 * 60_000,
    resetAfterMs: 15 * 60_000,
  });

  const devicesRepo = new DevicesRepo(db);
  const presenceRef: { current?: Presence } = {};
  const sessions = new SessionService({
    repo: new SessionsRepo(db),
    users,
    audit,
    bus,
    clock,
    redeemLimits,
    codeKey: secrets.codeKey,
    defaultCodeTtlSeconds: config.codeTtlSeconds,
    deviceName: async (tenantId, deviceId) => (await devicesRepo.find(tenantId, deviceId))?.name ?? null,
    presence: () => {
      if (!presenceRef.current) throw new Error('presence used before start');
      return presenceRef.current;
    },
  });
  const presence = new Presence({
    graceMs: timing.graceMs,
    onGone: (id, role) => void sessions.connectionLost(id, role).catch(() => undefined),
    onChange: (id) => void bus.publish(sessionTopic(id), { type: 'presence', id }),
  });
  presenceRef.current = presence;

  const secure = config.publicUrl.startsWith('https:');
  const cookieName = secure ? '__Host-rh_session' : 'rh_session';
  const publicOrigin = new URL(config.publicUrl).origin;

  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    trustProxy: config.trustProxy,
    // One line per request is for debugging; at info the log says what happened, not every asset fetch.
    disableRequestLogging: !['debug', 'trace'].includes(config.logLevel),
    bodyLimit: 64 * 1024,
    ...(config.tls ? { https: { cert: config.tls.cert, key: config.tls.key } } : {}),
  });
  let internalUrl = config.publicUrl;

  app.setErrorHandler((error, request, reply) => {
    const { status, body, internal } = toEnvelope(error);
    if (internal) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ ok: false, error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
  });

  // The embedded IdP is a Koa app: hand it /oidc/* before Fastify parses anything.
  const provider = createProvider({ publicUrl: config.publicUrl, db, users, secrets, trustProxy: config.trustProxy });
  const oidcCallback = provider.callback();
  app.addHook('onRequest', async (request, reply) => {
    const url = request.raw.url ?? '';
    if (url !== OIDC_PATH && !url.startsWith(`${OIDC_PATH}/`)) return;
    reply.hijack();
    const raw = request.raw as typeof request.raw & { originalUrl?: string };
    raw.originalUrl = url;
    raw.url = url.slice(OIDC_PATH.length) || '/';
    oidcCallback(raw, reply.raw);
  });

  await app.register(cookie, { secret: secrets.cookieKeys });
  await app.register(websocket, { options: { maxPayload: 16 * MAX_WS_FRAME_BYTES } });
  const authSessions = new AuthSessions(db, clock);
  registerAuth(app, { sessions: authSessions, cookieName, bearer: bearerResolver(provider, users) });

  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register(signInRoutes, {
    provider,
    users,
    backoff: loginBackoff,
    audit,
    csrfKey: secrets.cookieKeys[0] ?? '',
  });
  await app.register(relyingPartyRoutes, {
    publicUrl: config.publicUrl,
    internalUrl: () => internalUrl,
    clientSecret: secrets.webClientSecret,
    sessions: authSessions,
    users,
    audit,
    cookieName,
    secure,
  });
  app.post('/auth/logout', async (request, reply) => {
    const token = request.cookies[cookieName];
    if (request.auth && token) {
      assertCsrf(request, publicOrigin);
      await authSessions.destroy(token);
      await audit.record({
        tenantId: request.auth.principal.tenantId,
        actor: { type: 'user', id: request.auth.principal.userId },
        action: 'app.signed_out',
        ip: request.ip,
      });
    }
    reply.clearCookie(cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure });
    return reply.status(204).send();
  });
  await app.register(userRoutes, { users });
  await app.register(sessionRoutes, { service: sessions, publicOrigin });
  const channel = new SessionChannel(sessions, bus, presence);
  await app.register(gateway, {
    channel,
    iceServers: config.iceServers,
    publicOrigin,
    heartbeatMs: timing.heartbeatMs,
    deadAfterMs: timing.deadAfterMs,
  });
  const devicePresence = new DevicePresence();
  const replay = new ReplayCache(clock);
  const devices = new DeviceService({
    repo: devicesRepo,
    users,
    audit,
    clock,
    enrollLimits: new Backoff(backoffStore, clock, {
      freeFailures: 10,
      baseDelayMs: 2000,
      maxDelayMs: 15 * 60_000,
      resetAfterMs: 15 * 60_000,
    }),
    isOnline: devicePresence.isOnline,
  });
  const deviceDeps = { repo: devicesRepo, replay, clock, bus, presence: devicePresence, publicUrl: config.publicUrl };
  await app.register(deviceRoutes, { ...deviceDeps, devices, sessions, publicOrigin });
  await app.register(launchChannel, { ...deviceDeps, heartbeatMs: 10_000 });
  await app.register(staticRoutes, { dist: config.webDist ?? DEFAULT_WEB_DIST });

  const sweeper = setInterval(() => {
    sessions.expireDue().catch((error: unknown) => app.log.error({ err: error }, 'code expiry sweep failed'));
  }, 1000);
  sweeper.unref();
  const pruner = setInterval(() => void pruneOidcPayloads(db).catch(() => undefined), 10 * 60_000);
  pruner.unref();

  return {
    app,
    db,
    bus,
    sessions,
    audit,
    seed,
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const loopback = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      internalUrl = `${config.tls ? 'https' : 'http'}://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`;
      return internalUrl;
    },
    async close() {
      clearInterval(sweeper);
      clearInterval(pruner);
      presence.close();
      await app.close();
      await bus.close();
      await db.destroy();
    },
  };
}
