/**
 * Passkeys through the real server, its real API and the embedded provider's real sign-in pages,
 * with a WebAuthn authenticator in software (`test/softAuthenticator`) that can also lie:
 * registration (options, attestation, the recent-sign-in rule, rename, remove, an administrator
 * seeing and removing someone's), sign-in as the second factor after the password and without a
 * password, `amr` in the audit and the ID token, and every refusal with its reason: a replayed
 * or foreign challenge, another origin, another RP ID, a counter that goes backwards, another
 * person's or another organization's credential, no user verification, too many attempts.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_ADDRESS } from '../../ratelimit/policies.js';
import type { TestServer } from '../../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../../test/harness.js';
import { SoftAuthenticator } from '../../test/softAuthenticator.js';

const clock = { t: Date.UTC(2027, 2, 1, 9, 0, 0), now: () => clock.t };
let t: TestServer;
let origin = '';
/** Contoso's helper's authenticator: its passkey is added first and used by the sign-in tests. */
let helperKey: SoftAuthenticator;
beforeAll(async () => {
  t = await startTestServer({}, { clock });
  origin = new URL(t.url).origin;
  helperKey = new SoftAuthenticator(origin);
});
afterAll(async () => t?.stop());

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

/** The first form of a page (the password or code form) posted with `fields`. */
async function submitFirst(client: Client, html: string, fields: Record<string, string>): Promise<Response> {
  const action = decode(/action="([^"]+)"/.exec(html)?.[1] ?? '');
  const hidden: Record<string, string> = {};
  for (const name of ['csrf', 'pending', 'step']) {
    const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
    if (value !== undefined) hidden[name] = decode(value);
  }
  return client.raw(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, ...fields }),
  });
}

/** The page's passkey form: its WebAuthn options and a way to post an answer to it. */
function passkeyFormOf(client: Client, html: string) {
  const form = /<form class="passkey"[\s\S]*?<\/form>/.exec(html)?.[0];
  if (!form) throw new Error(`no passkey form in: ${html.slice(0, 300)}`);
  const attr = (name: string) => decode(new RegExp(`${name}="([^"]*)"`).exec(form)?.[1] ?? '');
  const hidden: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) hidden[m[1]!] = decode(m[2]!);
  const options = JSON.parse(attr('data-passkey-options')) as {
    challenge: string;
    rpId: string;
    userVerification: string;
    allowCredentials?: { id: string }[];
  };
  return {
    options,
    post: (answer: unknown) =>
      client.raw(attr('action'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...hidden, credential: JSON.stringify(answer) }),
      }),
  };
}

/** Opens the web app's sign-in page (the first page, with "Sign in with a passkey"). */
async function firstPage(client: Client): Promise<string> {
  return (await client.follow('/auth/login?returnTo=/help')).text();
}

/** Posts the password; returns the next page's HTML. */
async function passwordPage(client: Client, email: string): Promise<{ status: number; html: string }> {
  const r = await submitFirst(client, await firstPage(client), { email, password: DEMO_PASSWORD });
  return { status: r.status, html: r.status === 303 ? '' : await r.text() };
}

/** Follows the end of a sign-in to the app and loads the CSRF token. */
async function land(client: Client, done: Response): Promise<void> {
  expect(done.status, done.status === 303 ? '' : (await done.text()).slice(0, 600)).toBe(303);
  await client.follow(done.headers.get('location')!);
  const me = await client.json('/api/v1/me');
  expect(me.status).toBe(200);
  client.csrf = (me.body as { csrfToken: string }).csrfToken;
}

async function audit(action: string): Promise<{ tenant_id: string | null; data: Record<string, unknown> }[]> {
  const rows = await t.server.db
    .selectFrom('audit_events')
    .select(['tenant_id', 'data'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ tenant_id: r.tenant_id, data: JSON.parse(r.data ?? '{}') as Record<string, unknown> }));
}

/** Adds a passkey for the signed-in `client` with `soft`; returns the API's reply. */
async function addPasskey(client: Client, soft: SoftAuthenticator, name: string, lie = {}) {
  const started = await client.post('/api/v1/me/passkeys/registration', {});
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const answer = soft.create(started.body as never, lie);
  return { answer, reply: await client.post('/api/v1/me/passkeys', { name, response: answer }) };
}

