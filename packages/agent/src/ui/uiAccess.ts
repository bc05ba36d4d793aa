/**
 * @module ui/uiAccess
 * Who may talk to the agent window's local server. The agent opens the window with a
 * one-time launch token in the URL (`/?t=…`, handed to the browser through a private file,
 * never a command line); the request with it spends the token and gets the page, an HttpOnly,
 * SameSite=Strict cookie and, in the page, a window key. Cookies are not port-scoped: the
 * browser sends this one to every port of 127.0.0.1, so any local user's listener the browser
 * visits could get it. So the cookie alone opens nothing but the page and its static files
 * (without the key): the page keeps the key in its sessionStorage (scoped to this origin, port
 * included) and sends it in a header on every other `/api/` request; commands also need the
 * CSRF token of the cookie's session in a header and an Origin (when sent) of this server; an
 * `/api/` request a browser says is not same-origin (`Sec-Fetch-Site`) is refused; and every
 * request must name this server in its Host header (DNS rebinding). Secrets are kept only as
 * SHA-256 hashes and compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Cookie that carries the window's session. */
export const UI_COOKIE = 'rh_agent_ui';
/** Header that carries the CSRF token on commands. */
export const CSRF_HEADER = 'x-rh-csrf';
/** Header that carries the window key on every `/api/` request. */
export const WINDOW_HEADER = 'x-rh-window';
/** Launch tokens not yet used, at most. */
const MAX_LAUNCH_TOKENS = 8;
/** Window sessions, at most (each launch makes one). */
const MAX_SESSIONS = 16;

const secret = (): string => randomBytes(32).toString('base64url');
const hash = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** Why a request was refused. */
export type AccessDenial = 'bad_host' | 'bad_origin' | 'no_session' | 'bad_window' | 'bad_csrf' | 'bad_token';

/**
 * What a request asks for: `page` the page and its static files (the cookie), `read` an `/api/`
 * read (also the window key), `command` a command (also the CSRF token and a same-origin Origin).
 */
export type AccessKind = 'page' | 'read' | 'command';

/** One window session, established from a launch token. */
export interface UiSession {
  /** Value of the cookie to set. */
  cookie: string;
  csrfToken: string;
  /** The key the page sends in {@link WINDOW_HEADER} (only in the page that spent the launch token). */
  windowKey: string;
}

/** What the server keeps of a session. */
interface SessionRecord {
  csrfToken: string;
  windowKeyHash: string;
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
  /** token hash → called when it is redeemed. */
  readonly #launchTokens = new Map<string, () => void>();
  /** cookie hash → session. */
  readonly #sessions = new Map<string, SessionRecord>();

  constructor(port: number) {
    this.#hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.#origins = new Set([...this.#hosts].map((h) => `http://${h}`));
  }

  /** A new one-time launch token (the oldest unused ones are dropped beyond a few); `onRedeemed` runs when it is spent. */
  mintLaunchToken(onRedeemed: () => void = () => undefined): string {
    const token = secret();
    this.#launchTokens.set(hash(token), onRedeemed);
    while (this.#launchTokens.size > MAX_LAUNCH_TOKENS) {
      this.#launchTokens.delete(this.#launchTokens.keys().next().value as string);
    }
    return token;
  }

  /** Spends a launch token and opens a window session, or null when the token is not (or no longer) valid. */
  redeemLaunchToken(token: string | null): UiSession | null {
    if (!token || token.length > 100) return null;
    const key = hash(token);
    const onRedeemed = this.#launchTokens.get(key);
    if (!onRedeemed || !this.#launchTokens.delete(key)) return null;
    const session = { cookie: secret(), csrfToken: secret(), windowKey: secret() };
    this.#sessions.set(hash(session.cookie), {
      csrfToken: session.csrfToken,
      windowKeyHash: hash(session.windowKey),
    });
    while (this.#sessions.size > MAX_SESSIONS) {
      this.#sessions.delete(this.#sessions.keys().next().value as string);
    }
    onRedeemed();
    return session;
  }

  /** The `Set-Cookie` value for a window session. */
  cookieHeader(session: UiSession): string {
    return `${UI_COOKIE}=${session.cookie}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** Checks a request that must come from this server's window. Null = allowed. */
  check(headers: IncomingHttpHeaders, kind: AccessKind): AccessDenial | null {
    if (!headers.host || !this.#hosts.has(headers.host)) return 'bad_host';
    const session = this.#sessionOf(headers);
    if (session === null) return 'no_session';
    if (kind === 'page') return null;
    // A page of another origin cannot send the header without a preflight we never answer; and a browser says where a request comes from.
    const site = headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return 'bad_origin';
    const key = headers[WINDOW_HEADER];
    if (typeof key !== 'string' || key.length > 100 || !equal(hash(key), session.windowKeyHash)) return 'bad_window';
    if (kind === 'read') return null;
    const origin = headers.origin;
    if (origin !== undefined && !this.#origins.has(origin)) return 'bad_origin';
    const presented = headers[CSRF_HEADER];
    if (typeof presented !== 'string' || !equal(presented, session.csrfToken)) return 'bad_csrf';
    return null;
  }

  /** Whether the Host header names this server (checked before anything else, even the launch). */
  hostAllowed(headers: IncomingHttpHeaders): boolean {
    return headers.host !== undefined && this.#hosts.has(headers.host);
  }

  /** The CSRF token of the request's window session, or null without a valid cookie (the page reloaded: no window key in it). */
  csrfFor(headers: IncomingHttpHeaders): string | null {
    return this.#sessionOf(headers)?.csrfToken ?? null;
  }

  #sessionOf(headers: IncomingHttpHeaders): SessionRecord | null {
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
