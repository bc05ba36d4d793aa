/**
 * @module app
 * Builds the whole server from a configuration: database, bus, identity, sessions,
 * HTTP routes and the WebSocket gateway. Tests build it the same way as `main.ts`.
 */
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditLog } from './audit/audit.js';
import type { Bus } from './bus/bus.js';
import type { SharedState } from './bus/sharedState.js';
import { openSharedState } from './bus/sharedState.js';
import { SIGNINS_ENDED_TOPIC } from './bus/messages.js';
import type { Config } from './config.js';
import { fastifyTrustProxy } from './config.js';
import type { Db } from './db/client.js';
import { migrate, openDatabase, type StatementCount } from './db/client.js';
import { AppError, answerClientError, toEnvelope } from './errors.js';
import { registerAuth, assertCsrf } from './http/auth.js';
import { baseSecurityHeaders, OIDC_CSP } from './http/securityHeaders.js';
import { loadWebApp, notFoundHandler, staticRoutes } from './http/static.js';
import { canonicalHostHook } from './http/canonicalHost.js';
import { refuseNul } from './http/nulGuard.js';
import { apiDocsRoutes } from './http/apiDocs.js';
import { downloadRoutes } from './downloads/routes.js';
import { AgentUpdatePolicies } from './agentUpdates/policy.js';
import { agentReleasesDir, ReleaseShelf } from './agentUpdates/releases.js';
import { agentUpdateRoutes } from './agentUpdates/routes.js';
import { accountRoutes } from './identity/accountRoutes.js';
import { AccountSecurity } from './identity/accountSecurity.js';
import { AuthSessions } from './identity/authSessions.js';
import { bearerResolver } from './identity/bearer.js';
import { pruneOidcPayloads } from './identity/oidcAdapter.js';
import { MfaLimits } from './identity/mfa/mfaLimits.js';
import { MfaService } from './identity/mfa/mfaService.js';
import { SignInSteps } from './identity/mfa/signInSteps.js';
import { WebauthnChallenges } from './identity/passkeys/challenges.js';
import { passkeyRoutes } from './identity/passkeys/passkeyRoutes.js';
import { PasskeyService } from './identity/passkeys/passkeyService.js';
import { PasskeySignIn } from './identity/passkeys/passkeySignIn.js';
import { relyingPartyOf } from './identity/passkeys/webauthn.js';
import { createProvider, OIDC_PATH } from './identity/provider.js';
import { IdpRequests } from './identity/idpRequests.js';
import { relyingPartyRoutes } from './identity/relyingParty.js';
import { endProviderSession, sentFromOurPage } from './identity/providerSession.js';
import { signInRoutes } from './identity/signInRoutes.js';
import { identityProviderRoutes } from './identity/federation/routes.js';
import { SecretBox } from './identity/federation/secretBox.js';
import { FederationService } from './identity/federation/service.js';
import { federationSignInRoutes, homeRealmRedirect } from './identity/federation/signIn.js';
import { Backoff } from './ratelimit/backoff.js';
import { CodeGuessingLimits, liveCodesIn } from './ratelimit/codeGuessing.js';
import { DeviceCookies } from './ratelimit/deviceCookie.js';
import { AUDIT_VERIFY_TENANT, ENROLL_ADDRESS } from './ratelimit/policies.js';
import { SignInLimits } from './ratelimit/signInLimits.js';
import { PasswordRecheck } from './identity/passwordRecheck.js';
import { loadSecrets } from './secrets.js';
import { MediaWatch } from './sessions/mediaWatch.js';
import { Presence } from './sessions/presence.js';
import { sessionRoutes } from './sessions/routes.js';
import { SessionService, sessionTopic } from './sessions/service.js';
import { SessionChannel } from './sessions/signaling.js';
import type { SignalBudget } from './sessions/signaling.js';
import type { SeedResult } from './tenants/seed.js';
import { seedDemo } from './tenants/seed.js';
import type { Clock } from './time.js';
import { systemClock } from './time.js';
import { UsersRepo } from './users/repo.js';
import { userRoutes } from './users/routes.js';
import { UserLanguages } from './users/language.js';
import { Directory } from './users/directory.js';
import { directoryRoutes } from './users/directoryRoutes.js';
import { photoRoutes } from './users/photoRoutes.js';
import { UserPhotos } from './users/photoService.js';
import { AccessPolicy } from './rbac/policy.js';
import { RbacRepo } from './rbac/repo.js';
import { rbacRoutes } from './rbac/routes.js';
import { RbacService } from './rbac/service.js';
import { SessionsRepo } from './sessions/repo.js';
import { MAX_WS_FRAME_BYTES } from '@remote-help/protocol';
import { closeForShutdown, gateway, websocketErrorHandler } from './ws/gateway.js';
import type { SocketLimitOptions } from './ws/limits.js';
import { DEFAULT_SOCKET_LIMITS, SocketLimits } from './ws/limits.js';
import { sweepAfterRestart } from './sessions/sweeper.js';
import { DevicePresence } from './devices/devicePresence.js';
import { launchChannel } from './devices/launchChannel.js';
import { DEFAULT_LAUNCH_LIMITS, TokenBuckets } from './devices/launchLimits.js';
import { DevicesRepo } from './devices/repo.js';
import { deviceRoutes } from './devices/routes.js';
import { DeviceService } from './devices/service.js';
import { verifyDeviceProof } from './devices/deviceAuth.js';
import { ComplianceRepo } from './devices/complianceRepo.js';
import { complianceRoutes } from './devices/complianceRoutes.js';
import type { Principal } from './identity/principal.js';
import { ConditionalAccessRepo } from './identity/conditionalAccess/repo.js';
import { conditionalAccessRoutes } from './identity/conditionalAccess/routes.js';
import { ConditionalAccessService } from './identity/conditionalAccess/service.js';
import { SignInGate } from './identity/conditionalAccess/signInGate.js';
import { ComplianceService } from './devices/complianceService.js';
import { SettingsRepo } from './tenants/settingsRepo.js';
import { settingsRoutes } from './tenants/settingsRoutes.js';
import { SettingsService } from './tenants/settingsService.js';
import { AuditLogLines } from './audit/logLines.js';
import { AuditQueries } from './audit/queries.js';
import { AuditRepo } from './audit/repo.js';
import { ReportsRepo } from './reports/repo.js';
import { RetentionJob } from './reports/retention.js';
import { reportsRoutes } from './reports/routes.js';
import { ChatRepo, type ThreadLimits } from './chat/repo.js';
import { chatRoutes } from './chat/routes.js';
import { ChatService } from './chat/service.js';
import { ChatFrames } from './chat/signaling.js';
import type { TokenBucketOptions } from './devices/launchLimits.js';
import { ReportsService } from './reports/service.js';
import { DomainsRepo } from './domains/repo.js';
import { domainRoutes } from './domains/routes.js';
import { DomainService } from './domains/service.js';
import { dnsTxtLookup } from './domains/txtLookup.js';
import { lazyChild } from './ops/lazyLogger.js';
import { loggerOptions, requestLogContext } from './ops/logging.js';
import { Metrics, liveSessionsIn } from './ops/metrics.js';
import { metricsListener, metricsRoute, type Scrape } from './ops/metricsEndpoint.js';
import { httpsRedirectListener } from './http/httpsRedirect.js';
import { ObservedAuditLog, ObservedBus } from './ops/observe.js';
import { OpenFilesWatch, processOpenFiles } from './ops/openFiles.js';
import { Readiness } from './ops/readiness.js';
import { iceServersFor } from './turn/credentials.js';
import { sessionIceServers } from './turn/sessionIce.js';

