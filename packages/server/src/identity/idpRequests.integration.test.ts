/**
 * The embedded IdP's request store is off between its requests (so that Node 20's promise
 * hooks do not slow every promise of the node after the first sign-in), on while one is in
 * flight, and the real sign-in flow works with it switched on and off around each request.
 * `enabled` is Node's own field of an AsyncLocalStorage (not in its types): if Node renames it,
 * this test fails rather than passing unnoticed.
 */
import oidcStore from 'oidc-provider/lib/helpers/als.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestServer, type TestServer } from '../test/harness.js';
import { IdpRequests } from './idpRequests.js';

const enabled = (): boolean => (oidcStore as unknown as { enabled: boolean }).enabled;

describe('IdpRequests', () => {
  it('disables the store when the last request in flight ends, once per request', () => {
    const requests = new IdpRequests();
    const first = requests.begin();
    const second = requests.begin();
    oidcStore.run({}, () => undefined); // what oidc-provider does for each request
    expect(enabled()).toBe(true);
    first();
    first(); // twice: still one request in flight
    expect([requests.inFlight, enabled()]).toEqual([1, true]);
    second();
    expect([requests.inFlight, enabled()]).toEqual([0, false]);
  });
});

describe('the IdP’s store around real requests', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('is off after a discovery request and after a whole sign-in, and the sign-in works', async () => {
    const discovery = await fetch(`${server.url}/oidc/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    await discovery.text();
    await new Promise((r) => setImmediate(r));
    expect(enabled()).toBe(false);

    const client = new Client(server.url);
    await client.signIn('helper@contoso.example');
    const me = await client.json('/api/v1/me');
    expect(me.status).toBe(200);
    expect(enabled()).toBe(false);
  });
});
