/**
 * Integration: signing out really signs out, on a shared help-desk machine.
 *
 * - Signing out of the web app ends the embedded provider's session of that browser too (its
 *   `_session` cookie and the stored session), and *sign out everywhere* ends every provider
 *   session of the person.
 * - The provider never signs anyone in to our own apps from an earlier session: a web sign-in
 *   whose authorization request lost `prompt=login` (and `max_age`) still asks for the password.
 * - The native agent's sign-in (`prompt=consent`) asks for the password too, in a browser that
 *   signed out of the web app or that is still signed in to it, and passes the same conditional
 *   access gate and sign-in log as a web sign-in.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';

let t: TestServer;
let admin: Client;
let agentConfig: oidc.Configuration;

beforeAll(async () => {
  t = await startTestServer();
  admin = new Client(t.url);
  await admin.signIn('admin@contoso.example');
  agentConfig = await oidc.discovery(new URL(`${t.url}/oidc`), 'remote-help-agent', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}, 60_000);
afterAll(async () => t?.stop());

const LOOPBACK = 'http://127.0.0.1:49152/callback';
const decode = (html: string) => html.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

/** Follows redirects by hand and says where the browser ended up; stops before `stopAt` (the agent's loopback). */
async function walk(c: Client, start: string, stopAt = LOOPBACK) {
  let url = new URL(start, c.base).href;
  let response = await c.raw(url);
  for (let i = 0; i < 12 && response.status >= 300 && response.status < 400; i++) {
    const next = new URL(response.headers.get('location')!, url).href;
    url = next;
    if (next.startsWith(stopAt)) break;
    response = await c.raw(next);
  }
  return { url: new URL(url), response };
}

/** Whether the browser landed on the provider's password page. */
async function askedForPassword(landed: { url: URL; response: Response }): Promise<boolean> {
  if (!/^\/signin\/[A-Za-z0-9_-]+$/.test(landed.url.pathname) || landed.response.status !== 200) return false;
  return (await landed.response.text()).includes('name="password"');
}

/** The web app's sign-in as someone at the machine would tamper with it: `prompt=login` and `max_age` deleted. */
async function strippedWebSignIn(c: Client, returnTo: string) {
  const started = await c.raw(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(started.status).toBe(303);
  const authorization = new URL(started.headers.get('location')!);
  authorization.searchParams.delete('prompt');
  authorization.searchParams.delete('max_age');
  return walk(c, authorization.href);
}

/** The native agent's authorization request as the agent sends it (RFC 8252: PKCE, loopback, `prompt=consent`). */
async function agentAuthorization(prompt = 'consent') {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(agentConfig, {
    redirect_uri: LOOPBACK,
    scope: 'openid email profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt,
  });
  return { url, verifier, state };
}

/** Posts email and password on the password page the browser landed on; follows on to the loopback (or a page). */
async function submitPassword(c: Client, page: string, email: string) {
  const action = decode(/action="([^"]+)"/.exec(page)?.[1] ?? '');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const posted = await c.raw(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD, csrf }),
  });
  if (posted.status !== 303) return { url: new URL(action, c.base), response: posted };
  return walk(c, posted.headers.get('location')!);
}

const signOut = (c: Client) =>
  c.raw('/auth/logout', { method: 'POST', headers: { 'x-csrf-token': c.csrf, origin: t.url } });

/** A record the provider stored (`oidc_payloads`), if it is still there. */
const stored = (model: string, id: string) =>
  t.server.db
    .selectFrom('oidc_payloads')
    .select(['id', 'payload'])
    .where('model', '=', model)
    .where('id', '=', id)
    .executeTakeFirst();
/** The provider's session under a `_session` cookie value. */
const storedSession = (id: string) => stored('Session', id);
interface StoredSession {
  authorizations?: Record<string, { grantId?: string }>;
}

const userIdOf = async (c: Client) => ((await c.json('/api/v1/me')).body.user as { id: string }).id;

const auditOf = (userId: string, action: string) =>
  t.server.db
    .selectFrom('audit_events')
    .select(['action', 'data'])
    .where('actor_id', '=', userId)
    .where('action', '=', action)
    .orderBy('id', 'desc')
    .execute();

