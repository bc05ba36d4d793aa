/**
 * `AUDIT_TO_LOG` over a real server (ADR 0035): each committed audit event is one `audit event`
 * log line with every hashed field as stored, so the lines alone recompute every hash and link;
 * the demo seed's events, written before the logger exists, follow once it does; so do the events
 * of the changes that once opened a transaction of their own and recorded in it, never logged
 * then (MFA set up, a passkey added, a person created or updated by a federated sign-in), and
 * such a change takes the chain's lock after all its other writes; a change whose audit record
 * the database refuses (rolled back) writes no line; without the setting, no lines.
 */
import { Writable } from 'node:stream';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.js';
import { mapClaims, provision } from '../identity/federation/jit.js';
import type { ProviderRecord } from '../identity/federation/service.js';
import { totpAt } from '../identity/mfa/totp.js';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { refuseAudit } from '../test/refuseAudit.js';
import { SoftAuthenticator } from '../test/softAuthenticator.js';
import { systemClock } from '../time.js';
import type { StoredAuditEvent } from './audit.js';
import { AuditLog } from './audit.js';
import { GENESIS_HASH, eventHash } from './chain.js';

interface Line {
  msg: string;
  auditEvent?: {
    tenantId: string | null;
    seq: number;
    prevHash: string;
    hash: string;
    at: string;
    actorType: string;
    actorId: string | null;
    action: string;
    targetType: string | null;
    targetId: string | null;
    ip: string | null;
    data: string | null;
  };
}

function captured(): { stream: Writable; lines: () => Line[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines: () => raw.map((line) => JSON.parse(line) as Line) };
}

