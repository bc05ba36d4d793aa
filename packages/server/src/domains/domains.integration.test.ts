/**
 * Integration (issue 9, item 3): domains verified by DNS, on the real server, whose resolver
 * (`DNS_SERVERS`) is a real DNS server this test starts on 127.0.0.1 (UDP, a free port) and
 * whose TXT answers it controls. An administrator adds a domain and gets the record to publish;
 * the right value verifies it; a missing record, a wrong value, SERVFAIL and a silent server
 * (timeout) are refused with their own errors and change nothing (row, audit); a domain another
 * organization verified is refused. The trust screen's payload says "verified" only for a DNS
 * proof and "asserted" for the demo's domain; people are added (by an administrator, or just in
 * time by federation) only in a domain the organization holds; removal is refused while people
 * use the domain. Strict names: IDNA to punycode, no wildcard, no single label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderRecord } from '../identity/federation/service.js';
import { FederationError, provision } from '../identity/federation/jit.js';
import { parseDnsServers } from '../config.js';
import type { TestDnsServer } from '../test/dnsServer.js';
import { startDnsServer } from '../test/dnsServer.js';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';

let dns: TestDnsServer;
let t: TestServer;
let admin: Client;
let contoso = '';
let fabrikam = '';

interface DomainView {
  domain: string;
  status: 'pending' | 'verified';
  proof: 'dns' | 'asserted' | null;
  txtRecord: { name: string; value: string } | null;
  verifiedAt: string | null;
  users: number;
}

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};
const row = (tenantId: string, domain: string) =>
  t.server.db
    .selectFrom('tenant_domains')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('domain', '=', domain)
    .executeTakeFirst();
const auditCount = async () => (await t.server.audit.list(contoso, 10_000)).length;

async function add(domain: string): Promise<DomainView> {
  const r = await admin.post('/api/v1/domains', { domain });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.domain as DomainView;
}
const verify = (domain: string) => admin.post(`/api/v1/domains/${domain}/verify`, {});

/** A refused verification: its status and code, and nothing changed (the row as it was, no audit event). */
async function expectRefused(domain: string, status: number, error: string): Promise<Record<string, unknown>> {
  const before = await row(contoso, domain);
  const events = await auditCount();
  const r = await verify(domain);
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toMatchObject({ ok: false, error });
  expect(await row(contoso, domain)).toEqual(before);
  expect(await auditCount()).toBe(events);
  return r.body;
}

beforeAll(async () => {
  dns = await startDnsServer();
  t = await startTestServer({ DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: '700' });
  admin = await signedIn('admin@contoso.example');
  contoso = ((await admin.json('/api/v1/me')).body.tenant as { id: string }).id;
  fabrikam = (
    await t.server.db.selectFrom('tenants').select('id').where('slug', '=', 'fabrikam').executeTakeFirstOrThrow()
  ).id;
}, 60_000);
afterAll(async () => {
  await t?.stop();
  await dns?.stop();
});

describe('adding a domain', () => {
  it('answers the TXT record to publish; the domain is pending and audited', async () => {
    const d = await add('Proof-Ok.Example');
    expect(d).toMatchObject({ domain: 'proof-ok.example', status: 'pending', proof: null, verifiedAt: null });
    expect(d.txtRecord?.name).toBe('_remote-help.proof-ok.example');
    expect(d.txtRecord?.value).toMatch(/^remote-help-verification=[A-Za-z0-9_-]{32}$/);
    const events = await t.server.audit.list(contoso, 50);
    expect(events.find((e) => e.action === 'domain.added' && e.target_id === 'proof-ok.example')).toBeDefined();
    const list = (await admin.json('/api/v1/domains')).body.domains as DomainView[];
    expect(list.map((x) => [x.domain, x.status, x.proof])).toEqual([
      ['contoso.example', 'verified', 'asserted'],
      ['proof-ok.example', 'pending', null],
    ]);
  });

  it('turns international names into punycode and refuses what is not a public domain name', async () => {
    expect((await add('Bücher.example')).domain).toBe('xn--bcher-kva.example');
    for (const bad of [
      '*.contoso.example',
      'localhost',
      'intranet',
      'printer.local',
      '10.0.0.1',
      'a..b',
      'x.y/z',
      '',
    ]) {
      const r = await admin.post('/api/v1/domains', { domain: bad });
      expect(r.status, bad).toBe(400);
      expect(r.body.error, bad).toBe('validation_failed');
    }
    expect((await admin.post('/api/v1/domains', { domain: 'proof-ok.example' })).body.error).toBe('conflict');
  });

  it('refuses a domain another organization verified, and adds nothing', async () => {
    const now = new Date().toISOString();
    await t.server.db
      .insertInto('tenant_domains')
      .values({
        tenant_id: fabrikam,
        domain: 'fabrikam-owned.example',
        method: 'dns',
        verified_at: now,
        created_at: now,
      })
      .execute();
    const r = await admin.post('/api/v1/domains', { domain: 'fabrikam-owned.example' });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('domain_taken');
    expect(await row(contoso, 'fabrikam-owned.example')).toBeUndefined();
  });
});

