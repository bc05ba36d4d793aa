/**
 * @module http/static
 * Serves the built web apps: hashed assets under `/assets`, and `index.html` for every
 * app route so the client router takes over. An unknown path that a browser opens as a page
 * gets the same `index.html` with status 404 (the app shows its "page not found" page);
 * anything else unknown, and every unknown `/api/*` path, gets the JSON envelope.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appCsp } from './securityHeaders.js';

export const APP_ROUTES = ['/', '/help', '/help/*', '/share', '/share/*', '/admin', '/admin/*'];

/** Source maps are for developers, not for the public: never served, even if a build left some behind. */
const isSourceMap = (path: string): boolean => /\.map$/i.test(path);

/** The built web app (`dist/`), read once: a rebuild needs a restart, like any deployment. */
export interface WebApp {
  dist: string;
  built: boolean;
  /** `index.html`, or a page that says the app is not built yet. */
  html: string;
}

/** Reads `dist/index.html` (or the "not built" page). */
export function loadWebApp(dist: string): WebApp {
  const indexFile = join(dist, 'index.html');
  const built = existsSync(indexFile);
  const html = built
    ? readFileSync(indexFile, 'utf8')
    : '<!doctype html><meta charset="utf-8"><title>Remote Help</title><body style="font-family:system-ui;padding:2rem"><h1>Remote Help</h1><p>The web app is not built yet. Run <code>npm run build</code>, then restart.</p>';
  return { dist, built, html };
}

function sendPage(reply: FastifyReply, web: WebApp, csp: string, status: number): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('content-security-policy', csp)
    .send(web.html);
}

/** Whether an unknown path should be answered with the app's "page not found" page rather than JSON. */
export function wantsPage(request: Pick<FastifyRequest, 'method' | 'url' | 'headers'>): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (/^\/api(\/|$|\?)/.test(request.url)) return false;
  return /\btext\/html\b/i.test([request.headers.accept ?? ''].flat().join(','));
}

/** The server's not-found handler: see the module description. */
export function notFoundHandler(web: WebApp, publicUrl: string) {
  const csp = appCsp(publicUrl);
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (wantsPage(request)) return sendPage(reply, web, csp, 404);
    return reply
      .status(404)
      .send({ ok: false, error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  };
}

export async function staticRoutes(app: FastifyInstance, o: { web: WebApp; publicUrl: string }): Promise<void> {
  const { web } = o;
  if (web.built) {
    await app.register(fastifyStatic, {
      root: join(web.dist, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      allowedPath: (path) => !isSourceMap(path),
    });
  }
  const csp = appCsp(o.publicUrl);
  for (const url of APP_ROUTES) {
    app.get(url, async (_request, reply) => sendPage(reply, web, csp, 200));
  }
  for (const file of ['favicon.svg', 'favicon.ico']) {
    app.get(`/${file}`, async (_request, reply) => {
      const path = join(web.dist, file);
      if (!existsSync(path)) return reply.status(404).send();
      return reply
        .header('content-type', file.endsWith('svg') ? 'image/svg+xml' : 'image/x-icon')
        .send(readFileSync(path));
    });
  }
}
