/**
 * What an adversarial probe found at the HTTP edge, each against a real server: open redirects
 * through `returnTo`, 500s for client mistakes, replies outside the envelope, missing security
 * headers, source maps in production, forged `X-Forwarded-For`, and request bodies that froze
 * the event loop (a 7 MB array sent without signing in was parsed and walked for seconds).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PHOTO_BODY_LIMIT } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import { testPicture } from '../test/pictures.js';
import { MIN_BODY_ELEMENTS } from './endpoint.js';

const decodeHtml = (text: string) => text.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

/**
 * Signs in through the real flow starting at `/auth/login?returnTo=…`, sending `headers` on every
 * request (a reverse proxy's X-Forwarded-*), and returns the callback's response.
 */
async function signInReturning(
  client: Client,
  returnTo: string,
  options: { password?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = options.headers ?? {};
  // Stands in for a TLS-terminating proxy: the public https URL reaches this plain-HTTP server.
  const local = (location: string) => location.replace(/^https:/, 'http:');
  let response = await client.raw(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`, { headers });
  while (response.status === 303) response = await client.raw(local(response.headers.get('location')!), { headers });
  const html = await response.text();
  const action = /action="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !csrf) throw new Error(`no sign-in form (${response.status}): ${html.slice(0, 200)}`);
  response = await client.raw(decodeHtml(action), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'helper@contoso.example', password: options.password ?? DEMO_PASSWORD, csrf }),
  });
  for (let i = 0; i < 5 && response.status === 303; i++) {
    const location = local(response.headers.get('location')!);
    response = await client.raw(location, { headers });
    if (new URL(location, client.base).pathname === '/auth/callback') return response;
  }
  throw new Error(`sign-in did not reach the callback (last status ${response.status})`);
}

/** Sends raw bytes and returns the status line's code and the body. */
function rawRequest(url: string, request: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

const expectEnvelope = (body: string, error?: string) => {
  const parsed = JSON.parse(body) as { ok: boolean; error: string; message: string };
  expect(parsed.ok).toBe(false);
  expect(typeof parsed.message).toBe('string');
  if (error) expect(parsed.error).toBe(error);
  return parsed;
};

describe('the HTTP edge', () => {
  let t: TestServer;
  let dist: string;
  const logLines: { level: number; msg: string; err?: { stack?: string } }[] = [];

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'rh-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Remote Help</title><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1);\n//# sourceMappingURL=app.js.map');
    writeFileSync(join(dist, 'assets', 'app.js.map'), '{"version":3,"sources":["../src/secret.ts"]}');
    t = await startTestServer(
      { WEB_DIST: dist },
      {
        logger: {
          level: 'info',
          stream: { write: (line: string) => logLines.push(JSON.parse(line) as (typeof logLines)[number]) },
        },
      },
    );
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('returns to a same-origin path after a real sign-in, never elsewhere and never a 500', async () => {
    const cases: [string, string][] = [
      ['/\t/evil.example', '/'],
      ['/\t\\evil.example', '/'],
      ['/\\evil.example', '/'],
      ['/.//evil.example', '/'],
      ['//evil.example', '/'],
      ['/help\r\nx-evil: 1', '/helpx-evil:%201'],
      ['/help\n', '/help'],
      ['/help\u3000', '/help%E3%80%80'],
      ['/help?session=abc', '/help?session=abc'],
    ];
    for (const [returnTo, expected] of cases) {
      const client = new Client(t.url);
      const callback = await signInReturning(client, returnTo);
      expect(callback.status, JSON.stringify(returnTo)).toBe(303);
      const location = callback.headers.get('location')!;
      expect(location, JSON.stringify(returnTo)).toBe(expected);
      expect(new URL(location, t.url).origin).toBe(new URL(t.url).origin);
      expect(client.cookies.has('rh_session')).toBe(true);
    }
  });

  it('answers path traversal under /assets with a 4xx envelope and logs it as a warning without a stack', async () => {
    for (const path of ['/assets/%2e%2e', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json']) {
      const before = logLines.length;
      // Raw bytes: fetch would resolve the dot segments before sending.
      const response = await rawRequest(t.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
      expectEnvelope(response.body);
      const logged = logLines.slice(before);
      expect(
        logged.filter((l) => l.level >= 50),
        path,
      ).toEqual([]);
      expect(logged.some((l) => l.level === 40 && !l.err?.stack)).toBe(true);
    }
  });

  it('answers requests Node or Fastify refuse before routing with the envelope and the right status', async () => {
    const longUrl = await rawRequest(t.url, `GET /api/v1/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(longUrl.status).toBe(414);
    expectEnvelope(longUrl.body, 'bad_request');
    const bigHeaders = await rawRequest(
      t.url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    expect(bigHeaders.status).toBe(431);
    expectEnvelope(bigHeaders.body, 'bad_request');
    const garbage = await rawRequest(t.url, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.status).toBe(400);
    expectEnvelope(garbage.body, 'bad_request');
    const badUrl = await fetch(`${t.url}/api/v1/sessions/%zz`);
    expect(badUrl.status).toBe(400);
    expectEnvelope(await badUrl.text(), 'bad_request');
    const longParam = await fetch(`${t.url}/api/v1/sessions/${'p'.repeat(300)}`);
    expect(longParam.status).toBe(414);
    expectEnvelope(await longParam.text(), 'bad_request');
    expect(logLines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('never serves source maps', async () => {
    expect((await fetch(`${t.url}/assets/app.js`)).status).toBe(200);
    const map = await fetch(`${t.url}/assets/app.js.map`);
    expect(map.status).toBe(404);
    expectEnvelope(await map.text(), 'not_found');
  });

  it('restricts the app’s connect-src to its own origin and sends no HSTS over http', async () => {
    const response = await fetch(`${t.url}/help`);
    const csp = response.headers.get('content-security-policy') ?? '';
    const connect = csp
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('connect-src'));
    expect(connect).toBe(`connect-src 'self' ${t.url.replace(/^http/, 'ws')}`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('sends the security headers on the embedded IdP’s pages too', async () => {
    for (const path of ['/oidc/.well-known/openid-configuration', '/oidc/auth?client_id=nope', '/oidc/session/end']) {
      const response = await fetch(`${t.url}${path}`, { redirect: 'manual' });
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("default-src 'none'");
    }
  });
});

describe('X-Forwarded-For behind a configured proxy', () => {
  const failedSignInIp = async (t: TestServer, xff: string) => {
    const client = new Client(t.url);
    const response = await signInReturning(client, '/help', {
      password: 'wrong password',
      headers: { 'x-forwarded-for': xff },
    }).catch(() => undefined);
    expect(response).toBeUndefined(); // a wrong password never reaches the callback
    const rows = await t.server.db
      .selectFrom('audit_events')
      .select(['ip'])
      .where('action', '=', 'signin.failed')
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    return rows[0]?.ip;
  };

  it('with a hop count, takes the address the proxy saw, not what the client wrote before it', async () => {
    const t = await startTestServer({ TRUST_PROXY: '1' });
    try {
      // The client forged "10.0.7.1"; the one proxy (this test) appended the real client 203.0.113.5.
      expect(await failedSignInIp(t, '10.0.7.1, 203.0.113.5')).toBe('203.0.113.5');
      expect(await failedSignInIp(t, '10.0.8.1, 127.0.0.1, 203.0.113.6')).toBe('203.0.113.6');
    } finally {
      await t.stop();
    }
  });

  it('with a proxy list, ignores X-Forwarded-For from a peer that is not one of the proxies', async () => {
    const t = await startTestServer({ TRUST_PROXY: '10.9.9.9,192.168.0.0/16' });
    try {
      expect(await failedSignInIp(t, '10.0.7.1, 127.0.0.1')).toBe('127.0.0.1');
    } finally {
      await t.stop();
    }
  });

  it('the embedded IdP agrees with Fastify on the scheme a TLS-terminating proxy reports', async () => {
    // https public URL, plain HTTP behind the proxy: the IdP's secure cookies need Koa to see https.
    const probe = new URL((await startProbe()).url);
    const t = await startTestServer({
      TRUST_PROXY: '1',
      PORT: probe.port,
      PUBLIC_URL: `https://127.0.0.1:${probe.port}`,
    });
    try {
      const client = new Client(t.url);
      const callback = await signInReturning(client, '/help', {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
      });
      expect(callback.status).toBe(303);
      expect(callback.headers.get('location')).toBe('/help');
      expect(client.cookies.has('__Host-rh_session')).toBe(true);
    } finally {
      await t.stop();
    }
  });
});

/**
 * Sends a request's head announcing `contentLength` bytes of body but only `sent` of them, and
 * returns the response the server gives meanwhile (status, JSON body). A server that read the
 * body before answering would never answer: the body never completes.
 */
function answerBeforeBody(
  url: string,
  head: { method: string; path: string; headers?: Record<string, string> },
  contentLength: number,
  sent: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { port } = new URL(url);
  const lines = [
    `${head.method} ${head.path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/json',
    `Content-Length: ${contentLength}`,
    ...Object.entries(head.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${sent}`));
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? -1);
      if (length < 0 || data.length < end + 4 + length) return;
      socket.destroy();
      const body = data.subarray(end + 4, end + 4 + length).toString('utf8');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        body: JSON.parse(body) as Record<string, unknown>,
      });
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed without an answer')));
  });
}

