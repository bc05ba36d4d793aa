/**
 * @module http/static
 * Serves the built web apps: hashed assets under `/assets`, and `index.html` for every
 * app route so the client router takes over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const APP_ROUTES = ['/', '/help', '/help/*', '/share', '/share/*', '/admin', '/admin/*'];

const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export async function staticRoutes(app: FastifyInstance, o: { dist: string }): Promise<void> {
  const indexFile = join(o.dist, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, {
      root: join(o.dist, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
    });
  }
  // Read once; a rebuild needs a restart, like any deployment.
  const html = built
    ? readFileSync(indexFile, 'utf8')
    : '<!doctype html><meta charset="utf-8"><title>Remote Help</title><body style="font-family:system-ui;padding:2rem"><h1>Remote Help</h1><p>The web app is not built yet. Run <code>npm run build</code>, then restart.</p>';
  for (const url of APP_ROUTES) {
    app.get(url, async (_request, reply) =>
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .send(html),
    );
  }
  for (const file of ['favicon.svg', 'favicon.ico']) {
    app.get(`/${file}`, async (_request, reply) => {
      const path = join(o.dist, file);
      if (!existsSync(path)) return reply.status(404).send();
      return reply
        .header('content-type', file.endsWith('svg') ? 'image/svg+xml' : 'image/x-icon')
        .send(readFileSync(path));
    });
  }
}
