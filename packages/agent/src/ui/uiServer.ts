/**
 * @module ui/uiServer
 * The agent window's local HTTP server on 127.0.0.1 and a random port. It serves the
 * page (plain HTML/CSS/JS from `static/`), the state as Server-Sent Events, the
 * helper's photo and a small preview, and takes commands as JSON POSTs validated with
 * zod. The page is in the agent's language: `<html lang dir>` are set here and
 * `/api/strings` is that language's table. Access rules (launch token → cookie, window key
 * for `/api/`, CSRF, Host, Origin) are in `uiAccess.ts`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describeIssues, type LanguageTag } from '@remote-help/protocol';
import { translator, type Translator } from '../i18n/index.js';
import { UiCommand, type UiController } from './model.js';
import { CSRF_HEADER, UiAccess, WINDOW_HEADER, type AccessKind } from './uiAccess.js';

/** Largest command body accepted (a chat message of 4,000 characters in any script fits). */
const MAX_BODY_BYTES = 64 * 1024;
const SSE_HEARTBEAT_MS = 15_000;

const STATIC_DIR = fileURLToPath(new URL('../../static/', import.meta.url));
const STATIC_FILES: Record<string, string> = {
  '/app.js': 'text/javascript; charset=utf-8',
  '/app.css': 'text/css; charset=utf-8',
};

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
};
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** How to start the window server. */
export interface UiServerOptions {
  controller: UiController;
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Directory of index.html, app.js and app.css (default: the package's `static/`). */
  staticDir?: string;
  /** The window's language (default English): `<html lang dir>`, the title and every string. */
  language?: LanguageTag;
}

/** The running window server. */
export class UiServer {
  readonly origin: string;
  readonly access: UiAccess;
  readonly #server: Server;
  readonly #streams = new Set<ServerResponse>();
  readonly #i18n: Translator;

  private constructor(server: Server, port: number, language: LanguageTag) {
    this.#server = server;
    this.#i18n = translator(language);
    this.origin = `http://127.0.0.1:${port}`;
    this.access = new UiAccess(port);
  }

  /** Starts listening on 127.0.0.1. */
  static async start(options: UiServerOptions): Promise<UiServer> {
    const dir = options.staticDir ?? STATIC_DIR;
    const files = new Map<string, Buffer>();
    for (const name of ['/index.html', ...Object.keys(STATIC_FILES)]) files.set(name, readFileSync(dir + name));
    let ui: UiServer | null = null;
    const server = createServer((req, res) => {
      if (!ui) return void res.writeHead(503).end();
      ui.#handle(req, res, options.controller, files).catch(() => {
        if (!res.headersSent) send(res, 500, { ok: false, error: 'internal_error', message: 'Internal error' });
        else res.destroy();
      });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    ui = new UiServer(server, (server.address() as AddressInfo).port, options.language ?? 'en');
    return ui;
  }

  /** A new one-time URL that opens the window (`/?t=…`). */
  launchUrl(): string {
    return this.launch().url;
  }

  /** A new one-time URL that opens the window, and a promise that settles once a browser has spent it. */
  launch(): { url: string; redeemed: Promise<void> } {
    let redeemed: () => void = () => undefined;
    const spent = new Promise<void>((resolve) => (redeemed = resolve));
    return { url: `${this.origin}/?t=${this.access.mintLaunchToken(() => redeemed())}`, redeemed: spent };
  }

  async close(): Promise<void> {
    for (const stream of this.#streams) stream.end();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(
    req: IncomingMessage,
    res: ServerResponse,
    controller: UiController,
    files: Map<string, Buffer>,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const method = req.method ?? 'GET';
    if (!this.access.hostAllowed(req.headers)) return forbidden(res);

    if (method === 'GET' && url.pathname === '/' && url.searchParams.has('t')) {
      const session = this.access.redeemLaunchToken(url.searchParams.get('t'));
      if (!session) return forbidden(res);
      // The page itself, with the window key: only whoever spent the token gets it. (Not a redirect
      // to `/`: opened from the hand-over page, a file, that would be a cross-site navigation,
      // without the SameSite=Strict cookie.) The page drops `?t=` from its address.
      return this.#page(res, files, session.csrfToken, session.windowKey, {
        'set-cookie': this.access.cookieHeader(session),
      });
    }

    const isCommand = method === 'POST' && url.pathname === '/api/command';
    // The page, its static files and its string table need the cookie; the rest of /api/ also the window key.
    const isPage = !url.pathname.startsWith('/api/') || url.pathname === '/api/strings';
    const kind: AccessKind = isCommand ? 'command' : isPage ? 'page' : 'read';
    if (this.access.check(req.headers, kind) !== null) return forbidden(res);
    if (isCommand) return this.#command(req, res, controller);
    if (method !== 'GET') return send(res, 405, { ok: false, error: 'bad_request', message: 'Method not allowed' });

