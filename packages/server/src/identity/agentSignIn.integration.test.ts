/**
 * The native agent signs in as OAuth for native apps (RFC 8252): loopback redirect on any
 * port, PKCE, public client; its access token then works as a bearer token on the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { agentSignIn } from '../test/agentSignIn.js';
import { Client, startTestServer } from '../test/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

async function agentTokens(email: string) {
  const tokens = await agentSignIn(t.url, email);
  expect(tokens.signInPage).toContain('the Remote Help app');
  return tokens;
}

describe('agent sign-in (RFC 8252)', () => {
  it('gets tokens through a loopback redirect and uses them as bearer tokens', async () => {
    const tokens = await agentTokens('sharer@contoso.example');
    expect(tokens.refresh_token).toBeTruthy();
    const me = await fetch(`${t.url}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { displayName: string } }).user.displayName).toBe('Lena Fischer');
  });

  it('lets the agent join as the native agent, which a browser cannot claim', async () => {
    const helper = new Client(t.url);
    await helper.signIn('helper@contoso.example');
    const { code, session } = (await helper.post('/api/v1/sessions')).body as { code: string; session: { id: string } };
    const webSharer = new Client(t.url);
    await webSharer.signIn('sharer@contoso.example');
    expect((await webSharer.post('/api/v1/sessions/redeem', { code, client: 'agent' })).body.error).toBe('forbidden');

    const tokens = await agentTokens('sharer@contoso.example');
    const redeemed = await fetch(`${t.url}/api/v1/sessions/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code, client: 'agent' }),
    });
    expect(redeemed.status).toBe(200);
    expect(((await redeemed.json()) as { session: { sharerClient: string } }).session.sharerClient).toBe('agent');
    const control = await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'control' });
    expect(control.body.session).toMatchObject({ state: 'requested', pendingMode: 'control' });
  });

  it('refuses unknown, forged and web-client tokens', async () => {
    for (const token of ['nope', 'x'.repeat(43), 'x'.repeat(600)]) {
      const r = await fetch(`${t.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(401);
    }
  });
});