/** `[0,0,0,…]` of about `bytes` bytes. */
const zeros = (bytes: number) => `[${'0,'.repeat(Math.floor(bytes / 2) - 1)}0]`;
/** Just under the picture upload's body limit (`PHOTO_BODY_LIMIT`, about 7 MB). */
const SEVEN_MB = PHOTO_BODY_LIMIT - 1024;

describe('request bodies', () => {
  let t: TestServer;
  let admin: Client;
  beforeAll(async () => {
    t = await startTestServer();
    admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
  });
  afterAll(async () => {
    await t?.stop();
  });
  const asAdmin = () => ({ cookie: admin.cookieHeader, 'x-csrf-token': admin.csrf });

  it('without a caller: 401 from the request’s head, before a byte of a 7 MB body is read', async () => {
    // 64 KiB of a 7 MB array: the answer comes while the body is still "on its way".
    const r = await answerBeforeBody(
      t.url,
      { method: 'PUT', path: '/api/v1/me/photo' },
      SEVEN_MB,
      zeros(65_536).slice(0, -1),
    );
    expect(r).toMatchObject({
      status: 401,
      body: { ok: false, error: 'authentication_required', message: 'Sign in to continue.' },
    });
    // A signed-in person's cookie on an endpoint for a device or the agent: refused the same way.
    const device = await answerBeforeBody(
      t.url,
      { method: 'POST', path: '/api/v1/devices/checkin', headers: asAdmin() },
      SEVEN_MB,
      '{"inventory":',
    );
    expect(device).toMatchObject({ status: 401, body: { error: 'authentication_required' } });
    const agent = await answerBeforeBody(
      t.url,
      { method: 'POST', path: '/api/v1/sessions/abc/accept-launch', headers: asAdmin() },
      SEVEN_MB,
      '[0,',
    );
    expect(agent).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  });

  it('without a caller: a whole 7 MB body is never parsed nor walked (invalid JSON, a NUL: still 401)', async () => {
    // Were it parsed, the JSON parser would say 400; were it walked, the NUL guard would say 400.
    for (const body of [`${zeros(SEVEN_MB).slice(0, -1)},}`, `${zeros(SEVEN_MB).slice(0, -1)},"\u0000"]`]) {
      const r = await fetch(`${t.url}/api/v1/me/photo`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ ok: false, error: 'authentication_required', message: 'Sign in to continue.' });
    }
  });

  it('a signed-in person’s 7 MB array is refused by its element count while it streams in', async () => {
    // 64 KiB of them sent: the answer comes before the rest (never parsed, never walked).
    const refusedAfter = async (path: string, prefix: string) =>
      answerBeforeBody(t.url, { method: 'PUT', path, headers: asAdmin() }, SEVEN_MB, prefix);
    expect(await refusedAfter('/api/v1/me/photo', zeros(65_536).slice(0, -1))).toMatchObject({
      status: 413,
      body: { error: 'payload_too_large', data: { maxElements: MIN_BODY_ELEMENTS } },
    });
    // Objects of many keys, and one key repeated (`JSON.parse` keeps the last: a strict schema would never see them).
    const keys = `{${Array.from({ length: 5000 }, (_, i) => `"${i.toString(36)}":0`).join(',')}`;
    const repeated = `{${'"image":"QUFB",'.repeat(4000)}`;
    for (const prefix of [keys, repeated]) {
      expect(await refusedAfter('/api/v1/me/photo', prefix)).toMatchObject({
        status: 413,
        body: { error: 'payload_too_large' },
      });
    }
    // The administrator's upload for someone else: the same.
    const me = (await admin.json('/api/v1/me')).body.user as { id: string };
    expect(await refusedAfter(`/api/v1/users/${me.id}/photo`, repeated)).toMatchObject({ status: 413 });
  });

  it('an endpoint of the default limit refuses more elements than its schema takes, and keeps working', async () => {
    // `{ language }`: a 60 KB array is 30,000 elements; 64 are read.
    const huge = await answerBeforeBody(
      t.url,
      { method: 'PUT', path: '/api/v1/me/language', headers: asAdmin() },
      60_000,
      zeros(8_000),
    );
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    // A body a little off its schema still gets its precise validation error, and a right one works.
    expect((await admin.json('/api/v1/me/language', 'PUT', { language: 'en', extra: [1, 2, 3] })).body).toMatchObject({
      error: 'validation_failed',
    });
    expect((await admin.json('/api/v1/me/language', 'PUT', { language: 'de' })).status).toBe(204);
    expect((await admin.json('/api/v1/me/language', 'PUT', { language: null })).status).toBe(204);
  });

  it('still takes a picture, as the web app sends it: `{ "image": <base64> }`', async () => {
    const image = (await testPicture('png', 64, 64)).toString('base64');
    const r = await admin.json('/api/v1/me/photo', 'PUT', { image });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });
});

/** A free port on 127.0.0.1 (the harness builds the public URL from PORT when it is given). */
async function startProbe(): Promise<{ url: string }> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve({ url: `http://127.0.0.1:${port}` }));
    });
  });
}
