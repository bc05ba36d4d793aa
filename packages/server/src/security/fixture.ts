/**
 * @module security/fixture
 * The world the authorization sweeps attack: a real server (with a built-looking web app
 * so static routes exist) and, signed in through the real OIDC flow, Contoso's Administrator,
 * Help Desk Operator, Read Only Operator, a person with no role and a person with a custom
 * role; Fabrikam's Administrator and Help Desk Operator; the agent's bearer token for
 * Contoso's sharer. Standing things to aim at (a joined session, an enrolled device, a person
 * with a picture, a group, a role, an assignment, a compliance policy, an enrollment token)
 * and, for calls that change them, fresh ones made per call (`target`).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '@remote-help/protocol';
import type { CryptoKey } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import { makeAdministrator } from '../test/administrator.js';
import type { TestDevice } from '../test/testDevice.js';
import { DeviceSocket, enrollDevice } from '../test/testDevice.js';
import type { Actor, IdRule, PersonActor } from './routeTable.js';
import { CUSTOM_ROLE_PERMISSIONS } from './routeTable.js';

export const INVENTORY: Inventory = {
  hostname: 'sweep-host',
  os: 'linux',
  osVersion: '12',
  model: null,
  serial: null,
  isVirtualMachine: true,
  diskEncrypted: null,
  firewallEnabled: null,
  screenCount: 1,
  agentVersion: '0.1.0',
};

/** A 16×16 PNG: the smallest picture the profile-picture endpoints accept. */
export const PICTURE_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR42mPgz9lLEmIY1TCqYfhqAAAxAzgQZ74R2AAAAABJRU5ErkJggg==';

export type TenantName = 'contoso' | 'fabrikam';

/** The organization an actor signs in to. */
export const tenantOf = (actor: Actor): TenantName =>
  actor === 'foreignAdmin' || actor === 'foreignHelper' ? 'fabrikam' : 'contoso';

export interface TenantInfo {
  id: string;
  /** A verified domain (new people's email addresses). */
  domain: string;
  /** A user group nobody is in (for assignments the sweep makes: they grant nobody anything). */
  spareGroup: string;
}

/** What `:id` was filled with; `device` when the target has a device of its own (a remote launch). */
export interface Target {
  id: string;
  device?: TestDevice;
  /** The path's other parameters for this target (`providerId` of a person's sign-in link). */
  params?: Record<string, string>;
}

export interface SweepFixture {
  t: TestServer;
  url: string;
  /** Browser clients (cookie + CSRF token) by actor; `agent` is absent here (bearer only). */
  clients: Record<PersonActor, Client>;
  /** The agent's bearer access token for Contoso's sharer. */
  agentToken: string;
  tenants: Record<TenantName, TenantInfo>;
  /** A Contoso session: helper@ offered it, sharer@ joined with the code. */
  sessionId: string;
  deviceId: string;
  /** A Contoso person with a picture, whom no case changes (the photo route, reads of a user). */
  userId: string;
  /** The organization an actor signs in to. */
  tenantOf(actor: Actor): TenantName;
  /**
   * The thing `:id` names: the standing one for `rule` (reads, and calls expected to be
   * refused), or with `fresh` one made for this call alone (a call expected to succeed).
   * Always Contoso's.
   */
  target(rule: IdRule, fresh: boolean): Promise<Target>;
  /** A live security code in `actor`'s organization, offered by a helper other than `actor`. */
  liveCode(actor: Actor): Promise<string>;
  /** A new enrollment token of Contoso. */
  liveEnrollmentToken(): Promise<string>;
  /** Everything of Contoso's that another organization must never be shown (ids, tenant, domain). */
  contosoMarks(): string[];
  /** `Device <JWT>` for `method path`, signed with the device's key (or `key`). */
  proof(method: string, path: string, options?: { jti?: string; key?: CryptoKey; sub?: string }): Promise<string>;
  stop(): Promise<void>;
}

type Json = { status: number; body: Record<string, unknown> };

