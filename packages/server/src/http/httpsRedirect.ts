/**
 * @module http/httpsRedirect
 * `HTTP_REDIRECT_PORT`: when the server speaks HTTPS itself, a plain-HTTP listener (usually port
 * 80) that sends every request to the same path and query on `PUBLIC_URL` with a 308, so a
 * typed `help.example.com` or an old `http://` link lands on the HTTPS site and a POST stays a
 * POST. The target is always `PUBLIC_URL`'s origin, whatever the Host header or an absolute-form
 * request target says (no open redirect: {@link canonicalLocation}). Nothing else is served here:
 * no page, no API, no cookie. A WebSocket upgrade is refused with the error envelope (browsers do
 * not follow redirects on a WebSocket handshake; the client must use `wss://`). Every answer
 * closes its connection, so a shutdown never waits for an idle keep-alive here.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorEnvelope } from '@remote-help/protocol';
import { answerClientError } from '../errors.js';
import { canonicalLocation } from './canonicalHost.js';
import { socketOrigin } from './securityHeaders.js';

export interface HttpsRedirectOptions {
  host: string;
  port: number;
  /** The https `PUBLIC_URL` every answer points to. */
  publicUrl: string;
  log: { warn(details: object, message: string): void };
}

/** The refusal written on the raw socket of a WebSocket upgrade over plain HTTP. */
function upgradeRefusal(request: IncomingMessage, publicUrl: string): string {
  const path = new URL(canonicalLocation(request.url ?? '/', publicUrl)).pathname;
  const envelope: ErrorEnvelope = {
    ok: false,
    error: 'bad_request',
    message: `WebSockets are served over TLS only: connect to ${socketOrigin(publicUrl)}${path}`,
  };
  const body = JSON.stringify(envelope);
  return (
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`
  );
}

/** Starts the redirect listener; resolves once it listens, with its port and a closer. */
export async function httpsRedirectListener(
  o: HttpsRedirectOptions,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const location = canonicalLocation(request.url ?? '/', o.publicUrl);
    const body = `Moved to ${location}\n`;
    response.writeHead(308, {
      location,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-content-type-options': 'nosniff',
      connection: 'close',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end(upgradeRefusal(request, o.publicUrl));
  });
  server.on('clientError', (error: Error & { code?: string }, socket) => answerClientError(error, socket, o.log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return {
    port: typeof bound === 'object' && bound ? bound.port : o.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
