/**
 * @module test/harness
 * Starts a real server on 127.0.0.1 with a temporary SQLite file (or, with
 * `TEST_DATABASE=postgres`, a fresh PostgreSQL schema: `test/database`), and signs people in
 * through the real OIDC flow (relying party → embedded IdP → sign-in form → callback),
 * following redirects by hand with a small cookie jar.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@remote-help/protocol';
import WebSocket from 'ws';
import type { RemoteHelpServer, ServerOptions } from '../app.js';
import { createServer } from '../app.js';
import { loadConfig } from '../config.js';
import { testDatabase } from './database.js';

export const DEMO_PASSWORD = 'correct horse battery staple';

export interface TestServer {
  server: RemoteHelpServer;
  url: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-test-'));
  // Port 0 cannot be the public URL; listen first on a free port, then build with that URL.
  const probe = await import('node:net').then(
    (net) =>
      new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const port = (s.address() as { port: number }).port;
          s.close(() => resolve(port));
        });
      }),
  );
  // A caller that names its database (a restart test) owns it; otherwise this server gets its own.
  const database = env.DATABASE_URL ? null : testDatabase(dir);
  const config = loadConfig({
    PORT: String(probe),
    HOST: '127.0.0.1',
    PUBLIC_URL: `${env.TLS_CERT ? 'https' : 'http'}://127.0.0.1:${probe}`,
    DATABASE_URL: database?.url ?? '',
    DEMO_PASSWORD,
    WEB_DIST: join(dir, 'no-web'),
    // The tests' identity providers run on 127.0.0.1, which a real server refuses by default.
    IDP_ADDRESSES: 'any',
    ...env,
  });
  let server: RemoteHelpServer;
  try {
    // TEST_LOG=error (or warn, info…) shows the server's log while debugging a test.
    const logger = process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false;
    server = await createServer(config, { logger, ...options });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  const url = await server.listen();
  return {
    server,
    url,
    async stop() {
      await server.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A browser-like HTTP client: a cookie jar and manual redirects. */
export class Client {
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
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects from `path` and returns the last response. */
  async follow(path: string, init: RequestInit = {}): Promise<Response> {
    let response = await this.raw(path, init);
    for (let i = 0; i < 10 && response.status >= 300 && response.status < 400; i++) {
      response = await this.raw(response.headers.get('location')!);
    }
    return response;
  }

  /** Signs in through the real OIDC flow and loads the CSRF token. */
  async signIn(email: string, password = DEMO_PASSWORD): Promise<void> {
    const form = await this.follow(`/auth/login?returnTo=/help&login_hint=${encodeURIComponent(email)}`);
    const html = await form.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !csrf) throw new Error(`no sign-in form (status ${form.status}): ${html.slice(0, 200)}`);
    const body = new URLSearchParams({ email, password, csrf });
    const done = await this.raw(
      action.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      },
    );
    if (done.status !== 303) throw new Error(`sign-in failed: ${done.status} ${(await done.text()).slice(0, 300)}`);
    const landed = await this.follow(done.headers.get('location')!);
    if (!this.cookies.has('rh_session')) throw new Error(`no session cookie after sign-in (landed ${landed.status})`);
    const me = await this.json('/api/v1/me');
    this.csrf = (me.body as { csrfToken: string }).csrfToken;
  }

  async json(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const init: RequestInit = { method, headers: { 'x-csrf-token': this.csrf } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await this.raw(path, init);
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  post = (path: string, body: unknown = {}) => this.json(path, 'POST', body);

  /** Opens the signaling WebSocket with this client's cookies. */
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
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  closed: Promise<{ code: number }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      this.received.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code })));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message (already received after `since`, or future) that matches. */
  next<T extends ServerMessage = ServerMessage>(
    match: (m: ServerMessage) => boolean,
    timeoutMs = 5000,
    since = 0,
  ): Promise<T> {
    const seen = this.received.slice(since).find(match);
    if (seen) return Promise.resolve(seen as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for a message; got ${JSON.stringify(this.received.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
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

/** Waits for a session push in the given state. */
export const sessionIn = (state: string) => (m: ServerMessage) => m.type === 'session' && m.session.state === state;