describe('verifying through the DNS server', () => {
  it('refuses a missing record (no name, or no TXT at it), and changes nothing', async () => {
    const d = await add('proof-missing.example');
    const body = await expectRefused(d.domain, 422, 'dns_record_missing');
    expect(body.data).toMatchObject({ name: '_remote-help.proof-missing.example' });
    expect(dns.queries).toContain('TXT _remote-help.proof-missing.example');
    dns.table.set('_remote-help.proof-missing.example', 'nodata');
    await expectRefused(d.domain, 422, 'dns_record_missing');
  });

  it('refuses a wrong value, naming what it found', async () => {
    const d = await add('proof-wrong.example');
    dns.table.set(d.txtRecord!.name, {
      txt: ['v=spf1 -all', 'remote-help-verification=somebody-elses-value'],
    });
    const body = await expectRefused(d.domain, 422, 'dns_record_mismatch');
    expect(body.data).toMatchObject({
      expected: d.txtRecord!.value,
      found: ['remote-help-verification=somebody-elses-value'],
    });
  });

  it('refuses SERVFAIL and REFUSED as lookup failures with the reason', async () => {
    const d = await add('proof-servfail.example');
    dns.table.set(d.txtRecord!.name, 'servfail');
    expect((await expectRefused(d.domain, 502, 'dns_lookup_failed')).data).toMatchObject({ reason: 'servfail' });
    dns.table.set(d.txtRecord!.name, 'refused');
    expect((await expectRefused(d.domain, 502, 'dns_lookup_failed')).data).toMatchObject({ reason: 'refused' });
  });

  it('refuses a silent server as a timeout', async () => {
    const d = await add('proof-silent.example');
    dns.table.set(d.txtRecord!.name, 'silent');
    const asked = dns.queries.length;
    expect((await expectRefused(d.domain, 504, 'dns_timeout')).data).toMatchObject({ timeoutMs: 700 });
    expect(dns.queries.slice(asked)).toContain('TXT _remote-help.proof-silent.example');
  });

  it('verifies the right value (among other records, split in chunks), records `dns` and audits it', async () => {
    const d = await add('proof-ok2.example');
    // Longer than one 255-byte character string: the resolver's chunks are joined before comparing.
    dns.table.set(d.txtRecord!.name, { txt: ['google-site-verification=abc', d.txtRecord!.value, 'x'.repeat(300)] });
    const r = await verify(d.domain);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.domain).toMatchObject({ domain: 'proof-ok2.example', status: 'verified', proof: 'dns' });
    expect(await row(contoso, d.domain)).toMatchObject({ method: 'dns', txt_value: d.txtRecord!.value });
    const events = await t.server.audit.list(contoso, 50);
    expect(events.find((e) => e.action === 'domain.verified' && e.target_id === d.domain)).toBeDefined();
    // Verified stays verified: the record may go once it did its work.
    dns.table.delete(d.txtRecord!.name);
    expect((await verify(d.domain)).body.domain).toMatchObject({ status: 'verified', proof: 'dns' });
  });

  it('refuses a domain another organization verified while this one was pending', async () => {
    const d = await add('proof-race.example');
    dns.table.set(d.txtRecord!.name, { txt: [d.txtRecord!.value] });
    const now = new Date().toISOString();
    await t.server.db
      .insertInto('tenant_domains')
      .values({ tenant_id: fabrikam, domain: d.domain, method: 'dns', verified_at: now, created_at: now })
      .execute();
    await expectRefused(d.domain, 409, 'domain_taken');
  });

  it('is the organization’s own: another organization’s domain is not found, another role is forbidden', async () => {
    const r = await admin.post('/api/v1/domains/fabrikam-owned.example/verify', {});
    expect(r.status).toBe(404);
    const helper = await signedIn('helper@contoso.example');
    const refused = await helper.post('/api/v1/domains', { domain: 'helper-tries.example' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('forbidden');
    expect((await helper.json('/api/v1/domains')).status).toBe(403);
  });
});

describe('people and trust screens', () => {
  it('adds people only in a domain the organization holds', async () => {
    const pending = await admin.post('/api/v1/users', {
      email: 'someone@proof-wrong.example',
      displayName: 'Pending Domain',
      password: DEMO_PASSWORD,
    });
    expect(pending.status).toBe(400);
    expect(pending.body).toMatchObject({ error: 'validation_failed', data: { field: 'email' } });
    const made = await admin.post('/api/v1/users', {
      email: 'lee@proof-ok2.example',
      displayName: 'Lee Verified',
      password: DEMO_PASSWORD,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
  });

  it('shows "verified" only for a DNS proof, "asserted" for the demo’s domain', async () => {
    const helper = await signedIn('helper@contoso.example');
    const sharer = await signedIn('lee@proof-ok2.example');
    const created = await helper.post('/api/v1/sessions', {});
    const joined = await sharer.post('/api/v1/sessions/redeem', { code: created.body.code });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    const view = (await helper.json(`/api/v1/sessions/${(created.body.session as { id: string }).id}`)).body
      .session as Record<string, Record<string, unknown>>;
    expect(view.helper).toMatchObject({ verifiedDomain: null, assertedDomain: 'contoso.example' });
    expect(view.sharer).toMatchObject({ verifiedDomain: 'proof-ok2.example', assertedDomain: null });
    expect((await sharer.json('/api/v1/me')).body.user).toMatchObject({ verifiedDomain: 'proof-ok2.example' });
  });

  it('refuses to remove a domain people use; removes an unused one, after which nobody is added there', async () => {
    const inUse = await admin.json('/api/v1/domains/proof-ok2.example', 'DELETE');
    expect(inUse.status).toBe(409);
    expect(inUse.body).toMatchObject({ error: 'conflict', data: { users: 1 } });
    expect(await row(contoso, 'proof-ok2.example')).toBeDefined();

    const d = await add('proof-gone.example');
    dns.table.set(d.txtRecord!.name, { txt: [d.txtRecord!.value] });
    expect((await verify(d.domain)).status).toBe(200);
    expect((await admin.json('/api/v1/domains/proof-gone.example', 'DELETE')).status).toBe(204);
    expect(await row(contoso, 'proof-gone.example')).toBeUndefined();
    const events = await t.server.audit.list(contoso, 50);
    expect(events.find((e) => e.action === 'domain.removed' && e.target_id === 'proof-gone.example')).toBeDefined();
    const refused = await admin.post('/api/v1/users', {
      email: 'late@proof-gone.example',
      displayName: 'Too Late',
      password: DEMO_PASSWORD,
    });
    expect(refused.status).toBe(400);
  });

  it('just-in-time federation creates nobody in a domain the organization no longer holds', async () => {
    const saved = await admin.post('/api/v1/identity-providers', {
      name: 'Org IdP',
      issuer: 'https://login.example.com/jit/v2.0',
      clientId: 'c',
      domains: ['proof-ok2.example'],
      enabled: false,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    // The provider as sign-in reads it, naming a domain the organization no longer holds. The API refuses
    // to remove a domain a provider names; this is the check behind that, at the moment of sign-in.
    const provider: ProviderRecord = {
      id: (saved.body.provider as { id: string }).id,
      tenantId: contoso,
      name: 'Org IdP',
      issuer: 'https://login.example.com/jit/v2.0',
      clientId: 'c',
      clientSecret: null,
      hasClientSecret: false,
      scopes: ['openid'],
      claims: { displayName: 'name', email: 'email', jobTitle: '', company: '', photoUrl: '', groups: 'groups' },
      domains: ['proof-gone.example', 'proof-ok2.example'],
      groupMappings: [],
      matchGroupsByName: false,
      countProviderMfa: true,
      enabled: true,
      createdAt: '',
      updatedAt: '',
    };
    const deps = { db: t.server.db, audit: t.server.audit, clock: { now: () => Date.now() } };
    const claims = (email: string) => ({
      subject: `sub-${email}`,
      email,
      displayName: 'Jit Person',
      jobTitle: null,
      company: null,
      photoUrl: null,
      groups: [],
    });
    const refusal = await provision(deps, provider, claims('jit@proof-gone.example'), null).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(FederationError);
    expect((refusal as FederationError).code).toBe('federation_email_outside_domains');
    expect(
      await t.server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'jit@proof-gone.example')
        .executeTakeFirst(),
    ).toBeUndefined();
    // The same provider still provisions people of a domain the organization holds.
    expect(await provision(deps, provider, claims('jit@proof-ok2.example'), null)).toMatch(/\S/);
  });
});

describe('DNS_SERVERS', () => {
  it('takes addresses with optional ports, and refuses anything else by name', () => {
    expect(parseDnsServers(undefined)).toBeNull();
    expect(parseDnsServers('127.0.0.1:5353, 192.0.2.53,[::1]:53,2001:db8::53')).toEqual([
      '127.0.0.1:5353',
      '192.0.2.53',
      '[::1]:53',
      '2001:db8::53',
    ]);
    for (const bad of ['dns.example', '127.0.0.1:0', '127.0.0.1:70000', '[::1]', '1.2.3.4:53:1'])
      expect(() => parseDnsServers(bad), bad).toThrow(/DNS_SERVERS/);
  });
});
