/**
 * Integration: a change and its audit record commit together. With the database refusing
 * audit rows (a trigger, `test/refuseAudit`), each audited administrative command answers with
 * an error and leaves the tables it writes exactly as they were; once the log takes rows again,
 * the same command works and is audited once. (Session commands: sessions.integration.test.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import { exportJWK, generateKeyPair } from 'jose';
import { testPicture } from '../test/pictures.js';
import { TEST_INVENTORY } from '../test/testDevice.js';
import { refuseAudit } from '../test/refuseAudit.js';

let t: TestServer;
let admin: Client;
let helper: Client;
let picture: string;
let helperId: string;
let contosoId: string;

beforeAll(async () => {
  t = await startTestServer({});
  admin = new Client(t.url);
  helper = new Client(t.url);
  await Promise.all([admin.signIn('admin@contoso.example'), helper.signIn('helper@contoso.example')]);
  picture = Buffer.from(await testPicture('png', 64, 64)).toString('base64');
  helperId = ((await helper.json('/api/v1/me')).body.user as { id: string }).id;
  contosoId = (
    await t.server.db.selectFrom('users').select('tenant_id').where('id', '=', helperId).executeTakeFirstOrThrow()
  ).tenant_id;
});
afterAll(async () => t?.stop());

/** Everything the commands below may write, as the database holds it. */
async function tables() {
  const db = t.server.db;
  return {
    tenants: await db.selectFrom('tenants').selectAll().orderBy('id').execute(),
    users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
    // Who is signed in (not when each was last seen: every request moves that).
    signIns: await db.selectFrom('auth_sessions').select(['id', 'user_id']).orderBy('id').execute(),
    tokens: await db.selectFrom('enrollment_tokens').selectAll().orderBy('id').execute(),
    groups: await db.selectFrom('rbac_groups').selectAll().orderBy('id').execute(),
    caPolicies: await db.selectFrom('ca_policies').selectAll().orderBy('id').execute(),
    locations: await db.selectFrom('named_locations').selectAll().orderBy('id').execute(),
    providers: await db.selectFrom('identity_providers').selectAll().orderBy('id').execute(),
    domains: await db.selectFrom('tenant_domains').selectAll().orderBy('tenant_id').orderBy('domain').execute(),
    compliance: await db.selectFrom('compliance_policies').selectAll().orderBy('id').execute(),
    devices: await db.selectFrom('devices').select(['id', 'tenant_id', 'revoked_at']).orderBy('id').execute(),
    mfa: await db.selectFrom('user_mfa').selectAll().orderBy('user_id').execute(),
    passkeys: await db.selectFrom('user_passkeys').selectAll().orderBy('id').execute(),
    identities: await db.selectFrom('user_identities').selectAll().orderBy('provider_id').orderBy('subject').execute(),
    members: await db.selectFrom('rbac_group_members').selectAll().orderBy('group_id').orderBy('member_id').execute(),
    roles: await db.selectFrom('rbac_roles').selectAll().orderBy('id').execute(),
    assignments: await db.selectFrom('rbac_assignments').selectAll().orderBy('id').execute(),
    assignmentGroups: await db
      .selectFrom('rbac_assignment_groups')
      .selectAll()
      .orderBy('assignment_id')
      .orderBy('group_id')
      .execute(),
    audit: await db.selectFrom('audit_events').select(['id', 'action']).orderBy('id').execute(),
  };
}

interface Command {
  name: string;
  action: string;
  run: () => Promise<{ status: number; body: Record<string, unknown> }>;
  ok: number;
  /** What must exist first, made while the log takes rows. */
  prepare?: () => Promise<void>;
}

