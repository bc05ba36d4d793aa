/**
 * Integration: the server's requests to an identity provider's addresses (`federation/outbound`,
 * `IDP_ADDRESSES`). A provider's metadata that points the server at the cloud's metadata service
 * is refused whatever the policy; an issuer on loopback is refused on save unless the operator
 * allows it; the guarded fetch resolves, checks and connects to the same addresses, follows no
 * redirect and reads no more than its bound. Real HTTP servers on 127.0.0.1, the real server.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../config.js';
import type { TestServer } from '../../test/harness.js';
import { Client, startTestServer } from '../../test/harness.js';
import { Browser } from '../../test/browser.js';
import { MAX_RESPONSE_BYTES, OutboundAddressError, addressAllowed, guardedFetch } from './outbound.js';

/** An HTTP server on 127.0.0.1 answering with `handle`; counts the requests it got. */
async function listen(handle: (request: IncomingMessage, response: ServerResponse) => void) {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('which addresses an identity provider may have', () => {
  it.each([
    ['169.254.169.254', [false, false, false]],
    ['::ffff:169.254.169.254', [false, false, false]],
    ['100.100.100.200', [false, false, false]],
    ['fd00:ec2::254', [false, false, false]],
    ['fe80::1', [false, false, false]],
    ['0.0.0.0', [false, false, false]],
    ['::', [false, false, false]],
    ['224.0.0.1', [false, false, false]],
    ['255.255.255.255', [false, false, false]],
    ['127.0.0.1', [false, false, true]],
    ['127.8.9.10', [false, false, true]],
    ['::1', [false, false, true]],
    ['::ffff:127.0.0.1', [false, false, true]],
    ['10.1.2.3', [false, true, true]],
    ['172.20.0.5', [false, true, true]],
    ['192.168.1.10', [false, true, true]],
    ['100.72.1.1', [false, true, true]],
    ['fd12:3456::1', [false, true, true]],
    ['203.0.113.7', [true, true, true]],
    ['2001:db8::1', [true, true, true]],
    ['not an address', [false, false, false]],
  ] as const)('%s: public %s, private %s, any %s', (address, [pub, priv, any]) => {
    expect([
      addressAllowed(address, 'public'),
      addressAllowed(address, 'private'),
      addressAllowed(address, 'any'),
    ]).toEqual([pub, priv, any]);
  });

  it('IDP_ADDRESSES is public, private (the default) or any; anything else stops the start with the setting named', () => {
    expect(loadConfig({}).idpAddresses).toBe('private');
    expect(loadConfig({ IDP_ADDRESSES: 'public' }).idpAddresses).toBe('public');
    expect(() => loadConfig({ IDP_ADDRESSES: 'everything' })).toThrow(ConfigError);
    expect(() => loadConfig({ IDP_ADDRESSES: 'everything' })).toThrow(/IDP_ADDRESSES/);
  });
});

describe('the guarded fetch', () => {
  let target: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    target = await listen((request, response) => {
      if (request.url === '/big') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1, 32));
      } else if (request.url === '/moved') {
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        response.end();
      } else {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          response.writeHead(200, { 'content-type': 'application/json', 'x-echo': request.headers['x-test'] ?? '' });
          response.end(JSON.stringify({ method: request.method, body }));
        });
      }
    });
  });
  afterAll(async () => target?.stop());

  it('reaches an allowed address: method, headers and a form body go through, the answer comes back whole', async () => {
    const response = await guardedFetch('any')(`${target.url}/token`, {
      method: 'POST',
      headers: { 'x-test': 'yes', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'abc' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(await response.json()).toEqual({ method: 'POST', body: 'grant_type=authorization_code&code=abc' });
  });

  it('refuses loopback under the default policy before connecting, by address and by name', async () => {
    const before = target.requests();
    await expect(guardedFetch('private')(`${target.url}/x`)).rejects.toBeInstanceOf(OutboundAddressError);
    // A name is resolved by the guard and refused for what it resolves to (here, loopback).
    const byName = guardedFetch('private')(`http://localhost:${target.port}/x`);
    await expect(byName).rejects.toMatchObject({ code: 'IDP_ADDRESS_BLOCKED', host: 'localhost' });
    expect(target.requests()).toBe(before);
  });

  it('refuses the metadata service even when everything else is allowed', async () => {
    await expect(guardedFetch('any')('http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({
      code: 'IDP_ADDRESS_BLOCKED',
      address: '169.254.169.254',
    });
    await expect(guardedFetch('any')('http://[fd00:ec2::254]/latest/')).rejects.toBeInstanceOf(OutboundAddressError);
  });

  it('follows no redirect and reads no more than its bound', async () => {
    const moved = await guardedFetch('any')(`${target.url}/moved`);
    expect(moved.status).toBe(302);
    await expect(guardedFetch('any')(`${target.url}/big`)).rejects.toThrow(/more than/);
    await expect(guardedFetch('any')('file:///etc/passwd')).rejects.toThrow(/http/);
  });
});

describe('an identity provider at a forbidden address, through the server', () => {
  let t: TestServer;
  let strict: TestServer;
  let hostile: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    t = await startTestServer();
    strict = await startTestServer({ IDP_ADDRESSES: 'private' });
    // An "identity provider" whose metadata sends the token request and its keys to the metadata
    // service, and whose authorization endpoint hands back a code at once.
    hostile = await listen((request, response) => {
      const url = new URL(request.url ?? '/', hostile.url);
      if (url.pathname === '/.well-known/openid-configuration') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            issuer: hostile.url,
            authorization_endpoint: `${hostile.url}/auth`,
            token_endpoint: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
            jwks_uri: 'http://169.254.169.254/latest/meta-data/',
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
          }),
        );
      } else if (url.pathname === '/auth') {
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.searchParams.set('code', 'a-code');
        back.searchParams.set('state', url.searchParams.get('state')!);
        response.writeHead(302, { location: back.href });
        response.end();
      } else {
        response.writeHead(404);
        response.end();
      }
    });
  });
  afterAll(async () => {
    await hostile?.stop();
    await strict?.stop();
    await t?.stop();
  });

  it('refuses on save an issuer on loopback unless the operator allows it, and saves nothing', async () => {
    const admin = new Client(strict.url);
    await admin.signIn('admin@contoso.example');
    for (const issuer of [hostile.url, `http://localhost:${hostile.port}`, `http://[::1]:${hostile.port}`]) {
      const refused = await admin.post('/api/v1/identity-providers', {
        name: 'Loopback IdP',
        issuer,
        clientId: 'rh',
        domains: ['contoso.example'],
      });
      expect(refused.status, issuer).toBe(400);
      expect(refused.body).toMatchObject({ error: 'validation_failed', data: { field: 'issuer' } });
      expect(String(refused.body.message)).toContain('IDP_ADDRESSES=private');
    }
    expect((await admin.json('/api/v1/identity-providers')).body.providers).toEqual([]);
    expect(hostile.requests()).toBe(0);
  });

  it('never sends the token request to the metadata service: the sign-in stops with federation_address_blocked', async () => {
    const admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    const created = await admin.post('/api/v1/identity-providers', {
      name: 'Hostile IdP',
      issuer: hostile.url,
      clientId: 'rh',
      clientSecret: 'a-client-secret-123',
      domains: ['contoso.example'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const browser = new Browser();
    const last = await browser.follow(`${t.url}/auth/login?returnTo=/help&login_hint=alice%40contoso.example`);
    const html = await last.text();
    // The flow went to the provider and came back with its code…
    expect(browser.visited.some((u) => u.startsWith(`${hostile.url}/auth?`))).toBe(true);
    expect(browser.visited.some((u) => u.includes('/auth/federation/callback?code=a-code'))).toBe(true);
    // …and the server refused to redeem it at 169.254.169.254 (before: a 10 s wait, then "unreachable").
    expect(last.status).toBe(502);
    expect(/data-error="([^"]+)"/.exec(html)?.[1]).toBe('federation_address_blocked');
    expect(html).toContain('could not be reached');
  });
});
