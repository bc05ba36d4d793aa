/**
 * @module identity/oidcRequestGuard
 * What the embedded provider (`/oidc`) accepts before any of its own code runs: a Koa middleware
 * ahead of its routes (`provider.use`). Anyone may start an authorization or a sign-out at the
 * provider, and each stores a row for a visitor nobody knows yet (an interaction, 10 minutes; a
 * session holding a sign-out's `state`); rows are pruned every 10 minutes. So:
 * - every parameter is short: at most {@link MAX_PARAMETER_LENGTH} characters (an ID token hint
 *   {@link MAX_ID_TOKEN_HINT_LENGTH}), the whole query at most {@link MAX_QUERY_LENGTH}, a form
 *   body at most {@link MAX_BODY_LENGTH} bytes and always with its `Content-Length`. Otherwise
 *   `invalid_request`, and nothing is read further or stored. Our own clients send at most a few
 *   hundred characters (state, nonce and PKCE challenge 43 each, a login hint up to 254);
 * - one source address (an IPv6 /64) starts at most `PROVIDER_REQUESTS_ADDRESS` authorizations and
 *   sign-outs a minute; past it a plain 429 page, before the provider stores anything.
 */
import type Provider from 'oidc-provider';
import { perAddress } from '../ratelimit/address.js';
import type { Backoff } from '../ratelimit/backoff.js';

type Middleware = Parameters<Provider['use']>[0];
export type ProviderContext = Parameters<Middleware>[0];

/** Longest value of any one parameter, in characters (after percent-decoding). */
export const MAX_PARAMETER_LENGTH = 1024;
/** An ID token (sign-out's `id_token_hint`) is a signed JWT: longer than any other parameter. */
export const MAX_ID_TOKEN_HINT_LENGTH = 2048;
/** Longest query string, as sent (percent-encoded). */
export const MAX_QUERY_LENGTH = 4096;
/** Largest form body (token, revocation and the like), in bytes. */
export const MAX_BODY_LENGTH = 4096;

const LONGER: Readonly<Record<string, number>> = { id_token_hint: MAX_ID_TOKEN_HINT_LENGTH };

/** Why `query` (the raw query string) is refused, or undefined. */
export function queryProblem(query: string): string | undefined {
  if (query.length > MAX_QUERY_LENGTH) return `the query is too long (at most ${MAX_QUERY_LENGTH} characters)`;
  for (const [name, value] of new URLSearchParams(query)) {
    const max = LONGER[name] ?? MAX_PARAMETER_LENGTH;
    if (name.length > MAX_PARAMETER_LENGTH)
      return `a parameter name is too long (at most ${MAX_PARAMETER_LENGTH} characters)`;
    if (value.length > max) return `${name} is too long (at most ${max} characters)`;
  }
  return undefined;
}

/** Why the request's body is refused, or undefined. Its parameters are read by the provider, within this size. */
function bodyProblem(ctx: ProviderContext): string | undefined {
  const length = ctx.get('content-length');
  if (length === '') {
    return ctx.get('transfer-encoding') ? 'a request body needs a Content-Length' : undefined;
  }
  const bytes = Number(length);
  return Number.isSafeInteger(bytes) && bytes <= MAX_BODY_LENGTH
    ? undefined
    : `the request body is too large (at most ${MAX_BODY_LENGTH} bytes)`;
}

/**
 * Whether the request may make the provider store something for an unknown visitor: the
 * authorization endpoint (not its resume, `/auth/:uid`, which needs an interaction already) and
 * sign-out. Matched as the provider's router matches: any case, one trailing slash.
 */
export function startsSomething(path: string): boolean {
  const route = path.toUpperCase().replace(/(.)\/$/, '$1');
  return route === '/AUTH' || route === '/SESSION/END';
}

/** Front-channel endpoints answer a browser: an HTML page. The others answer a client: JSON. */
const frontChannel = (path: string): boolean => /^\/(auth|session\/end)(\/|$)/i.test(path);

export interface OidcRequestGuardOptions {
  /** Per-address budget of requests that may store something (`PROVIDER_REQUESTS_ADDRESS`). */
  limits: Backoff;
  /** Writes the provider's error page (front channel) for `invalid_request`. */
  errorPage(ctx: ProviderContext, description: string): void;
  /** Writes the plain 429 page. */
  tooManyPage(ctx: ProviderContext, retryAfterSeconds: number): void;
}

export function oidcRequestGuard(o: OidcRequestGuardOptions): Middleware {
  return async (ctx, next) => {
    const problem = queryProblem(ctx.querystring) ?? bodyProblem(ctx);
    if (problem) {
      ctx.status = 400;
      ctx.set('cache-control', 'no-store');
      if (frontChannel(ctx.path)) o.errorPage(ctx, problem);
      else ctx.body = { error: 'invalid_request', error_description: problem };
      return;
    }
    if (startsSomething(ctx.path)) {
      const attempt = await o.limits.reserve([perAddress('oidc', ctx.ip)]);
      if (!attempt.ok) {
        ctx.status = 429;
        ctx.set('cache-control', 'no-store');
        ctx.set('retry-after', String(attempt.retryAfterSeconds));
        o.tooManyPage(ctx, attempt.retryAfterSeconds);
        return;
      }
    }
    await next();
  };
}