const commands = (): Command[] => [
  {
    name: 'organization settings',
    action: 'tenant.settings_updated',
    ok: 200,
    run: async () => {
      const current = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
      return admin.json('/api/v1/tenant/settings', 'PUT', { ...current, disableChat: !current.disableChat });
    },
  },
  {
    name: 'agent update policy',
    action: 'tenant.settings_updated',
    ok: 200,
    run: async () => {
      const current = (await admin.json('/api/v1/tenant/agent-updates')).body as { autoUpdate: boolean };
      return admin.json('/api/v1/tenant/agent-updates', 'PUT', {
        minimumVersion: null,
        autoUpdate: !current.autoUpdate,
      });
    },
  },
  {
    name: 'a new enrollment token',
    action: 'enrollment_token.created',
    ok: 201,
    run: () => admin.json('/api/v1/enrollment-tokens', 'POST', {}),
  },
  {
    name: 'revoking an enrollment token',
    action: 'enrollment_token.revoked',
    ok: 200,
    prepare: async () => {
      expect((await admin.json('/api/v1/enrollment-tokens', 'POST', {})).status).toBe(201);
    },
    run: async () => {
      const live = await t.server.db
        .selectFrom('enrollment_tokens')
        .select('public_id')
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return admin.json(`/api/v1/enrollment-tokens/${live?.public_id ?? 'none'}/revoke`, 'POST', {});
    },
  },
  {
    name: 'one’s own language',
    action: 'user.language_changed',
    ok: 204,
    run: async () => {
      const { language } = (await helper.json('/api/v1/me')).body as { language: string | null };
      return helper.json('/api/v1/me/language', 'PUT', { language: language === 'de' ? 'fr' : 'de' });
    },
  },
  {
    name: 'one’s own picture',
    action: 'user.photo_updated',
    ok: 200,
    run: () => helper.json('/api/v1/me/photo', 'PUT', { image: picture }),
  },
  {
    name: 'removing one’s picture',
    action: 'user.photo_removed',
    ok: 204,
    prepare: async () => {
      expect((await helper.json('/api/v1/me/photo', 'PUT', { image: picture })).status).toBe(200);
    },
    run: () => helper.json('/api/v1/me/photo', 'DELETE'),
  },
];

let made = 0;
/** Something of the organization's access made while the log takes rows, for a command to change. */
async function make(path: string, body: Record<string, unknown>, key: string): Promise<string> {
  const r = await admin.post(path, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body[key] as { id: string }).id;
}
const newGroup = () => make('/api/v1/groups', { name: `Sweep group ${++made}`, kind: 'user' }, 'group');
const newRole = () =>
  make('/api/v1/roles', { name: `Sweep role ${++made}`, permissions: ['remoteHelp.viewScreen'] }, 'role');
const assignmentBody = (roleId: string, group: string, name: string) => ({
  name,
  description: '',
  roleId,
  members: [group],
  scope: { all: true, groups: [], excluded: [] },
});

