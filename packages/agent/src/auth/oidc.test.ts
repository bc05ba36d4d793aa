import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentOidcClient, assertFreshSignIn, FRESH_SIGN_IN_SECONDS } from './oidc.js';

describe('the agent’s authorization request', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    // Just the discovery document of a remote-help server's IdP.
    server = createServer((req, res) => {
      if (req.url !== '/oidc/.well-known/openid-configuration') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: `${base}/oidc`,
          authorization_endpoint: `${base}/oidc/auth`,
          token_endpoint: `${base}/oidc/token`,
          jwks_uri: `${base}/oidc/jwks`,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks for credentials every time (prompt=login, max_age=0) and consent for the refresh token', async () => {
    const client = await AgentOidcClient.discover(base);
    const { url } = await client.authorizationRequest('http://127.0.0.1:50123/callback');
    expect(url.searchParams.get('prompt')?.split(' ').sort()).toEqual(['consent', 'login']);
    expect(url.searchParams.get('max_age')).toBe('0');
    expect(url.searchParams.get('scope')).toContain('offline_access');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });
});

describe('a fresh sign-in at the code exchange', () => {
  const iat = 1_700_000_000;

  it('accepts a sign-in that ended shortly before the ID token was issued', () => {
    expect(() => assertFreshSignIn({ iat, auth_time: iat })).not.toThrow();
    expect(() => assertFreshSignIn({ iat, auth_time: iat - 30 })).not.toThrow();
    expect(() => assertFreshSignIn({ iat, auth_time: iat - FRESH_SIGN_IN_SECONDS })).not.toThrow();
  });

  it('refuses an earlier session reused by the IdP, and an ID token that does not say when', () => {
    expect(() => assertFreshSignIn({ iat, auth_time: iat - FRESH_SIGN_IN_SECONDS - 1 })).toThrow(/earlier sign-in/);
    expect(() => assertFreshSignIn({ iat, auth_time: iat - 6 * 3600 })).toThrow(/earlier sign-in/);
    expect(() => assertFreshSignIn({ iat })).toThrow(/auth_time/);
    expect(() => assertFreshSignIn(undefined)).toThrow(/auth_time/);
  });
});
