/**
 * @module testing/browserClient
 * A browser stand-in for tests: a cookie jar with manual redirects that signs people
 * in to the server's web app through the embedded IdP, drives the IdP pages of the
 * agent's RFC 8252 sign-in up to the loopback redirect, and opens the server
 * WebSocket with its cookies (the helper's side).
 */
import { ServerMessage } from '@remote-help/protocol';
import WebSocket from 'ws';

const decodeEntities = (s: string): string => s.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

/** Cookie jar + redirects by hand. */
export class BrowserClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly base: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader);
    const response = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects (same server only) and returns the last response. */
  async follow(path: string, init: RequestInit = {}): Promise<Response> {
    let response = await this.raw(path, init);
    for (let i = 0; i < 10 && response.status >= 300 && response.status < 400; i++) {
      response = await this.raw(response.headers.get('location') ?? '/');
    }
    return response;
  }

  /** Fills in the IdP's sign-in form at `formResponse` and returns the redirect after posting it. */
  async submitSignInForm(formResponse: Response, email: string, password: string): Promise<string> {
    const html = await formResponse.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !csrf) throw new Error(`no sign-in form (status ${formResponse.status}): ${html.slice(0, 200)}`);
    const done = await this.raw(decodeEntities(action), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password, csrf }),
    });
    if (done.status !== 303) throw new Error(`sign-in failed: ${done.status} ${(await done.text()).slice(0, 300)}`);
    return done.headers.get('location') ?? '/';
  }

  /** Signs in to the web app (helper side) and loads the CSRF token. */
  async signIn(email: string, password: string): Promise<void> {
    const location = await this.submitSignInForm(await this.follow('/auth/login?returnTo=/help'), email, password);
    await this.follow(location);
    const me = await this.json('/api/v1/me');
    this.csrf = (me.body as { csrfToken: string }).csrfToken;
  }

  /**
   * Plays the system browser of the agent's sign-in: opens the authorization URL, signs
   * in, follows the IdP's redirects to the loopback `redirect_uri` and loads it.
   */
  async completeAgentSignIn(authorizationUrl: string, email: string, password: string): Promise<void> {
    const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri') ?? '';
    let location = await this.submitSignInForm(await this.follow(authorizationUrl), email, password);
    for (let i = 0; i < 8 && !location.startsWith(redirectUri); i++) {
      location = (await this.raw(location)).headers.get('location') ?? '';
    }
    if (!location.startsWith(redirectUri)) throw new Error(`the IdP did not redirect to ${redirectUri}`);
    const landed = await fetch(location);
    if (landed.status !== 200) throw new Error(`the loopback redirect answered ${landed.status}`);
  }

  async json(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'x-csrf-token': this.csrf };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.raw(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  post(path: string, body: unknown = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.json(path, 'POST', body);
  }

  /** Opens the signaling WebSocket with this client's cookies and waits for `hello`. */
  async socket(): Promise<TestSocket> {
    const ws = new WebSocket(this.base.replace(/^http/, 'ws') + '/api/v1/ws', {
      headers: { cookie: this.cookieHeader },
    });
    const socket = new TestSocket(ws);
    await socket.next((m) => m.type === 'hello');
    return socket;
  }
}

/** A WebSocket that records what it receives and can wait for a matching message. */
export class TestSocket {
  readonly received: ServerMessage[] = [];
  /** Frames that did not match the protocol (raw text, shortened). */
  readonly invalid: string[] = [];
  #waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  #listeners: ((m: ServerMessage) => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const parsed = ServerMessage.safeParse(JSON.parse(String(data)));
      if (!parsed.success) {
        this.invalid.push(String(data).slice(0, 500));
        return;
      }
      const message = parsed.data;
      this.received.push(message);
      for (const listener of this.#listeners) listener(message);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Calls `listener` for every later message; returns the unsubscribe function. */
  onMessage(listener: (m: ServerMessage) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** The first message (already received after index `since`, or future) that matches. */
  next<T extends ServerMessage = ServerMessage>(
    match: (m: ServerMessage) => boolean,
    timeoutMs = 10_000,
    since = 0,
  ): Promise<T> {
    const seen = this.received.slice(since).find(match);
    if (seen) return Promise.resolve(seen as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for a message; got ${JSON.stringify(this.received.slice(-3))}` +
                (this.invalid.length ? `; invalid frames: ${this.invalid.join(' | ')}` : ''),
            ),
          ),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Matches a `session` push in `state` (and, optionally, more fields). */
export const sessionPush =
  (state: string, extra: Record<string, unknown> = {}) =>
  (m: ServerMessage): boolean =>
    m.type === 'session' &&
    m.session.state === state &&
    Object.entries(extra).every(([k, v]) => (m.session as Record<string, unknown>)[k] === v);
