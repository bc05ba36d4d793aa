/**
 * Integration: the embedded directory as the admin center uses it, on the real server with
 * people signed in through the embedded IdP. The people list (search, paging, one group's
 * members, status), creating someone in a verified domain with a generated password,
 * disabling (sign-in refused, cookies and live Remote Help sessions ended), resetting a
 * password, profile pictures (re-encoded, served so that they can never be a page, hostile
 * uploads refused with nothing changed, permissions, other organizations), and dynamic
 * device groups by OS version.
 */
import type { ServerMessage } from '@remote-help/protocol';
import { PHOTO_BASE64_MAX, PHOTO_SIDE } from '@remote-help/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleMatches } from '../rbac/policy.js';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, sessionIn, startTestServer } from '../test/harness.js';
import { pngBomb, testPicture } from '../test/pictures.js';
import { TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';

let t: TestServer;
let admin: Client;
let contoso = '';

const signedIn = async (email: string, password = DEMO_PASSWORD) => {
  const c = new Client(t.url);
  await c.signIn(email, password);
  return c;
};

interface UserView {
  id: string;
  email: string;
  displayName: string;
  disabled: boolean;
  photoUrl: string | null;
  groups: string[];
  updatedAt: string;
}

async function createUser(email: string, displayName: string, extra: Record<string, unknown> = {}): Promise<UserView> {
  const r = await admin.post('/api/v1/users', { email, displayName, password: DEMO_PASSWORD, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.user as UserView;
}

const userRow = (id: string) =>
  t.server.db
    .selectFrom('users')
    .select(['photo', 'photo_mime', 'updated_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const auditOf = async (id: string) =>
  (await t.server.audit.list(contoso, 1000)).filter((e) => e.target_id === id).map((e) => e.action);
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

beforeAll(async () => {
  t = await startTestServer({}, { presence: { heartbeatMs: 200, deadAfterMs: 600, graceMs: 300 } });
  admin = await signedIn('admin@contoso.example');
  contoso = ((await admin.json('/api/v1/me')).body.tenant as { id: string }).id;
}, 60_000);
afterAll(async () => t?.stop());

describe('people list', () => {
  it('searches names and emails, pages, filters by group and status, and shows only the own organization', async () => {
    const group = (await admin.post('/api/v1/groups', { name: 'Listed', kind: 'user' })).body.group as { id: string };
    for (let i = 0; i < 7; i++) await createUser(`list${i}@contoso.example`, `Zed List ${i}`, { groups: [group.id] });
    await createUser('percent@contoso.example', 'Hundred % Sure');

    const page = async (query: string) => {
      const r = await admin.json(`/api/v1/users?${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body as { users: UserView[]; total: number };
    };
    const all = await page('');
    expect(all.users.every((u) => u.email.endsWith('@contoso.example'))).toBe(true);
    expect(all.users.map((u) => u.displayName)).toEqual(
      [...all.users.map((u) => u.displayName)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    );

    const first = await page('search=zed%20LIST&limit=3');
    expect(first.total).toBe(7);
    expect(first.users.map((u) => u.displayName)).toEqual(['Zed List 0', 'Zed List 1', 'Zed List 2']);
    const third = await page('search=zed%20list&limit=3&offset=6');
    expect(third.users.map((u) => u.displayName)).toEqual(['Zed List 6']);
    expect((await page('search=LIST4@CONTOSO')).users.map((u) => u.email)).toEqual(['list4@contoso.example']);
    // LIKE's wildcards are taken literally.
    expect((await page('search=%25')).users.map((u) => u.email)).toEqual(['percent@contoso.example']);
    expect((await page('search=_')).total).toBe(0);
    // Another organization's people are never found.
    expect((await page('search=fabrikam')).total).toBe(0);

    const members = await page(`groupId=${group.id}&limit=200`);
    expect(members.total).toBe(7);
    expect(members.users.every((u) => u.groups.includes(group.id))).toBe(true);

    const someone = members.users[0]!;
    await admin.json(`/api/v1/users/${someone.id}`, 'PATCH', { disabled: true });
    expect((await page('status=disabled')).users.map((u) => u.id)).toEqual([someone.id]);
    expect((await page(`status=enabled&groupId=${group.id}`)).total).toBe(6);

    for (const bad of [
      'limit=0',
      'limit=201',
      'offset=-1',
      'status=gone',
      'groupId=bad.id',
      `search=${'x'.repeat(129)}`,
      'sort=name',
    ]) {
      const r = await admin.json(`/api/v1/users?${bad}`);
      expect({ bad, status: r.status, error: r.body.error }).toEqual({ bad, status: 400, error: 'validation_failed' });
    }
    const helper = await signedIn('helper@contoso.example');
    expect((await helper.json('/api/v1/users')).body.error).toBe('forbidden');
  });
});

describe('creating and resetting passwords', () => {
  it('generates a password shown once when none is given, and never audits it', async () => {
    const r = await admin.post('/api/v1/users', {
      email: 'Generated@Contoso.example',
      displayName: 'Gina Generated',
      jobTitle: 'Analyst',
      company: 'Contoso Ltd.',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const password = r.body.generatedPassword as string;
    expect(password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    const user = r.body.user as UserView;
    expect(user).toMatchObject({ email: 'generated@contoso.example', jobTitle: 'Analyst', company: 'Contoso Ltd.' });
    await signedIn('generated@contoso.example', password);

    const given = await admin.post('/api/v1/users', {
      email: 'given@contoso.example',
      displayName: 'Gil Given',
      password: 'a password chosen by the admin',
    });
    expect(given.body.generatedPassword).toBeNull();

    const reset = await admin.post(`/api/v1/users/${user.id}/password`, {});
    expect(reset.status).toBe(200);
    const next = reset.body.generatedPassword as string;
    expect(next).not.toBe(password);
    await expect(signedIn('generated@contoso.example', password)).rejects.toThrow(/sign-in failed/);
    await signedIn('generated@contoso.example', next);
    // No body at all generates one too.
    const bare = await admin.raw(`/api/v1/users/${user.id}/password`, {
      method: 'POST',
      headers: { 'x-csrf-token': admin.csrf },
    });
    expect(bare.status).toBe(200);
    const third = ((await bare.json()) as { generatedPassword: string }).generatedPassword;
    // A bad password changes nothing.
    expect((await admin.post(`/api/v1/users/${user.id}/password`, { password: 'short' })).body.error).toBe(
      'validation_failed',
    );
    await signedIn('generated@contoso.example', third);

    const audit = JSON.stringify(await t.server.audit.list(contoso, 1000));
    for (const secret of [password, next, third]) expect(audit).not.toContain(secret);
  });

  it('accepts sign-in names only in a verified domain of the organization', async () => {
    for (const email of ['x@fabrikam.example', 'x@contoso.example.evil.test', 'x@sub.contoso.example', 'x@example']) {
      const r = await admin.post('/api/v1/users', { email, displayName: 'X' });
      expect({ email, status: r.status, error: r.body.error }).toEqual({
        email,
        status: 400,
        error: 'validation_failed',
      });
    }
    expect((await t.server.db.selectFrom('users').select('id').where('email', 'like', 'x@%').execute()).length).toBe(0);
  });
});

describe('disabling', () => {
  it('refuses the sign-in, ends the cookies and every live Remote Help session of the person', async () => {
    const dana = await createUser('dana@contoso.example', 'Dana Disabled');
    const danaClient = await signedIn('dana@contoso.example');
    const helper = await signedIn('helper@contoso.example');

    // Dana shares her screen with the demo helper.
    const created = await helper.post('/api/v1/sessions', {});
    const { code, session } = created.body as { code: string; session: { id: string } };
    const hws = await helper.socket();
    hws.send({ type: 'attach', sessionId: session.id });
    await hws.next(sessionIn('waiting'));
    expect((await danaClient.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
    await hws.next(sessionIn('joined'));

    // A second person helping: disabled while their session waits for a sharer.
    await createUser('desk@contoso.example', 'Desk Disabled', { groups: [await helpDeskGroup()] });
    const desk = await signedIn('desk@contoso.example');
    const waiting = (await desk.post('/api/v1/sessions', {})).body as { session: { id: string } };
    expect(waiting.session).toBeDefined();

    const r = await admin.json(`/api/v1/users/${dana.id}`, 'PATCH', { disabled: true });
    expect(r.body.user).toMatchObject({ disabled: true });
    const ended = await hws.next<Extract<ServerMessage, { type: 'session' }>>(sessionIn('ended'));
    expect(ended.session.endReason).toBe('terminated_by_admin');
    expect((await danaClient.json('/api/v1/me')).status).toBe(401);

    // The sign-in page says why, only to someone who knows the password.
    const right = await signInPage('dana@contoso.example', DEMO_PASSWORD);
    expect(right.status).toBe(403);
    expect(right.text).toContain('Your account is disabled. Contact your administrator.');
    const wrong = await signInPage('dana@contoso.example', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong email or password');
    expect(wrong.text).not.toContain('disabled');

    const deskId = (await admin.json('/api/v1/users?search=desk%40contoso')).body.users as UserView[];
    await admin.json(`/api/v1/users/${deskId[0]!.id}`, 'PATCH', { disabled: true });
    const row = await t.server.db
      .selectFrom('help_sessions')
      .select(['state', 'end_reason'])
      .where('id', '=', waiting.session.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'ended', end_reason: 'terminated_by_admin' });
    const endAudit = (await t.server.audit.list(contoso, 200)).find(
      (e) => e.action === 'session.ended' && e.target_id === waiting.session.id,
    );
    expect(JSON.parse(endAudit!.data!)).toMatchObject({ because: 'user_disabled', endReason: 'terminated_by_admin' });

    // Enabled again: signs in as before; the ended sessions stay ended.
    await admin.json(`/api/v1/users/${dana.id}`, 'PATCH', { disabled: false });
    await signedIn('dana@contoso.example');
    expect(await auditOf(dana.id)).toEqual(['user.enabled', 'user.disabled', 'user.created']);
    hws.close();
  });

  it('refuses disabling yourself and another organization’s people', async () => {
    const me = ((await admin.json('/api/v1/me')).body.user as { id: string }).id;
    expect((await admin.json(`/api/v1/users/${me}`, 'PATCH', { disabled: true })).body.error).toBe('validation_failed');
    const fabrikamUser = await fabrikamUserId();
    expect((await admin.json(`/api/v1/users/${fabrikamUser}`, 'PATCH', { disabled: true })).status).toBe(404);
    const row = await t.server.db
      .selectFrom('users')
      .select('disabled')
      .where('id', '=', fabrikamUser)
      .executeTakeFirstOrThrow();
    expect(row.disabled).toBe(0);
  });
});

/** Submits the embedded IdP's sign-in form; the page it answers with. */
async function signInPage(email: string, password: string): Promise<{ status: number; text: string }> {
  const c = new Client(t.url);
  const html = await (await c.follow('/auth/login?returnTo=/help')).text();
  const action = /action="([^"]+)"/.exec(html)?.[1] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const r = await c.raw(
    action.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password, csrf }),
    },
  );
  return { status: r.status, text: await r.text() };
}

async function helpDeskGroup(): Promise<string> {
  const groups = (await admin.json('/api/v1/groups')).body.groups as { id: string; name: string }[];
  const group = groups.find((g) => g.name === 'Help desk');
  if (!group) throw new Error(`no Help desk group: ${groups.map((g) => g.name).join(', ')}`);
  return group.id;
}

async function fabrikamUserId(): Promise<string> {
  const row = await t.server.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'sharer@fabrikam.example')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('profile pictures', () => {
  it('re-encodes an upload to a square WebP served so that it can never be a page', async () => {
    const pia = await createUser('pia@contoso.example', 'Pia Picture');
    const put = await admin.json(`/api/v1/users/${pia.id}/photo`, 'PUT', { image: b64(await testPicture('png')) });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const photoUrl = put.body.photoUrl as string;
    expect(photoUrl).toMatch(new RegExp(`^/api/v1/users/${pia.id}/photo\\?v=`));

    // Anyone signed in at Contoso sees it; the directory and the person's own card point at it.
    const sharer = await signedIn('sharer@contoso.example');
    const r = await sharer.raw(photoUrl);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/webp');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(r.headers.get('content-disposition')).toBe(`inline; filename="${pia.id}.webp"`);
    const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', PHOTO_SIDE, PHOTO_SIDE]);
    expect((await admin.json(`/api/v1/users/${pia.id}`)).body.user).toMatchObject({ photoUrl });
    const piaClient = await signedIn('pia@contoso.example');
    expect(((await piaClient.json('/api/v1/me')).body.user as { photoUrl: string }).photoUrl).toBe(photoUrl);

    const entry = (await t.server.audit.list(contoso, 50)).find(
      (e) => e.action === 'user.photo_updated' && e.target_id === pia.id,
    );
    expect(JSON.parse(entry!.data!)).toMatchObject({
      before: { photo: null },
      after: { type: 'image/webp' },
      uploaded: { format: 'image/png', width: 320, height: 240 },
    });

    // JPEG and WebP are accepted too, and each upload changes the URL.
    for (const format of ['jpeg', 'webp'] as const) {
      const next = await admin.json(`/api/v1/users/${pia.id}/photo`, 'PUT', { image: b64(await testPicture(format)) });
      expect(next.status).toBe(200);
    }
    expect((await admin.json(`/api/v1/users/${pia.id}`)).body.user).not.toMatchObject({ photoUrl });
  });

  it('refuses HTML, SVG, polyglots, truncated and oversized pictures with a typed error, changing nothing', async () => {
    const quinn = await createUser('quinn@contoso.example', 'Quinn Keeps');
    expect(
      (await admin.json(`/api/v1/users/${quinn.id}/photo`, 'PUT', { image: b64(await testPicture('jpeg')) })).status,
    ).toBe(200);
    const before = await userRow(quinn.id);
    const auditBefore = await auditOf(quinn.id);

    const png = await testPicture('png', 400, 400);
    const html = '<!doctype html><html><body><script>fetch("/api/v1/me")</script></body></html>';
    const cases: [string, unknown, number, string][] = [
      ['HTML', { image: b64(html) }, 400, 'image_invalid'],
      ['SVG', { image: b64('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') }, 400, 'image_invalid'],
      [
        'a PNG signature, then HTML',
        { image: b64(Buffer.concat([png.subarray(0, 8), Buffer.from(html)])) },
        400,
        'image_invalid',
      ],
      ['a truncated PNG', { image: b64(png.subarray(0, png.length >> 1)) }, 400, 'image_invalid'],
      ['a GIF', { image: 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==' }, 400, 'image_invalid'],
      ['a decompression bomb', { image: b64(pngBomb(9000, 9000)) }, 413, 'image_too_large'],
      ['just over 5 MB', { image: b64(Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024)])) }, 413, 'image_too_large'],
      ['a body over the limit', { image: 'A'.repeat(PHOTO_BASE64_MAX + 4096) }, 413, 'payload_too_large'],
      ['not base64', { image: '<html>' }, 400, 'validation_failed'],
      ['a data: URL', { image: `data:image/png;base64,${b64(png)}` }, 400, 'validation_failed'],
      ['a number', { image: 42 }, 400, 'validation_failed'],
      ['an empty string', { image: '' }, 400, 'validation_failed'],
      ['an extra field', { image: b64(png), mime: 'image/png' }, 400, 'validation_failed'],
      ['no body', undefined, 400, 'validation_failed'],
    ];
    for (const [what, body, status, error] of cases) {
      const r = await admin.json(`/api/v1/users/${quinn.id}/photo`, 'PUT', body);
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
    }
    // The same for one's own picture.
    const own = await signedIn('quinn@contoso.example');
    expect((await own.json('/api/v1/me/photo', 'PUT', { image: b64(html) })).body.error).toBe('image_invalid');

    const after = await userRow(quinn.id);
    expect(after.updated_at).toBe(before.updated_at);
    expect(after.photo_mime).toBe('image/webp');
    expect(Buffer.from(after.photo!).equals(Buffer.from(before.photo!))).toBe(true);
    expect(await auditOf(quinn.id)).toEqual(auditBefore);
  });

  it('lets everyone set their own picture, administrators anyone’s, and no one another organization’s', async () => {
    const helper = await signedIn('helper@contoso.example');
    const helperId = ((await helper.json('/api/v1/me')).body.user as { id: string }).id;
    const sharerId = (
      await t.server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'sharer@contoso.example')
        .executeTakeFirstOrThrow()
    ).id;
    const image = b64(await testPicture('png', 64, 64));

    // Own picture: yes, without users.manage.
    const own = await helper.json('/api/v1/me/photo', 'PUT', { image });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect((await helper.json('/api/v1/me')).body.user).toMatchObject({ photoUrl: own.body.photoUrl });
    const selfAudit = (await t.server.audit.list(contoso, 20)).find(
      (e) => e.action === 'user.photo_updated' && e.target_id === helperId,
    );
    expect(selfAudit?.actor_id).toBe(helperId);
    // Someone else's: only with users.manage.
    expect((await helper.json(`/api/v1/users/${sharerId}/photo`, 'PUT', { image })).body.error).toBe('forbidden');
    expect((await helper.json(`/api/v1/users/${sharerId}/photo`, 'DELETE')).body.error).toBe('forbidden');
    // Without the CSRF token: refused.
    const noCsrf = await helper.raw('/api/v1/me/photo', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image }),
    });
    expect(noCsrf.status).toBe(403);

    // Another organization: not found, both ways, and nothing changes.
    const fabrikamUser = await fabrikamUserId();
    expect((await admin.json(`/api/v1/users/${fabrikamUser}/photo`, 'PUT', { image })).status).toBe(404);
    expect((await admin.json(`/api/v1/users/${fabrikamUser}/photo`, 'DELETE')).status).toBe(404);
    expect((await admin.raw(`/api/v1/users/${fabrikamUser}/photo`)).status).toBe(404);
    const marco = await signedIn('helper@fabrikam.example');
    expect((await marco.raw(own.body.photoUrl as string)).status).toBe(404);
    expect((await userRow(fabrikamUser)).photo_mime).toBeNull();

    // Removing: own, then by an administrator.
    expect((await helper.json('/api/v1/me/photo', 'DELETE')).status).toBe(204);
    expect((await helper.raw(own.body.photoUrl as string)).status).toBe(404);
    expect((await helper.json('/api/v1/me')).body.user).toMatchObject({ photoUrl: null });
    expect((await admin.json(`/api/v1/users/${sharerId}/photo`, 'DELETE')).status).toBe(204);
    expect((await admin.json(`/api/v1/users/${sharerId}`)).body.user).toMatchObject({ photoUrl: null });
    expect(await auditOf(sharerId)).toContain('user.photo_removed');
    // Removing what is not there is fine and audits nothing.
    const count = (await auditOf(sharerId)).length;
    expect((await admin.json(`/api/v1/users/${sharerId}/photo`, 'DELETE')).status).toBe(204);
    expect((await auditOf(sharerId)).length).toBe(count);
  });

  it('serves the demo accounts’ drawn portraits as SVG under the same headers', async () => {
    const me = (await admin.json('/api/v1/me')).body.user as { id: string; photoUrl: string };
    const r = await admin.raw(me.photoUrl);
    expect(r.headers.get('content-type')).toBe('image/svg+xml');
    expect(r.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(r.headers.get('content-disposition')).toBe(`inline; filename="${me.id}.svg"`);
  });
});

describe('dynamic device groups by OS version', () => {
  it('compares versions by number, not as text', () => {
    const inv = (osVersion: string | null) => ({ ...TEST_INVENTORY, osVersion });
    const gte = { field: 'osVersion', op: 'gte', value: '14.2' } as const;
    const lte = { field: 'osVersion', op: 'lte', value: '14.2' } as const;
    expect(ruleMatches(gte, inv('14.10'))).toBe(true);
    expect(ruleMatches(gte, inv('14.2'))).toBe(true);
    expect(ruleMatches(gte, inv('9.9'))).toBe(false);
    expect(ruleMatches(lte, inv('14.10'))).toBe(false);
    expect(ruleMatches(lte, inv('13'))).toBe(true);
    expect(ruleMatches(gte, inv(null))).toBe(false);
    expect(ruleMatches(gte, inv('unknown'))).toBe(false);
  });

  it('computes the members from inventory, and refuses version rules on other fields', async () => {
    const newer = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, hostname: 'new-mac', osVersion: '14.10' });
    const older = await enrollDevice(t.url, admin, { ...TEST_INVENTORY, hostname: 'old-mac', osVersion: '13.6.1' });
    const r = await admin.post('/api/v1/groups', {
      name: 'macOS 14.2 or later',
      kind: 'device',
      rule: { field: 'osVersion', op: 'gte', value: '14.2' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const members = (r.body.group as { members: string[] }).members;
    expect(members).toContain(newer.id);
    expect(members).not.toContain(older.id);
    for (const rule of [
      { field: 'os', op: 'gte', value: '14' },
      { field: 'osVersion', op: 'gte', value: 'fourteen' },
      { field: 'isVirtualMachine', op: 'lte', value: true },
    ]) {
      const bad = await admin.post('/api/v1/groups', { name: 'Bad rule', kind: 'device', rule });
      expect({ rule, status: bad.status, error: bad.body.error }).toEqual({
        rule,
        status: 400,
        error: 'validation_failed',
      });
    }
  });
});