/** Groups, roles and role assignments (`rbac/service`): who may help whom, at which level. */
const accessCommands = (): Command[] => {
  let group = '';
  let role = '';
  let assignment = '';
  const withGroup = async () => {
    group = await newGroup();
  };
  const withRole = async () => {
    role = await newRole();
  };
  const withAssignment = async () => {
    [group, role] = await Promise.all([newGroup(), newRole()]);
    assignment = await make('/api/v1/assignments', assignmentBody(role, group, `Sweep ${++made}`), 'assignment');
  };
  return [
    {
      name: 'a new group',
      action: 'group.created',
      ok: 201,
      run: () => admin.post('/api/v1/groups', { name: 'Sweep group made', kind: 'user' }),
    },
    {
      name: 'a group renamed',
      action: 'group.updated',
      ok: 200,
      prepare: withGroup,
      run: () => admin.json(`/api/v1/groups/${group}`, 'PATCH', { name: `Renamed ${group}` }),
    },
    {
      name: 'a group’s members',
      action: 'group.members_set',
      ok: 200,
      prepare: withGroup,
      run: () => admin.json(`/api/v1/groups/${group}/members`, 'PUT', { members: [helperId] }),
    },
    {
      name: 'a group deleted',
      action: 'group.deleted',
      ok: 204,
      prepare: withGroup,
      run: () => admin.json(`/api/v1/groups/${group}`, 'DELETE'),
    },
    {
      name: 'a new role',
      action: 'role.created',
      ok: 201,
      run: () => admin.post('/api/v1/roles', { name: 'Sweep role made', permissions: ['remoteHelp.viewScreen'] }),
    },
    {
      name: 'a role’s permissions',
      action: 'role.updated',
      ok: 200,
      prepare: withRole,
      run: () =>
        admin.json(`/api/v1/roles/${role}`, 'PATCH', {
          permissions: ['remoteHelp.viewScreen', 'remoteHelp.takeFullControl'],
        }),
    },
    {
      name: 'a role deleted',
      action: 'role.deleted',
      ok: 204,
      prepare: withRole,
      run: () => admin.json(`/api/v1/roles/${role}`, 'DELETE'),
    },
    {
      name: 'a new role assignment',
      action: 'assignment.created',
      ok: 201,
      prepare: async () => {
        [group, role] = await Promise.all([newGroup(), newRole()]);
      },
      run: () => admin.post('/api/v1/assignments', assignmentBody(role, group, `Sweep made ${group}`)),
    },
    {
      name: 'a role assignment replaced',
      action: 'assignment.updated',
      ok: 200,
      prepare: withAssignment,
      run: () =>
        admin.json(`/api/v1/assignments/${assignment}`, 'PUT', assignmentBody(role, group, `Replaced ${assignment}`)),
    },
    {
      name: 'a role assignment deleted',
      action: 'assignment.deleted',
      ok: 204,
      prepare: withAssignment,
      run: () => admin.json(`/api/v1/assignments/${assignment}`, 'DELETE'),
    },
  ];
};

/** Conditional access policies and named locations (`identity/conditionalAccess/service`). */
const accessPolicyCommands = (): Command[] => {
  let policy = '';
  let location = '';
  const NOBODY = { userIds: [], groupIds: [], roleIds: [] };
  // Off, and for nobody who signs in here: the sweep must not lock anyone out.
  const policyBody = (name: string) => ({
    name,
    state: 'off',
    users: {
      include: { kind: 'selected', userIds: [helperId], groupIds: [], roleIds: [] },
      exclude: NOBODY,
    },
    apps: 'all',
    conditions: { clientApps: null, platforms: null, locations: null, deviceStates: null },
    grant: { kind: 'block' },
    session: { signInFrequencyHours: null },
  });
  const locationBody = (name: string) => ({ name, ranges: ['203.0.113.0/24'], trusted: false });
  const withPolicy = async () => {
    policy = await make('/api/v1/conditional-access/policies', policyBody(`Sweep policy ${++made}`), 'policy');
  };
  const withLocation = async () => {
    location = await make(
      '/api/v1/conditional-access/named-locations',
      locationBody(`Sweep place ${++made}`),
      'location',
    );
  };
  return [
    {
      name: 'a new conditional access policy',
      action: 'ca_policy.created',
      ok: 201,
      run: () => admin.post('/api/v1/conditional-access/policies', policyBody('Sweep policy made')),
    },
    {
      name: 'a conditional access policy changed',
      action: 'ca_policy.updated',
      ok: 200,
      prepare: withPolicy,
      run: () => admin.json(`/api/v1/conditional-access/policies/${policy}`, 'PUT', policyBody(`Changed ${policy}`)),
    },
    {
      name: 'a conditional access policy deleted',
      action: 'ca_policy.deleted',
      ok: 204,
      prepare: withPolicy,
      run: () => admin.json(`/api/v1/conditional-access/policies/${policy}`, 'DELETE'),
    },
    {
      name: 'a new named location',
      action: 'named_location.created',
      ok: 201,
      run: () => admin.post('/api/v1/conditional-access/named-locations', locationBody('Sweep place made')),
    },
    {
      name: 'a named location changed',
      action: 'named_location.updated',
      ok: 200,
      prepare: withLocation,
      run: () =>
        admin.json(`/api/v1/conditional-access/named-locations/${location}`, 'PUT', locationBody(`Moved ${location}`)),
    },
    {
      name: 'a named location deleted',
      action: 'named_location.deleted',
      ok: 204,
      prepare: withLocation,
      run: () => admin.json(`/api/v1/conditional-access/named-locations/${location}`, 'DELETE'),
    },
  ];
};

