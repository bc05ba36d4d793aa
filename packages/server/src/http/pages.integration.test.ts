/**
 * Pages at the HTTP edge, against a real server whose PUBLIC_URL is `http://localhost:PORT` while
 * it is reached at 127.0.0.1: a page navigation through another host name is redirected to the
 * same path and query on PUBLIC_URL (never anywhere else, whatever the Host header or request
 * target says), and an unknown path opened as a page gets the web app's "page not found" page
 * with status 404 while unknown API paths keep the JSON envelope.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { startTestServer } from '../test/harness.js';
import { REDIRECT_MARK } from './canonicalHost.js';

const INDEX = '<!doctype html><title>Remote Help</title><div id="root" data-app="spa"></div>';
const PAGE = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const NAVIGATE = { ...PAGE, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to 127.0.0.1:`port` with exactly these headers (Host included: fetch cannot set it). */
function send(port: number, method: string, path: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes on the socket, for request targets an HTTP client would clean up first. */
function rawRequest(port: number, text: string): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const head = data.slice(0, data.indexOf('\r\n\r\n'));
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head });
    });
  });
}

const locationOf = (reply: Reply) => String(reply.headers.location ?? '');

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let dist: string;
beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'rh-pages-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
});
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('a page opened through another host name than PUBLIC_URL’s', () => {
  let t: TestServer;
  let port: number;
  let publicOrigin: string;
  let host: string;
  beforeAll(async () => {
    port = await freePort();
    publicOrigin = `http://localhost:${port}`;
    host = `localhost:${port}`;
    t = await startTestServer({ PORT: String(port), PUBLIC_URL: publicOrigin, WEB_DIST: dist });
  });
  afterAll(async () => t?.stop());

  it('redirects a navigation to the same path and query on PUBLIC_URL, before sign-in', async () => {
    const reply = await send(port, 'GET', '/help?session=abc&x=%C3%A9', { host: `127.0.0.1:${port}`, ...NAVIGATE });
    expect(reply.status).toBe(307);
    expect(locationOf(reply)).toBe(`${publicOrigin}/help?session=abc&x=%C3%A9`);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(String(reply.headers['set-cookie'])).toContain(`${REDIRECT_MARK}=1; Max-Age=10; Path=/; HttpOnly`);
    // Browsers without Fetch Metadata: a GET that asks for HTML is a navigation too.
    expect(locationOf(await send(port, 'GET', '/share', { host: `127.0.0.1:${port}`, ...PAGE }))).toBe(
      `${publicOrigin}/share`,
    );
    // The sign-in start, whose flow cookie would otherwise belong to the wrong host (?signin=expired).
    const login = await send(port, 'GET', '/auth/login?returnTo=%2Fhelp', { host: `127.0.0.1:${port}`, ...NAVIGATE });
    expect(login.status).toBe(307);
    expect(locationOf(login)).toBe(`${publicOrigin}/auth/login?returnTo=%2Fhelp`);
    expect(String(login.headers['set-cookie'])).not.toContain('rh_signin');
    // HEAD stays HEAD on the way (307).
    expect((await send(port, 'HEAD', '/admin', { host: `127.0.0.1:${port}`, ...NAVIGATE })).status).toBe(307);
  });

  it('serves the page on PUBLIC_URL’s host, in any letter case and with its default port spelled out', async () => {
    for (const name of [host, `LOCALHOST:${port}`]) {
      const reply = await send(port, 'GET', '/help', { host: name, ...NAVIGATE });
      expect(reply.status, name).toBe(200);
      expect(reply.body).toBe(INDEX);
    }
    // Starting sign-in on the right host sets its flow cookie and goes to the IdP.
    const login = await send(port, 'GET', '/auth/login?returnTo=%2Fhelp', { host, ...NAVIGATE });
    expect(login.status).toBe(303);
    expect(String(login.headers['set-cookie'])).toContain('rh_signin=');
  });

  it('never redirects anywhere but PUBLIC_URL’s origin, whatever the Host header says', async () => {
    const hostile = [
      'evil.example',
      'evil.example:443',
      `evil.example:${port}`,
      `localhost:${port}.evil.example`,
      `localhost:${port}@evil.example`,
      `evil.example/${host}`,
      `evil.example\\@${host}`,
      `localhost:${port + 1}`,
      '[::1]',
      `127.0.0.1:${port}#${host}`,
      '',
    ];
    for (const name of hostile) {
      const reply = await send(port, 'GET', '/help?x=1', { host: name, ...NAVIGATE });
      expect(reply.status, JSON.stringify(name)).toBe(307);
      expect(locationOf(reply), JSON.stringify(name)).toBe(`${publicOrigin}/help?x=1`);
    }
  });

  it('keeps only the path of a hostile request target: one leading slash, on PUBLIC_URL', async () => {
    const cases: [string, string][] = [
      ['//evil.example/x', `${publicOrigin}/x`],
      ['/\\evil.example/x', `${publicOrigin}/x`],
      ['/.//evil.example', `${publicOrigin}/evil.example`],
      ['///evil.example', `${publicOrigin}/`],
      ['/%2F%2Fevil.example', `${publicOrigin}/%2F%2Fevil.example`],
      ['/help?next=//evil.example', `${publicOrigin}/help?next=//evil.example`],
    ];
    for (const [path, expected] of cases) {
      const reply = await rawRequest(
        port,
        `GET ${path} HTTP/1.1\r\nHost: evil.example\r\nAccept: text/html\r\nConnection: close\r\n\r\n`,
      );
      expect(reply.status, path).toBe(307);
      const location = /\r\nlocation: ([^\r\n]*)/i.exec(reply.head)?.[1] ?? '';
      expect(location, path).toBe(expected);
      expect(new URL(location).origin, path).toBe(publicOrigin);
    }
    // An absolute-form target (what a client says to a proxy) is not a page of ours: no redirect to its host.
    const absolute = await rawRequest(
      port,
      `GET http://evil.example/help HTTP/1.1\r\nHost: evil.example\r\nAccept: text/html\r\nConnection: close\r\n\r\n`,
    );
    const location = /\r\nlocation: ([^\r\n]*)/i.exec(absolute.head)?.[1];
    if (location !== undefined) expect(new URL(location, publicOrigin).origin).toBe(publicOrigin);
    expect(absolute.head).not.toMatch(/\r\nlocation: https?:\/\/evil/i);
  });

  it('leaves the API, the IdP, WebSocket upgrades, commands and non-page requests alone', async () => {
    const foreign = `127.0.0.1:${port}`;
    const me = await send(port, 'GET', '/api/v1/me', { host: foreign, ...NAVIGATE });
    expect(me.status).toBe(401);
    expect(JSON.parse(me.body)).toMatchObject({ ok: false, error: 'authentication_required' });
    const idp = await send(port, 'GET', '/oidc/.well-known/openid-configuration', { host: foreign, ...NAVIGATE });
    expect(idp.status).toBe(200);
    const upgrade = {
      host: foreign,
      ...NAVIGATE,
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };
    for (const path of ['/api/v1/ws', '/help']) {
      const raw = await rawRequest(
        port,
        `GET ${path} HTTP/1.1\r\n${Object.entries(upgrade)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n')}\r\nConnection: close\r\n\r\n`,
      );
      expect(raw.status, path).not.toBe(307);
    }
    expect((await send(port, 'POST', '/auth/logout', { host: foreign, ...PAGE })).status).not.toBe(307);
    // A script's or a probe's GET is no navigation: served where it asked.
    expect((await send(port, 'GET', '/help', { host: foreign, accept: 'application/json' })).status).toBe(200);
    expect((await send(port, 'GET', '/help', { host: foreign })).status).toBe(200);
    expect((await send(port, 'GET', '/help', { host: foreign, ...PAGE, 'sec-fetch-mode': 'cors' })).status).toBe(200);
    expect((await send(port, 'GET', '/healthz', { host: foreign })).status).toBe(200);
  });

  it('ignores X-Forwarded-Host from a client when no proxy is trusted', async () => {
    const reply = await send(port, 'GET', '/help', { host, 'x-forwarded-host': 'evil.example', ...NAVIGATE });
    expect(reply.status).toBe(200);
  });

  it('serves the page instead of looping when the browser comes back from its own redirect with another Host', async () => {
    // A reverse proxy that rewrites Host (nginx's default) without TRUST_PROXY: the browser is on
    // PUBLIC_URL, but every request names the proxy's upstream.
    const first = await send(port, 'GET', '/help', { host: `127.0.0.1:${port}`, ...NAVIGATE });
    expect(first.status).toBe(307);
    const again = await send(port, 'GET', '/help', {
      host: `127.0.0.1:${port}`,
      cookie: `other=1; ${REDIRECT_MARK}=1`,
      ...NAVIGATE,
    });
    expect(again.status).toBe(200);
    expect(again.body).toBe(INDEX);
    // A similar name is not the mark.
    const similar = await send(port, 'GET', '/help', {
      host: `127.0.0.1:${port}`,
      cookie: `x${REDIRECT_MARK}=1`,
      ...NAVIGATE,
    });
    expect(similar.status).toBe(307);
  });
});

