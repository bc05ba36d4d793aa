/**
 * A person's organization sign-in links, administered (`GET /api/v1/users/:id/identities`,
 * `DELETE /api/v1/users/:id/identities/:providerId`), against the test organization IdP
 * (test/orgIdp.ts) on its own port. Someone's account at the provider deleted and made again (a
 * new subject claiming their email) is refused while the old link stands; the administrator sees
 * the link, unlinks it (audited, with the change in one transaction), and the new account's next
 * sign-in links the same person again by their verified email. Someone holding `users.manage`
 * but not the person's permissions is refused; another organization's administrator gets exactly
 * what an unknown id gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../../test/harness.js';
import { makeAdministrator } from '../../test/administrator.js';
import { Browser } from '../../test/browser.js';
import type { OrgIdp } from '../../test/orgIdp.js';
import { startOrgIdp } from '../../test/orgIdp.js';

const CLIENT_ID = 'remote-help-at-contoso';
const CLIENT_SECRET = 'contoso-client-secret-123';
const EMAIL = 'frank.fed@contoso.example';

describe('an administrator unlinks a person’s organization sign-in, and their new account there links again', () => {
  let t: TestServer;
  let idp: OrgIdp;
  let admin: Client;
  /** Holds `users.manage` only: not the permissions the federated person gets from their group. */
  let manager: Client;
  /** Fabrikam's administrator. */
  let foreign: Client;
  let providerId: string;
  let helpDeskGroup: string;
  let frank: string;

  const signIn = async (account: string) => {
    idp.nextAccount = account;
    const browser = new Browser();
    const last = await browser.follow(`${t.url}/auth/login?returnTo=/help&login_hint=${encodeURIComponent(EMAIL)}`);
    const html = await last.text();
    return {
      status: last.status,
      error: /data-error="([^"]+)"/.exec(html)?.[1],
      signedIn: browser.jar(t.url).has('rh_session'),
    };
  };
  const links = () =>
    t.server.db
      .selectFrom('user_identities')
      .select(['provider_id', 'subject', 'user_id'])
      .where('provider_id', '=', providerId)
      .orderBy('subject')
      .execute();
  const userCount = async () =>
    Number(
      (
        await t.server.db
          .selectFrom('users')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const unlinkEvents = () =>
    t.server.db
      .selectFrom('audit_events')
      .select(['tenant_id', 'actor_id', 'target_type', 'target_id', 'data'])
      .where('action', '=', 'user.identity_unlinked')
      .execute();

  beforeAll(async () => {
    t = await startTestServer();
    idp = await startOrgIdp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${t.url}/auth/federation/callback`,
    });
    idp.accounts.set('frank', { email: EMAIL, name: 'Frank Federated', groups: ['grp-helpdesk'] });
    admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');

    // Help Desk Operators by the provider's group; a manager of people who is nothing else.
    const group = await admin.post('/api/v1/groups', { name: 'Federated Help Desk', kind: 'user' });
    helpDeskGroup = (group.body.group as { id: string }).id;
    const helpDesk = await admin.post('/api/v1/assignments', {
      name: 'Federated helpers',
      roleId: 'helpDeskOperator',
      members: [helpDeskGroup],
      scope: { all: true, groups: [], excluded: [] },
    });
    expect(helpDesk.status, JSON.stringify(helpDesk.body)).toBe(201);
    const role = await admin.post('/api/v1/roles', { name: 'People managers', permissions: ['users.manage'] });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const managers = await admin.post('/api/v1/groups', { name: 'People managers', kind: 'user' });
    const managersId = (managers.body.group as { id: string }).id;
    const assigned = await admin.post('/api/v1/assignments', {
      name: 'People managers',
      roleId: (role.body.role as { id: string }).id,
      members: [managersId],
      scope: { all: true, groups: [], excluded: [] },
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
    const created = await admin.post('/api/v1/users', {
      email: 'manager@contoso.example',
      displayName: 'Mona Manager',
      password: DEMO_PASSWORD,
      groups: [managersId],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Signed in with passwords before Contoso federates (its domain then goes to the provider).
    manager = new Client(t.url);
    await manager.signIn('manager@contoso.example');

    const fabrikam = await t.server.db
      .selectFrom('users')
      .select(['id', 'tenant_id'])
      .where('email', '=', 'sharer@fabrikam.example')
      .executeTakeFirstOrThrow();
    await makeAdministrator(t.server.db, fabrikam.tenant_id, fabrikam.id, 'links-fabrikam-admins');
    foreign = new Client(t.url);
    await foreign.signIn('sharer@fabrikam.example');

    const provider = await admin.post('/api/v1/identity-providers', {
      name: 'Contoso IdP',
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scopes: ['openid', 'email', 'profile', 'groups'],
      domains: ['contoso.example'],
      groupMappings: [{ externalId: 'grp-helpdesk', groupId: helpDeskGroup }],
    });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    providerId = (provider.body.provider as { id: string }).id;

    // Frank's first sign-in links him to his account there (subject "frank").
    expect(await signIn('frank')).toMatchObject({ signedIn: true });
    frank = (await t.server.db.selectFrom('users').select('id').where('email', '=', EMAIL).executeTakeFirstOrThrow())
      .id;
    expect(await links()).toEqual([{ provider_id: providerId, subject: 'frank', user_id: frank }]);
  }, 60_000);

  afterAll(async () => {
    await idp?.stop();
    await t?.stop();
  });

  it('refuses his recreated account at the provider (a second subject claiming his email) while the old link stands', async () => {
    // His account there was deleted and made again: same email, a new subject.
    idp.accounts.set('frank-again', { email: EMAIL, name: 'Frank Federated', groups: ['grp-helpdesk'] });
    const users = await userCount();
    expect(await signIn('frank-again')).toMatchObject({
      status: 409,
      error: 'federation_identity_conflict',
      signedIn: false,
    });
    expect(await userCount()).toBe(users);
    expect(await links()).toEqual([{ provider_id: providerId, subject: 'frank', user_id: frank }]);
  });

  it('lists the link to the administrator: the provider’s name, the subject, when it was linked', async () => {
    const r = await admin.json(`/api/v1/users/${frank}/identities`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      identities: [{ providerId, providerName: 'Contoso IdP', subject: 'frank', linkedAt: expect.any(String) }],
    });
    const linkedAt = (r.body.identities as { linkedAt: string }[])[0]!.linkedAt;
    expect(Date.now() - Date.parse(linkedAt)).toBeLessThan(5 * 60_000);
    // Someone without links: an empty list.
    const me = ((await admin.json('/api/v1/me')).body.user as { id: string }).id;
    expect((await admin.json(`/api/v1/users/${me}/identities`)).body).toEqual({ identities: [] });
  });

  it('refuses someone who manages users but not what the person holds, and changes nothing', async () => {
    // Seeing the directory is what users.manage gives (as with passkeys); acting on the account is not.
    expect((await manager.json(`/api/v1/users/${frank}/identities`)).status).toBe(200);
    const r = await manager.json(`/api/v1/users/${frank}/identities/${providerId}`, 'DELETE');
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body).toMatchObject({ ok: false, error: 'forbidden' });
    expect(String(r.body.message)).toContain('You cannot manage the account of someone who holds more than you');
    expect(await links()).toHaveLength(1);
    expect(await unlinkEvents()).toEqual([]);
  });

  it('answers another organization’s administrator exactly as for ids that exist nowhere', async () => {
    const missing = 'no-such-id-anywhere';
    const same = async (method: string, path: string, unknownPath: string) => {
      const r = await foreign.json(path, method);
      const u = await foreign.json(unknownPath, method);
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ ok: false, error: 'not_found' });
      expect(JSON.stringify(r.body)).toBe(JSON.stringify(u.body));
      expect(JSON.stringify(r.body)).not.toContain(frank);
    };
    await same('GET', `/api/v1/users/${frank}/identities`, `/api/v1/users/${missing}/identities`);
    await same(
      'DELETE',
      `/api/v1/users/${frank}/identities/${providerId}`,
      `/api/v1/users/${missing}/identities/${providerId}`,
    );
    // Contoso's provider named for one of Fabrikam's own people: as unknown as a made-up provider.
    const own = ((await foreign.json('/api/v1/me')).body.user as { id: string }).id;
    await same('DELETE', `/api/v1/users/${own}/identities/${providerId}`, `/api/v1/users/${own}/identities/${missing}`);
    expect(await links()).toHaveLength(1);
    expect(await unlinkEvents()).toEqual([]);
  });

  it('unlinks it (audited: the provider’s name and the subject); once gone, unlinking again is not found', async () => {
    const r = await admin.json(`/api/v1/users/${frank}/identities/${providerId}`, 'DELETE');
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    expect(await links()).toEqual([]);
    expect((await admin.json(`/api/v1/users/${frank}/identities`)).body).toEqual({ identities: [] });
    const adminId = ((await admin.json('/api/v1/me')).body.user as { id: string }).id;
    const events = await unlinkEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: adminId, target_type: 'user', target_id: frank });
    expect(JSON.parse(events[0]!.data!)).toEqual({ providerId, provider: 'Contoso IdP', subject: 'frank' });
    // The person himself is untouched: his account, his groups.
    const user = await t.server.db.selectFrom('users').select('disabled').where('id', '=', frank).executeTakeFirst();
    expect(user).toEqual({ disabled: 0 });

    const again = await admin.json(`/api/v1/users/${frank}/identities/${providerId}`, 'DELETE');
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ ok: false, error: 'not_found' });
    expect(await unlinkEvents()).toHaveLength(1);
  });

  it('signs his new account in as the same person and links it; the old account is now the one refused', async () => {
    const users = await userCount();
    expect(await signIn('frank-again')).toMatchObject({ signedIn: true });
    expect(await userCount()).toBe(users);
    expect(await links()).toEqual([{ provider_id: providerId, subject: 'frank-again', user_id: frank }]);
    const members = await t.server.db
      .selectFrom('rbac_group_members')
      .select('group_id')
      .where('member_id', '=', frank)
      .execute();
    expect(members).toEqual([{ group_id: helpDeskGroup }]);
    const listed = await admin.json(`/api/v1/users/${frank}/identities`);
    expect(listed.body.identities).toEqual([expect.objectContaining({ providerId, subject: 'frank-again' })]);
    // The deleted account, were it ever to come back, is now the second subject.
    expect(await signIn('frank')).toMatchObject({ status: 409, error: 'federation_identity_conflict' });
  });
});