/** Identity providers, domains and compliance policies: how people sign in, which names are the organization's, what a device must be. */
const organizationCommands = (): Command[] => {
  let provider = '';
  let domain = '';
  let compliance = '';
  // Disabled: it sends nobody anywhere while the sweep runs.
  const providerBody = (name: string) => ({
    name,
    issuer: 'https://idp.sweep.invalid',
    clientId: 'remote-help',
    domains: ['contoso.example'],
    enabled: false,
  });
  const complianceBody = (name: string) => ({
    name,
    rules: [{ type: 'firewall' }],
    assignment: { kind: 'allDevices' },
  });
  return [
    {
      name: 'a new identity provider',
      action: 'identity_provider.created',
      ok: 201,
      run: () => admin.post('/api/v1/identity-providers', providerBody('Sweep provider made')),
    },
    {
      name: 'an identity provider changed',
      action: 'identity_provider.updated',
      ok: 200,
      prepare: async () => {
        provider = await make('/api/v1/identity-providers', providerBody(`Sweep provider ${++made}`), 'provider');
      },
      run: () => admin.json(`/api/v1/identity-providers/${provider}`, 'PUT', providerBody(`Changed ${provider}`)),
    },
    {
      name: 'an identity provider deleted',
      action: 'identity_provider.deleted',
      ok: 204,
      prepare: async () => {
        provider = await make('/api/v1/identity-providers', providerBody(`Sweep provider ${++made}`), 'provider');
      },
      run: () => admin.json(`/api/v1/identity-providers/${provider}`, 'DELETE'),
    },
    {
      name: 'a new domain',
      action: 'domain.added',
      ok: 201,
      prepare: async () => {
        domain = `sweep-${++made}.example`;
      },
      run: () => admin.post('/api/v1/domains', { domain }),
    },
    {
      name: 'a domain removed',
      action: 'domain.removed',
      ok: 204,
      prepare: async () => {
        domain = `sweep-${++made}.example`;
        expect((await admin.post('/api/v1/domains', { domain })).status).toBe(201);
      },
      run: () => admin.json(`/api/v1/domains/${domain}`, 'DELETE'),
    },
    {
      name: 'a new compliance policy',
      action: 'compliance_policy.created',
      ok: 201,
      run: () => admin.post('/api/v1/compliance-policies', complianceBody('Sweep compliance made')),
    },
    {
      name: 'a compliance policy changed',
      action: 'compliance_policy.updated',
      ok: 200,
      prepare: async () => {
        compliance = await make('/api/v1/compliance-policies', complianceBody(`Sweep compliance ${++made}`), 'policy');
      },
      run: () =>
        admin.json(`/api/v1/compliance-policies/${compliance}`, 'PUT', complianceBody(`Changed ${compliance}`)),
    },
    {
      name: 'a compliance policy deleted',
      action: 'compliance_policy.deleted',
      ok: 204,
      prepare: async () => {
        compliance = await make('/api/v1/compliance-policies', complianceBody(`Sweep compliance ${++made}`), 'policy');
      },
      run: () => admin.json(`/api/v1/compliance-policies/${compliance}`, 'DELETE'),
    },
  ];
};

