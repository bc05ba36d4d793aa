/**
 * Sign-in limits through the real server and the real OIDC sign-in form: attempts are reserved
 * before the password is verified (parallel requests cannot all be verified), a browser that
 * signed in before keeps its own budget, a success clears the address, and blocks survive a
 * restart. The clock is simulated and stands still unless a test moves it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_ACCOUNT, SIGN_IN_ADDRESS } from '../ratelimit/policies.js';
import { testDatabase } from '../test/database.js';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';

const clock = { t: Date.now(), now: () => clock.t };
const PROXY = { TRUST_PROXY: 'loopback' };
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(PROXY, { clock });
});
afterAll(async () => t?.stop());

/** Opens the IdP's sign-in form in `client` (as seen from `ip`) and returns how to submit it. */
async function openForm(client: Client, ip: string) {
  const form = await client.follow('/auth/login?returnTo=/help', { headers: { 'x-forwarded-for': ip } });
  const html = await form.text();
  const action = /action="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !csrf) throw new Error(`no sign-in form (status ${form.status})`);
  return (email: string, password: string) =>
    client.raw(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
      body: new URLSearchParams({ email, password, csrf }),
    });
}

/** One complete sign-in attempt from a browser (`client`) at `ip`; returns the form's status (303: signed in). */
async function trySignIn(client: Client, email: string, password: string, ip: string): Promise<number> {
  const submit = await openForm(client, ip);
  const response = await submit(email, password);
  await response.arrayBuffer();
  return response.status;
}

/** How many wrong passwords for `email` were actually verified (each writes one `signin.failed`). */
async function verifiedFailures(server: TestServer, email: string): Promise<number> {
  const rows = await server.server.db
    .selectFrom('audit_events')
    .select('data')
    .where('action', '=', 'signin.failed')
    .execute();
  return rows.filter((r) => (JSON.parse(r.data ?? '{}') as { email?: string }).email === email).length;
}

describe('sign-in attempts are reserved before the password is verified', () => {
  it('verifies at most the free budget of 100 parallel wrong passwords for one account', async () => {
    const email = 'helper@contoso.example';
    const submit = await openForm(new Client(t.url), '203.0.113.10');
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => submit(email, `wrong-${i}`)));
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const verified = await verifiedFailures(t, email);
    console.info(`[finding 2] 100 parallel wrong passwords: ${verified} verified`);
    expect(verified).toBe(SIGN_IN_ACCOUNT.freeAttempts);
    expect(responses.filter((r) => r.status === 401)).toHaveLength(SIGN_IN_ACCOUNT.freeAttempts);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(100 - SIGN_IN_ACCOUNT.freeAttempts);
  });

  it('does not sign in a burst that contains the right password once the budget is spent', async () => {
    const email = 'sharer@contoso.example';
    const ip = '203.0.113.11';
    const submit = await openForm(new Client(t.url), ip);
    for (let i = 0; i < SIGN_IN_ACCOUNT.freeAttempts; i++) expect((await submit(email, `wrong-${i}`)).status).toBe(401);
    const burst = Array.from({ length: 100 }, (_, i) => (i === 50 ? DEMO_PASSWORD : `wrong-again-${i}`));
    const responses = await Promise.all(burst.map((password) => submit(email, password)));
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    expect(responses.filter((r) => r.status === 303)).toHaveLength(0);
    expect(responses.every((r) => r.status === 429)).toBe(true);
    expect(await verifiedFailures(t, email)).toBe(SIGN_IN_ACCOUNT.freeAttempts);
  });
});

