/**
 * @module http/securityHeaders
 * The response headers every reply carries (Fastify's and the embedded IdP's alike) and the
 * content security policies of the web app and of the IdP's own pages.
 */

/** One year; sent only when the public URL is https (browsers ignore it over http anyway). */
const HSTS = 'max-age=31536000';

/** Headers for every response. HSTS only when `publicUrl` is https. */
export function baseSecurityHeaders(publicUrl: string): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
    ...(publicUrl.startsWith('https:') ? { 'strict-transport-security': HSTS } : {}),
  };
}

/** The WebSocket origin of the public URL: `wss://host:port` for https, `ws://host:port` for http. */
export function socketOrigin(publicUrl: string): string {
  const url = new URL(publicUrl);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
}

/** The web app's policy: scripts and connections only to this server (its own WebSocket origin spelled out). */
export function appCsp(publicUrl: string): string {
  return [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self' ${socketOrigin(publicUrl)}`,
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The IdP's pages (errors, sign-out confirmation) need inline styles only. `script-src 'self'` is there
 * so oidc-provider can add the hash of an inline script it writes itself (form_post), nothing else runs.
 */
export const OIDC_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