    switch (url.pathname) {
      case '/':
        // A reload: the page finds its window key in its sessionStorage.
        return this.#page(res, files, this.access.csrfFor(req.headers) ?? '', '');
      case '/api/strings':
        return send(res, 200, this.#i18n.windowStrings());
      case '/api/state':
        return send(res, 200, controller.state());
      case '/api/chat': {
        const chat = controller.chat();
        if (!chat) return send(res, 404, { ok: false, error: 'not_found', message: 'No chat' });
        return send(res, 200, chat);
      }
      case '/api/events':
        return this.#events(res, controller);
      case '/api/photo': {
        const photo = await controller.helperPhoto();
        if (!photo) return send(res, 404, { ok: false, error: 'not_found', message: 'No photo' });
        res.writeHead(200, {
          ...BASE_HEADERS,
          'content-type': photo.contentType,
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        });
        return void res.end(photo.body);
      }
      case '/api/preview': {
        const preview = controller.preview();
        if (!preview) return send(res, 404, { ok: false, error: 'not_found', message: 'No preview' });
        res.writeHead(200, {
          ...BASE_HEADERS,
          'content-type': 'application/octet-stream',
          'x-preview-width': String(preview.width),
          'x-preview-height': String(preview.height),
        });
        return void res.end(preview.rgba);
      }
    }
    const type = STATIC_FILES[url.pathname];
    if (type) {
      res.writeHead(200, { ...BASE_HEADERS, 'content-type': type });
      return void res.end(files.get(url.pathname));
    }
    send(res, 404, { ok: false, error: 'not_found', message: 'Not found' });
  }

  #page(
    res: ServerResponse,
    files: Map<string, Buffer>,
    csrf: string,
    windowKey: string,
    headers: Record<string, string> = {},
  ): void {
    const html = (files.get('/index.html') as Buffer)
      .toString('utf8')
      .replace('__CSRF_TOKEN__', csrf)
      .replace('__WINDOW_KEY__', windowKey)
      .replace('<html lang="en" dir="ltr">', `<html lang="${this.#i18n.language}" dir="${this.#i18n.dir}">`)
      .replace('<title>Remote Help</title>', `<title>${escapeHtml(this.#i18n.t('appName'))}</title>`);
    res.writeHead(200, {
      ...BASE_HEADERS,
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PAGE_CSP,
    });
    res.end(html);
  }

  async #command(req: IncomingMessage, res: ServerResponse, controller: UiController): Promise<void> {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(res, 415, { ok: false, error: 'bad_request', message: 'Send JSON' });
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) return send(res, 413, { ok: false, error: 'payload_too_large', message: 'Too large' });
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return send(res, 400, { ok: false, error: 'bad_request', message: 'Invalid JSON' });
    }
    const parsed = UiCommand.safeParse(json);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      return send(res, 400, { ok: false, error: 'validation_failed', message: 'Invalid command', data: { issues } });
    }
    await controller.command(parsed.data);
    send(res, 200, { ok: true, state: controller.state() });
  }

  #events(res: ServerResponse, controller: UiController): void {
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    // Every event carries the whole state, so only the newest matters: while the window does not
    // read (a hung page), nothing more is queued, and the newest state goes once it drains. Before,
    // each preview frame (a state change) added to a queue that grew for as long as the page hung.
    let queued = false;
    let behind = false;
    const write = (): void => {
      if (res.writableEnded || res.destroyed) return;
      if (res.writableNeedDrain) {
        behind = true;
        return;
      }
      behind = false;
      res.write(`data: ${JSON.stringify(controller.state())}\n\n`);
    };
    const push = (): void => {
      if (queued) return;
      queued = true;
      setImmediate(() => {
        queued = false;
        write();
      });
    };
    res.on('drain', () => {
      if (behind) write();
    });
    push();
    const unsubscribe = controller.subscribe(push);
    const heartbeat = setInterval(() => {
      if (!res.writableNeedDrain) res.write(': keep-alive\n\n');
    }, SSE_HEARTBEAT_MS);
    this.#streams.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.#streams.delete(res);
    });
  }
}

/** The CSRF and window key header names, for the page and tests. */
export { CSRF_HEADER, WINDOW_HEADER };

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function forbidden(res: ServerResponse): void {
  send(res, 403, { ok: false, error: 'forbidden', message: 'Forbidden' });
}

/** Reads the body as UTF-8, or null when it is larger than `limit` bytes (the rest is drained). */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
