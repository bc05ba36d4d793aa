/**
 * The example reverse-proxy configuration, docs/deploy/nginx.conf, run by Debian's nginx as it
 * is (only ports, paths and the host name substituted) in front of a real server started with
 * `TRUST_PROXY=1`. A client trusting only the test CA, connecting from 127.0.0.5 while nginx
 * reaches the server from 127.0.0.1, signs in over HTTPS, opens the signaling WebSocket and
 * gets its hello and the server's heartbeat pings; the server records the client's address
 * (127.0.0.5), not one the client forged in `X-Forwarded-For`, and the Host from the
 * configuration, not a forged `X-Forwarded-Host`. Port 80's server block redirects to https.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEventList, ErrorEnvelope } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TestCertificates } from '../test/certificates.js';
import { makeCertificates } from '../test/certificates.js';
import type { TestServer } from '../test/harness.js';
import { DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import type { RunningNginx } from '../test/nginx.js';
import { startNginx } from '../test/nginx.js';

const HOST = 'rh.test';
/** The client's own address: nginx reaches the server from 127.0.0.1, so the two differ. */
const CLIENT_ADDRESS = '127.0.0.5';
const FORGED = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };

let dir: string;
let certs: TestCertificates;
let nginx: RunningNginx | undefined;
let t: TestServer | undefined;
let httpsPort: number;
let httpPort: number;
let publicUrl: string;

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** DNS for this test: `rh.test` is 127.0.0.1 (for clients that take a host name, like `ws`). */
const resolveTestHost: LookupFunction = (hostname, options, callback) => {
  if (hostname !== HOST) throw new Error(`unexpected lookup of ${hostname}`);
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A browser on a machine where `rh.test` is 127.0.0.1 and the test CA is trusted, talking to nginx. */
class Browser {
  readonly cookies = new Map<string, string>();

  constructor(readonly extraHeaders: Record<string, string> = {}) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  send(
    url: string,
    init: { method?: string; form?: Record<string, string>; json?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const target = new URL(url, publicUrl);
    if (target.origin !== publicUrl) throw new Error(`left ${publicUrl} for ${target.origin}`);
    const body = init.form ? new URLSearchParams(init.form).toString() : init.json;
    const headers: Record<string, string> = { host: target.host, ...this.extraHeaders, ...init.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    return new Promise((done, reject) => {
      httpsRequest(
        {
          host: '127.0.0.1',
          localAddress: CLIENT_ADDRESS,
          servername: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: init.method ?? 'GET',
          headers,
          ca: certs.ca,
          agent: false,
        },
        (res) => {
          for (const line of res.headers['set-cookie'] ?? []) {
            const [pair = ''] = line.split(';');
            const eq = pair.indexOf('=');
            const value = pair.slice(eq + 1);
            if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, eq));
            else this.cookies.set(pair.slice(0, eq), value);
          }
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      )
        .on('error', reject)
        .end(body);
    });
  }

  /** The real OIDC flow through nginx: relying party → embedded IdP → form → callback. */
  async signIn(email: string, returnTo: string): Promise<string[]> {
    let reply = await this.send(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    while (reply.status === 303) reply = await this.send(String(reply.headers.location));
    const action = /action="([^"]+)"/
      .exec(reply.body)?.[1]
      ?.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
    const csrf = /name="csrf" value="([^"]+)"/.exec(reply.body)?.[1];
    if (!action || !csrf) throw new Error(`no sign-in form (${reply.status}): ${reply.body.slice(0, 300)}`);
    reply = await this.send(action, { method: 'POST', form: { email, password: DEMO_PASSWORD, csrf } });
    const visited: string[] = [];
    while (reply.status === 303) {
      const location = String(reply.headers.location);
      visited.push(location);
      reply = await this.send(location);
    }
    return visited;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rh-nginx-'));
  certs = makeCertificates(dir, HOST);
  [httpsPort, httpPort] = [await freePort(), await freePort()];
  publicUrl = `https://${HOST}:${httpsPort}`;
  t = await startTestServer({ PUBLIC_URL: publicUrl, TRUST_PROXY: '1' });
  nginx = await startNginx({
    dir,
    host: HOST,
    httpsPort,
    httpPort,
    upstreamPort: Number(new URL(t.url).port),
    certFile: certs.certFile,
    keyFile: certs.keyFile,
  });
}, 30_000);