/** The reply's status must be `status`, else the fixture cannot be built: say what was refused. */
function expectStatus(what: string, r: Json, status: number): Record<string, unknown> {
  if (r.status !== status) throw new Error(`fixture: ${what} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

const idIn = (body: Record<string, unknown>, key: string): string => (body[key] as { id: string }).id;

export async function startSweepFixture(options: { agent?: boolean } = {}): Promise<SweepFixture> {
  const dist = mkdtempSync(join(tmpdir(), 'rh-sweep-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Remote Help</title>');
  writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'export {};');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dist, 'favicon.ico'), 'ico');
  const t = await startTestServer({ WEB_DIST: dist });
  const db = t.server.db;
  const sockets: DeviceSocket[] = [];
  const contosoIds = new Set<string>();
  let unique = 0;
  const next = () => `${Date.now().toString(36)}${(unique++).toString(36)}`;

  const signedIn = async (email: string) => {
    const c = new Client(t.url);
    await c.signIn(email);
    return c;
  };
  const [admin, helper, sharer, foreignHelper] = await Promise.all([
    signedIn('admin@contoso.example'),
    signedIn('helper@contoso.example'),
    signedIn('sharer@contoso.example'),
    signedIn('helper@fabrikam.example'),
  ]);
  const tenantRow = (slug: string) =>
    db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
  const [contoso, fabrikam] = [(await tenantRow('contoso')).id, (await tenantRow('fabrikam')).id];

  // Contoso: a Read Only Operator and a person with the custom role, through the API as an administrator would.
  const group = async (c: Client, name: string) => {
    const id = idIn(
      expectStatus(`group ${name}`, await c.post('/api/v1/groups', { name, kind: 'user' }), 201),
      'group',
    );
    if (c === admin) contosoIds.add(id);
    return id;
  };
  const assign = async (c: Client, name: string, roleId: string, members: string[]) => {
    const body = { name, roleId, members, scope: { all: true, groups: [], excluded: [] } };
    const id = idIn(expectStatus(`assignment ${name}`, await c.post('/api/v1/assignments', body), 201), 'assignment');
    if (c === admin) contosoIds.add(id);
    return id;
  };
  const createUser = async (email: string, displayName: string, groups: string[]) => {
    const r = await admin.post('/api/v1/users', { email, displayName, password: DEMO_PASSWORD, groups });
    const id = idIn(expectStatus(`user ${email}`, r, 201), 'user');
    contosoIds.add(id);
    return id;
  };
  const readOnlyGroup = await group(admin, 'Sweep read only operators');
  const customGroup = await group(admin, 'Sweep custom role holders');
  const spareGroup = await group(admin, 'Sweep nobody');
  const customRole = idIn(
    expectStatus(
      'custom role',
      await admin.post('/api/v1/roles', { name: 'Sweep custom role', permissions: CUSTOM_ROLE_PERMISSIONS }),
      201,
    ),
    'role',
  );
  contosoIds.add(customRole);
  await assign(admin, 'Sweep read only', 'readOnlyOperator', [readOnlyGroup]);
  await assign(admin, 'Sweep custom', customRole, [customGroup]);
  await createUser('readonly@contoso.example', 'Rita Readonly', [readOnlyGroup]);
  await createUser('custom@contoso.example', 'Cody Custom', [customGroup]);
  // The person whose picture and record the reads aim at (no case changes them): the helper's portrait.
  const userId = await createUser('pictured@contoso.example', 'Pia Pictured', []);
  const portrait = await db
    .selectFrom('users')
    .select(['photo_mime', 'photo'])
    .where('email', '=', 'helper@contoso.example')
    .executeTakeFirstOrThrow();
  await db.updateTable('users').set(portrait).where('id', '=', userId).execute();

  // Fabrikam has no administrator in the demo: its no-role person becomes one, as an operator of
  // the server would make the first one, and its domain is verified (so it can add people).
  const now = new Date().toISOString();
  const foreignAdminId = (
    await db.selectFrom('users').select('id').where('email', '=', 'sharer@fabrikam.example').executeTakeFirstOrThrow()
  ).id;
  await makeAdministrator(db, fabrikam, foreignAdminId, 'sweep-fabrikam-admins');
  await db
    .insertInto('tenant_domains')
    .values({ tenant_id: fabrikam, domain: 'fabrikam.example', method: 'asserted', verified_at: now, created_at: now })
    .execute();

  const [readOnly, custom, foreignAdmin] = await Promise.all([
    signedIn('readonly@contoso.example'),
    signedIn('custom@contoso.example'),
    signedIn('sharer@fabrikam.example'),
  ]);
  const fabrikamSpare = await group(foreignAdmin, 'Sweep nobody');
  const clients: Record<PersonActor, Client> = { admin, helper, readOnly, sharer, custom, foreignAdmin, foreignHelper };
  for (const c of [admin, helper, readOnly, sharer, custom]) {
    contosoIds.add(((await c.json('/api/v1/me')).body.user as { id: string }).id);
  }
  const agentToken = options.agent ? (await agentSignIn(t.url, 'sharer@contoso.example')).access_token : '';

  /** A session offered by Contoso's helper in `state`, with Contoso's sharer in it once joined. */
  const sessionIn = async (state: NonNullable<IdRule['state']>): Promise<Target> => {
    if (state === 'launched') {
      const device = await onlineDevice();
      const r = await admin.post(`/api/v1/devices/${device.id}/sessions`, {});
      const id = idIn(expectStatus('remote launch', r, 201), 'session');
      contosoIds.add(id);
      return { id, device };
    }
    const created = expectStatus('offer', await helper.post('/api/v1/sessions', {}), 201);
    const id = idIn(created, 'session');
    contosoIds.add(id);
    const code = created.code as string;
    if (state === 'waiting') return { id };
    if (state === 'control') {
      if (!agentToken) throw new Error('fixture: a session in control needs startSweepFixture({ agent: true })');
      const joined = await fetch(`${t.url}/api/v1/sessions/redeem`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
        body: JSON.stringify({ code, client: 'agent' }),
      });
      if (joined.status !== 200) throw new Error(`fixture: agent redeem → ${joined.status} ${await joined.text()}`);
      expectStatus('request control', await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'control' }), 200);
      expectStatus('allow control', await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true }), 200);
      return { id };
    }
    expectStatus('redeem', await sharer.post('/api/v1/sessions/redeem', { code }), 200);
    if (state === 'joined') return { id };
    expectStatus('request view', await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' }), 200);
    if (state === 'requested') return { id };
    expectStatus('allow view', await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true }), 200);
    return { id };
  };

  /** A new Contoso device holding its launch connection. */
  const onlineDevice = async (): Promise<TestDevice> => {
    const device = await enrollDevice(t.url, admin, { ...INVENTORY, hostname: `sweep-${next()}` });
    contosoIds.add(device.id);
    sockets.push(await DeviceSocket.open(t.url, device));
    return device;
  };

  const made = async (what: string, path: string, body: Record<string, unknown>, key: string): Promise<string> => {
    const id = idIn(expectStatus(what, await admin.post(path, body), 201), key);
    contosoIds.add(id);
    return id;
  };

  const newPerson = async (): Promise<string> => {
    const email = `sweep-${next()}@contoso.example`;
    return made('user', '/api/v1/users', { email, displayName: 'Sweep Target', password: DEMO_PASSWORD }, 'user');
  };
  /** Contoso's provider that the sweep's people are linked to (disabled: nobody is sent to it). */
  let linkedProvider: Promise<string> | undefined;
  const providerToLink = () =>
    (linkedProvider ??= made(
      'identity provider to link',
      '/api/v1/identity-providers',
      {
        name: 'Sweep linked IdP',
        issuer: 'https://login.example.com/sweep-linked/v2.0',
        clientId: 'sweep-linked-client',
        domains: ['contoso.example'],
        enabled: false,
      },
      'provider',
    ));

  const make = async (rule: IdRule): Promise<Target> => {
    switch (rule.of) {
      case 'session':
        return sessionIn(rule.state ?? 'joined');
      case 'device':
        return { id: (await onlineDevice()).id };
      case 'user':
        return { id: await newPerson() };
      case 'userIdentity': {
        // As a first federated sign-in links someone (`identity/federation/jit.ts`).
        const [id, providerId] = await Promise.all([newPerson(), providerToLink()]);
        const subject = `sweep-subject-${next()}`;
        await db
          .insertInto('user_identities')
          .values({ provider_id: providerId, subject, tenant_id: contoso, user_id: id, created_at: now })
          .execute();
        contosoIds.add(subject);
        return { id, params: { providerId } };
      }
      case 'group':
        return { id: await made('group', '/api/v1/groups', { name: `Sweep target ${next()}`, kind: 'user' }, 'group') };
      case 'role':
        return {
          id: await made(
            'role',
            '/api/v1/roles',
            { name: `Sweep target ${next()}`, permissions: ['reports.read'] },
            'role',
          ),
        };
      case 'assignment':
        return {
          id: await made(
            'assignment',
            '/api/v1/assignments',
            {
              name: `Sweep target ${next()}`,
              roleId: 'readOnlyOperator',
              members: [spareGroup],
              scope: { all: true, groups: [], excluded: [] },
            },
            'assignment',
          ),
        };
      case 'policy':
        return {
          id: await made(
            'policy',
            '/api/v1/compliance-policies',
            { name: `Sweep target ${next()}`, rules: [{ type: 'firewall' }], assignment: { kind: 'allDevices' } },
            'policy',
          ),
        };
      case 'caPolicy':
        return {
          id: await made(
            'conditional access policy',
            '/api/v1/conditional-access/policies',
            {
              name: `Sweep target ${next()}`,
              state: 'off',
              users: { include: { kind: 'all' }, exclude: {} },
              apps: 'all',
              conditions: {},
              grant: { kind: 'block' },
            },
            'policy',
          ),
        };
      case 'namedLocation':
        return {
          id: await made(
            'named location',
            '/api/v1/conditional-access/named-locations',
            { name: `Sweep target ${next()}`, ranges: ['192.0.2.0/24'] },
            'location',
          ),
        };
      case 'identityProvider':
        return {
          id: await made(
            'identity provider',
            '/api/v1/identity-providers',
            {
              name: `Sweep target ${next()}`,
              issuer: 'https://login.example.com/sweep/v2.0',
              clientId: 'sweep-client',
              domains: ['contoso.example'],
              enabled: false,
            },
            'provider',
          ),
        };
      case 'domain': {
        // Held already (as the demo's are), so verifying it needs no DNS server and removing it is allowed.
        const domain = `sweep-target-${next()}.example`.toLowerCase();
        await db
          .insertInto('tenant_domains')
          .values({ tenant_id: contoso, domain, method: 'asserted', verified_at: now, created_at: now })
          .execute();
        contosoIds.add(domain);
        return { id: domain };
      }
      case 'enrollmentToken': {
        const r = expectStatus('enrollment token', await admin.post('/api/v1/enrollment-tokens', {}), 201);
        const id = (r.view as { id?: string } | undefined)?.id;
        if (!id) throw new Error(`fixture: the enrollment token's reply names no id: ${JSON.stringify(r)}`);
        contosoIds.add(id);
        return { id };
      }
    }
  };

  const created = expectStatus('offer', await helper.post('/api/v1/sessions', {}), 201);
  const code = created.code as string;
  const sessionId = idIn(created, 'session');
  contosoIds.add(sessionId);
  expectStatus('redeem', await sharer.post('/api/v1/sessions/redeem', { code }), 200);

  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(publicKey);
  const token = (await admin.post('/api/v1/enrollment-tokens', {})).body.token as string;
  const enrolled = await fetch(`${t.url}/api/v1/devices/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, inventory: INVENTORY }),
  });
  const deviceId = ((await enrolled.json()) as { deviceId: string }).deviceId;
  if (!deviceId) throw new Error('fixture: enrollment failed');
  contosoIds.add(deviceId);

  const standing = new Map<string, Promise<Target>>([
    ['session:joined', Promise.resolve({ id: sessionId })],
    ['device:', Promise.resolve({ id: deviceId })],
    ['user:', Promise.resolve({ id: userId })],
  ]);

  return {
    t,
    url: t.url,
    clients,
    agentToken,
    tenants: {
      contoso: { id: contoso, domain: 'contoso.example', spareGroup },
      fabrikam: { id: fabrikam, domain: 'fabrikam.example', spareGroup: fabrikamSpare },
    },
    sessionId,
    deviceId,
    userId,
    tenantOf,
    target(rule, fresh) {
      if (fresh) return make(rule);
      const key = `${rule.of}:${rule.of === 'session' ? (rule.state ?? 'joined') : ''}`;
      let found = standing.get(key);
      if (!found) {
        found = make(rule);
        standing.set(key, found);
      }
      return found;
    },
    async liveCode(actor) {
      const offerer =
        tenantOf(actor) === 'fabrikam'
          ? actor === 'foreignHelper'
            ? foreignAdmin
            : foreignHelper
          : actor === 'helper'
            ? admin
            : helper;
      const r = expectStatus('offer', await offerer.post('/api/v1/sessions', {}), 201);
      if (tenantOf(actor) === 'contoso') contosoIds.add(idIn(r, 'session'));
      return r.code as string;
    },
    async liveEnrollmentToken() {
      return expectStatus('enrollment token', await admin.post('/api/v1/enrollment-tokens', {}), 201).token as string;
    },
    contosoMarks: () => [contoso, 'contoso.example', ...contosoIds],
    proof: async (method, path, o = {}) =>
      `Device ${await new SignJWT({ htm: method, htu: `${t.url}${path}` })
        .setProtectedHeader({ alg: 'EdDSA' })
        .setSubject(o.sub ?? deviceId)
        .setIssuedAt()
        .setJti(o.jti ?? randomUUID())
        .sign(o.key ?? privateKey)}`,
    async stop() {
      for (const s of sockets) s.close();
      await t.stop();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

/** A key that is not the device's: proofs signed with it are forgeries. */
export async function forgerKey(): Promise<CryptoKey> {
  return (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey;
}