describe('nobody can lock an owner out', () => {
  it('keeps a budget of its own for a browser that signed in before (device cookie)', async () => {
    const email = 'helper@fabrikam.example';
    const owner = new Client(t.url);
    expect(await trySignIn(owner, email, DEMO_PASSWORD, '192.0.2.1')).toBe(303);
    // 16 wrong passwords, each from a new address.
    for (let i = 0; i < 16; i++) await trySignIn(new Client(t.url), email, `guess-${i}`, `198.51.100.${i + 1}`);
    // A browser never seen before is slowed down for this account ...
    expect(await trySignIn(new Client(t.url), email, DEMO_PASSWORD, '192.0.2.2')).toBe(429);
    // ... but its owner's browser is not, from anywhere.
    expect(await trySignIn(owner, email, DEMO_PASSWORD, '192.0.2.3')).toBe(303);
    expect([...owner.cookies.keys()]).toContain('rh_device');
    // Its own budget: a few mistypes there do not lock it either.
    expect(await trySignIn(owner, email, 'typo', '192.0.2.3')).toBe(401);
    expect(await trySignIn(owner, email, DEMO_PASSWORD, '192.0.2.3')).toBe(303);
  });

  it('does not block an address for a correct sign-in after failures for unknown accounts, and a success clears it', async () => {
    const ip = '203.0.113.20';
    for (let i = 0; i < 6; i++)
      expect(await trySignIn(new Client(t.url), `nobody${i}@contoso.example`, 'x', ip)).toBe(401);
    expect(await trySignIn(new Client(t.url), 'admin@contoso.example', DEMO_PASSWORD, ip)).toBe(303);
    // The success cleared the address: its whole free budget is there again.
    const statuses: number[] = [];
    for (let i = 0; i < SIGN_IN_ADDRESS.freeAttempts; i++) {
      statuses.push(await trySignIn(new Client(t.url), `again${i}@contoso.example`, 'x', ip));
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
    // Spent now: a new browser waits (at most a minute), a browser that signed in before does not.
    expect(await trySignIn(new Client(t.url), 'admin@contoso.example', DEMO_PASSWORD, ip)).toBe(429);
    const known = new Client(t.url);
    expect(await trySignIn(known, 'admin@contoso.example', DEMO_PASSWORD, '203.0.113.21')).toBe(303);
    expect(await trySignIn(known, 'admin@contoso.example', DEMO_PASSWORD, ip)).toBe(303);
  });
});

describe('the address comes first, and an IPv6 /64 is one address', () => {
  /** Opens the form with `ip` on every request (a proxy forwards it on each), so the provider counts it there too. */
  async function openFormFrom(client: Client, ip: string) {
    const headers = { 'x-forwarded-for': ip };
    let response = await client.raw('/auth/login?returnTo=/help', { headers });
    for (let i = 0; i < 6 && response.status === 303; i++) {
      response = await client.raw(response.headers.get('location')!, { headers });
    }
    const html = await response.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !csrf) throw new Error(`no sign-in form (status ${response.status})`);
    return async (email: string, from = ip) => {
      const r = await client.raw(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
        body: new URLSearchParams({ email, password: 'wrong', csrf }),
      });
      await r.arrayBuffer();
      return r.status;
    };
  }
  const rowsLike = async (pattern: string) =>
    Number(
      (
        await t.server.db
          .selectFrom('rate_limits')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('key', 'like', pattern)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('leaves no account count for attempts an address over its budget made with made-up emails', async () => {
    const submit = await openFormFrom(new Client(t.url), '203.0.113.40');
    const statuses: number[] = [];
    for (let i = 0; i < SIGN_IN_ADDRESS.freeAttempts + 30; i++)
      statuses.push(await submit(`spray${i}@nowhere.example`));
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_IN_ADDRESS.freeAttempts);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    // One count for the address, one per account actually tried; none for the refused ones.
    expect(await rowsLike('login:email:spray%')).toBe(SIGN_IN_ADDRESS.freeAttempts);
    expect(await rowsLike('login:ip:203.0.113.40')).toBe(1);
  });

  it('counts every address of one IPv6 /64 under one budget (and IPv4 written as IPv6 as IPv4)', async () => {
    const submit = await openFormFrom(new Client(t.url), '2001:db8:7:8::1');
    const statuses: number[] = [];
    for (let i = 0; i < SIGN_IN_ADDRESS.freeAttempts + 10; i++) {
      // A new address of the same /64 for every attempt, as a rotating client would.
      const ip = `2001:db8:7:8:${((i * 7919 + 1) & 0xffff).toString(16)}:${(i + 1).toString(16)}:0:${(i + 2).toString(16)}`;
      statuses.push(await submit(`rotate${i}@nowhere.example`, ip));
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_IN_ADDRESS.freeAttempts);
    expect(statuses.slice(SIGN_IN_ADDRESS.freeAttempts).every((s) => s === 429)).toBe(true);
    expect(await verifiedFailures(t, `rotate${SIGN_IN_ADDRESS.freeAttempts}@nowhere.example`)).toBe(0);
    expect(await rowsLike('login:email:rotate%')).toBe(SIGN_IN_ADDRESS.freeAttempts);
    expect(await rowsLike('login:ip:2001:db8:7:8::/64')).toBe(1);
    // The next /64 is someone else.
    expect(await submit('rotate-next@nowhere.example', '2001:db8:7:9::1')).toBe(401);
    // 203.0.113.40 spent its budget above, however the socket writes it.
    expect(await submit('mapped@nowhere.example', '::ffff:203.0.113.40')).toBe(429);
    expect(await submit('mapped@nowhere.example', '::ffff:cb00:7128')).toBe(429);
    expect(await rowsLike('login:email:mapped%')).toBe(0);
  });
});

describe('blocks survive a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rh-restart-'));
  const database = testDatabase(dir, 'keep.db');
  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('still refuses an account whose budget was spent before the restart', async () => {
    const env = { ...PROXY, DATABASE_URL: database.url };
    const email = 'sharer@fabrikam.example';
    const ip = '203.0.113.30';
    const first = await startTestServer(env, { clock });
    try {
      for (let i = 0; i < SIGN_IN_ACCOUNT.freeAttempts; i++) {
        expect(await trySignIn(new Client(first.url), email, `wrong-${i}`, ip)).toBe(401);
      }
      expect(await trySignIn(new Client(first.url), email, DEMO_PASSWORD, ip)).toBe(429);
    } finally {
      await first.stop();
    }
    const second = await startTestServer(env, { clock });
    try {
      expect(await trySignIn(new Client(second.url), email, DEMO_PASSWORD, ip)).toBe(429);
      clock.t += 1000;
      expect(await trySignIn(new Client(second.url), email, DEMO_PASSWORD, ip)).toBe(303);
    } finally {
      await second.stop();
    }
  });
});