/** The directory (`users/directory`): people added, changed, disabled, given a new password. */
const directoryCommands = (): Command[] => {
  let person = '';
  /** A new person of the organization, signed in (so that disabling them has sign-ins to end). */
  const withPerson = async () => {
    const email = `sweep-${++made}@contoso.example`;
    person = await make(
      '/api/v1/users',
      { email, displayName: `Sweep ${made}`, password: DEMO_PASSWORD, groups: [] },
      'user',
    );
    await new Client(t.url).signIn(email);
  };
  return [
    {
      name: 'a new person',
      action: 'user.created',
      ok: 201,
      run: () =>
        admin.post('/api/v1/users', {
          email: 'sweep-made@contoso.example',
          displayName: 'Sweep Made',
          password: DEMO_PASSWORD,
          groups: [],
        }),
    },
    {
      name: 'a person changed',
      action: 'user.updated',
      ok: 200,
      prepare: withPerson,
      run: () => admin.json(`/api/v1/users/${person}`, 'PATCH', { jobTitle: 'Swept' }),
    },
    {
      name: 'a person disabled (and signed out)',
      action: 'user.disabled',
      ok: 200,
      prepare: withPerson,
      run: () => admin.json(`/api/v1/users/${person}`, 'PATCH', { disabled: true }),
    },
    {
      name: 'a person’s password reset (and signed out)',
      action: 'user.password_reset',
      ok: 200,
      prepare: withPerson,
      run: () => admin.post(`/api/v1/users/${person}/password`, {}),
    },
  ];
};