afterAll(async () => {
  await nginx?.stop();
  await t?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('remote-help behind the example nginx configuration', () => {
  it('serves the server over HTTPS with the server’s own HSTS header, once', async () => {
    const reply = await new Browser().send('/healthz');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
    expect(reply.headers['strict-transport-security']).toBe('max-age=31536000');
    expect((await new Browser().send('/readyz')).status).toBe(200);
  });

  it('signs a person in and records the client’s address, not the X-Forwarded-For it forged', async () => {
    const admin = new Browser(FORGED);
    const visited = await admin.signIn('admin@contoso.example', '/admin');
    // The last hop lands on the requested page: the IdP saw https and the right host through nginx.
    expect(visited.at(-1)).toBe('/admin');
    expect(admin.cookies.has('__Host-rh_session')).toBe(true);

    const audit = await admin.send('/api/v1/audit?limit=100');
    expect(audit.status, audit.body).toBe(200);
    const signedIn = AuditEventList.parse(JSON.parse(audit.body)).events.filter((e) => e.action === 'app.signed_in');
    expect(signedIn.length).toBeGreaterThan(0);
    for (const event of signedIn) expect(event.ip).toBe(CLIENT_ADDRESS);
  });

  it('passes the host from the configuration, not a forged X-Forwarded-Host', async () => {
    // A page navigation naming another host would be sent to PUBLIC_URL with a 307 (http/canonicalHost).
    const page = await new Browser(FORGED).send('/help', {
      headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
    });
    expect(page.status).not.toBe(307);
    expect(page.headers.location).toBeUndefined();
  });

  it('upgrades the signaling WebSocket: hello, then the server’s heartbeat pings come through', async () => {
    const helper = new Browser();
    await helper.signIn('helper@contoso.example', '/help');
    const ws = new WebSocket(`wss://${HOST}:${httpsPort}/api/v1/ws`, {
      lookup: resolveTestHost,
      localAddress: CLIENT_ADDRESS,
      ca: certs.ca,
      headers: { cookie: helper.cookieHeader, origin: publicUrl, ...FORGED },
    });
    try {
      const hello = await new Promise<{ type: string }>((done, reject) => {
        ws.once('message', (data) => done(JSON.parse(String(data)) as { type: string }));
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      });
      expect(hello.type).toBe('hello');
      // The server pings each second and closes a silent socket; the pings arrive through nginx, the pongs go back.
      await new Promise<void>((done) => ws.once('ping', () => done()));
      expect(ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ws.close();
    }
  });

  it('lets a body as large as a profile photo through to the server, and stops larger ones', async () => {
    const helper = new Browser();
    await helper.signIn('helper@contoso.example', '/help');
    const csrf = (JSON.parse((await helper.send('/api/v1/me')).body) as { csrfToken: string }).csrfToken;
    // 3 MiB of base64 that is no image: the server's own verdict (its JSON envelope), not nginx's 413.
    const image = `data:image/png;base64,${'A'.repeat(3 * 1024 * 1024)}`;
    const upload = await helper.send('/api/v1/me/photo', {
      method: 'PUT',
      json: JSON.stringify({ image }),
      headers: { 'x-csrf-token': csrf },
    });
    expect(upload.status).toBe(400);
    expect(ErrorEnvelope.parse(JSON.parse(upload.body)).ok).toBe(false);

    const tooLarge = await helper.send('/api/v1/me/photo', {
      method: 'PUT',
      json: JSON.stringify({ image: 'A'.repeat(9 * 1024 * 1024) }),
      headers: { 'x-csrf-token': csrf },
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.server).toMatch(/^nginx/);
  });

  it('redirects plain HTTP to the same path and query on https with a 308, whatever Host is named', async () => {
    const plain = (path: string, host: string) =>
      new Promise<Reply>((done, reject) => {
        httpRequest(
          { host: '127.0.0.1', port: httpPort, path, headers: { host }, localAddress: CLIENT_ADDRESS, agent: false },
          (res) => {
            res.resume();
            res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
          },
        )
          .on('error', reject)
          .end();
      });
    const reply = await plain('/share?lang=fr&x=%2F', HOST);
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe(`${publicUrl}/share?lang=fr&x=%2F`);
    expect((await plain('/admin', 'evil.example')).headers.location).toBe(`${publicUrl}/admin`);
    expect(new URL(String((await plain('//evil.example/x', HOST)).headers.location)).origin).toBe(publicUrl);
    expect((await plain('http://evil.example/steal?a=1', HOST)).headers.location).toBe(`${publicUrl}/steal?a=1`);
  });
});
