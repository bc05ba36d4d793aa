/**
 * Integration: U+0000 in a request is a typed 400 on both engines, never a 500 and never stored.
 * PostgreSQL refuses the character in text (ADR 0020), so with `TEST_DATABASE=postgres` these are
 * the requests that failed inside the database before the guard: searches that reach `ILIKE`,
 * free text that reaches an `INSERT`, the sign-in form's email that reaches a `WHERE`, an OIDC
 * code the embedded IdP looks up. Every route is swept as well. A device's inventory stays the
 * exception: the server normalises it (the device-abuse tests show it).
 */
import type { Endpoint } from '@remote-help/protocol';
import { API } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';
import { AppError } from '../errors.js';
import { MAX_WALKED, nulPath } from './nulGuard.js';

let t: TestServer;
let admin: Client;
beforeAll(async () => {
  t = await startTestServer();
  admin = new Client(t.url);
  await admin.signIn('admin@contoso.example');
});
afterAll(async () => {
  await t?.stop();
});

const count = async (table: 'users' | 'rbac_groups') =>
  Number(
    (
      await t.server.db
        .selectFrom(table)
        .select((e) => e.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('nulPath', () => {
  it('finds U+0000 in strings, nested members, array items and keys, and nothing elsewhere', () => {
    expect(nulPath('a\u0000')).toEqual([]);
    expect(nulPath({ a: [{ b: 'x' }, { c: 'y\u0000' }] })).toEqual(['a', '1', 'c']);
    expect(nulPath({ 'k\u0000': 1 })).toEqual(['k\uFFFD']);
    expect(nulPath({ a: 'fine', b: [1, null, true], c: Buffer.from([0]) })).toBeNull();
  });

  it('skips the members it is told to, and only at the top', () => {
    const skip = new Set(['inventory']);
    expect(nulPath({ inventory: { serial: 'a\u0000' } }, skip)).toBeNull();
    expect(nulPath({ a: { inventory: 'a\u0000' } }, skip)).toEqual(['a', 'inventory']);
  });

  it('looks at no more than MAX_WALKED elements: past them, payload_too_large (the walk cannot take long)', () => {
    const refusal = (value: unknown) => {
      try {
        nulPath(value);
      } catch (error) {
        return error instanceof AppError ? { code: error.code, status: error.status } : error;
      }
      return null;
    };
    expect(refusal(new Array(MAX_WALKED).fill(0))).toEqual({ code: 'payload_too_large', status: 413 });
    expect(refusal(Object.fromEntries(Array.from({ length: MAX_WALKED / 2 }, (_, i) => [`k${i}`, 0])))).toEqual({
      code: 'payload_too_large',
      status: 413,
    });
    expect(refusal(new Array(MAX_WALKED / 2).fill('fine'))).toBeNull();
  });
});

describe('U+0000 in a request', () => {
  it('in a search → 400 validation_failed naming the field', async () => {
    for (const path of ['/api/v1/devices?search=a%00b', '/api/v1/users?search=%00']) {
      const r = await admin.json(path);
      expect(r.status, path).toBe(400);
      expect(r.body).toMatchObject({
        error: 'validation_failed',
        data: { issues: [{ path: 'query.search', message: 'must not contain U+0000' }] },
      });
    }
  });

  it('in free text of a command → 400, nothing created', async () => {
    const users = await count('users');
    const person = await admin.post('/api/v1/users', {
      email: 'nul@contoso.example',
      displayName: 'Null',
      jobTitle: 'Engineer\u0000',
    });
    expect(person.status).toBe(400);
    expect(person.body).toMatchObject({ error: 'validation_failed', data: { issues: [{ path: 'body.jobTitle' }] } });
    expect(await count('users')).toBe(users);
    const groups = await count('rbac_groups');
    const group = await admin.post('/api/v1/groups', { name: 'Help\u0000Desk', kind: 'user' });
    expect(group).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(await count('rbac_groups')).toBe(groups);
  });

  it('in the sign-in form’s email → 400, and the next sign-in works', async () => {
    const browser = new Client(t.url);
    const form = await browser.follow('/auth/login?returnTo=/help&login_hint=helper%40contoso.example');
    const html = await form.text();
    const action = /action="([^"]+)"/.exec(html)![1]!.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const refused = await browser.raw(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'helper@contoso.example\u0000', password: 'x', csrf }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'validation_failed' });
    await browser.signIn('helper@contoso.example');
    expect((await browser.json('/api/v1/me')).status).toBe(200);
  });

  it('in an OIDC code or refresh token the embedded IdP looks up → its own 400 invalid_grant, not a server error', async () => {
    // The native agent's public client (no secret): the grant is looked up in the database first thing.
    const grants: Record<string, string>[] = [
      { grant_type: 'authorization_code', code: `${'a'.repeat(42)}\u0000`, code_verifier: 'v'.repeat(43) },
      { grant_type: 'refresh_token', refresh_token: `${'r'.repeat(42)}\u0000` },
    ];
    for (const grant of grants) {
      const token = await fetch(`${t.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          ...grant,
          client_id: 'remote-help-agent',
          redirect_uri: 'http://127.0.0.1/callback',
        }),
      });
      expect(token.status, grant.grant_type).toBe(400);
      expect(await token.json()).toMatchObject({ error: 'invalid_grant' });
    }
  });

  it('in a device’s inventory → normalised and stored, as before', async () => {
    const device = await enrollDevice(t.url, admin);
    const padded = { ...TEST_INVENTORY, serial: 'C02XK1\u0000\u0000\u0000', model: 'Mac\u0000Book' };
    expect((await device.checkIn(padded)).status).toBe(200);
    const seen = (await admin.json(`/api/v1/devices/${device.id}`)).body as { inventory: Record<string, unknown> };
    expect(seen.inventory).toMatchObject({ serial: 'C02XK1', model: 'MacBook' });
  });

  it('on every route: a NUL in the query or the JSON body is a 400, never a 500', async () => {
    const failures: string[] = [];
    // An endpoint for a caller the administrator's cookie is not (a device, the agent) refuses it from
    // the request's head, before the query or the body is looked at (`endpoint.ts`).
    const notForCookie = (method: string, url: string) =>
      Object.values(API).some(
        (e: Endpoint) =>
          e.method === method && e.path === url && ['device', 'agent', 'agentAndDevice'].includes(e.caller),
      );
    // Signing out last: were it let through, the rest would only say 401.
    const last = (url: string) => Number(url === '/auth/logout');
    for (const { method, url } of [...t.server.routes].sort((a, b) => last(a.url) - last(b.url))) {
      if (url.includes('*') || url === '/api/v1/ws' || url.endsWith('/ws')) continue;
      const path = url.replace(/:[A-Za-z]+/g, 'x');
      // As the administrator's own page would send it (CSRF token, our Origin), so that commands get past
      // their checks to the point where the NUL would reach the database.
      const headers = { 'x-csrf-token': admin.csrf, origin: t.url };
      const init: RequestInit = { method, headers };
      if (method !== 'GET' && method !== 'DELETE') {
        init.body = JSON.stringify({ text: 'a\u0000' });
        init.headers = { ...headers, 'content-type': 'application/json' };
      }
      const inQuery = await admin.raw(`${path}?q=%00`, init.body ? { ...init, body: '{}' } : init);
      const inBody = init.body ? await admin.raw(path, init) : null;
      for (const [where, r] of [
        ['query', inQuery],
        ['body', inBody],
      ] as const) {
        if (!r) continue;
        await r.arrayBuffer();
        const expected = notForCookie(method, url) ? [401, 403] : [400];
        if (!expected.includes(r.status)) failures.push(`${method} ${url} (NUL in the ${where}) → ${r.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