export interface ServerOptions {
  clock?: Clock;
  /** Pino logger options, or false to disable logging (tests). */
  logger?: boolean | Record<string, unknown>;
  /** Timing of presence detection. */
  presence?: { heartbeatMs: number; deadAfterMs: number; graceMs: number; restartGraceMs?: number };
  /** Caps on WebSockets per user, per address and per session (defaults: `DEFAULT_SOCKET_LIMITS`). */
  socketLimits?: Partial<SocketLimitOptions>;
  /** Chat messages per sender (defaults: `DEFAULT_CHAT_LIMITS`). */
  chatLimits?: TokenBucketOptions;
  /** Each person's signalling budget (default: `SIGNAL_BUDGET`, `sessions/signaling`). */
  signalBudget?: SignalBudget;
  /** How much one session's chat thread may hold (defaults: the protocol's `CHAT_THREAD_MAX_*`). */
  chatThreadLimits?: ThreadLimits;
  /**
   * This server is one worker of a node (`ops/workers`): `/metrics` answers with the whole node's
   * metrics from `scrape` (the primary aggregates every worker's), and `METRICS_ADDRESS` is the
   * primary's to listen on.
   */
  worker?: { scrape: Scrape };
}

export interface RemoteHelpServer {
  app: FastifyInstance;
  db: Db;
  bus: Bus;
  /** What the nodes share (Redis or in process); `halt()` lets a test kill this node. */
  shared: SharedState;
  sessions: SessionService;
  audit: AuditLog;
  seed: SeedResult;
  /** Every route registered on the app (HEAD twins of GET routes left out), for the authorization sweep. */
  routes: readonly { method: string; url: string }[];
  /** Prometheus instruments (`ops/metrics`). */
  metrics: Metrics;
  /** What `/readyz` reports; `drain()` on shutdown. */
  readiness: Readiness;
  /** Warns in the log as the node nears its open-file limit (every 10 s; `look()` at once). */
  openFilesWatch: OpenFilesWatch;
  /** The port of the separate metrics listener (`METRICS_ADDRESS`) once listening, else null. */
  metricsPort: number | null;
  /** Starts listening; returns the URL it listens on. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
/**
 * Heartbeat 2 s (clients ping every beat; silent sockets are pinged), dead after 4.5 s of silence,
 * checked four times a beat: the other side is told a peer is offline within 5 s of its last frame
 * (at once when its socket closes). The beat was 1 s: see ws/heartbeat for what that cost. A side
 * that dropped gets 30 s to come back (a reload, a network change) before the session ends with
 * `connection_lost`; `RECONNECT_GRACE_SECONDS` overrides it.
 * After a restart, the people of live sessions get 30 s to reconnect (clients back off up to 15 s).
 */
export const DEFAULT_PRESENCE = { heartbeatMs: 2000, deadAfterMs: 4500, graceMs: 30_000, restartGraceMs: 30_000 };

export async function createServer(config: Config, options: ServerOptions = {}): Promise<RemoteHelpServer> {
  const clock = options.clock ?? systemClock;
  const timing = options.presence ?? { ...DEFAULT_PRESENCE, graceMs: config.reconnectGraceSeconds * 1000 };
  const statements: StatementCount = { count: 0 };
  const db = openDatabase(config.database, statements);
  await migrate(db);
  // Stored secrets that the secrets key given does not open stop the start (`secretsAtRest`).
  const secrets = await loadSecrets(db, config.secretsKey).catch(async (error: unknown) => {
    await db.destroy();
    throw error;
  });
  // The bus, presence, replay cache and back-off counts: in Redis with REDIS_URL (several nodes), else local.
  const shared = openSharedState(config.redis, { db, devices: new DevicesRepo(db), clock });
  const metricsRef: { app?: FastifyInstance } = {};
  const metrics = new Metrics({
    openSockets: () => metricsRef.app?.websocketServer?.clients.size ?? 0,
    liveSessions: liveSessionsIn(db),
    dbStatements: () => statements.count,
  });
  const auditLines = config.auditToLog ? new AuditLogLines() : null;
  const audit: AuditLog = new ObservedAuditLog(db, clock, metrics, auditLines?.emit);
  const seed = config.seedDemo
    ? await seedDemo(db, audit, config.demoPassword)
    : { seeded: false, generatedPassword: null, accounts: [] };
  const bus: Bus = new ObservedBus(shared.bus, metrics);
  const users = new UsersRepo(db);
  // Back-off counts live in the database (they survive a restart) or in Redis; every attempt is reserved before it is checked.
  const backoffStore = shared.backoffStore;
  const redeemLimits = new CodeGuessingLimits({ store: backoffStore, clock, audit, liveCodes: liveCodesIn(db, clock) });
  const signInLimits = new SignInLimits(backoffStore, clock);

  const devicesRepo = new DevicesRepo(db);
  const compliance = new ComplianceService({
    repo: new ComplianceRepo(db),
    devices: devicesRepo,
    audit,
    clock,
    groups: new RbacRepo(db),
  });
  const presenceRef: { current?: Presence } = {};
  const rbacRepo = new RbacRepo(db);
  const conditionalAccess = new ConditionalAccessService({ db, repo: new ConditionalAccessRepo(db), audit, clock });
  const access = new AccessPolicy(rbacRepo);
  const sessions = new SessionService({
    repo: new SessionsRepo(db),
    users,
    audit,
    bus,
    clock,
    redeemLimits,
    codeKey: secrets.codeKey,
    defaultCodeTtlSeconds: config.codeTtlSeconds,
    access,
    deviceName: async (tenantId, deviceId) => (await devicesRepo.find(tenantId, deviceId))?.name ?? null,
    deviceCompliance: async (tenantId, deviceId) => {
      const device = await devicesRepo.find(tenantId, deviceId);
      return device && !device.revoked_at ? compliance.evaluateDevice(device) : null;
    },
    sharerJoinedFrom: (tenantId, deviceId, userId) => devices.noteSharer(tenantId, deviceId, userId),
    conditionalAccess: (request) => conditionalAccess.enforce(request),
    presence: () => {
      if (!presenceRef.current) throw new Error('presence used before start');
      return presenceRef.current;
    },
  });
  const presence = new Presence({
    directory: shared.directory,
    graceMs: timing.graceMs,
    onGone: (id, role) => void sessions.connectionLost(id, role).catch(() => undefined),
    onChange: (id) => void bus.publish(sessionTopic(id), { type: 'presence', id }).catch(() => undefined),
  });
  presenceRef.current = presence;
  const media = new MediaWatch({
    graceMs: timing.graceMs,
    onLost: (id, role) => void sessions.mediaLost(id, role).catch(() => undefined),
  });

  const secure = config.publicUrl.startsWith('https:');
  const cookieName = secure ? '__Host-rh_session' : 'rh_session';
  const publicOrigin = new URL(config.publicUrl).origin;

  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : loggerOptions(config.logLevel, typeof options.logger === 'object' ? options.logger : {}),
    // Each request's logger is made when it first writes a line (`ops/lazyLogger`).
    childLoggerFactory: lazyChild,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // One line per request is for debugging; at info the log says what happened, not every asset fetch.
    disableRequestLogging: !['debug', 'trace'].includes(config.logLevel),
    bodyLimit: 64 * 1024,
    ...(config.tls ? { https: { cert: config.tls.cert, key: config.tls.key } } : {}),
    // What Fastify or Node's parser refuse before any route (bad URL, oversized headers) gets the one envelope too.
    frameworkErrors: (error, request, reply) => {
      const { status, body } = toEnvelope(error);
      request.log.warn({ status, code: error.code }, error.message);
      void (reply as FastifyReply).status(status).send(body);
    },
    clientErrorHandler(this: FastifyInstance, error, socket) {
      answerClientError(error, socket, this.log);
    },
  });
  metricsRef.app = app;
  auditLines?.attach(app.log);
  const routes: { method: string; url: string }[] = [];
  shared.setLog(app.log);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  let internalUrl = config.publicUrl;

  app.setErrorHandler((error, request, reply) => {
    const { status, body, internal } = toEnvelope(error);
    if (internal) request.log.error({ err: error }, 'request failed');
    // A client's mistake caught below our code (static files, parsers): one line, no stack.
    else if (!(error instanceof AppError)) request.log.warn({ status, code: body.error }, (error as Error).message);
    // A typed 429 says when to try again in its data; HTTP clients and proxies read the header (RFC 6585).
    const retryAfter = body.data?.['retryAfterSeconds'];
    if (status === 429 && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(status).send(body);
  });
  // U+0000 anywhere in a request's input is a 400 on both engines (PostgreSQL refuses it in text).
  app.addHook('preValidation', refuseNul);
  const web = loadWebApp(config.webDist ?? DEFAULT_WEB_DIST);
  app.setNotFoundHandler(notFoundHandler(web, config.publicUrl));
  const securityHeaders = baseSecurityHeaders(config.publicUrl);
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(securityHeaders);
  });
  app.addHook('onRequest', canonicalHostHook(config.publicUrl, app.log));

  // The embedded IdP is a Koa app: hand it /oidc/* before Fastify parses anything.
  const provider = createProvider({
    publicUrl: config.publicUrl,
    db,
    users,
    secrets,
    trustProxy: config.trustProxy,
    limits: { store: backoffStore, clock },
  });
  const oidcCallback = provider.callback();
  // Its request store off between requests: otherwise promise hooks slow every promise of the node.
  const idpRequests = new IdpRequests();
  app.addHook('onRequest', async (request, reply) => {
    const url = request.raw.url ?? '';
    if (url !== OIDC_PATH && !url.startsWith(`${OIDC_PATH}/`)) return;
    reply.hijack();
    for (const [name, value] of Object.entries(securityHeaders)) reply.raw.setHeader(name, value);
    reply.raw.setHeader('content-security-policy', OIDC_CSP);
    // Koa must see the client Fastify sees: hand it Fastify's verdict, not the raw, forgeable chain.
    if (config.trustProxy !== false) {
      request.raw.headers['x-forwarded-for'] = request.ip;
      request.raw.headers['x-forwarded-proto'] = request.protocol;
      request.raw.headers['x-forwarded-host'] = request.host;
    }
    const raw = request.raw as typeof request.raw & { originalUrl?: string };
    raw.originalUrl = url;
    raw.url = url.slice(OIDC_PATH.length) || '/';
    reply.raw.once('close', idpRequests.begin());
    oidcCallback(raw, reply.raw);
  });

  await app.register(cookie, { secret: secrets.cookieKeys });
  // The admin center's every call passes conditional access (refusals only go to the sign-in log).
  app.decorate('adminAccessGate', (principal: Principal) =>
    conditionalAccess.enforce({ event: 'adminAccess', app: 'admin', actor: principal }, { logAllowed: false }),
  );
  await app.register(websocket, {
    options: { maxPayload: 16 * MAX_WS_FRAME_BYTES },
    errorHandler: websocketErrorHandler,
    preClose(done) {
      const wss = this.websocketServer;
      void closeForShutdown(wss.clients).then(() => {
        wss.close();
        done();
      });
    },
  });
  const authSessions = new AuthSessions(db, clock);
  registerAuth(app, { sessions: authSessions, cookieName, bearer: bearerResolver(provider, users, access) });

  requestLogContext(app);
  metrics.instrumentHttp(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  const readiness = new Readiness({ db, bus });
  app.get('/readyz', async (_request, reply) => {
    const report = await readiness.report();
    return reply
      .status(report.status === 'ready' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });
  const scrape = options.worker?.scrape ?? (() => metrics.scrape());
  if (config.metrics.token) metricsRoute(app, scrape, config.metrics.token);
  let metricsServer: { port: number; close: () => Promise<void> } | null = null;
  let redirectServer: { close: () => Promise<void> } | null = null;
  // The password asked again of a signed-in person counts against the sign-in page's back-off.
  const recheck = new PasswordRecheck({ db, audit, limits: signInLimits });
  const mfa = new MfaService({ db, audit, clock, serverKey: secrets.codeKey, recheck });
  const signInsEnded = (userId: string): void => {
    bus
      .publish(SIGNINS_ENDED_TOPIC, { userId })
      .catch((error: unknown) => app.log.error({ err: error, userId }, 'could not announce ended sign-ins'));
  };
  const accountSecurity = new AccountSecurity({ db, audit, clock, signInsEnded, recheck });
  // Passkeys: one relying party (the public URL's host), one challenge store for registration and sign-in.
  const passkeyDeps = {
    db,
    audit,
    clock,
    rp: relyingPartyOf(config.publicUrl),
    challenges: new WebauthnChallenges(db, clock),
    recheck,
  };
  const passkeys = new PasskeyService(passkeyDeps);
  const federation = new FederationService({
    db,
    audit,
    clock,
    box: await SecretBox.load(db, config.secretsKey),
    publicUrl: config.publicUrl,
    addresses: config.idpAddresses,
  });
  const signInGate = new SignInGate({ ca: conditionalAccess, mfa, audit, clock, key: secrets.cookieKeys[0] ?? '' });
  const signInSteps = new SignInSteps({
    db,
    mfa,
    account: accountSecurity,
    limits: new MfaLimits(backoffStore, clock),
    audit,
    clock,
    key: secrets.cookieKeys[0] ?? '',
    // The same back-off keys as authenticator codes (the store is shared): one budget per person.
    passkeys: new PasskeySignIn({ ...passkeyDeps, limits: new MfaLimits(backoffStore, clock) }),
  });
  await app.register(federationSignInRoutes, {
    gate: signInGate,
    steps: signInSteps,
    provider,
    federation,
    db,
    audit,
    clock,
    publicUrl: config.publicUrl,
    secure,
    csrfKey: secrets.cookieKeys[0] ?? '',
    addresses: config.idpAddresses,
  });
  await app.register(identityProviderRoutes, { federation, publicOrigin });
  await app.register(domainRoutes, {
    domains: new DomainService({ repo: new DomainsRepo(db), audit, clock, lookupTxt: dnsTxtLookup(config.dns) }),
    publicOrigin,
  });
  await app.register(signInRoutes, {
    gate: signInGate,
    homeRealm: homeRealmRedirect(federation),
    provider,
    users,
    limits: signInLimits,
    deviceCookies: new DeviceCookies(secrets.cookieKeys[0] ?? ''),
    secure,
    audit,
    csrfKey: secrets.cookieKeys[0] ?? '',
    steps: signInSteps,
  });
  await app.register(relyingPartyRoutes, {
    publicUrl: config.publicUrl,
    clientSecret: secrets.webClientSecret,
    sessions: authSessions,
    users,
    audit,
    cookieName,
    secure,
  });
  app.post('/auth/logout', async (request, reply) => {
    const token = request.cookies[cookieName];
    const signedIn = Boolean(request.auth && token);
    if (signedIn) assertCsrf(request, publicOrigin);
    // The embedded provider's session of this browser ends too: on a shared machine the next person
    // must not be signed in from it (`identity/providerSession`).
    if (signedIn || sentFromOurPage(request, publicOrigin)) await endProviderSession(provider, request, reply, secure);
    if (request.auth && token) {
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
  await app.register(userRoutes, { users, languages: new UserLanguages({ db, audit }), publicOrigin });
  await app.register(conditionalAccessRoutes, { service: conditionalAccess, publicOrigin });
  await app.register(accountRoutes, { mfa, account: accountSecurity, cookieName, publicOrigin });
  await app.register(passkeyRoutes, { passkeys, cookieName, publicOrigin });
  await app.register(photoRoutes, { users, photos: new UserPhotos({ db, audit, clock }), publicOrigin });
  await app.register(apiDocsRoutes, { publicUrl: config.publicUrl, publicOrigin });
  await app.register(downloadRoutes, { publicOrigin });
  await app.register(directoryRoutes, {
    directory: new Directory({
      db,
      users,
      rbac: rbacRepo,
      access,
      audit,
      clock,
      endSessionsOf: (tenantId, userId, by) => sessions.endAllForUser(tenantId, userId, by),
      signInsEnded,
    }),
    publicOrigin,
  });
  await app.register(rbacRoutes, {
    service: new RbacService({ repo: rbacRepo, audit, clock, exists: (t, k, ids) => rbacRepo.existing(t, k, ids) }),
    publicOrigin,
  });
  await app.register(sessionRoutes, {
    service: sessions,
    publicOrigin,
    deviceProof: (request, header) =>
      verifyDeviceProof(devicesRepo, replay, clock, {
        header,
        method: request.method,
        url: `${config.publicUrl}${request.url.split('?')[0] ?? ''}`,
      }),
  });
  const settings = new SettingsService({
    repo: new SettingsRepo(db),
    audit,
    onRemoteHelpDisabled: async (tenantId, by) => void (await sessions.endAllForTenant(tenantId, by)),
  });
  await app.register(settingsRoutes, {
    settings,
    publicOrigin,
    defaults: { codeTtlSeconds: config.codeTtlSeconds },
  });
  await app.register(complianceRoutes, { compliance, publicOrigin });
  const reports = new ReportsService({
    repo: new ReportsRepo(db),
    audit,
    clock,
    isPresent: (id, role) => presence.isPresent(id, role),
    endSession: async (principal, id) => void (await sessions.endOneAsAdmin(principal, id)),
  });
  const auditQueries = new AuditQueries({
    repo: new AuditRepo(db),
    audit,
    db,
    clock,
    verifyLimits: new Backoff(backoffStore, clock, AUDIT_VERIFY_TENANT),
  });
  await app.register(reportsRoutes, { reports, auditQueries, clock, publicOrigin });
  const chat = new ChatService({
    repo: new ChatRepo(db),
    loadSession: (principal, id) => sessions.load(principal, id),
    chatDisabled: async (tenantId) => (await users.tenant(tenantId))?.disable_chat === 1,
    audit,
    bus,
    clock,
    adminGate: async (principal) => app.adminAccessGate?.(principal),
    ...(options.chatLimits ? { limits: options.chatLimits } : {}),
    ...(options.chatThreadLimits ? { thread: options.chatThreadLimits } : {}),
  });
  await app.register(chatRoutes, { chat, publicOrigin });
  const socketLimits = new SocketLimits({ ...DEFAULT_SOCKET_LIMITS, ...options.socketLimits });
  const channel = new SessionChannel({
    service: sessions,
    repo: new SessionsRepo(db),
    bus,
    presence,
    media,
    log: app.log,
    attachmentsPerUserPerSession: socketLimits.options.attachmentsPerUserPerSession,
    chat: new ChatFrames(chat),
    ice: (sessionId, userId) => sessionIceServers(config.iceServers, config.turn, sessionId, userId, clock.now()),
    signalBudget: options.signalBudget,
  });
  await app.register(gateway, {
    channel,
    // TURN credentials only for people of an organization that has Remote Help on: the relay is for its sessions.
    iceServers: (principal: Principal) =>
      config.turn
        ? users
            .tenant(principal.tenantId)
            .then((tenant) =>
              tenant?.remote_help_enabled === 1
                ? iceServersFor(config.iceServers, config.turn, principal.userId, clock.now())
                : [...config.iceServers],
            )
        : [...config.iceServers],
    publicOrigin,
    heartbeatMs: timing.heartbeatMs,
    deadAfterMs: timing.deadAfterMs,
    limits: socketLimits,
    bus,
  });
  await sweepAfterRestart(new SessionsRepo(db), presence, timing.restartGraceMs ?? DEFAULT_PRESENCE.restartGraceMs);
  const devicePresence = new DevicePresence(shared.directory);
  const replay = shared.replay;
  const devices = new DeviceService({
    repo: devicesRepo,
    users,
    audit,
    clock,
    enrollLimits: new Backoff(backoffStore, clock, ENROLL_ADDRESS),
    onlineOf: (ids) => devicePresence.onlineOf(ids),
    compliance,
    access,
  });
  const deviceDeps = { repo: devicesRepo, replay, clock, bus, presence: devicePresence, publicUrl: config.publicUrl };
  const launchLimits = new TokenBuckets(clock, DEFAULT_LAUNCH_LIMITS);
  await app.register(deviceRoutes, { ...deviceDeps, devices, sessions, publicOrigin, launchLimits });
  const releases = new ReleaseShelf(agentReleasesDir());
  await app.register(agentUpdateRoutes, {
    policies: new AgentUpdatePolicies({ db, audit, releases }),
    releases,
    publicOrigin,
    publicUrl: config.publicUrl,
    verifyDevice: (request, header) =>
      verifyDeviceProof(devicesRepo, replay, clock, {
        header,
        method: request.method,
        url: `${config.publicUrl}${request.url.split('?')[0] ?? ''}`,
      }),
  });
  await app.register(launchChannel, { ...deviceDeps, heartbeatMs: 10_000 });
  await app.register(staticRoutes, { web, publicUrl: config.publicUrl });

  const sweeper = setInterval(() => {
    sessions.expireDue().catch((error: unknown) => app.log.error({ err: error }, 'code expiry sweep failed'));
  }, 1000);
  sweeper.unref();
  const pruner = setInterval(() => void pruneOidcPayloads(db).catch(() => undefined), 10 * 60_000);
  pruner.unref();
  const complianceSweep = setInterval(() => {
    compliance.reevaluateAll().catch((error: unknown) => app.log.error({ err: error }, 'compliance sweep failed'));
  }, 60 * 60_000);
  complianceSweep.unref();
  const retention = new RetentionJob({ db, audit, clock, log: app.log });
  retention.start();
  const openFilesWatch = new OpenFilesWatch({ files: processOpenFiles, log: app.log });
  openFilesWatch.start();

  return {
    app,
    db,
    bus,
    shared,
    sessions,
    audit,
    seed,
    routes,
    metrics,
    readiness,
    openFilesWatch,
    get metricsPort() {
      return metricsServer?.port ?? null;
    },
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      if (config.metrics.address && !options.worker)
        metricsServer = await metricsListener(scrape, config.metrics.address);
      if (config.httpRedirectPort !== null)
        redirectServer = await httpsRedirectListener({
          host: config.host,
          port: config.httpRedirectPort,
          publicUrl: config.publicUrl,
          log: app.log,
        });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const loopback = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      internalUrl = `${config.tls ? 'https' : 'http'}://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`;
      return internalUrl;
    },
    async close() {
      clearInterval(sweeper);
      clearInterval(pruner);
      clearInterval(complianceSweep);
      openFilesWatch.stop();
      await retention.stop();
      await metricsServer?.close();
      await redirectServer?.close();
      presence.close();
      media.close();
      await app.close();
      await shared.close();
      await db.destroy();
    },
  };
}