const HELPER = 'helper@contoso.example';

describe('adding a passkey', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client(t.url);
    await client.signIn(HELPER);
  });

  it('gives options for this site and person, verifies the attestation and stores the passkey', async () => {
    expect((await client.json('/api/v1/me/passkeys')).body).toEqual({
      passkeys: [],
      canAdd: true,
      passwordRequired: false,
    });
    const started = await client.post('/api/v1/me/passkeys/registration', {});
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      rp: { id: '127.0.0.1', name: 'Remote Help' },
      user: { name: HELPER },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    const answer = helperKey.create(started.body as never);
    const added = await client.post('/api/v1/me/passkeys', { name: '  Work laptop ', response: answer });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({
      name: 'Work laptop',
      lastUsedAt: null,
      transports: ['internal'],
      synced: false,
    });
    const listed = (await client.json('/api/v1/me/passkeys')).body.passkeys as { id: string; name: string }[];
    expect(listed.map((p) => p.name)).toEqual(['Work laptop']);
    const row = await t.server.db.selectFrom('user_passkeys').selectAll().executeTakeFirstOrThrow();
    expect(row.credential_id).toBe(answer.id);
    expect(await audit('user.passkey_added')).toHaveLength(1);

    // The next registration's options exclude it (the browser will not add the same one twice).
    const again = await client.post('/api/v1/me/passkeys/registration', {});
    expect((again.body.excludeCredentials as { id: string }[]).map((c) => c.id)).toEqual([answer.id]);
  });

  it('refuses a replayed answer, another person’s challenge, another origin and another RP ID; stores nothing', async () => {
    const count = async () => (await client.json('/api/v1/me/passkeys')).body.passkeys as unknown[];
    const before = (await count()).length;
    const soft = new SoftAuthenticator(origin);

    const { answer, reply } = await addPasskey(client, soft, 'Phone');
    expect(reply.status).toBe(201);
    const replayed = await client.post('/api/v1/me/passkeys', { name: 'Phone again', response: answer });
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ error: 'validation_failed', data: { reason: 'challenge' } });

    const other = new Client(t.url);
    await other.signIn('admin@contoso.example');
    const othersOptions = await other.post('/api/v1/me/passkeys/registration', {});
    const stolen = await client.post('/api/v1/me/passkeys', {
      name: 'Not mine',
      response: soft.create(othersOptions.body as never),
    });
    expect(stolen.body).toMatchObject({ error: 'validation_failed', data: { reason: 'challenge' } });

    const evil = await addPasskey(client, soft, 'Evil', { origin: 'https://evil.example' });
    expect(evil.reply.status).toBe(400);
    expect(evil.reply.body).toMatchObject({
      data: { reason: 'origin' },
      message: expect.stringMatching(/another website/),
    });
    const rp = await addPasskey(client, soft, 'Evil', { rpId: 'evil.example' });
    expect(rp.reply.body).toMatchObject({ error: 'validation_failed', data: { reason: 'rp_id' } });

    expect((await count()).length).toBe(before + 1);
    // Bad input: the contract refuses it before anything is looked at.
    expect((await client.post('/api/v1/me/passkeys', { name: '', response: answer })).status).toBe(400);
    expect((await client.post('/api/v1/me/passkeys', { name: 'x', response: { id: 'x' } })).status).toBe(400);
    expect((await client.post('/api/v1/me/passkeys/registration', { password: 42 })).status).toBe(400);
  });

  it('refuses a credential another organization’s person already added', async () => {
    const fabrikam = new Client(t.url);
    await fabrikam.signIn('helper@fabrikam.example');
    const taken = await addPasskey(fabrikam, new SoftAuthenticator(origin), 'Copied', {
      reuse: helperKey.credentials[0],
    });
    expect(taken.reply.status).toBe(409);
    expect(taken.reply.body).toMatchObject({ error: 'conflict', data: { reason: 'already_added' } });
    expect(((await fabrikam.json('/api/v1/me/passkeys')).body.passkeys as unknown[]).length).toBe(0);
  });

  it('asks for the password again once this browser’s sign-in is not recent', async () => {
    clock.t += 11 * 60_000;
    expect((await client.json('/api/v1/me/passkeys')).body).toMatchObject({ passwordRequired: true });
    const without = await client.post('/api/v1/me/passkeys/registration', {});
    expect(without.status).toBe(400);
    expect(without.body).toMatchObject({ data: { field: 'password', reason: 'recent_sign_in_required' } });
    const wrong = await client.post('/api/v1/me/passkeys/registration', { password: 'not the password' });
    expect(wrong.body).toMatchObject({ error: 'validation_failed', message: 'That password is not right.' });
    const right = await client.post('/api/v1/me/passkeys/registration', { password: DEMO_PASSWORD });
    expect(right.status).toBe(200);
  });

  it('renames and removes the person’s own passkeys only', async () => {
    const mine = (await client.json('/api/v1/me/passkeys')).body.passkeys as { id: string; name: string }[];
    const phone = mine.find((p) => p.name === 'Phone')!;
    const renamed = await client.post('/api/v1/me/passkeys/rename', { id: phone.id, name: 'Old phone' });
    expect(renamed.body).toMatchObject({ id: phone.id, name: 'Old phone' });
    expect((await audit('user.passkey_renamed')).at(-1)?.data).toMatchObject({
      before: { name: 'Phone' },
      after: { name: 'Old phone' },
    });

    const admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    expect((await admin.post('/api/v1/me/passkeys/rename', { id: phone.id, name: 'Mine now' })).status).toBe(404);
    expect((await admin.post('/api/v1/me/passkeys/remove', { id: phone.id })).status).toBe(404);

    expect((await client.post('/api/v1/me/passkeys/remove', { id: phone.id })).status).toBe(204);
    expect((await client.post('/api/v1/me/passkeys/remove', { id: phone.id })).status).toBe(404);
    const left = (await client.json('/api/v1/me/passkeys')).body.passkeys as { name: string }[];
    expect(left.map((p) => p.name)).toEqual(['Work laptop']);
    expect(await audit('user.passkey_removed')).toHaveLength(1);
  });
});