/** One's own sign-ins and password, and an administrator's hand on someone's sign-in methods. */
const signInCommands = (): Command[] => {
  let person = '';
  let email = '';
  let own: Client;
  const withPerson = async () => {
    email = `sweep-${++made}@contoso.example`;
    person = await make(
      '/api/v1/users',
      { email, displayName: `Sweep ${made}`, password: DEMO_PASSWORD, groups: [] },
      'user',
    );
    own = new Client(t.url);
    await own.signIn(email);
    // A second browser of theirs, for the sign-outs to end.
    await new Client(t.url).signIn(email);
  };
  /** An authenticator as a confirmed set-up leaves it (what it holds does not matter here). */
  const giveAuthenticator = async () => {
    await t.server.db
      .insertInto('user_mfa')
      .values({
        user_id: person,
        tenant_id: contosoId,
        secret_enc: 'sealed secret',
        confirmed_at: new Date().toISOString(),
        pending_secret_enc: null,
        pending_at: null,
        last_step: null,
        created_at: new Date().toISOString(),
      })
      .execute();
  };
  /** A passkey as a registration stores it (what it holds does not matter here). */
  const givePasskey = async () => {
    await t.server.db
      .insertInto('user_passkeys')
      .values({
        id: `pk-${person}`,
        tenant_id: contosoId,
        user_id: person,
        credential_id: `cred-${person}`,
        public_key: 'cose-key',
        counter: 0,
        transports: '[]',
        device_type: 'singleDevice',
        backed_up: 0,
        name: 'Sweep key',
        created_at: new Date().toISOString(),
        last_used_at: null,
      })
      .execute();
  };
  /** A link to an identity provider of the organization, as a first federated sign-in makes it. */
  let linkedProvider = '';
  const giveLink = async () => {
    linkedProvider = await make(
      '/api/v1/identity-providers',
      // Disabled: it sends nobody anywhere while the sweep runs.
      {
        name: `Sweep linked provider ${++made}`,
        issuer: 'https://idp.sweep.invalid',
        clientId: 'remote-help',
        domains: ['contoso.example'],
        enabled: false,
      },
      'provider',
    );
    await t.server.db
      .insertInto('user_identities')
      .values({
        provider_id: linkedProvider,
        subject: `sub-${person}`,
        tenant_id: contosoId,
        user_id: person,
        created_at: new Date().toISOString(),
      })
      .execute();
  };
  return [
    {
      name: 'one’s own password (other browsers signed out)',
      action: 'user.password_changed',
      ok: 204,
      prepare: withPerson,
      run: () =>
        own.post('/api/v1/me/password', {
          currentPassword: DEMO_PASSWORD,
          newPassword: 'violet tractor under the bridge',
        }),
    },
    {
      name: 'signing out everywhere else',
      action: 'user.signed_out_everywhere',
      ok: 204,
      prepare: withPerson,
      run: () => own.post('/api/v1/me/sign-out-everywhere', {}),
    },
    {
      name: 'an administrator signs someone out',
      action: 'user.signed_out_everywhere',
      ok: 204,
      prepare: withPerson,
      run: () => admin.post(`/api/v1/users/${person}/sign-out`, {}),
    },
    {
      name: 'an administrator resets someone’s authenticator',
      action: 'user.mfa_reset',
      ok: 204,
      prepare: async () => {
        await withPerson();
        await giveAuthenticator();
      },
      run: () => admin.post(`/api/v1/users/${person}/mfa/reset`, {}),
    },
    {
      name: 'an administrator removes someone’s passkeys',
      action: 'user.passkeys_reset',
      ok: 204,
      prepare: async () => {
        await withPerson();
        await givePasskey();
      },
      run: () => admin.post(`/api/v1/users/${person}/passkeys/remove`, {}),
    },
    {
      name: 'an administrator unlinks someone’s organization sign-in',
      action: 'user.identity_unlinked',
      ok: 204,
      prepare: async () => {
        await withPerson();
        await giveLink();
      },
      run: () => admin.json(`/api/v1/users/${person}/identities/${linkedProvider}`, 'DELETE'),
    },
    {
      name: 'one’s own authenticator removed',
      action: 'user.mfa_removed',
      ok: 204,
      prepare: async () => {
        await withPerson();
        await giveAuthenticator();
      },
      run: () => own.post('/api/v1/me/mfa/remove', { password: DEMO_PASSWORD }),
    },
    {
      name: 'one’s own passkey renamed',
      action: 'user.passkey_renamed',
      ok: 200,
      prepare: async () => {
        await withPerson();
        await givePasskey();
      },
      run: () => own.post('/api/v1/me/passkeys/rename', { id: `pk-${person}`, name: 'Renamed key' }),
    },
    {
      name: 'one’s own passkey removed',
      action: 'user.passkey_removed',
      ok: 204,
      prepare: async () => {
        await withPerson();
        await givePasskey();
      },
      run: () => own.post('/api/v1/me/passkeys/remove', { id: `pk-${person}` }),
    },
    {
      name: 'a device enrolled (its token spent)',
      action: 'device.enrolled',
      ok: 201,
      prepare: async () => {
        email = (await admin.post('/api/v1/enrollment-tokens', {})).body.token as string;
      },
      run: async () => {
        const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
        const jwk = await exportJWK(publicKey);
        const r = await fetch(`${t.url}/api/v1/devices/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            token: email,
            publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x },
            inventory: TEST_INVENTORY,
          }),
        });
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      },
    },
  ];
};

describe('with the audit log refusing rows, an audited command changes nothing', () => {
  it.each(
    [
      ...commands(),
      ...accessCommands(),
      ...accessPolicyCommands(),
      ...organizationCommands(),
      ...directoryCommands(),
      ...signInCommands(),
    ].map((c) => [c.name, c] as const),
  )('%s', async (_name, command) => {
    await command.prepare?.();
    const before = await tables();
    const allow = await refuseAudit(t.server.db);
    let refused;
    try {
      refused = await command.run();
    } finally {
      await allow();
    }
    expect(refused.status, JSON.stringify(refused.body)).toBe(500);
    expect(await tables()).toEqual(before);

    const done = await command.run();
    expect(done.status, JSON.stringify(done.body)).toBe(command.ok);
    const audit = (await tables()).audit.slice(before.audit.length).map((row) => row.action);
    expect(audit).toEqual([command.action]);
  });
});