/** An identity provider of Contoso (stored, so that its people's links can name it), as sign-in uses it. */
async function contosoProvider(db: Db, id: string): Promise<ProviderRecord> {
  const { id: tenantId } = await db
    .selectFrom('tenants')
    .select('id')
    .where('slug', '=', 'contoso')
    .executeTakeFirstOrThrow();
  const at = new Date().toISOString();
  const provider: ProviderRecord = {
    id,
    name: 'Contoso IdP',
    issuer: 'https://idp.contoso.example',
    clientId: 'remote-help',
    hasClientSecret: false,
    scopes: ['openid', 'email', 'profile'],
    claims: {
      displayName: 'name',
      email: 'email',
      jobTitle: 'job_title',
      company: 'company',
      photoUrl: 'picture',
      groups: 'groups',
    },
    domains: ['contoso.example'],
    groupMappings: [],
    matchGroupsByName: false,
    countProviderMfa: true,
    enabled: true,
    createdAt: at,
    updatedAt: at,
    tenantId,
    clientSecret: null,
  };
  await db
    .insertInto('identity_providers')
    .values({
      id,
      tenant_id: tenantId,
      name: provider.name,
      issuer: provider.issuer,
      client_id: provider.clientId,
      client_secret_enc: null,
      scopes: JSON.stringify(provider.scopes),
      claims: JSON.stringify(provider.claims),
      domains: JSON.stringify(provider.domains),
      group_mappings: '[]',
      match_groups_by_name: 0,
      count_provider_mfa: 1,
      enabled: 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return provider;
}

describe('with AUDIT_TO_LOG', () => {
  const log = captured();
  let t: TestServer;
  let admin: Client;
  const events = () => log.lines().flatMap((l) => (l.msg === 'audit event' && l.auditEvent ? [l.auditEvent] : []));

  beforeAll(async () => {
    t = await startTestServer({ AUDIT_TO_LOG: 'true' }, { logger: { stream: log.stream } });
    admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
  }, 60_000);
  afterAll(async () => t?.stop());

  it('logs every committed event as stored, the seed’s included, and the lines alone check every hash and link', async () => {
    const current = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
    expect((await admin.json('/api/v1/tenant/settings', 'PUT', { ...current, reportRetentionDays: 40 })).status).toBe(
      200,
    );
    const stored = await t.server.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    const logged = events();
    // Every stored event is logged once, the seed's (written before the logger) among them.
    expect(logged.map((e) => e.hash).sort()).toEqual(stored.map((e) => e.hash).sort());
    expect(logged.some((e) => e.action === 'tenant.seeded')).toBe(true);
    const change = logged.find((e) => e.action === 'tenant.settings_updated')!;
    expect(JSON.parse(change.data!)).toEqual({
      before: { reportRetentionDays: 30 },
      after: { reportRetentionDays: 40 },
    });
    // Recompute from the lines alone: each hash from its fields, each link to the line before in its chain.
    const last = new Map<string | null, { seq: number; hash: string }>();
    for (const e of logged) {
      const fields: StoredAuditEvent = {
        tenant_id: e.tenantId,
        seq: e.seq,
        prev_hash: e.prevHash,
        at: e.at,
        actor_type: e.actorType,
        actor_id: e.actorId,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        ip: e.ip,
        data: e.data,
        hash: e.hash,
      };
      expect(eventHash(fields), `${e.action} #${e.seq}`).toBe(e.hash);
      const before = last.get(e.tenantId);
      expect([e.seq, e.prevHash]).toEqual(before ? [before.seq + 1, before.hash] : [1, GENESIS_HASH]);
      last.set(e.tenantId, { seq: e.seq, hash: e.hash });
    }
  });

  it('logs the events of the changes that opened their own transaction: MFA, a passkey, a federated person', async () => {
    const helper = new Client(t.url);
    await helper.signIn('helper@contoso.example');
    const started = await helper.post('/api/v1/me/mfa/enrollment', {});
    expect(started.status).toBe(200);
    const code = totpAt(started.body.secret as string, Date.now());
    expect((await helper.post('/api/v1/me/mfa/enrollment/confirm', { code })).status).toBe(200);
    const options = await helper.post('/api/v1/me/passkeys/registration', {});
    expect(options.status).toBe(200);
    const answer = new SoftAuthenticator(new URL(t.url).origin).create(options.body as never);
    expect((await helper.post('/api/v1/me/passkeys', { name: 'Work laptop', response: answer })).status).toBe(201);
    const provider = await contosoProvider(t.server.db, 'provider-logged');
    const deps = { db: t.server.db, audit: t.server.audit, clock: systemClock };
    const claims = { sub: 'dana-at-the-idp', email: 'dana.fed@contoso.example', name: 'Dana Federated' };
    await provision(deps, provider, mapClaims(provider, claims), '192.0.2.7');
    await provision(deps, provider, mapClaims(provider, { ...claims, name: 'Dana F.' }), '192.0.2.7');

    const stored = await t.server.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    const logged = events();
    // Every stored event is logged once, these among them.
    expect(logged.map((e) => e.hash).sort()).toEqual(stored.map((e) => e.hash).sort());
    expect(logged.slice(-4).map((e) => e.action)).toEqual([
      'user.mfa_enrolled',
      'user.passkey_added',
      'user.created',
      'user.updated',
    ]);
  });

  it('a federated sign-in takes the chain’s lock after its other writes, just before commit', async () => {
    const statements: string[] = [];
    const recording: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        statements.push(t.server.db.getExecutor().compileQuery(node as RootOperationNode, queryId).sql);
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const db = t.server.db.withPlugin(recording);
    const provider = await contosoProvider(t.server.db, 'provider-locking');
    const claims = { sub: 'erin-at-the-idp', email: 'erin.fed@contoso.example', name: 'Erin Federated' };
    await provision(
      { db, audit: new AuditLog(db, systemClock), clock: systemClock },
      provider,
      mapClaims(provider, claims),
      null,
    );
    // From the chain's lock (PostgreSQL) or its head read on, only the audit insert writes.
    const chain = statements.findIndex((q) => /pg_advisory_xact_lock|from "audit_events"/i.test(q));
    const writes = statements.flatMap((q, i) => (/^\s*(insert|update|delete)/i.test(q) ? [{ i, q }] : []));
    expect(chain).toBeGreaterThan(0);
    expect(writes.filter((w) => w.i > chain).map((w) => w.q.split(' (')[0])).toEqual(['insert into "audit_events"']);
  });

  it('a change whose audit record the database refuses is rolled back and logs nothing', async () => {
    const before = events().length;
    const allow = await refuseAudit(t.server.db, 'tenant.settings_updated');
    try {
      const current = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
      const r = await admin.json('/api/v1/tenant/settings', 'PUT', { ...current, reportRetentionDays: 50 });
      expect(r.status).toBe(500);
    } finally {
      await allow();
    }
    expect(
      ((await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>).reportRetentionDays,
    ).toBe(40);
    expect(
      events()
        .slice(before)
        .some((e) => e.action === 'tenant.settings_updated'),
    ).toBe(false);
  });
});

describe('without AUDIT_TO_LOG (the default)', () => {
  const log = captured();
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, { logger: { stream: log.stream } });
  }, 60_000);
  afterAll(async () => t?.stop());

  it('writes no audit event lines', async () => {
    const admin = new Client(t.url);
    await admin.signIn('admin@contoso.example');
    expect(
      Number(
        (
          await t.server.db
            .selectFrom('audit_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBeGreaterThan(0);
    expect(log.lines().some((l) => l.msg === 'audit event')).toBe(false);
  });
});
