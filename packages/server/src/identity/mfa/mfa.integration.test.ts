/**
 * Multi-factor authentication, the password policy and signing out everywhere, through the real
 * server and the embedded provider's real sign-in pages: enrollment (secret, otpauth URI, QR
 * code, first code), sign-in with a right, a wrong and a replayed authenticator code, recovery
 * codes spent once, code guessing limited like passwords, `amr` in the ID token, an
 * administrator's MFA reset and forced password change, and every sign-in ended at once.
 * The server's clock is simulated (codes are computed for it) and moves only when a test says.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_ACCOUNT } from '../../ratelimit/policies.js';
import type { TestServer } from '../../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../../test/harness.js';
import { totpAt } from './totp.js';

const clock = { t: Date.UTC(2027, 0, 4, 9, 0, 0), now: () => clock.t };
const STEP = 30_000;
/** The Administrator's authenticator secret (enrolled in the sign-in tests). */
let adminSecret = '';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { clock });
});
afterAll(async () => t?.stop());

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/** A sign-in page step: posts `fields` (plus the page's csrf, pending and step) to the page's form. */
async function submit(client: Client, html: string, fields: Record<string, string>): Promise<Response> {
  const action = /action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form in: ${html.slice(0, 200)}`);
  const hidden: Record<string, string> = {};
  for (const name of ['csrf', 'pending', 'step']) {
    const value = field(html, name);
    if (value !== undefined) hidden[name] = decode(value);
  }
  return client.raw(decode(action), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, ...fields }),
  });
}

/** Opens the web app's sign-in and posts the password; returns the next page (or the redirect). */
async function passwordStep(client: Client, email: string, password = DEMO_PASSWORD) {
  const form = await client.follow('/auth/login?returnTo=/help');
  const response = await submit(client, await form.text(), { email, password });
  return { response, html: response.status === 303 ? '' : await response.text() };
}

/** Follows the end of a sign-in to the app and loads the CSRF token. */
async function land(client: Client, done: Response): Promise<void> {
  expect(done.status).toBe(303);
  await client.follow(done.headers.get('location')!);
  const me = await client.json('/api/v1/me');
  expect(me.status).toBe(200);
  client.csrf = (me.body as { csrfToken: string }).csrfToken;
}

/** Signs in with password and, when asked, the authenticator code `code`. */
async function signInWith(email: string, code: () => string): Promise<Client> {
  const client = new Client(t.url);
  const first = await passwordStep(client, email);
  expect(first.html).toContain('Enter code');
  await land(client, await submit(client, first.html, { code: code() }));
  return client;
}

async function enroll(client: Client): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await client.post('/api/v1/me/mfa/enrollment', {});
  expect(started.status).toBe(200);
  const secret = started.body.secret as string;
  const confirmed = await client.post('/api/v1/me/mfa/enrollment/confirm', { code: totpAt(secret, clock.t) });
  expect(confirmed.status).toBe(200);
  return { secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

async function auditActions(action: string): Promise<{ data: Record<string, unknown> }[]> {
  const rows = await t.server.db.selectFrom('audit_events').select('data').where('action', '=', action).execute();
  return rows.map((r) => ({ data: JSON.parse(r.data ?? '{}') as Record<string, unknown> }));
}

describe('enrollment', () => {
  it('gives a secret, its otpauth URI and a QR code, and counts only after a right first code', async () => {
    const client = new Client(t.url);
    await client.signIn('helper@contoso.example');
    expect((await client.json('/api/v1/me/security')).body).toMatchObject({
      mfa: { enabled: false, recoveryCodesLeft: 0 },
      hasPassword: true,
      passwordPolicy: { minLength: 12, commonPasswordsRefused: true },
    });
    const started = await client.post('/api/v1/me/mfa/enrollment', {});
    expect(started.status).toBe(200);
    const secret = started.body.secret as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(started.body.otpauthUri as string);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(decodeURIComponent(uri.pathname)).toBe('/Remote Help:helper@contoso.example');
    const qr = started.body.qrCode as string;
    expect(qr.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(qr.split(',')[1]!, 'base64').toString()).toMatch(/^<svg [^>]*>.*<\/svg>$/s);

    // Not yet: a wrong first code is refused and nothing is enabled.
    const wrong = await client.post('/api/v1/me/mfa/enrollment/confirm', { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'validation_failed', data: { field: 'code' } });
    expect((await client.json('/api/v1/me/security')).body).toMatchObject({ mfa: { enabled: false } });
    // Bad input: the contract refuses it.
    expect((await client.post('/api/v1/me/mfa/enrollment/confirm', { code: 123456 })).status).toBe(400);
    expect((await client.post('/api/v1/me/mfa/enrollment/confirm', { code: 'x'.repeat(40) })).status).toBe(400);

    const confirmed = await client.post('/api/v1/me/mfa/enrollment/confirm', { code: totpAt(secret, clock.t) });
    expect(confirmed.status).toBe(200);
    const codes = confirmed.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect((await client.json('/api/v1/me/security')).body).toMatchObject({
      mfa: { enabled: true, recoveryCodesLeft: 10 },
    });
    // Only HMACs of recovery codes are stored, and the secret is sealed.
    const stored = await t.server.db.selectFrom('user_recovery_codes').select('code_hash').execute();
    for (const c of codes) expect(JSON.stringify(stored)).not.toContain(c);
    const row = await t.server.db.selectFrom('user_mfa').selectAll().executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(secret);
    expect(await auditActions('user.mfa_enrolled')).toHaveLength(1);
  });
});

describe('sign-in with an authenticator code', () => {
  const email = 'admin@contoso.example';
  let secret = '';
  let recoveryCodes: string[] = [];
  beforeAll(async () => {
    const client = new Client(t.url);
    await client.signIn(email);
    ({ secret, recoveryCodes } = await enroll(client));
    adminSecret = secret;
    clock.t += STEP; // the enrollment's code is spent; the next step's is fresh
  });

  it('asks for the code after the password; a wrong code is refused, a right one signs in once', async () => {
    const client = new Client(t.url);
    const first = await passwordStep(client, email);
    expect(first.response.status).toBe(200);
    expect(first.html).toContain('Enter code');
    expect(client.cookies.has('rh_session')).toBe(false);

    const wrongCode = totpAt(secret, clock.t + 10 * STEP);
    const wrong = await submit(client, first.html, { code: wrongCode });
    expect(wrong.status).toBe(401);
    const again = await wrong.text();
    expect(again).toContain('That code is not right');
    expect(client.cookies.has('rh_session')).toBe(false);

    const code = totpAt(secret, clock.t);
    await land(client, await submit(client, again, { code }));
    expect((await client.json('/api/v1/me')).status).toBe(200);
    const succeeded = await auditActions('signin.succeeded');
    expect(succeeded.at(-1)?.data.amr).toEqual(['pwd', 'otp', 'mfa']);

    // The same code again, in a new sign-in within its validity: refused (replay).
    const other = new Client(t.url);
    const page = await passwordStep(other, email);
    const replay = await submit(other, page.html, { code });
    expect(replay.status).toBe(401);
    expect(other.cookies.has('rh_session')).toBe(false);
    // The previous step's code is older than the one used: refused too. The next step's works.
    expect((await submit(other, page.html, { code: totpAt(secret, clock.t - STEP) })).status).toBe(401);
    clock.t += STEP;
    await land(other, await submit(other, page.html, { code: totpAt(secret, clock.t) }));
  });

  it('refuses a pending step that was tampered with or belongs to another sign-in', async () => {
    const client = new Client(t.url);
    const first = await passwordStep(client, email);
    const forged = first.html.replace(/name="pending" value="([^".]*)/, 'name="pending" value="$1x');
    const r = await submit(client, forged, { code: totpAt(secret, clock.t + STEP) });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('expired');
  });

  it('accepts each recovery code once', async () => {
    const code = recoveryCodes[0]!;
    const client = new Client(t.url);
    const first = await passwordStep(client, email);
    await land(client, await submit(client, first.html, { code: code.toUpperCase() }));
    expect((await client.json('/api/v1/me/security')).body).toMatchObject({ mfa: { recoveryCodesLeft: 9 } });
    expect((await auditActions('signin.succeeded')).at(-1)?.data.amr).toEqual(['pwd', 'mfa']);
    expect(await auditActions('signin.recovery_code_used')).toHaveLength(1);

    const other = new Client(t.url);
    const page = await passwordStep(other, email);
    const reused = await submit(other, page.html, { code });
    expect(reused.status).toBe(401);
    expect(other.cookies.has('rh_session')).toBe(false);
  });

  it('puts amr in the ID token (the Remote Help app’s sign-in, RFC 8252)', async () => {
    clock.t += STEP;
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
    const form = await browser.follow(url.pathname + url.search);
    const mfaPage = await (await submit(browser, await form.text(), { email, password: DEMO_PASSWORD })).text();
    const done = await submit(browser, mfaPage, { code: totpAt(secret, clock.t) });
    let location = done.headers.get('location') ?? '';
    for (let i = 0; i < 6 && !location.startsWith(redirectUri); i++) {
      location = (await browser.raw(location)).headers.get('location') ?? '';
    }
    const tokens = await oidc.authorizationCodeGrant(config, new URL(location), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('limits code guessing like passwords: once the free attempts are spent, even the right code waits', async () => {
    clock.t += STEP;
    const client = new Client(t.url);
    let html = (await passwordStep(client, email)).html;
    for (let i = 0; i < SIGN_IN_ACCOUNT.freeAttempts; i++) {
      const r = await submit(client, html, { code: String(100000 + i) });
      expect(r.status).toBe(401);
      html = await r.text();
    }
    const blocked = await submit(client, html, { code: totpAt(secret, clock.t) });
    expect(blocked.status).toBe(429);
    const blockedHtml = await blocked.text();
    expect(blockedHtml).toContain('Too many attempts');
    expect(client.cookies.has('rh_session')).toBe(false);
    expect(await auditActions('signin.mfa_failed')).toHaveLength(SIGN_IN_ACCOUNT.freeAttempts + 4);
    // After the wait, the right code gets in and clears the count.
    clock.t += 60_000;
    await land(client, await submit(client, blockedHtml, { code: totpAt(secret, clock.t) }));
  });
});

describe('removing and resetting multi-factor authentication', () => {
  it('the person removes their own with their password; an administrator resets someone’s (users.manage, audited)', async () => {
    clock.t += STEP;
    const sharer = new Client(t.url);
    await sharer.signIn('sharer@contoso.example');
    await enroll(sharer);
    const wrong = await sharer.post('/api/v1/me/mfa/remove', { password: 'not my password at all' });
    expect(wrong.status).toBe(400);
    expect((await sharer.json('/api/v1/me/security')).body).toMatchObject({ mfa: { enabled: true } });
    expect((await sharer.post('/api/v1/me/mfa/remove', { password: DEMO_PASSWORD })).status).toBe(204);
    expect((await sharer.json('/api/v1/me/security')).body).toMatchObject({ mfa: { enabled: false } });
    expect(await auditActions('user.mfa_removed')).toHaveLength(1);

    // helper@contoso enrolled in the first test. A Help Desk Operator may not reset; an Administrator may.
    const helperId = (
      await t.server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'helper@contoso.example')
        .executeTakeFirstOrThrow()
    ).id;
    const refused = await sharer.post(`/api/v1/users/${helperId}/mfa/reset`, {});
    expect(refused.status).toBe(403);
    expect(
      (await t.server.db.selectFrom('user_mfa').select('user_id').where('user_id', '=', helperId).execute()).length,
    ).toBe(1);

    // The Administrator has MFA (enrolled above): their sign-in takes the code, then they reset the helper's.
    clock.t += STEP;
    const adminSecretRow = await t.server.db
      .selectFrom('audit_events')
      .select('actor_id')
      .where('action', '=', 'user.mfa_enrolled')
      .execute();
    expect(adminSecretRow.length).toBeGreaterThanOrEqual(2);
    const admin = await signInWith('admin@contoso.example', () => totpAt(adminSecret, clock.t));
    expect((await admin.post('/api/v1/users/not-an-id!/mfa/reset', {})).status).toBe(400);
    expect((await admin.post(`/api/v1/users/${helperId}/mfa/reset`, {})).status).toBe(204);
    expect(
      (await t.server.db.selectFrom('user_mfa').select('user_id').where('user_id', '=', helperId).execute()).length,
    ).toBe(0);
    expect(await auditActions('user.mfa_reset')).toEqual([{ data: { before: { mfa: true }, after: { mfa: false } } }]);
    // The helper signs in with the password alone again.
    await new Client(t.url).signIn('helper@contoso.example');
  });
});

describe('the password asked again of a signed-in person', () => {
  it('replacing an authenticator already on needs the password, and a wrong one keeps the old', async () => {
    clock.t += STEP;
    const client = new Client(t.url);
    await client.signIn('helper@fabrikam.example');
    const first = await enroll(client);
    clock.t += STEP;
    const started = await client.post('/api/v1/me/mfa/enrollment', {});
    expect(started.status).toBe(200);
    const code = totpAt(started.body.secret as string, clock.t);
    const bare = await client.post('/api/v1/me/mfa/enrollment/confirm', { code });
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ data: { field: 'password', reason: 'password_required' } });
    const wrong = await client.post('/api/v1/me/mfa/enrollment/confirm', { code, password: 'not my password at all' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'validation_failed', data: { field: 'password' } });
    // The first authenticator and its recovery codes still stand.
    expect((await client.json('/api/v1/me/security')).body).toMatchObject({
      mfa: { enabled: true, recoveryCodesLeft: 10 },
    });
    const userId = ((await client.json('/api/v1/me')).body.user as { id: string }).id;
    const row = await t.server.db
      .selectFrom('user_mfa')
      .select('secret_enc')
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    const replaced = await client.post('/api/v1/me/mfa/enrollment/confirm', { code, password: DEMO_PASSWORD });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.recoveryCodes).not.toEqual(first.recoveryCodes);
    const after = await t.server.db
      .selectFrom('user_mfa')
      .select('secret_enc')
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(after.secret_enc).not.toBe(row.secret_enc);
  });

  it('counts wrong passwords against the sign-in back-off, and audits them', async () => {
    const email = 'sharer@fabrikam.example';
    const client = new Client(t.url);
    await client.signIn(email);
    const wrong = { currentPassword: 'not my password at all', newPassword: 'a brand new passphrase 42' };
    const statuses: number[] = [];
    for (let i = 0; i <= SIGN_IN_ACCOUNT.freeAttempts; i++) {
      statuses.push((await client.post('/api/v1/me/password', wrong)).status);
    }
    // The free attempts answer "not right"; then even a guess waits, as on the sign-in page.
    expect(statuses).toEqual([...Array<number>(SIGN_IN_ACCOUNT.freeAttempts).fill(400), 429]);
    const removing = await client.post('/api/v1/me/mfa/remove', { password: DEMO_PASSWORD });
    expect(removing.status).toBe(429);
    expect(removing.body).toMatchObject({ error: 'rate_limited' });
    // The sign-in page waits for the same account.
    expect((await passwordStep(new Client(t.url), email)).response.status).toBe(429);
    const failed = (await auditActions('signin.failed')).filter((e) => e.data.for === 'change_password');
    expect(failed).toHaveLength(SIGN_IN_ACCOUNT.freeAttempts);
  });
});
