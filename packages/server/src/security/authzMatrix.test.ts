/**
 * The authorization matrix (issue 8): every endpoint of the API contract × Contoso's
 * Administrator, Help Desk Operator, Read Only Operator, a person with no role, a person with
 * a custom role, and Fabrikam's Administrator, over real HTTP with real sign-ins. Each cell's
 * expectation is computed from the contract (`caller`, `permission` all/any, `participant`,
 * `command`) and the roles' grants (`rbac/permissions.ts`, `CUSTOM_ROLE_PERMISSIONS`):
 *
 * - granted → the contract's status and reply shape (a command gets a target made for it, so
 *   success is always possible);
 * - not granted → 403 `forbidden` with the contract's `denied` text, and nothing audited;
 * - another organization's administrator → on this organization's ids, exactly what a missing
 *   one gets (404); without ids, their own organization's answer with nothing of this one in it;
 * - `participant` endpoints → the session's helper and sharer as the rule says; the other side
 *   403 `forbidden`, anyone else 403 `not_participant`;
 * - non-person callers (enrollment token, device, the Remote Help app) → a browser's session
 *   grants nothing, whatever its role; their own credential does.
 *
 * Besides: every cookie command without `x-csrf-token` is refused for every person, and a
 * body naming this organization's group, code or domain is refused to the other one. An
 * endpoint added to the contract without its `API_EXTRAS` entry fails here, by name.
 */
import type { Endpoint, EndpointName, Permission } from '@remote-help/protocol';
import { API, ERROR_CODES, isSchemaResponse } from '@remote-help/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../rbac/permissions.js';
import type { SweepFixture } from './fixture.js';
import { startSweepFixture, tenantOf } from './fixture.js';
import type { PersonActor, RouteRule } from './routeTable.js';
import {
  ACTOR_PERMISSIONS,
  API_ROUTES,
  API_ROUTE_PROBLEMS,
  CUSTOM_ROLE_PERMISSIONS,
  csrfOf,
  satisfies,
} from './routeTable.js';
import type { Reply } from './sweepClient.js';
import { bodyOf, call, fillPath } from './sweepClient.js';

let f: SweepFixture;
beforeAll(async () => {
  f = await startSweepFixture({ agent: true });
}, 60_000);
afterAll(async () => f?.stop());

/** The matrix's people, in column order. `helper` and `sharer` are the two sides of the fixture's sessions. */
const ACTORS: readonly { actor: PersonActor; label: string }[] = [
  { actor: 'admin', label: 'Administrator' },
  { actor: 'helper', label: 'Help Desk Operator (the session’s helper)' },
  { actor: 'readOnly', label: 'Read Only Operator' },
  { actor: 'sharer', label: 'no role (the session’s sharer)' },
  { actor: 'custom', label: `custom role (${CUSTOM_ROLE_PERMISSIONS.join(' + ')})` },
  { actor: 'foreignAdmin', label: 'another organization’s Administrator' },
];

type Expectation =
  /** The contract's status and reply shape. */
  | { kind: 'allowed' }
  /** Another organization's person: their own organization's answer, with nothing of Contoso's in it. */
  | { kind: 'ownTenant' }
  /** A refusal: status, one of `codes`, and exactly `message` when given; nothing audited. */
  | { kind: 'refused'; status: number; codes: readonly string[]; message?: string };

const allowed: Expectation = { kind: 'allowed' };
const refused = (status: number, codes: readonly string[], message?: string): Expectation => ({
  kind: 'refused',
  status,
  codes,
  ...(message === undefined ? {} : { message }),
});