async function newPerson(name: string): Promise<{ email: string; id: string }> {
  const email = `${name}-${Date.now()}@contoso.example`;
  const created = await admin.post('/api/v1/users', { email, displayName: name, password: DEMO_PASSWORD });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { email, id: (created.body.user as { id: string }).id };
}

describe('signing out of the web app', () => {
  it('ends the provider session of the browser: the next person at the machine must enter a password', async () => {
    const browser = new Client(t.url);
    await browser.signIn('admin@contoso.example');
    const idpSession = browser.cookies.get('_session');
    expect(idpSession).toBeTruthy();
    const kept = new Map([...browser.cookies].filter(([name]) => name.startsWith('_session')));
    const webGrant = (JSON.parse((await storedSession(idpSession!))!.payload) as StoredSession).authorizations?.[
      'remote-help-web'
    ]?.grantId;
    expect(webGrant).toBeTruthy();

    expect((await signOut(browser)).status).toBe(204);
    expect((await browser.json('/api/v1/me')).status).toBe(401);
    // The provider's cookie is cleared, and the session behind it is gone, with the web app's grant.
    expect(browser.cookies.has('_session')).toBe(false);
    expect(browser.cookies.has('_session.sig')).toBe(false);
    expect(await storedSession(idpSession!)).toBeUndefined();
    expect(await stored('Grant', webGrant!)).toBeUndefined();

    // The exploit: the sign-in URL without `prompt=login` finds no session to reuse.
    const next = await strippedWebSignIn(browser, '/admin');
    expect(await askedForPassword(next)).toBe(true);
    expect(browser.cookies.has('rh_session')).toBe(false);

    // Even with the old provider cookie put back, nothing signs in.
    for (const [name, value] of kept) browser.cookies.set(name, value);
    const again = await strippedWebSignIn(browser, '/admin');
    expect(await askedForPassword(again)).toBe(true);
    expect(browser.cookies.has('rh_session')).toBe(false);

    // The next person signs in as themselves.
    await browser.signIn('helper@contoso.example');
    expect(((await browser.json('/api/v1/me')).body.user as { email: string }).email).toBe('helper@contoso.example');
  });

  it('asks the provider for a fresh login, and says so in the authorization request', async () => {
    const started = await new Client(t.url).raw('/auth/login?returnTo=/admin');
    const authorization = new URL(started.headers.get('location')!);
    expect(authorization.searchParams.get('prompt')).toBe('login');
    expect(authorization.searchParams.get('max_age')).toBe('0');
  });

  it('ends the provider session also when the web session already ended, if our own page asks', async () => {
    const browser = new Client(t.url);
    await browser.signIn('helper@contoso.example');
    const idpSession = browser.cookies.get('_session')!;
    const provider = new Map([...browser.cookies].filter(([name]) => name.startsWith('_session')));
    const web = new Client(t.url);
    for (const [name, value] of provider) web.cookies.set(name, value);
    // Another site's page: the provider session stays.
    const foreign = await web.raw('/auth/logout', { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(204);
    expect(await storedSession(idpSession)).toBeTruthy();
    // A forged cookie (no valid signature) ends nothing.
    const forged = new Client(t.url);
    forged.cookies.set('_session', idpSession);
    forged.cookies.set('_session.sig', 'forged');
    await forged.raw('/auth/logout', { method: 'POST', headers: { origin: t.url } });
    expect(await storedSession(idpSession)).toBeTruthy();
    // Ours: it ends.
    expect((await web.raw('/auth/logout', { method: 'POST', headers: { origin: t.url } })).status).toBe(204);
    expect(await storedSession(idpSession)).toBeUndefined();
    expect(web.cookies.has('_session')).toBe(false);
  });

  it('asks for the password even while the provider session lives, whatever the authorization request says', async () => {
    const browser = new Client(t.url);
    await browser.signIn('helper@contoso.example');
    const before = browser.cookies.get('rh_session');
    const landed = await strippedWebSignIn(browser, '/admin');
    expect(await askedForPassword(landed)).toBe(true);
    // No new web session was handed out.
    expect(browser.cookies.get('rh_session')).toBe(before);
  });

  it('sign out everywhere ends every provider session of the person, this browser’s too', async () => {
    const here = new Client(t.url);
    const there = new Client(t.url);
    await here.signIn('sharer@fabrikam.example');
    await there.signIn('sharer@fabrikam.example');
    const sessions = [here.cookies.get('_session')!, there.cookies.get('_session')!];
    for (const id of sessions) expect(await storedSession(id)).toBeTruthy();
    expect((await here.post('/api/v1/me/sign-out-everywhere')).status).toBe(204);
    for (const id of sessions) expect(await storedSession(id)).toBeUndefined();
    expect(await askedForPassword(await strippedWebSignIn(there, '/help'))).toBe(true);
  });
});

describe('the native agent’s sign-in', () => {
  it('asks for the password after a web sign-out in the same browser, then signs in and logs it', async () => {
    const browser = new Client(t.url);
    await browser.signIn('sharer@contoso.example');
    const userId = await userIdOf(browser);
    expect((await signOut(browser)).status).toBe(204);

    const request = await agentAuthorization();
    const landed = await walk(browser, request.url.href);
    // Before: straight back to the loopback with a code (and a 14-day refresh token) for the previous person.
    expect(landed.url.href.startsWith(LOOPBACK)).toBe(false);
    expect(await askedForPassword({ url: landed.url, response: landed.response.clone() })).toBe(true);

    const succeededBefore = (await auditOf(userId, 'signin.succeeded')).length;
    const done = await submitPassword(browser, await landed.response.text(), 'sharer@contoso.example');
    expect(done.url.href.startsWith(LOOPBACK), done.url.href).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(agentConfig, done.url, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
    });
    expect(tokens.refresh_token).toBeTruthy();
    const me = await fetch(`${t.url}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    const succeeded = await auditOf(userId, 'signin.succeeded');
    expect(succeeded.length).toBe(succeededBefore + 1);
    expect(JSON.parse(succeeded[0]!.data!)).toMatchObject({ client: 'remote-help-agent' });
  });

  it('asks for the password while the browser is signed in to the web app', async () => {
    const browser = new Client(t.url);
    await browser.signIn('helper@contoso.example');
    for (const prompt of ['consent', 'login consent']) {
      const request = await agentAuthorization(prompt);
      const landed = await walk(browser, request.url.href);
      expect(landed.url.href.startsWith(LOOPBACK), prompt).toBe(false);
      expect(await askedForPassword(landed), prompt).toBe(true);
    }
  });

  it('passes conditional access at sign-in: a block on the agent app holds even with a provider session', async () => {
    const person = await newPerson('agent-blocked');
    const policy = await admin.post('/api/v1/conditional-access/policies', {
      name: 'No agent for this person',
      state: 'on',
      users: {
        include: { kind: 'selected', userIds: [person.id], groupIds: [], roleIds: [] },
        exclude: { userIds: [], groupIds: [], roleIds: [] },
      },
      apps: ['agent'],
      conditions: { clientApps: null, platforms: null, locations: null, deviceStates: null },
      grant: { kind: 'block' },
      session: { signInFrequencyHours: null },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    try {
      // The web app is allowed: the browser has a provider session of this person.
      const browser = new Client(t.url);
      await browser.signIn(person.email);
      expect(browser.cookies.has('_session')).toBe(true);

      const request = await agentAuthorization();
      const landed = await walk(browser, request.url.href);
      expect(landed.url.href.startsWith(LOOPBACK), 'no code without a password and the gate').toBe(false);
      expect(await askedForPassword({ url: landed.url, response: landed.response.clone() })).toBe(true);
      const refused = await submitPassword(browser, await landed.response.text(), person.email);
      expect(refused.url.href.startsWith(LOOPBACK)).toBe(false);
      expect(refused.response.status).toBe(403);
      const blocked = await auditOf(person.id, 'signin.blocked_by_policy');
      expect(blocked.map((e) => JSON.parse(e.data!) as { app: string })).toContainEqual(
        expect.objectContaining({ app: 'agent' }),
      );
      const succeeded = await auditOf(person.id, 'signin.succeeded');
      expect(succeeded.map((e) => (JSON.parse(e.data!) as { client: string }).client)).not.toContain(
        'remote-help-agent',
      );
    } finally {
      const id = (policy.body.policy as { id: string }).id;
      expect((await admin.json(`/api/v1/conditional-access/policies/${id}`, 'DELETE')).status).toBe(204);
    }
  });
});
