/**
 * The password policy (length, the bundled list of leaked passwords) at creation, reset, one's
 * own change and the change an administrator requires at the next sign-in; and sign out
 * everywhere (browsers and the Remote Help app's token), by the person and by an administrator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import { isCommonPassword, passwordProblem } from './passwordPolicy.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

async function submit(client: Client, html: string, fields: Record<string, string>): Promise<Response> {
  const action = /action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form: ${html.slice(0, 200)}`);
  const hidden: Record<string, string> = {};
  for (const name of ['csrf', 'pending', 'step']) {
    const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
    if (value !== undefined) hidden[name] = decode(value);
  }
  return client.raw(decode(action), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, ...fields }),
  });
}

async function userId(email: string): Promise<string> {
  return (await t.server.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

describe('the password policy', () => {
  it('refuses short passwords, listed ones and listed ones dressed up; accepts a passphrase', () => {
    expect(passwordProblem('short one')).toBe('too_short');
    expect(passwordProblem('qwertyuiop123')).toBe('common'); // listed as is
    expect(isCommonPassword('Password2024!')).toBe(true); // "password" with digits and a symbol
    expect(isCommonPassword('dragondragon')).toBe(true); // a listed one said twice
    expect(isCommonPassword('123456789012')).toBe(true);
    expect(passwordProblem(DEMO_PASSWORD)).toBeNull();
    expect(passwordProblem('violet tractor under the bridge')).toBeNull();
  });

  it('applies at creation, reset and one’s own change, with nothing changed when refused', async () => {
    const admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    const common = await admin.post('/api/v1/users', {
      email: 'new.person@contoso.example',
      displayName: 'New Person',
      password: 'Password2024!',
    });
    expect(common.status).toBe(400);
    expect(common.body).toMatchObject({ error: 'validation_failed', data: { field: 'password', reason: 'common' } });
    const short = await admin.post('/api/v1/users', {
      email: 'new.person@contoso.example',
      displayName: 'New Person',
      password: 'short',
    });
    expect(short.status).toBe(400);
    expect(
      await t.server.db.selectFrom('users').select('id').where('email', '=', 'new.person@contoso.example').execute(),
    ).toEqual([]);

    const sharerId = await userId('sharer@contoso.example');
    const reset = await admin.post(`/api/v1/users/${sharerId}/password`, { password: 'letmein123456' });
    expect(reset.status).toBe(400);
    expect(reset.body).toMatchObject({ data: { reason: 'common' } });

    const sharer = new Client(t.url);
    await sharer.signIn('sharer@contoso.example'); // the refused reset changed nothing
    const wrongCurrent = await sharer.post('/api/v1/me/password', {
      currentPassword: 'not my password at all',
      newPassword: 'violet tractor under the bridge',
    });
    expect(wrongCurrent.body).toMatchObject({ error: 'validation_failed', data: { field: 'currentPassword' } });
    const tooCommon = await sharer.post('/api/v1/me/password', {
      currentPassword: DEMO_PASSWORD,
      newPassword: 'monkey123456!',
    });
    expect(tooCommon.body).toMatchObject({
      error: 'validation_failed',
      data: { field: 'newPassword', reason: 'common' },
    });
    const tooShort = await sharer.post('/api/v1/me/password', { currentPassword: DEMO_PASSWORD, newPassword: 'short' });
    expect(tooShort.status).toBe(400);
    expect((await sharer.post('/api/v1/me/password', { currentPassword: DEMO_PASSWORD })).status).toBe(400);

    // A second browser of the sharer's is signed out by the change; this one stays.
    const otherBrowser = new Client(t.url);
    await otherBrowser.signIn('sharer@contoso.example');
    const changed = await sharer.post('/api/v1/me/password', {
      currentPassword: DEMO_PASSWORD,
      newPassword: 'violet tractor under the bridge',
    });
    expect(changed.status).toBe(204);
    expect((await sharer.json('/api/v1/me')).status).toBe(200);
    expect((await otherBrowser.json('/api/v1/me')).status).toBe(401);
    await new Client(t.url).signIn('sharer@contoso.example', 'violet tractor under the bridge');
    await expect(new Client(t.url).signIn('sharer@contoso.example')).rejects.toThrow(/401/);
  });

  it('an administrator’s reset can require a new password at the next sign-in, which the policy guards', async () => {
    const admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    const helperId = await userId('helper@contoso.example');
    const reset = await admin.post(`/api/v1/users/${helperId}/password`, {
      password: 'temporary password 4711',
      requireChange: true,
    });
    expect(reset.status).toBe(200);

    const helper = new Client(t.url);
    const form = await helper.follow('/auth/login?returnTo=/help');
    const next = await submit(helper, await form.text(), {
      email: 'helper@contoso.example',
      password: 'temporary password 4711',
    });
    expect(next.status).toBe(200);
    let html = await next.text();
    expect(html).toContain('Update your password');
    expect(helper.cookies.has('rh_session')).toBe(false);

    const mismatch = await submit(helper, html, {
      newPassword: 'violet tractor 2',
      confirmPassword: 'violet tractor 3',
    });
    expect(mismatch.status).toBe(400);
    html = await mismatch.text();
    const common = await submit(helper, html, { newPassword: 'qwertyuiop123', confirmPassword: 'qwertyuiop123' });
    expect(common.status).toBe(400);
    html = await common.text();
    expect(html).toContain('too common');
    const done = await submit(helper, html, {
      newPassword: 'a harbour full of kites',
      confirmPassword: 'a harbour full of kites',
    });
    expect(done.status).toBe(303);
    const row = await t.server.db
      .selectFrom('users')
      .select('must_change_password')
      .where('id', '=', helperId)
      .executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(0);
    // Next time the new password signs in directly.
    await new Client(t.url).signIn('helper@contoso.example', 'a harbour full of kites');
    // Bad input to the reset is refused by the contract.
    expect((await admin.post(`/api/v1/users/${helperId}/password`, { requireChange: 'yes' })).status).toBe(400);
  });
});

describe('sign out everywhere', () => {
  it('the person ends their other browsers and the Remote Help app’s token; this browser stays until it signs out', async () => {
    const email = 'helper@fabrikam.example';
    const here = new Client(t.url);
    await here.signIn(email);
    const there = new Client(t.url);
    await there.signIn(email);
    const { access_token } = await agentSignIn(t.url, email);
    const bearer = () =>
      fetch(`${t.url}/api/v1/me`, { headers: { authorization: `Bearer ${access_token}` } }).then((r) => r.status);
    expect(await bearer()).toBe(200);

    expect((await here.post('/api/v1/me/sign-out-everywhere', {})).status).toBe(204);
    expect((await there.json('/api/v1/me')).status).toBe(401);
    expect(await bearer()).toBe(401);
    expect((await here.json('/api/v1/me')).status).toBe(200);
    const audit = await t.server.db
      .selectFrom('audit_events')
      .select('data')
      .where('action', '=', 'user.signed_out_everywhere')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('an administrator signs someone out everywhere (users.manage); others may not', async () => {
    const email = 'sharer@fabrikam.example';
    const person = new Client(t.url);
    await person.signIn(email);
    const id = await userId(email);
    const helper = new Client(t.url);
    await helper.signIn('helper@fabrikam.example');
    expect((await helper.post(`/api/v1/users/${id}/sign-out`, {})).status).toBe(403);
    expect((await person.json('/api/v1/me')).status).toBe(200);
    // Another organization's administrator does not find the person.
    const contosoAdmin = new Client(t.url);
    await contosoAdmin.signIn('admin@contoso.example');
    expect((await contosoAdmin.post(`/api/v1/users/${id}/sign-out`, {})).status).toBe(404);
    expect((await contosoAdmin.post('/api/v1/users/not-an-id!/sign-out', {})).status).toBe(400);
    expect((await person.json('/api/v1/me')).status).toBe(200);
  });
});