/** What the contract says `actor` gets from `e` (see the module comment). */
function expectationOf(e: Endpoint, rule: RouteRule, actor: PersonActor): Expectation {
  switch (e.caller) {
    case 'public':
      return allowed;
    case 'enrollmentToken':
      // The body carries a well-formed token that was never issued: a session cookie is no token.
      return refused(401, ['enrollment_token_invalid']);
    case 'device':
      return refused(401, ['authentication_required']);
    case 'agent':
    case 'agentAndDevice':
      return refused(403, ['forbidden'], e.callerDenied ?? 'Only the Remote Help app can do this.');
    case 'user':
      break;
  }
  if (e.permission && !satisfies(ACTOR_PERMISSIONS[actor], e.permission)) {
    return refused(403, ['forbidden'], e.permission.denied);
  }
  if (tenantOf(actor) !== 'contoso') return rule.id ? refused(404, [rule.id.foreign]) : { kind: 'ownTenant' };
  if (e.participant) {
    const side = actor === 'helper' ? 'helper' : actor === 'sharer' ? 'sharer' : null;
    if (!side) return refused(403, ['not_participant']);
    if (e.participant !== 'either' && e.participant !== side) return refused(403, ['forbidden']);
  }
  return allowed;
}

/** The expectation in words, for the cell's name. */
function labelOf(e: Endpoint, rule: RouteRule, actor: PersonActor): string {
  const x = expectationOf(e, rule, actor);
  if (x.kind === 'allowed') return `allowed → ${e.status}`;
  if (x.kind === 'ownTenant') return `its own organization’s answer (${e.status}), nothing of this one`;
  return `refused → ${x.status} ${x.codes.join(' | ')}${x.message ? ` “${x.message}”` : ''}`;
}

const summary = (r: Reply) => `${r.status} ${r.text.slice(0, 400)}`;

/** The contract's status and reply: the response schema, 204 with no body, or the raw content type. */
function expectDocumented(e: Endpoint, r: Reply): void {
  expect(r.status, summary(r)).toBe(e.status);
  if (e.response === null) {
    expect(r.text, summary(r)).toBe('');
  } else if (isSchemaResponse(e.response)) {
    const parsed = e.response.safeParse(r.json);
    expect(parsed.success, `${summary(r)}\n${parsed.error?.message ?? ''}`).toBe(true);
  } else {
    expect(r.contentType, summary(r)).toContain(e.response.contentType.replace('*', ''));
  }
}

/** The refusal envelope with one of `codes` (and `message`). */
function expectRefused(x: Extract<Expectation, { kind: 'refused' }>, r: Reply): void {
  expect(r.status, summary(r)).toBe(x.status);
  expect(r.json, summary(r)).toMatchObject({ ok: false });
  expect(ERROR_CODES as readonly unknown[], summary(r)).toContain(r.json?.error);
  expect(x.codes, summary(r)).toContain(r.json?.error);
  if (x.message !== undefined) expect(r.json?.message, summary(r)).toBe(x.message);
}

/** No id, name or domain of Contoso's in a reply to another organization (except what the request itself named). */
function expectNothingOfContoso(r: Reply, sent: string): void {
  const leaked = f.contosoMarks().filter((mark) => r.text.includes(mark) && !sent.includes(mark));
  expect(leaked, `Contoso's ${leaked.join(', ')} in ${summary(r)}`).toEqual([]);
}

