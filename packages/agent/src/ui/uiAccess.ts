/**
 * @module ui/uiAccess
 * Who may talk to the agent window's local server. The agent opens the window with a
 * one-time launch token in the URL (`/?t=…`); the first request with it gets an
 * HttpOnly, SameSite=Strict cookie and the token is spent. Every other request needs
 * that cookie; commands also need the CSRF token of the cookie's session in a header,
 * an Origin (when sent) of this server, and every request must name this server in
 * its Host header (DNS rebinding). Secrets are kept only as SHA-256 hashes and
 * compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Cookie that carries the window's session. */
export const UI_COOKIE = 'rh_agent_ui';
/** Header that carries the CSRF token on commands. */
export const CSRF_HEADER = 'x-rh-csrf';
/** Launch tokens not yet used, at most. */
const MAX_LAUNCH_TOKENS = 8;
/** Window sessions, at most (each launch makes one). */
const MAX_SESSIONS = 16;

const secret = (): string => randomBytes(32).toString('base64url');
const hash = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** Why a request was refused. */
export type AccessDenial = 'bad_host' | 'bad_origin' | 'no_session' | 'bad_csrf' | 'bad_token';

/** One window session, established from a launch token. */
export interface UiSession {
  /** Value of the cookie to set. */
  cookie: string;
  csrfToken: string;
}

/** Parses a `Cookie` header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** The access rules of one UI server listening on `port`. */
export class UiAccess {
  readonly #hosts: Set<string>;
  readonly #origins: Set<string>;
  readonly #launchTokens = new Set<string>();
  /** cookie hash → CSRF token. */
  readonly #sessions = new Map<string, string>();

  constructor(port: number) {
    this.#hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.#origins = new Set([...this.#hosts].map((h) => `http://${h}`));
  }

  /** A new one-time launch token (the oldest unused ones are dropped beyond a few). */
  mintLaunchToken(): string {
    const token = secret();
    this.#launchTokens.add(hash(token));
    while (this.#launchTokens.size > MAX_LAUNCH_TOKENS) {
      this.#launchTokens.delete(this.#launchTokens.values().next().value as string);
    }
    return token;
  }

  /** Spends a launch token and opens a window session, or null when the token is not (or no longer) valid. */
  redeemLaunchToken(token: string | null): UiSession | null {
    if (!token || token.length > 100) return null;
    const key = hash(token);
    if (!this.#launchTokens.delete(key)) return null;
    const session = { cookie: secret(), csrfToken: secret() };
    this.#sessions.set(hash(session.cookie), session.csrfToken);
    while (this.#sessions.size > MAX_SESSIONS) {
      this.#sessions.delete(this.#sessions.keys().next().value as string);
    }
    return session;
  }

  /** The `Set-Cookie` value for a window session. */
  cookieHeader(session: UiSession): string {
    return `${UI_COOKIE}=${session.cookie}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** Checks a request that must come from this server's window. Null = allowed. */
  check(headers: IncomingHttpHeaders, kind: 'read' | 'command'): AccessDenial | null {
    if (!headers.host || !this.#hosts.has(headers.host)) return 'bad_host';
    const csrf = this.#csrfOf(headers);
    if (csrf === null) return 'no_session';
    if (kind === 'read') return null;
    const origin = headers.origin;
    if (origin !== undefined && !this.#origins.has(origin)) return 'bad_origin';
    const site = headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return 'bad_origin';
    const presented = headers[CSRF_HEADER];
    if (typeof presented !== 'string' || !equal(presented, csrf)) return 'bad_csrf';
    return null;
  }

  /** Whether the Host header names this server (checked before anything else, even the launch). */
  hostAllowed(headers: IncomingHttpHeaders): boolean {
    return headers.host !== undefined && this.#hosts.has(headers.host);
  }

  /** The CSRF token of the request's window session, or null without a valid cookie. */
  csrfFor(headers: IncomingHttpHeaders): string | null {
    return this.#csrfOf(headers);
  }

  #csrfOf(headers: IncomingHttpHeaders): string | null {
    const cookie = parseCookies(headers.cookie).get(UI_COOKIE);
    if (!cookie || cookie.length > 100) return null;
    return this.#sessions.get(hash(cookie)) ?? null;
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(hash(a));
  const y = Buffer.from(hash(b));
  return timingSafeEqual(x, y);
}