describe('behind a trusted proxy', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    t = await startTestServer({
      PORT: String(port),
      PUBLIC_URL: 'https://rh.example',
      TRUST_PROXY: '1',
      WEB_DIST: dist,
    });
  });
  afterAll(async () => t?.stop());

  it('judges the host the proxy reports, and redirects to PUBLIC_URL only', async () => {
    const upstream = `127.0.0.1:${port}`;
    const right = await send(port, 'GET', '/help', {
      host: upstream,
      'x-forwarded-host': 'rh.example',
      'x-forwarded-proto': 'https',
      ...NAVIGATE,
    });
    expect(right.status).toBe(200);
    const other = await send(port, 'GET', '/help?a=b', {
      host: upstream,
      'x-forwarded-host': 'rh-old.example',
      'x-forwarded-proto': 'https',
      ...NAVIGATE,
    });
    expect(other.status).toBe(307);
    expect(locationOf(other)).toBe('https://rh.example/help?a=b');
  });
});

describe('unknown paths', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ WEB_DIST: dist });
  });
  afterAll(async () => t?.stop());

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${t.url}${path}`, { method, headers, redirect: 'manual' });

  it('a page that does not exist gets the web app (its "page not found" page) with status 404', async () => {
    for (const path of ['/nope', '/nope/deeper?x=1', '/auth/nope', '/assets/nope.js']) {
      const response = await get(path, NAVIGATE);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(await response.text(), path).toBe(INDEX);
    }
    const head = await get('/nope', PAGE, 'HEAD');
    expect(head.status).toBe(404);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('the app’s own routes still answer 200', async () => {
    for (const path of ['/', '/help', '/help/anything', '/share', '/admin/devices']) {
      expect((await get(path, NAVIGATE)).status, path).toBe(200);
    }
  });

  it('unknown API paths, commands and non-HTML requests keep the typed JSON envelope', async () => {
    const cases: [string, string, Record<string, string>][] = [
      ['GET', '/api/v1/nope', NAVIGATE],
      ['GET', '/api', NAVIGATE],
      ['GET', '/api?x=1', NAVIGATE],
      ['POST', '/nope', PAGE],
      ['GET', '/nope', { accept: 'application/json' }],
      ['GET', '/nope', {}],
      ['GET', '/assets/nope.js', { accept: '*/*' }],
    ];
    for (const [method, path, headers] of cases) {
      const response = await get(path, headers, method);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get('content-type'), `${method} ${path}`).toContain('application/json');
      expect(await response.json(), `${method} ${path}`).toMatchObject({ ok: false, error: 'not_found' });
    }
  });
});