describe('signing in with a passkey', () => {
  it('offers the passkey after the password and finishes with pwd, hwk, mfa', async () => {
    const client = new Client(t.url);
    const second = await passwordPage(client, HELPER);
    expect(second.status).toBe(200);
    expect(second.html).toContain('Use your passkey');
    expect(second.html).not.toContain('Enter code');
    const form = passkeyFormOf(client, second.html);
    expect(form.options.allowCredentials?.map((c) => c.id)).toEqual([helperKey.credentials[0]!.id]);
    expect(form.options.rpId).toBe('127.0.0.1');
    await land(client, await form.post(helperKey.get(form.options)));
    expect((await audit('signin.succeeded')).at(-1)?.data.amr).toEqual(['pwd', 'hwk', 'mfa']);
    const row = await t.server.db
      .selectFrom('user_passkeys')
      .select(['counter', 'last_used_at'])
      .where('credential_id', '=', helperKey.credentials[0]!.id)
      .executeTakeFirstOrThrow();
    expect(row.counter).toBe(1);
    expect(row.last_used_at).not.toBeNull();
  });

  it('signs in without a password (discoverable passkey, user verified): hwk, pin, mfa', async () => {
    const client = new Client(t.url);
    const form = passkeyFormOf(client, await firstPage(client));
    expect(form.options.userVerification).toBe('required');
    expect(form.options.allowCredentials ?? []).toEqual([]);
    await land(client, await form.post(helperKey.get(form.options)));
    expect((await audit('signin.succeeded')).at(-1)?.data.amr).toEqual(['hwk', 'pin', 'mfa']);
    const me = await client.json('/api/v1/me');
    expect((me.body.user as { email: string }).email).toBe(HELPER);
  });

  it('refuses a replayed answer, a counter that went backwards and no user verification', async () => {
    const client = new Client(t.url);
    const form = passkeyFormOf(client, await firstPage(client));
    const answer = helperKey.get(form.options);
    await land(client, await form.post(answer));

    // The same answer again (its challenge is spent), in this and in a new sign-in.
    const again = new Client(t.url);
    const page = passkeyFormOf(again, await firstPage(again));
    const replay = await page.post(answer);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('expired or was already used');
    expect(again.cookies.has('rh_session')).toBe(false);

    // A fresh challenge signed with a counter lower than the one stored: a copied key.
    const cloned = passkeyFormOf(again, await firstPage(again));
    const backwards = await cloned.post(helperKey.get(cloned.options, { counter: 1 }));
    expect(backwards.status).toBe(401);
    expect(await backwards.text()).toContain('counter went backwards');
    expect((await audit('signin.passkey_failed')).at(-1)?.data).toMatchObject({ reason: 'counter' });

    const lazy = passkeyFormOf(again, await firstPage(again));
    const unverified = await lazy.post(helperKey.get(lazy.options, { uv: false }));
    expect(unverified.status).toBe(401);
    expect(await unverified.text()).toContain('did not verify that it is you');
    expect(again.cookies.has('rh_session')).toBe(false);
  });

  it('refuses another origin, another RP ID and an unknown passkey', async () => {
    const client = new Client(t.url);
    const refused = async (answerOf: (o: ReturnType<typeof passkeyFormOf>['options']) => unknown, text: string) => {
      const form = passkeyFormOf(client, await firstPage(client));
      const r = await form.post(answerOf(form.options));
      expect(r.status).toBe(401);
      expect(await r.text()).toContain(text);
    };
    await refused((o) => helperKey.get(o, { origin: 'https://evil.example' }), 'made for another website');
    await refused((o) => helperKey.get(o, { rpId: 'evil.example' }), 'belongs to another website');
    const stranger = new SoftAuthenticator(origin);
    stranger.create({ challenge: 'x', rp: { id: '127.0.0.1' }, user: { id: 'someone' } });
    await refused((o) => stranger.get(o), 'not registered with Remote Help');
    await refused(() => ({ id: 'x' }), 'did not answer with a passkey');
    expect(client.cookies.has('rh_session')).toBe(false);
  });

  it('refuses another person’s or another organization’s passkey, as second factor and without a password', async () => {
    // A Fabrikam person with a passkey of their own.
    const fabrikamKey = new SoftAuthenticator(origin);
    const fabrikam = new Client(t.url);
    await fabrikam.signIn('sharer@fabrikam.example');
    expect((await addPasskey(fabrikam, fabrikamKey, 'Fabrikam key')).reply.status).toBe(201);

    // Contoso's helper gives their password, then answers with Fabrikam's passkey.
    const client = new Client(t.url);
    const second = await passwordPage(client, HELPER);
    const form = passkeyFormOf(client, second.html);
    const foreign = fabrikamKey.get(form.options, { credential: fabrikamKey.credentials[0] });
    const r = await form.post(foreign);
    expect(r.status).toBe(401);
    const html = await r.text();
    expect(html).toContain('belongs to another account');
    expect(client.cookies.has('rh_session')).toBe(false);
    // The page asks again, with a fresh challenge; the helper's own passkey gets in.
    const retry = passkeyFormOf(client, html);
    await land(client, await retry.post(helperKey.get(retry.options)));

    // Without a password: Fabrikam's passkey claiming to be Contoso's helper (their user handle).
    const other = new Client(t.url);
    const page = passkeyFormOf(other, await firstPage(other));
    const forged = await page.post(fabrikamKey.get(page.options, { userHandle: helperKey.credentials[0]!.userHandle }));
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain('belongs to another account');
    expect(other.cookies.has('rh_session')).toBe(false);
  });

  it('limits passkey attempts like authenticator codes', async () => {
    const client = new Client(t.url);
    let last = 0;
    for (let i = 0; i < 12 && last !== 429; i++) {
      const form = passkeyFormOf(client, await firstPage(client));
      const r = await form.post(helperKey.get(form.options, { uv: false }));
      last = r.status;
      const text = await r.text();
      if (last === 429) expect(text).toContain('Too many attempts');
    }
    expect(last).toBe(429);
    clock.t += 24 * 3600_000;
  });

  it('puts amr in the ID token (the Remote Help app’s sign-in)', async () => {
    const config = await oidc.discovery(new URL(`${t.url}/oidc`), 'remote-help-agent', undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const redirectUri = 'http://127.0.0.1:49152/callback';
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const browser = new Client(t.url);
    const page = await (await browser.follow(url.pathname + url.search)).text();
    const form = passkeyFormOf(browser, page);
    const done = await form.post(helperKey.get(form.options));
    let location = done.headers.get('location') ?? '';
    for (let i = 0; i < 6 && !location.startsWith(redirectUri); i++) {
      location = (await browser.raw(location)).headers.get('location') ?? '';
    }
    const tokens = await oidc.authorizationCodeGrant(config, new URL(location), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.amr).toEqual(['hwk', 'pin', 'mfa']);
  });
});

describe('an administrator', () => {
  it('sees a person’s passkeys and removes them; a person without users.manage cannot', async () => {
    const admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    const helper = await t.server.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', HELPER)
      .executeTakeFirstOrThrow();
    const listed = await admin.json(`/api/v1/users/${helper.id}/passkeys`);
    expect((listed.body.passkeys as { name: string }[]).map((p) => p.name)).toEqual(['Work laptop']);
    expect(JSON.stringify(listed.body)).not.toContain('public');

    // Without users.manage: refused (another organization's administrator gets 404: security/authzMatrix).
    const sharer = new Client(t.url);
    await sharer.signIn('sharer@contoso.example');
    expect((await sharer.json(`/api/v1/users/${helper.id}/passkeys`)).status).toBe(403);
    expect((await sharer.post(`/api/v1/users/${helper.id}/passkeys/remove`, {})).status).toBe(403);

    expect((await admin.post(`/api/v1/users/${helper.id}/passkeys/remove`, {})).status).toBe(204);
    expect(((await admin.json(`/api/v1/users/${helper.id}/passkeys`)).body.passkeys as unknown[]).length).toBe(0);
    expect((await audit('user.passkeys_reset')).at(-1)?.data).toEqual({ removed: 1 });
    // The helper's password alone signs in again (no passkey to ask for), and the old passkey is unknown.
    const client = new Client(t.url);
    expect((await passwordPage(client, HELPER)).status).toBe(303);
    const other = new Client(t.url);
    const form = passkeyFormOf(other, await firstPage(other));
    expect(await (await form.post(helperKey.get(form.options))).text()).toContain('not registered');
  });
});

describe('a flood of passkey answers from one address', () => {
  const rowsOf = async (table: 'rate_limits' | 'webauthn_challenges' | 'audit_events', keyLike?: string) => {
    let q = t.server.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n'));
    if (keyLike) q = q.where('key' as never, 'like', keyLike as never);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  it('is audited only within the address’s budget; a refused answer writes no row at all', async () => {
    clock.t += 24 * 3600_000; // a fresh window: the tests above spent some of this address's budget
    const client = new Client(t.url);
    const form = passkeyFormOf(client, await firstPage(client));
    const before = {
      failed: (await audit('signin.passkey_failed')).length,
      audit: await rowsOf('audit_events'),
      limits: await rowsOf('rate_limits'),
      accounts: await rowsOf('rate_limits', 'mfa:user:%'),
      challenges: await rowsOf('webauthn_challenges'),
    };
    const statuses: number[] = [];
    for (let i = 0; i < 2 * SIGN_IN_ADDRESS.freeAttempts; i++) {
      const r = await form.post('x');
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    // A parallel burst once the budget is spent: every one refused, none audited.
    const burst = await Promise.all(Array.from({ length: 20 }, () => form.post('x')));
    await Promise.all(burst.map((r) => r.arrayBuffer()));
    expect(statuses.slice(0, SIGN_IN_ADDRESS.freeAttempts).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(SIGN_IN_ADDRESS.freeAttempts).every((s) => s === 429)).toBe(true);
    expect(burst.every((r) => r.status === 429)).toBe(true);
    const failed = (await audit('signin.passkey_failed')).length - before.failed;
    console.info(`[passkey flood] ${statuses.length + burst.length} answers from one address: ${failed} audited`);
    expect(failed).toBe(SIGN_IN_ADDRESS.freeAttempts);
    expect(await rowsOf('audit_events')).toBe(before.audit + SIGN_IN_ADDRESS.freeAttempts);
    // At most the address's own count; no account's; the page's one live challenge, however many
    // times (and however concurrently) it was shown again.
    expect(await rowsOf('rate_limits')).toBeLessThanOrEqual(before.limits + 1);
    expect(await rowsOf('rate_limits', 'mfa:user:%')).toBe(before.accounts);
    expect(await rowsOf('webauthn_challenges')).toBe(before.challenges);
    clock.t += 24 * 3600_000;
  });
});
