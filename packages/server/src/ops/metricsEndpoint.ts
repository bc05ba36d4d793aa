/**
 * @module ops/metricsEndpoint
 * Where Prometheus scrapes {@link Metrics}: `GET /metrics` on the main port, only with
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time), and/or a separate
 * plain-HTTP listener at `METRICS_ADDRESS` (bind it to loopback or an admin network) that
 * answers `/metrics` alone. With neither configured there is no `/metrics` at all (404).
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/** The exposition text to serve and its content type (one process's metrics, or a whole node's). */
export type Scrape = () => Promise<{ contentType: string; body: string }>;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `GET /metrics` behind the bearer token. */
export function metricsRoute(app: FastifyInstance, scrape: Scrape, token: string): void {
  app.get('/metrics', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (!given || !sameSecret(given, token)) {
      void reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AppError('authentication_required', 'Metrics need the metrics bearer token.');
    }
    const { contentType, body } = await scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}

/** A separate listener serving `/metrics` only; resolves once it listens, with its port and a closer. */
export async function metricsListener(
  scrape: Scrape,
  address: { host: string; port: number },
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    scrape().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  return {
    port: typeof bound === 'object' && bound ? bound.port : address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
