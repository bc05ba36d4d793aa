/**
 * `HTTP_REDIRECT_PORT` beside a server that terminates TLS itself (a CA-issued certificate for
 * `rh.test`, made with openssl): every plain-HTTP request gets a 308 to the same path and query
 * on `PUBLIC_URL`, whatever Host it names; the HTTPS answer it leads to carries HSTS; a
 * WebSocket upgrade on plain HTTP is refused with the error envelope; the listener closes with
 * the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorEnvelope } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../config.js';
import type { TestCertificates } from '../test/certificates.js';
import { makeCertificates } from '../test/certificates.js';
import type { TestServer } from '../test/harness.js';
import { startTestServer } from '../test/harness.js';

const HOST = 'rh.test';
let dir: string;
let certs: TestCertificates;
let t: TestServer | undefined;
let httpsPort: number;
let redirectPort: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A plain-HTTP request to the redirect port, naming `host` and `path` exactly as given. */
function plain(path: string, init: { method?: string; host?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: redirectPort,
        path,
        method: init.method ?? 'GET',
        headers: { host: init.host ?? HOST, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject).end(init.body);
  });
}

/** Follows a Location like a browser where `rh.test` is 127.0.0.1 and the test CA is trusted. */
function secure(location: string): Promise<Reply> {
  const url = new URL(location);
  return new Promise((resolve, reject) => {
    httpsRequest(
      {
        host: '127.0.0.1',
        servername: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: { host: url.host },
        ca: certs.ca,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    )
      .on('error', reject)
      .end();
  });
}

/** Writes `bytes` on a fresh TCP connection to the redirect port and returns everything it answers. */
function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(redirectPort, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rh-redirect-'));
  certs = makeCertificates(dir, HOST);
  httpsPort = await freePort();
  redirectPort = await freePort();
  t = await startTestServer({
    TLS_CERT: certs.certFile,
    TLS_KEY: certs.keyFile,
    PORT: String(httpsPort),
    PUBLIC_URL: `https://${HOST}:${httpsPort}`,
    HTTP_REDIRECT_PORT: String(redirectPort),
  });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the plain-HTTP redirect port', () => {
  it('sends a page to the same path and query on PUBLIC_URL with a 308, and the HTTPS answer carries HSTS', async () => {
    const reply = await plain('/help?lang=de&x=%2F');
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe(`https://${HOST}:${httpsPort}/help?lang=de&x=%2F`);
    expect(reply.headers.connection).toBe('close');
    // Nothing of the application is served in clear: no cookie, no HSTS (browsers ignore it over HTTP).
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(reply.headers['strict-transport-security']).toBeUndefined();

    const health = await secure(`https://${HOST}:${httpsPort}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('keeps the method and body for the client to resend (308, not 301), without running anything', async () => {
    const reply = await plain('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ mode: 'view' }) });
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe(`https://${HOST}:${httpsPort}/api/v1/sessions`);
    const head = await plain('/share', { method: 'HEAD' });
    expect(head.status).toBe(308);
    expect(head.body).toBe('');
  });

  it('never redirects to another origin, whatever Host or request target the client names', async () => {
    const origin = `https://${HOST}:${httpsPort}`;
    expect((await plain('/admin', { host: 'evil.example' })).headers.location).toBe(`${origin}/admin`);
    expect((await plain('//evil.example/x')).headers.location).toBe(`${origin}/x`);
    expect((await plain('http://evil.example/steal?a=1')).headers.location).toBe(`${origin}/steal?a=1`);
    expect((await plain('/\\evil.example')).headers.location).toMatch(new RegExp(`^${origin}/`));
  });

  it('refuses a WebSocket upgrade in clear with the error envelope, naming the wss:// address', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${redirectPort}/api/v1/ws`, { headers: { host: HOST } });
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      ws.on('open', () => reject(new Error('a WebSocket opened over plain HTTP')));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('error', () => undefined);
    });
    expect(refused.status).toBe(400);
    const envelope = ErrorEnvelope.parse(JSON.parse(refused.body));
    expect(envelope.error).toBe('bad_request');
    expect(envelope.message).toContain(`wss://${HOST}:${httpsPort}/api/v1/ws`);
  });

  it('answers a request it cannot parse with the error envelope and closes', async () => {
    const answer = await rawExchange('NOT A REQUEST\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    expect(ErrorEnvelope.parse(JSON.parse(body)).error).toBe('bad_request');
  });

  it('stops listening when the server closes', async () => {
    await t?.stop();
    t = undefined;
    await expect(plain('/help')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('HTTP_REDIRECT_PORT configuration', () => {
  const tls = { TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' };

  it('is off by default', () => {
    expect(loadConfig({}).httpRedirectPort).toBeNull();
  });

  it('needs the server to speak HTTPS itself, a real port other than PORT, and an https PUBLIC_URL', () => {
    const problems = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems.join('\n');
      }
      return 'accepted';
    };
    expect(problems({ HTTP_REDIRECT_PORT: '80' })).toMatch(/HTTP_REDIRECT_PORT: only when the server speaks HTTPS/);
    expect(problems({ ...tls, HTTP_REDIRECT_PORT: 'eighty' })).toMatch(/HTTP_REDIRECT_PORT: must be a port number/);
    expect(problems({ ...tls, HTTP_REDIRECT_PORT: '70000' })).toMatch(/HTTP_REDIRECT_PORT: must be a port number/);
    expect(problems({ ...tls, HTTP_REDIRECT_PORT: '0' })).toMatch(/HTTP_REDIRECT_PORT: must be a port number/);
    expect(problems({ ...tls, PORT: '443', HTTP_REDIRECT_PORT: '443' })).toMatch(/HTTP_REDIRECT_PORT: 443 is PORT/);
    expect(problems({ ...tls, PUBLIC_URL: 'http://help.example.com', HTTP_REDIRECT_PORT: '80' })).toMatch(
      /HTTP_REDIRECT_PORT: .*must then be https/,
    );
    // Past these checks only the (missing) certificate files stop it.
    expect(problems({ ...tls, PORT: '443', HTTP_REDIRECT_PORT: '80' })).toMatch(/^TLS_CERT: cannot read/);
  });
});
