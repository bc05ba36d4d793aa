/**
 * @module ops/logging
 * The server's pino (JSON) logger options and per-request context. Each request's lines
 * carry Fastify's request id (`reqId`); once the caller is known they also carry
 * `tenantId` and `userId`, and `sessionId` on a session's routes. Secrets never reach
 * the log: credentials in headers, bodies and query strings are redacted by pino and by
 * the request serializer (the OIDC callback's `?code=`, a sign-in form's password, a
 * security code, a bearer token, a cookie, a TURN credential).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

const CENSOR = '[redacted]';

/** Object paths pino blanks wherever they appear in a logged object (up to two levels deep). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-device-proof"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  // A top-level `code` is an error code (`WS_ERR_…`, `rate_limited`); a body's `code` is a security code.
  'body.code',
  '*.body.code',
  ...[
    'password',
    'token',
    'accessToken',
    'refreshToken',
    'idToken',
    'secret',
    'credential',
    'cookie',
    'authorization',
  ].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/** Query parameters whose values are secrets (OIDC codes and tokens, security codes, passwords). */
const SECRET_PARAMS =
  /^(code|token|access_token|id_token|id_token_hint|refresh_token|password|secret|state|credential)$/i;

/** The URL with secret query values replaced, so a logged URL cannot be replayed. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAMS.test(decodeURIComponentSafe(name)) ? `${name}=${CENSOR}` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Fastify `logger` options: JSON at `level`, redaction on, requests logged without secrets. */
export function loggerOptions(level: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: {
      // A Fastify request becomes method, URL (secrets blanked) and address; anything else logged as `req` passes on.
      req: (request: FastifyRequest | Record<string, unknown>) =>
        typeof request.url === 'string' && typeof request.method === 'string'
          ? { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip }
          : request,
    },
    ...extra,
  };
}

/**
 * Adds the caller's tenant and user (and the session a route names) to the request's log
 * lines, after authentication has run. Ids only: names, emails and addresses stay out.
 */
export function requestLogContext(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    const principal = request.auth?.principal;
    const params = request.params as Record<string, unknown> | undefined;
    const route = request.routeOptions.url ?? '';
    const sessionId =
      route.startsWith('/api/v1/sessions/:') && typeof params?.id === 'string' ? params.id.slice(0, 64) : undefined;
    if (!principal && !sessionId) return;
    const context: Record<string, string> = {};
    if (principal) {
      context.tenantId = principal.tenantId;
      context.userId = principal.userId;
    }
    if (sessionId) context.sessionId = sessionId;
    request.log = request.log.child(context);
    reply.log = request.log;
  });
}
