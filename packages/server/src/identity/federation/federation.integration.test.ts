/**
 * Federation against a second, independently configured `oidc-provider` (test/orgIdp.ts) on its
 * own port: home-realm discovery, just-in-time users, claims and groups mapped into an RBAC
 * assignment, the administrator's test sign-in, and every refusal (wrong issuer, bad signature,
 * wrong audience, expired token, replayed state, replayed nonce, email outside the domains, email
 * the provider has not verified, a second subject claiming a linked person's email) with its typed
 * page and nothing created or changed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IdentityProvider } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../test/harness.js';
import { Client, startTestServer } from '../../test/harness.js';
import type { OrgIdp } from '../../test/orgIdp.js';
import { startOrgIdp } from '../../test/orgIdp.js';
import { Browser, followUntil } from '../../test/browser.js';
import { base32Decode, hotp } from '../mfa/totp.js';
import { mapClaims, provision } from './jit.js';
import type { ProviderRecord } from './service.js';

const CLIENT_ID = 'remote-help-at-contoso';
const CLIENT_SECRET = 'contoso-client-secret-123';

describe('federation with an organization’s own OpenID Connect provider', () => {
  let t: TestServer;
  let idp: OrgIdp;
  let admin: Client;
  let providerId: string;
  let groupId: string;
  let helper: Client;

  const userCount = async () =>
    Number(
      (
        await t.server.db
          .selectFrom('users')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** A federated sign-in of `account` from the web app's start; returns the browser and the last response. */
  const signIn = async (account: string, hint = `${account}@contoso.example`) => {
    idp.nextAccount = account;
    const browser = new Browser();
    const last = await browser.follow(`${t.url}/auth/login?returnTo=/help&login_hint=${encodeURIComponent(hint)}`);
    return { browser, last, html: await last.text() };
  };
  const errorCode = (html: string) => /data-error="([^"]+)"/.exec(html)?.[1];
  /** Runs `body` while a policy requires MFA for the helper app of everyone but the admin; the provider's claims untampered after. */
  const withMfaRequired = async (body: () => Promise<void>) => {
    const created = await admin.post('/api/v1/conditional-access/policies', {
      name: `MFA for the helper app ${randomBytes(4).toString('hex')}`,
      state: 'on',
      users: { include: { kind: 'all' }, exclude: { userIds: [await idOf(admin)], groupIds: [], roleIds: [] } },
      apps: ['helper'],
      conditions: {},
      grant: { kind: 'grant', operator: 'all', controls: ['mfa'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    try {
      await body();
    } finally {
      idp.tamper = null;
      await admin.json(`/api/v1/conditional-access/policies/${(created.body.policy as { id: string }).id}`, 'DELETE');
    }
  };

  beforeAll(async () => {
    t = await startTestServer();
    idp = await startOrgIdp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${t.url}/auth/federation/callback`,
    });
    idp.accounts.set('alice', {
      email: 'Alice.Fed@contoso.example',
      name: 'Alice Federated',
      job_title: 'Support engineer',
      company: 'Contoso',
      picture: 'https://idp.example/alice.png',
      groups: ['grp-helpdesk-guid', 'Not ours'],
    });
    idp.accounts.set('bob', { email: 'bob.fed@contoso.example', name: 'Bob Federated', groups: ['Federated Readers'] });
    idp.accounts.set('eve', { email: 'eve@fabrikam.example', name: 'Eve Outsider' });
    admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    // Signed in with passwords before Contoso federates (the harness's client follows one origin only).
    helper = new Client(t.url);
    await helper.signIn('helper@contoso.example');
    const group = await admin.post('/api/v1/groups', { name: 'Federated Help Desk', kind: 'user' });
    expect(group.status).toBe(201);
    groupId = (group.body.group as { id: string }).id;
    const readers = await admin.post('/api/v1/groups', { name: 'Federated Readers', kind: 'user' });
    const assignment = await admin.post('/api/v1/assignments', {
      name: 'Federated helpers',
      roleId: 'helpDeskOperator',
      members: [groupId],
      scope: { all: true, groups: [], excluded: [] },
    });
    expect(assignment.status).toBe(201);
    expect(readers.status).toBe(201);
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.stop();
  });

  it('stores a provider with its secret encrypted and never returned; validation refuses bad input', async () => {
    const bad = await admin.post('/api/v1/identity-providers', {
      name: 'Contoso IdP',
      issuer: 'ftp://nope',
      clientId: CLIENT_ID,
      domains: ['contoso.example'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation_failed');
    const foreignDomain = await admin.post('/api/v1/identity-providers', {
      name: 'Contoso IdP',
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      domains: ['fabrikam.example'],
    });
    expect(foreignDomain.status).toBe(400);
    expect(String(foreignDomain.body.message)).toContain('fabrikam.example');
    const unknownGroup = await admin.post('/api/v1/identity-providers', {
      name: 'Contoso IdP',
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      domains: ['contoso.example'],
      groupMappings: [{ externalId: 'x', groupId: 'no-such-group' }],
    });
    expect(unknownGroup.status).toBe(400);
    expect((await admin.json('/api/v1/identity-providers')).body.providers).toEqual([]);

    const created = await admin.post('/api/v1/identity-providers', {
      name: 'Contoso IdP',
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scopes: ['openid', 'email', 'profile', 'groups'],
      domains: ['contoso.example'],
      groupMappings: [{ externalId: 'grp-helpdesk-guid', groupId }],
    });
    expect(created.status).toBe(201);
    const provider = created.body.provider as Record<string, unknown>;
    providerId = provider.id as string;
    expect(provider.hasClientSecret).toBe(true);
    expect(JSON.stringify(created.body)).not.toContain(CLIENT_SECRET);
    const stored = await t.server.db
      .selectFrom('identity_providers')
      .select('client_secret_enc')
      .where('id', '=', providerId)
      .executeTakeFirstOrThrow();
    expect(stored.client_secret_enc).not.toContain(CLIENT_SECRET);
    const list = await admin.json('/api/v1/identity-providers');
    expect(list.body.redirectUri).toBe(`${t.url}/auth/federation/callback`);
    expect(JSON.stringify(list.body)).not.toContain(CLIENT_SECRET);
    const events = await t.server.db
      .selectFrom('audit_events')
      .select(['action', 'data'])
      .where('action', '=', 'identity_provider.created')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).not.toContain(CLIENT_SECRET);

    // A second enabled provider for the same domain would make discovery ambiguous.
    const clash = await admin.post('/api/v1/identity-providers', {
      name: 'Other',
      issuer: idp.issuer,
      clientId: 'x',
      domains: ['contoso.example'],
    });
    expect(clash.status).toBe(409);
    // Another organization's administrator sees nothing of it.
    const fabrikam = new Client(t.url);
    await fabrikam.signIn('helper@fabrikam.example');
    expect((await fabrikam.json(`/api/v1/identity-providers/${providerId}`)).status).toBe(403);
  });

  it('signs a new person in just in time: claims mapped, groups → RBAC assignment → permissions in /me', async () => {
    const before = await userCount();
    const { browser, last } = await signIn('alice');
    expect(browser.visited.some((u) => u.startsWith(`${idp.issuer}/auth`))).toBe(true);
    expect(new URL(browser.visited.at(-1)!).pathname).toBe('/help');
    expect(last.status).not.toBe(500);
    expect(await userCount()).toBe(before + 1);
    const me = await browser.raw(`${t.url}/api/v1/me`);
    expect(me.status).toBe(200);
    const body = (await me.json()) as { user: Record<string, unknown>; permissions: string[] };
    expect(body.user).toMatchObject({ email: 'alice.fed@contoso.example', displayName: 'Alice Federated' });
    expect(body.permissions).toContain('remoteHelp.takeFullControl');
    const row = await t.server.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'alice.fed@contoso.example')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ job_title: 'Support engineer', company: 'Contoso', password_hash: null });
    // Signing in again updates, never duplicates.
    idp.accounts.set('alice', { ...idp.accounts.get('alice'), job_title: 'Team lead' });
    await signIn('alice');
    expect(await userCount()).toBe(before + 1);
    const again = await t.server.db
      .selectFrom('users')
      .select('job_title')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(again.job_title).toBe('Team lead');
  });

  it('maps a group by name when no mapping names it', async () => {
    const { browser } = await signIn('bob');
    const body = (await (await browser.raw(`${t.url}/api/v1/me`)).json()) as { permissions: string[] };
    // "Federated Readers" has no assignment: a member without a role has no permissions.
    expect(body.permissions).toEqual([]);
    const row = await t.server.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'bob.fed@contoso.example')
      .executeTakeFirstOrThrow();
    const groups = await t.server.db
      .selectFrom('rbac_group_members')
      .select('group_id')
      .where('member_id', '=', row.id)
      .execute();
    expect(groups).toHaveLength(1);
  });

  it('sends an email of another domain to the embedded password page (break-glass)', async () => {
    const { html } = await signIn('alice', 'admin@fabrikam.example');
    expect(html).toContain('name="password"');
  });

  it('asks for the email first when no hint is given', async () => {
    const browser = new Browser();
    const page = await browser.follow(`${t.url}/auth/login?returnTo=/help`);
    const html = await page.text();
    expect(html).toContain('/email"');
    expect(html).not.toContain('name="password"');
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    // A local account's email → the password page.
    const local = await browser.raw(new URL(action, t.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'admin@contoso.example'.replace('contoso', 'fabrikam'), csrf }),
    });
    expect(local.status).toBe(303);
    expect(local.headers.get('location')).toMatch(/\?local=1$/);
    // A federated email → the organization's provider.
    const fed = await browser.raw(new URL(action, t.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'alice.fed@contoso.example', csrf }),
    });
    expect(fed.status).toBe(303);
    expect(fed.headers.get('location')!.startsWith(`${idp.issuer}/auth?`)).toBe(true);
    const params = new URL(fed.headers.get('location')!).searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('state')).toBeTruthy();
    expect(params.get('nonce')).toBeTruthy();
  });

  const refusals: [string, () => void, string][] = [
    [
      'a wrong issuer',
      () => (idp.tamper = { claims: (p) => ({ ...p, iss: `${idp.issuer}/someone-else` }) }),
      'federation_issuer_mismatch',
    ],
    ['a bad signature', () => (idp.tamper = { foreignKey: true }), 'federation_signature_invalid'],
    [
      'a wrong audience',
      () => (idp.tamper = { claims: (p) => ({ ...p, aud: 'another-app' }) }),
      'federation_audience_mismatch',
    ],
    [
      'an expired token',
      () =>
        (idp.tamper = {
          claims: (p) => ({
            ...p,
            iat: Math.floor(Date.now() / 1000) - 7200,
            exp: Math.floor(Date.now() / 1000) - 3600,
          }),
        }),
      'federation_token_expired',
    ],
    [
      'a replayed nonce (an ID token of an earlier sign-in)',
      () => {
        const earlier = idp.issued[0]!.nonce;
        idp.tamper = { claims: (p) => ({ ...p, nonce: earlier }) };
      },
      'federation_nonce_mismatch',
    ],
    // PostgreSQL refuses U+0000 in text: a claim carrying one is refused on both engines, not a 500.
    [
      'a NUL character in the name claim',
      () => (idp.tamper = { claims: (p) => ({ ...p, name: 'Carol\u0000Admin' }) }),
      'federation_claims_invalid',
    ],
    [
      'a NUL character in the subject',
      () => (idp.tamper = { claims: (p) => ({ ...p, sub: `${String(p.sub)}\u0000` }) }),
      'federation_claims_invalid',
    ],
  ];
  for (const [what, arrange, code] of refusals) {
    it(`refuses ${what} with a clear message and creates nothing`, async () => {
      idp.accounts.set('carol', { email: 'carol.fed@contoso.example', name: 'Carol' });
      const before = await userCount();
      arrange();
      try {
        const { browser, last, html } = await signIn('carol');
        expect(last.status).toBe(400);
        expect(errorCode(html)).toBe(code);
        expect(html).toContain('Start again');
        expect(await userCount()).toBe(before);
        expect(browser.jar(t.url).has('rh_session')).toBe(false);
      } finally {
        idp.tamper = null;
      }
    });
  }

  it('signs one new person in once when their first sign-ins arrive at the same instant', async () => {
    const view = (await admin.json(`/api/v1/identity-providers/${providerId}`)).body.provider as IdentityProvider;
    const { tenant_id } = await t.server.db
      .selectFrom('identity_providers')
      .select('tenant_id')
      .where('id', '=', providerId)
      .executeTakeFirstOrThrow();
    const provider: ProviderRecord = { ...view, tenantId: tenant_id, clientSecret: null };
    const mapped = mapClaims(provider, {
      sub: 'dave-at-the-idp',
      email: 'dave.fed@contoso.example',
      name: 'Dave Federated',
      groups: ['grp-helpdesk-guid'],
    });
    const before = await userCount();
    // Two tabs, a double click: the callbacks provision at once (on PostgreSQL, in concurrent transactions).
    const deps = { db: t.server.db, audit: t.server.audit, clock: { now: () => Date.now() } };
    const ids = await Promise.all(Array.from({ length: 4 }, () => provision(deps, provider, mapped, '127.0.0.1')));
    expect(new Set(ids).size).toBe(1);
    expect(await userCount()).toBe(before + 1);
    const userId = ids[0]!;
    const links = await t.server.db
      .selectFrom('user_identities')
      .select('user_id')
      .where('user_id', '=', userId)
      .execute();
    expect(links).toHaveLength(1);
    const members = await t.server.db
      .selectFrom('rbac_group_members')
      .select('group_id')
      .where('member_id', '=', userId)
      .execute();
    expect(members).toEqual([{ group_id: groupId }]);
    const created = await t.server.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'user.created')
      .where('target_id', '=', userId)
      .execute();
    expect(created).toHaveLength(1);
  });

  it('refuses a replayed state (the same callback twice) and a callback from another browser', async () => {
    idp.nextAccount = 'alice';
    const browser = new Browser();
    await browser.follow(`${t.url}/auth/login?returnTo=/help&login_hint=alice.fed@contoso.example`);
    const callback = browser.visited.find((u) => u.includes('/auth/federation/callback'))!;
    expect(callback).toBeTruthy();
    // The same browser (its old flow cookie put back) replays the callback: the state is spent.
    const state = new URL(callback).searchParams.get('state')!;
    const signed = [...browser.jar(t.url)].find(([k]) => k === 'rh_fed');
    expect(signed).toBeUndefined();
    const replayBrowser = new Browser();
    const first = await replayBrowser.follow(`${t.url}/auth/login?returnTo=/help&login_hint=alice.fed@contoso.example`);
    expect(first.status).toBe(200);
    // Another browser presenting the first browser's callback: no flow cookie of that state.
    const stranger = await new Browser().follow(callback);
    expect(stranger.status).toBe(400);
    expect(errorCode(await stranger.text())).toBe('federation_state_mismatch');
    // Replaying with a valid-looking cookie for the spent state: signed by us, so take it from a fresh start.
    const spent = new Browser();
    const at = await followUntil(
      spent,
      `${t.url}/auth/login?returnTo=/help&login_hint=alice.fed@contoso.example`,
      (u) => u.includes('/auth/federation/callback'),
    );
    const cookie = spent.jar(t.url).get('rh_fed')!;
    expect(cookie).toBeTruthy();
    const used = await spent.raw(at);
    expect(used.status).toBe(303);
    spent.jar(t.url).set('rh_fed', cookie);
    const replay = await spent.raw(at);
    expect(replay.status).toBe(400);
    expect(errorCode(await replay.text())).toBe('federation_state_replayed');
    expect(state).not.toBe(new URL(at).searchParams.get('state'));
  });

  it('signs the native agent in through the same path (RFC 8252: loopback redirect, PKCE) and its token works', async () => {
    idp.nextAccount = 'alice';
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const loopback = 'http://127.0.0.1:49321/callback';
    const browser = new Browser();
    const auth = new URL(`${t.url}/oidc/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'remote-help-agent',
      redirect_uri: loopback,
      response_type: 'code',
      scope: 'openid email profile offline_access',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'agent-state',
      prompt: 'login consent',
    }))
      auth.searchParams.set(k, v);
    // No login_hint: the agent gets the email-first page, like the browser.
    const emailPage = await browser.follow(auth.href);
    const html = await emailPage.text();
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    let response = await browser.raw(new URL(action, t.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'alice.fed@contoso.example', csrf }),
    });
    let at = new URL(action, t.url).href;
    for (let i = 0; i < 20 && response.status >= 300 && response.status < 400; i++) {
      at = new URL(response.headers.get('location')!, at).href;
      if (at.startsWith(loopback)) break;
      response = await browser.raw(at);
    }
    expect(at.startsWith(loopback)).toBe(true);
    const code = new URL(at).searchParams.get('code')!;
    expect(new URL(at).searchParams.get('state')).toBe('agent-state');
    const token = await fetch(`${t.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: loopback,
        client_id: 'remote-help-agent',
        code_verifier: verifier,
      }),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const me = await fetch(`${t.url}/api/v1/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe('alice.fed@contoso.example');
  });

  it('counts the organization’s own MFA (its amr) for conditional access, unless told not to; without it, the person is asked to set up an authenticator here and has no session yet', async () => {
    idp.accounts.set('dora', { email: 'dora.fed@contoso.example', name: 'Dora Federated' });
    await withMfaRequired(async () => {
      // The provider did MFA (Entra ID says so in `amr`): in.
      idp.tamper = { claims: (p) => ({ ...p, amr: ['pwd', 'mfa'] }) };
      const withMfa = await signIn('dora');
      expect(withMfa.browser.jar(t.url).has('rh_session')).toBe(true);
      // It did not: our sign-in offers its own authenticator setup, and no session yet.
      idp.tamper = { claims: (p) => ({ ...p, amr: ['pwd'] }) };
      const without = await signIn('dora');
      expect(without.html).toContain('Set up multi-factor authentication');
      expect(without.browser.jar(t.url).has('rh_session')).toBe(false);

      // The organization stops counting its provider's MFA: the same `amr` with `mfa` is not enough.
      const current = (await admin.json(`/api/v1/identity-providers/${providerId}`)).body.provider as Record<
        string,
        unknown
      >;
      expect(current.countProviderMfa).toBe(true);
      const { id: _id, hasClientSecret: _h, createdAt: _c, updatedAt: _u, ...input } = current;
      const off = await admin.json(`/api/v1/identity-providers/${providerId}`, 'PUT', {
        ...input,
        countProviderMfa: false,
      });
      expect(off.status, JSON.stringify(off.body)).toBe(200);
      expect((off.body.provider as { countProviderMfa: boolean }).countProviderMfa).toBe(false);
      try {
        idp.tamper = { claims: (p) => ({ ...p, amr: ['pwd', 'mfa'] }) };
        const notCounted = await signIn('dora');
        expect(notCounted.html).toContain('Set up multi-factor authentication');
        expect(notCounted.browser.jar(t.url).has('rh_session')).toBe(false);
      } finally {
        expect((await admin.json(`/api/v1/identity-providers/${providerId}`, 'PUT', input)).status).toBe(200);
      }
    });
  });

  it('a person who set up an authenticator here at a federated sign-in is asked for it next time, not locked out', async () => {
    idp.accounts.set('fern', { email: 'fern.fed@contoso.example', name: 'Fern Federated' });
    const entity = (html: string) =>
      html
        .replace(/&amp;/g, '&')
        .replace(/&#x2F;/g, '/')
        .replace(/&quot;/g, '"');
    const field = (html: string, name: string) =>
      entity(new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '');
    /** Posts the page's form (its action, csrf and pending state) with `body`. */
    const submit = (browser: Browser, at: string, html: string, body: Record<string, string>) =>
      browser.raw(new URL(entity(/action="([^"]+)"/.exec(html)![1]!), at).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: field(html, 'csrf'), pending: field(html, 'pending'), ...body }),
      });
    const finish = async (browser: Browser, response: Response, at: string) => {
      expect(response.status).toBe(303);
      await browser.follow(new URL(response.headers.get('location')!, at).href);
      expect(browser.jar(t.url).has('rh_session')).toBe(true);
    };
    await withMfaRequired(async () => {
      // The provider does no MFA: the first time, Fern sets up an authenticator here and gets in.
      idp.tamper = { claims: (p) => ({ ...p, amr: ['pwd'] }) };
      const first = await signIn('fern');
      const at = first.browser.visited[first.browser.visited.length - 1]!;
      expect(first.html).toContain('Set up multi-factor authentication');
      const secret = /data-testid="mfa-secret">([A-Z2-7]+)</.exec(first.html)![1]!;
      const code = hotp(base32Decode(secret), Math.floor(Date.now() / 30_000));
      const codesPage = await submit(first.browser, at, first.html, { step: 'ca_mfa_setup', code });
      const codesHtml = await codesPage.text();
      const recovery = [...codesHtml.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]!);
      expect(recovery.length).toBeGreaterThan(1);
      await finish(first.browser, await submit(first.browser, at, codesHtml, { step: 'ca_continue' }), at);

      // The next time: asked for that second factor (here a recovery code), and in.
      const second = await signIn('fern');
      expect(second.last.status, second.html.slice(0, 300)).toBe(200);
      expect(second.html).toContain('name="step" value="mfa"');
      const at2 = second.browser.visited[second.browser.visited.length - 1]!;
      const wrong = await submit(second.browser, at2, second.html, { step: 'mfa', code: '0000-0000-00' });
      expect(wrong.status).toBe(401);
      expect(second.browser.jar(t.url).has('rh_session')).toBe(false);
      await finish(
        second.browser,
        await submit(second.browser, at2, second.html, { step: 'mfa', code: recovery[0]! }),
        at2,
      );
      const signIns = await t.server.db
        .selectFrom('audit_events')
        .select(['data'])
        .where('action', '=', 'signin.succeeded')
        .orderBy('id', 'desc')
        .limit(1)
        .execute();
      expect(JSON.parse(signIns[0]!.data ?? '{}')).toMatchObject({ amr: ['fed', 'mfa'] });
    });
  });

  it('refuses an email outside the organization’s domains', async () => {
    // Eve's provider account says fabrikam.example although she came through Contoso's provider.
    const before = await userCount();
    const { last, html } = await signIn('eve', 'eve@contoso.example');
    expect(last.status).toBe(403);
    expect(errorCode(html)).toBe('federation_email_outside_domains');
    expect(await userCount()).toBe(before);
  });

  /** Everything a takeover would change about a person: the profile, the user groups, the provider links. */
  const snapshot = async (email: string) => {
    const user = await t.server.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    const groups = await t.server.db
      .selectFrom('rbac_group_members')
      .select('group_id')
      .where('member_id', '=', user.id)
      .orderBy('group_id')
      .execute();
    const links = await t.server.db
      .selectFrom('user_identities')
      .select(['provider_id', 'subject'])
      .where('user_id', '=', user.id)
      .orderBy('subject')
      .execute();
    return { user, groups, links };
  };
  /** The sign-in log's refusals of this provider with this reason. */
  const refusalsLogged = async (reason: string) =>
    (
      await t.server.db
        .selectFrom('audit_events')
        .select(['data', 'tenant_id'])
        .where('action', '=', 'signin.failed')
        .execute()
    )
      .map((e): Record<string, unknown> => ({ tenantId: e.tenant_id, ...(JSON.parse(e.data ?? '{}') as object) }))
      .filter((e) => e.reason === reason);
  const linksOf = async (subject: string) =>
    t.server.db.selectFrom('user_identities').select('user_id').where('subject', '=', subject).execute();

  it('refuses an email the provider has not verified (email_verified false) and leaves the local account with that email untouched', async () => {
    // The local helper (password, and whatever second factor) is in a group of its own.
    const local = await admin.post('/api/v1/groups', { name: 'Local helpers', kind: 'user' });
    expect(local.status).toBe(201);
    const localId = (local.body.group as { id: string }).id;
    const members = await admin.json(`/api/v1/groups/${localId}/members`, 'PUT', { members: [await idOf(helper)] });
    expect(members.status, JSON.stringify(members.body)).toBe(200);
    // A never-seen account at the provider that typed the helper's address into its own profile.
    idp.accounts.set('mallory', {
      email: 'helper@contoso.example',
      name: 'Mallory',
      job_title: 'Attacker',
      groups: ['grp-helpdesk-guid'],
    });
    const { tenant_id } = await t.server.db
      .selectFrom('identity_providers')
      .select('tenant_id')
      .where('id', '=', providerId)
      .executeTakeFirstOrThrow();
    const before = await snapshot('helper@contoso.example');
    expect(before.groups).toContainEqual({ group_id: localId });
    const users = await userCount();
    for (const [i, claim] of [false, 'false', null, 'no', 0].entries()) {
      idp.tamper = { claims: (p) => ({ ...p, email_verified: claim }) };
      try {
        const { browser, last, html } = await signIn('mallory', 'helper@contoso.example');
        expect(last.status, String(claim)).toBe(403);
        expect(errorCode(html), String(claim)).toBe('federation_email_not_verified');
        expect(html).toContain('helper@contoso.example');
        expect(html).toContain('Start again');
        expect(browser.jar(t.url).has('rh_session')).toBe(false);
      } finally {
        idp.tamper = null;
      }
      expect(await snapshot('helper@contoso.example')).toEqual(before);
      expect(await userCount()).toBe(users);
      expect(await linksOf('mallory')).toEqual([]);
      // Written to the sign-in log like every other refusal.
      const logged = await refusalsLogged('federation_email_not_verified');
      expect(logged).toHaveLength(i + 1);
      expect(logged.at(-1)).toMatchObject({ tenantId: tenant_id, provider: 'Contoso IdP', test: false });
    }
    // The administrator's test sign-in gives the same verdict.
    idp.nextAccount = 'mallory';
    idp.tamper = { claims: (p) => ({ ...p, email_verified: false }) };
    try {
      const tester = new Browser();
      for (const [k, v] of admin.cookies) tester.jar(t.url).set(k, v);
      const verdict = await (await tester.follow(`${t.url}/auth/federation/test/${providerId}`)).text();
      expect(verdict).toContain('data-verdict="refused"');
      expect(verdict).toContain('not verified');
    } finally {
      idp.tamper = null;
    }
    expect(await snapshot('helper@contoso.example')).toEqual(before);
  });

  it('refuses an unverified email for a person already linked too, and changes nothing of theirs', async () => {
    const before = await snapshot('alice.fed@contoso.example');
    expect(before.links).toEqual([{ provider_id: providerId, subject: 'alice' }]);
    idp.tamper = { claims: (p) => ({ ...p, email_verified: false, name: 'Alice Renamed' }) };
    try {
      const { browser, last, html } = await signIn('alice');
      expect(last.status).toBe(403);
      expect(errorCode(html)).toBe('federation_email_not_verified');
      expect(browser.jar(t.url).has('rh_session')).toBe(false);
    } finally {
      idp.tamper = null;
    }
    expect(await snapshot('alice.fed@contoso.example')).toEqual(before);
  });

  it('accepts a provider that leaves email_verified out (Entra ID does), and "true" as a string', async () => {
    idp.accounts.set('erin', { email: 'erin.fed@contoso.example', name: 'Erin Federated' });
    const users = await userCount();
    idp.tamper = {
      claims: ({ email_verified: _omitted, ...p }) => p,
    };
    try {
      const { browser } = await signIn('erin');
      expect(idp.issued.at(-1)).toHaveProperty('email_verified', true);
      expect(browser.jar(t.url).has('rh_session')).toBe(true);
      expect(await userCount()).toBe(users + 1);
      idp.tamper = { claims: (p) => ({ ...p, email_verified: 'true' }) };
      const again = await signIn('erin');
      expect(again.browser.jar(t.url).has('rh_session')).toBe(true);
      expect(await userCount()).toBe(users + 1);
    } finally {
      idp.tamper = null;
    }
  });

  it('refuses a second subject of the same provider that claims the email of a person already linked to another subject', async () => {
    // Alice is linked to her provider account (subject "alice"); another account there now says it is her.
    idp.accounts.set('alice-impostor', {
      email: 'alice.fed@contoso.example',
      name: 'Not Alice',
      job_title: 'Impostor',
      groups: [],
    });
    const before = await snapshot('alice.fed@contoso.example');
    expect(before.links).toEqual([{ provider_id: providerId, subject: 'alice' }]);
    expect(before.groups).toEqual([{ group_id: groupId }]);
    const users = await userCount();
    const { browser, last, html } = await signIn('alice-impostor', 'alice.fed@contoso.example');
    expect(last.status).toBe(409);
    expect(errorCode(html)).toBe('federation_identity_conflict');
    expect(html).toContain('Start again');
    expect(browser.jar(t.url).has('rh_session')).toBe(false);
    expect(await snapshot('alice.fed@contoso.example')).toEqual(before);
    expect(await userCount()).toBe(users);
    expect(await linksOf('alice-impostor')).toEqual([]);
    expect(await refusalsLogged('federation_identity_conflict')).toHaveLength(1);
    // Alice herself still signs in.
    const alice = await signIn('alice');
    expect(alice.browser.jar(t.url).has('rh_session')).toBe(true);
  });

  it("starts a provider's links anew when its client id or issuer changes (pairwise subjects, as Entra ID's)", async () => {
    const providerLinks = () =>
      t.server.db.selectFrom('user_identities').select('subject').where('provider_id', '=', providerId).execute();
    expect((await providerLinks()).length).toBeGreaterThan(0);
    const current = (await admin.json(`/api/v1/identity-providers/${providerId}`)).body.provider as Record<
      string,
      unknown
    >;
    const { id: _id, hasClientSecret: _h, createdAt: _c, updatedAt: _u, ...input } = current;
    const moved = await admin.json(`/api/v1/identity-providers/${providerId}`, 'PUT', {
      ...input,
      clientId: 'new-app',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await providerLinks()).toEqual([]);
    const event = await t.server.db
      .selectFrom('audit_events')
      .select('data')
      .where('action', '=', 'identity_provider.updated')
      .orderBy('at', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.data!)).toMatchObject({
      after: { clientId: 'new-app', linksCleared: expect.any(Number) },
    });
    // Back to the client the test provider knows: nothing more to clear, and people link again by email.
    const back = await admin.json(`/api/v1/identity-providers/${providerId}`, 'PUT', input);
    expect(back.status).toBe(200);
    const alice = await signIn('alice');
    expect(alice.browser.jar(t.url).has('rh_session')).toBe(true);
    expect(await providerLinks()).toEqual([{ subject: 'alice' }]);
  });

  it('test sign-in shows the mapped claims without signing anyone in; needs settings.manage', async () => {
    idp.nextAccount = 'alice';
    const browser = new Browser();
    for (const [k, v] of admin.cookies) browser.jar(t.url).set(k, v);
    const before = await t.server.db
      .selectFrom('auth_sessions')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const result = await browser.follow(`${t.url}/auth/federation/test/${providerId}`);
    const html = await result.text();
    expect(result.status).toBe(200);
    expect(html).toContain('data-verdict="ok"');
    expect(html).toContain('Alice Federated');
    expect(html).toContain(groupId);
    const after = await t.server.db
      .selectFrom('auth_sessions')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);

    idp.nextAccount = 'eve';
    const other = new Browser();
    for (const [k, v] of admin.cookies) other.jar(t.url).set(k, v);
    const refused = await (await other.follow(`${t.url}/auth/federation/test/${providerId}`)).text();
    expect(refused).toContain('data-verdict="refused"');

    const denied = new Browser();
    for (const [k, v] of helper.cookies) denied.jar(t.url).set(k, v);
    const page = await denied.follow(`${t.url}/auth/federation/test/${providerId}`);
    expect(page.status).toBe(403);
  });

  it('audits a change before → after without the secret; a disabled provider sends people to the password page', async () => {
    const current = (await admin.json(`/api/v1/identity-providers/${providerId}`)).body.provider as Record<
      string,
      unknown
    >;
    const { id: _id, hasClientSecret: _h, createdAt: _c, updatedAt: _u, ...input } = current;
    // A sign-in under way, stopped just before it comes back from the provider.
    idp.nextAccount = 'alice';
    const midway = new Browser();
    const at = await followUntil(
      midway,
      `${t.url}/auth/login?returnTo=/help&login_hint=alice.fed@contoso.example`,
      (u) => u.includes('/auth/federation/callback'),
    );
    const updated = await admin.json(`/api/v1/identity-providers/${providerId}`, 'PUT', {
      ...input,
      enabled: false,
      clientSecret: 'new-secret-456',
    });
    expect(updated.status).toBe(200);
    // Turned off meanwhile: it does not finish.
    const late = await midway.raw(at);
    expect(late.status).toBe(400);
    expect(errorCode(await late.text())).toBe('federation_provider_missing');
    expect(late.headers.get('set-cookie') ?? '').not.toContain('rh_session');
    const event = await t.server.db
      .selectFrom('audit_events')
      .select('data')
      .where('action', '=', 'identity_provider.updated')
      .orderBy('at', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.data).not.toContain('new-secret-456');
    expect(JSON.parse(event.data!)).toMatchObject({
      before: { enabled: true },
      after: { enabled: false, secretChanged: true },
    });
    const { html } = await signIn('alice', 'alice.fed@contoso.example');
    expect(html).toContain('name="password"');
    const removed = await admin.json(`/api/v1/identity-providers/${providerId}`, 'DELETE');
    expect(removed.status).toBe(204);
  });
});

async function idOf(client: Client): Promise<string> {
  return ((await client.json('/api/v1/me')).body.user as { id: string }).id;
}
