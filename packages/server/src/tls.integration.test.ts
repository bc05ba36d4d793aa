/**
 * The server speaks HTTPS when TLS_CERT and TLS_KEY are set. The certificate is what a real
 * deployment has: issued by a CA (made here with openssl) for the public host name `rh.test`,
 * not for 127.0.0.1. A browser-like client trusting only that CA signs in end to end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCertificates } from './test/certificates.js';
import type { TestServer } from './test/harness.js';
import { DEMO_PASSWORD, startTestServer } from './test/harness.js';

const HOST = 'rh.test';
let t: TestServer;
let ca: Buffer;
let port: number;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rh-tls-'));
  const certs = makeCertificates(dir, HOST);
  ca = certs.ca;
  port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = s.address() as { port: number };
      s.close(() => resolve(free));
    });
  });
  t = await startTestServer({
    TLS_CERT: certs.certFile,
    TLS_KEY: certs.keyFile,
    PORT: String(port),
    PUBLIC_URL: `https://${HOST}:${port}`,
  });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A browser on a machine where `rh.test` resolves to 127.0.0.1 and the test CA is trusted. */
class Browser {
  readonly cookies = new Map<string, string>();

  send(url: string, method = 'GET', form?: Record<string, string>): Promise<Reply> {
    const target = new URL(url, `https://${HOST}:${port}`);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers: Record<string, string> = { host: target.host };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      request(
        {
          host: '127.0.0.1',
          servername: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method,
          headers,
          ca,
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
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      )
        .on('error', reject)
        .end(body);
    });
  }
}

it('serves /healthz over HTTPS with the configured certificate and HSTS', async () => {
  const reply = await new Browser().send('/healthz');
  expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
  expect(reply.headers['strict-transport-security']).toBe('max-age=31536000');
});

it('signs a browser in over HTTPS with a CA-issued certificate for the public host name', async () => {
  const browser = new Browser();
  let reply = await browser.send('/auth/login?returnTo=/help');
  while (reply.status === 303) reply = await browser.send(String(reply.headers.location));
  const action = /action="([^"]+)"/
    .exec(reply.body)?.[1]
    ?.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
  const csrf = /name="csrf" value="([^"]+)"/.exec(reply.body)?.[1];
  expect(action && csrf, reply.body.slice(0, 200)).toBeTruthy();
  reply = await browser.send(action!, 'POST', {
    email: 'helper@contoso.example',
    password: DEMO_PASSWORD,
    csrf: csrf!,
  });
  const visited: string[] = [];
  while (reply.status === 303) {
    const location = String(reply.headers.location);
    visited.push(location);
    reply = await browser.send(location);
  }
  // The callback's last hop lands on the requested page, not on /?signin=failed.
  expect(visited.at(-1)).toBe('/help');
  expect(browser.cookies.has('__Host-rh_session')).toBe(true);
  const me = await browser.send('/api/v1/me');
  expect(me.status).toBe(200);
  expect((JSON.parse(me.body) as { user: { email: string } }).user.email).toBe('helper@contoso.example');
});