/** How many audit events (of one organization, or all): a refused call records nothing. */
async function auditCount(tenantId?: string): Promise<number> {
  let q = f.t.server.db.selectFrom('audit_events').select(sql<number>`count(*)`.as('n'));
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Body placeholders that name something of the caller's organization (a group, a live code, its domain). */
const TENANT_REFERENCES = ['$group', '$code', '{domain}'];
const namesTenantThings = (rule: RouteRule): boolean =>
  TENANT_REFERENCES.some((ref) => JSON.stringify(rule.body ?? {}).includes(ref));

/** One cell: `actor` calls `e`. */
async function runCell(e: Endpoint, rule: RouteRule, actor: PersonActor): Promise<void> {
  const x = expectationOf(e, rule, actor);
  const live = x.kind !== 'refused';
  const target = rule.id ? await f.target(rule.id, live && e.method !== 'GET') : undefined;
  const path = fillPath(rule.url, target?.id ?? '', target?.params);
  const body = await bodyOf(f, rule, { actor, live, ...(target ? { target } : {}) });
  const before = x.kind === 'refused' ? await auditCount() : 0;
  const r = await call(f, actor, e.method, path, { body });
  if (x.kind === 'refused') {
    expectRefused(x, r);
    expect(await auditCount(), `a refused call was audited: ${summary(r)}`).toBe(before);
  } else {
    expectDocumented(e, r);
  }
  if (tenantOf(actor) !== 'contoso') {
    expectNothingOfContoso(r, `${path} ${JSON.stringify(body ?? null)}`);
    if (target && x.kind === 'refused' && x.status === 404) {
      // Exactly what an id that exists nowhere gets (the id itself aside, should a message name it).
      const missing = 'no-such-id-anywhere';
      const m = await call(f, actor, e.method, fillPath(rule.url, missing, target.params), { body });
      expect({ status: m.status, text: m.text.replaceAll(missing, '<id>') }).toEqual({
        status: r.status,
        text: r.text.replaceAll(target.id, '<id>'),
      });
    }
  }
}

/** The call of an endpoint's own non-person caller, which must get through. */
async function runOwnCaller(e: Endpoint, rule: RouteRule): Promise<void> {
  const target = rule.id ? await f.target(rule.id, true) : undefined;
  const path = fillPath(rule.url, target?.id ?? '', target?.params);
  const body = await bodyOf(f, rule, { actor: 'agent', live: true, ...(target ? { target } : {}) });
  let r: Reply;
  switch (e.caller) {
    case 'public':
    case 'enrollmentToken':
      r = await call(f, null, e.method, path, { body });
      break;
    case 'device':
      r = await call(f, null, e.method, path, { body, headers: { authorization: await f.proof(e.method, path) } });
      break;
    case 'agentAndDevice': {
      if (!target?.device) throw new Error(`${e.name}: its id rule gives no device to prove (state: 'launched'?)`);
      const proof = `Device ${await target.device.proof(e.method, path)}`;
      r = await call(f, 'agent', e.method, path, { body, headers: { 'x-device-proof': proof } });
      break;
    }
    case 'agent':
      r = await call(f, 'agent', e.method, path, { body });
      break;
    case 'user':
      throw new Error('a person is a column of the matrix');
  }
  expectDocumented(e, r);
}

const OWN_CALLER: Record<Exclude<Endpoint['caller'], 'user'>, string> = {
  public: 'anyone, signed in or not',
  enrollmentToken: 'a valid enrollment token, no person',
  device: 'the enrolled device with its own proof',
  agentAndDevice: 'the device’s user in the Remote Help app (bearer token + the invited device’s proof)',
  agent: 'a person in the Remote Help app (bearer token)',
};

describe('the matrix itself', () => {
  it('has a column for every built-in role, no role, a custom role and another organization', () => {
    const granted = (a: PersonActor) => [...ACTOR_PERMISSIONS[a]].sort();
    expect(granted('admin')).toEqual([...BUILT_IN_ROLES.administrator].sort());
    expect(granted('helper')).toEqual([...BUILT_IN_ROLES.helpDeskOperator].sort());
    expect(granted('readOnly')).toEqual([...BUILT_IN_ROLES.readOnlyOperator].sort());
    expect(granted('sharer')).toEqual([]);
    expect(Object.values(BUILT_IN_ROLES).map((p) => [...p].sort())).not.toContainEqual(granted('custom'));
    expect(ACTORS.map((a) => tenantOf(a.actor))).toContain('fabrikam');
  });

  it('knows what the server grants each person (GET /api/v1/me)', async () => {
    for (const { actor } of ACTORS) {
      const me = await f.clients[actor].json('/api/v1/me');
      expect([...(me.body.permissions as Permission[])].sort(), actor).toEqual([...ACTOR_PERMISSIONS[actor]].sort());
    }
  });

  it('every endpoint of the contract is in the matrix', () => {
    expect(API_ROUTE_PROBLEMS, 'endpoints without what the matrix needs').toEqual({});
    expect(API_ROUTES.map((r) => r.endpoint).sort()).toEqual(Object.keys(API).sort());
  });

  it('every permission rule is granted to someone and refused to someone (else it is never tested)', () => {
    const untestable = Object.values(API as Record<string, Endpoint>)
      .filter((e) => e.permission)
      .filter((e) => {
        const grants = ACTORS.map(({ actor }) => satisfies(ACTOR_PERMISSIONS[actor], e.permission!));
        return grants.every(Boolean) || !grants.some(Boolean);
      })
      .map((e) => e.name);
    expect(untestable).toEqual([]);
  });
});

for (const name of Object.keys(API) as EndpointName[]) {
  const e = API[name] as Endpoint;
  const rule = API_ROUTES.find((r) => r.endpoint === name);
  describe(`${name}: ${e.method} ${e.path}`, () => {
    const problem =
      API_ROUTE_PROBLEMS[name] ??
      (rule && e.path.includes(':id') && !rule.id
        ? `${name}: its path has :id but API_EXTRAS.${name} has no id rule (which fixture id, what another organization gets)`
        : undefined);
    if (!rule || problem) {
      it('has what the matrix needs', () => {
        throw new Error(problem ?? `${name}: no rule`);
      });
      return;
    }
    for (const { actor, label } of ACTORS) {
      it(`${label} → ${labelOf(e, rule, actor)}`, () => runCell(e, rule, actor));
    }
    if (e.caller !== 'user') {
      it(`${OWN_CALLER[e.caller]} → ${e.status}`, () => runOwnCaller(e, rule));
    }
    if (csrfOf(e) === 'command') {
      it('every signed-in person without x-csrf-token → 403 csrf_failed, nothing audited', async () => {
        const standing = rule.id ? await f.target(rule.id, false) : undefined;
        const path = fillPath(rule.url, standing?.id ?? '', standing?.params);
        for (const { actor } of ACTORS) {
          const before = await auditCount();
          const body = await bodyOf(f, rule, { actor, live: false });
          const r = await call(f, actor, e.method, path, { body, csrf: 'none' });
          expectRefused({ kind: 'refused', status: 403, codes: ['csrf_failed'] }, r);
          expect(await auditCount(), `${actor}: ${summary(r)}`).toBe(before);
        }
      });
    }
    if (e.caller === 'user' && namesTenantThings(rule) && rule.body) {
      it('another organization’s Administrator naming this one’s group, code or domain in the body → refused, nothing made here', async () => {
        const target = rule.id ? await f.target(rule.id, false) : undefined;
        const path = fillPath(rule.url, target?.id ?? '', target?.params);
        // Filled as for Contoso's administrator (live: a real code of Contoso's), sent by Fabrikam's.
        const body = await bodyOf(f, rule, { actor: 'admin', live: true });
        const afterFill = await auditCount(f.tenants.contoso.id);
        const r = await call(f, 'foreignAdmin', e.method, path, { body });
        // ADR 0009: another organization's id is unknown, in a path (404) and inside a body
        // (validation_failed); another organization's code is as invalid as a made-up one.
        const x = rule.id
          ? refused(404, [rule.id.foreign])
          : JSON.stringify(rule.body).includes('$code')
            ? refused(400, ['code_invalid'])
            : refused(400, ['validation_failed']);
        expectRefused(x as Extract<Expectation, { kind: 'refused' }>, r);
        expectNothingOfContoso(r, `${path} ${JSON.stringify(body)}`);
        expect(await auditCount(f.tenants.contoso.id), summary(r)).toBe(afterFill);
      });
    }
  });
}
