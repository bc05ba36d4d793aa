/**
 * @module http/auth
 * Establishes who is calling (session cookie) and guards state-changing requests with a
 * CSRF token and an Origin check.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import type { AuthSessions, ResolvedSession } from '../identity/authSessions.js';
import type { Principal } from '../identity/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: ResolvedSession | null;
  }
}

export interface AuthOptions {
  sessions: AuthSessions;
  cookieName: string;
  /** Resolves an `Authorization: Bearer` access token (the native agent). */
  bearer: (token: string, ip: string | null) => Promise<Principal | undefined>;
}

/**
 * Establishes the caller from a bearer token (agent) or the session cookie (browser apps).
 * Only the API and `/auth/*` look at the caller, so static files and sign-in pages skip the lookup.
 */
export function registerAuth(app: FastifyInstance, o: AuthOptions): void {
  app.decorateRequest('auth', null);
  // onRequest, not later: an endpoint refuses a request without a caller before its body is read (`endpoint.ts`).
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') && !request.url.startsWith('/auth/')) return;
    const header = request.headers.authorization;
    const ip = request.ip;
    if (header?.startsWith('Bearer ')) {
      const bearer = header.slice('Bearer '.length).trim();
      const principal = await o.bearer(bearer, ip);
      const recheck = async () => (await o.bearer(bearer, ip))?.userId === principal?.userId;
      request.auth = principal ? { principal, csrfToken: null, recheck } : null;
      return;
    }
    const token = request.cookies[o.cookieName];
    const resolved = token ? await o.sessions.resolve(token, ip) : undefined;
    if (resolved && token) resolved.recheck = async () => (await o.sessions.resolve(token, ip)) !== undefined;
    request.auth = resolved ?? null;
  });
}

/** The caller, or `authentication_required`. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.auth) throw errors.authenticationRequired();
  return request.auth.principal;
}

const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** For POST/PUT/PATCH/DELETE: the CSRF header must match the session's token and any Origin must be ours. */
export function assertCsrf(request: FastifyRequest, publicOrigin: string): void {
  if (!request.auth) throw errors.authenticationRequired();
  if (request.auth.csrfToken === null) return; // bearer token: never sent by a browser on its own
  const origin = request.headers.origin;
  if (origin && origin !== publicOrigin && !isSameOrigin(origin, request)) throw errors.csrf();
  const header = request.headers['x-csrf-token'];
  if (typeof header !== 'string' || !equal(header, request.auth.csrfToken)) throw errors.csrf();
}

/**
 * Accepts an Origin that names the origin the request was sent to, scheme included (e.g.
 * `http://127.0.0.1:8080` when the public URL says `localhost`). The scheme matters: behind
 * a TLS proxy, a page an attacker serves at `http://<our host>` must not pass for us.
 * `request.protocol` and `request.host` follow `TRUST_PROXY`, so a proxy's view counts only
 * when the proxy is trusted.
 */
export function isSameOrigin(origin: string, request: Pick<FastifyRequest, 'protocol' | 'host'>): boolean {
  if (!request.host) return false;
  try {
    return new URL(origin).origin === new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return false;
  }
}
