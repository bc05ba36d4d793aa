/**
 * @module http/canonicalHost
 * A page opened through another host name than `PUBLIC_URL`'s (`127.0.0.1` for `localhost`,
 * the server's address for its DNS name) is sent to the same path and query on `PUBLIC_URL`
 * before anything else happens. Otherwise sign-in fails: its flow cookie is set for the host
 * the browser used, and the IdP returns to `PUBLIC_URL`, where that cookie does not exist.
 *
 * Only browser page navigations (GET/HEAD that ask for HTML), never the API, the embedded
 * IdP or a WebSocket upgrade. The target is always `PUBLIC_URL`'s origin and a path that
 * starts with exactly one `/`, whatever the Host header or request target says (no open
 * redirect). A reverse proxy that rewrites Host (nginx's default) without `TRUST_PROXY` would
 * make every navigation look foreign; a short-lived cookie set with the redirect notices the
 * second arrival and serves the page instead of redirecting in a loop (and the log says why).
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';

/** Set with a redirect; present on the next navigation only if the browser was already on that host. */
export const REDIRECT_MARK = 'rh_canonical_host';
const MARK_SECONDS = 10;
const MARKED = new RegExp(`(?:^|;)\\s*${REDIRECT_MARK}=`);

/** Paths that are never page navigations of the web app. */
const EXCLUDED = /^\/(api|oidc)(\/|$|\?)/;

/** Whether a request is a browser's page navigation that {@link canonicalHostHook} may redirect. */
export function isPageNavigation(request: {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!request.url.startsWith('/') || EXCLUDED.test(request.url)) return false;
  const header = (name: string) => [request.headers[name] ?? ''].flat().join(',');
  if (header('upgrade')) return false;
  const mode = header('sec-fetch-mode');
  if (mode) return mode === 'navigate';
  // Browsers without Fetch Metadata (and curl with -H 'Accept: text/html'): ask for HTML.
  return /\btext\/html\b/i.test(header('accept'));
}

/** `host` as `PUBLIC_URL`'s scheme would spell it (lower case, default port dropped), or null. */
function normalHost(host: string, protocol: string): string | null {
  if (!host || /[/\\@?#\s]/.test(host)) return null;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return null;
  }
}

/** Whether the host the request names (`request.host`, which follows `TRUST_PROXY`) is `PUBLIC_URL`'s. */
export function isCanonicalHost(requestHost: string, publicUrl: string): boolean {
  const canonical = new URL(publicUrl);
  return normalHost(requestHost, canonical.protocol) === canonical.host;
}

/**
 * `PUBLIC_URL`'s origin followed by the request's path and query: never another origin, and the
 * path starts with exactly one `/` (`//evil.example`, `/\evil.example` and an absolute-form
 * request target all keep only their path). Re-serialised, so always a valid `Location`.
 */
export function canonicalLocation(requestUrl: string, publicUrl: string): string {
  const origin = new URL(publicUrl).origin;
  let target: URL;
  try {
    target = new URL(requestUrl, origin);
  } catch {
    return `${origin}/`;
  }
  const path = target.pathname.replace(/^\/+/, '/');
  return `${origin}${path}${target.search}`;
}

/** The `onRequest` hook; see the module description. */
export function canonicalHostHook(publicUrl: string, log: FastifyBaseLogger) {
  let warned = false;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!isPageNavigation(request) || isCanonicalHost(request.host, publicUrl)) return;
    // Read from the raw header: this hook runs before the cookie plugin parses anything.
    if (MARKED.test(request.headers.cookie ?? '')) {
      // The browser came back from our own redirect and still names another host: something in
      // between rewrites Host. Serve the page rather than loop.
      if (!warned) {
        warned = true;
        log.warn(
          { host: request.host, publicUrl },
          'requests for PUBLIC_URL arrive with another Host: let the reverse proxy forward Host (or X-Forwarded-Host with TRUST_PROXY)',
        );
      }
      return;
    }
    await reply
      .header('cache-control', 'no-store')
      .header('set-cookie', `${REDIRECT_MARK}=1; Max-Age=${MARK_SECONDS}; Path=/; HttpOnly; SameSite=Lax`)
      .redirect(canonicalLocation(request.url, publicUrl), 307);
  };
}
