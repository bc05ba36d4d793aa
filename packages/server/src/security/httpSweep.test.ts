/**
 * Authorization sweep over real HTTP: the server's own route registry is compared with
 * `ROUTES` (a route without an entry fails), and for every entry the negative cases its
 * access rule implies are generated and sent: no or forged credentials, CSRF, malformed
 * input, device proofs. Every refusal must be the protocol's error envelope with the
 * documented code; nothing may answer 5xx. Who may call what (roles, organizations, the
 * session's sides) is `authzMatrix.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepFixture } from './fixture.js';
import { INVENTORY, forgerKey, startSweepFixture } from './fixture.js';
import { API } from '@remote-help/protocol';
import type { Actor, RouteRule } from './routeTable.js';
import { API_EXTRAS, API_ROUTES, API_ROUTE_PROBLEMS, ROUTES, routeKey } from './routeTable.js';
import { bodyOf as exampleBody, call, expectRefusal, otherScheme, pathOf as standingPath } from './sweepClient.js';

let f: SweepFixture;
beforeAll(async () => {
  f = await startSweepFixture({ agent: true });
}, 60_000);
afterAll(async () => f?.stop());

const EVIL_ORIGIN = 'https://evil.example';

/** The concrete path of a rule: `:id` → the fixture's standing id (or `id`). */
const pathOf = (rule: RouteRule, id?: string): Promise<string> => standingPath(f, rule, id);

/** The body a rule's valid request carries (made-up codes and tokens: no case here is meant to get through). */
const bodyOf = (rule: RouteRule): Promise<Record<string, unknown> | undefined> =>
  exampleBody(f, rule, { actor: allowedActor(rule), live: false }) as Promise<Record<string, unknown> | undefined>;

/** Someone the rule lets in (so a refusal is about the one thing a case changes). */
function allowedActor(rule: RouteRule): Actor {
  const a = rule.access;
  if (a.kind === 'permission') return a.as;
  if (a.kind === 'participant') return a.role === 'sharer' ? 'sharer' : 'helper';
  if (a.kind === 'agentAndDevice') return 'agent';
  return 'helper';
}

interface Case {
  name: string;
  run(): Promise<void>;
}

function casesFor(rule: RouteRule): Case[] {
  const { method } = rule;
  const a = rule.access;
  const cases: Case[] = [];
  const add = (name: string, run: () => Promise<void>) => cases.push({ name, run });
  const body = () => bodyOf(rule);
  const signedInRoute = a.kind === 'user' || a.kind === 'permission' || a.kind === 'participant';

  // Nobody.
  if (a.kind === 'public') {
    add(`anonymous → ${a.anonymous} (${a.why})`, async () => {
      const r = await call(f, null, method, await pathOf(rule));
      expect(r.status, r.text.slice(0, 200)).toBe(a.anonymous);
    });
  } else if (a.kind === 'websocket') {
    add(`plain GET without an upgrade → ${a.plainGet}, never 5xx`, async () => {
      const r = await call(f, null, method, await pathOf(rule));
      expect(r.status).toBe(a.plainGet);
    });
  } else if (a.kind === 'enrollmentToken') {
    add('no body → 400 validation_failed', async () =>
      expectRefusal(await call(f, null, method, await pathOf(rule), { body: {} }), 400, 'validation_failed'),
    );
    add('a made-up token → 401 enrollment_token_invalid', async () => {
      const r = await call(f, null, method, await pathOf(rule), {
        body: {
          token: `rhe_${'x'.repeat(43)}`,
          publicKey: { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) },
          inventory: INVENTORY,
        },
      });
      expectRefusal(r, 401, 'enrollment_token_invalid');
    });
  } else {
    add('no credentials → 401 authentication_required', async () =>
      expectRefusal(
        await call(f, null, method, await pathOf(rule), { body: await body() }),
        401,
        'authentication_required',
      ),
    );
  }
  if (signedInRoute) {
    add('a forged session cookie → 401 authentication_required', async () => {
      const r = await call(f, null, method, await pathOf(rule), {
        body: await body(),
        headers: { cookie: 'rh_session=forged' },
      });
      expectRefusal(r, 401, 'authentication_required');
    });
  }
  if (a.kind === 'agentAndDevice') {
    add('a forged bearer token → 401 authentication_required', async () => {
      const r = await call(f, null, method, await pathOf(rule), {
        body: await body(),
        headers: { authorization: 'Bearer forged', 'x-device-proof': await f.proof(method, await pathOf(rule)) },
      });
      expectRefusal(r, 401, 'authentication_required');
    });
  }

  // CSRF: a cookie caller who may otherwise do this.
  if (rule.csrf === 'command') {
    const who: Actor = a.kind === 'public' ? 'foreignHelper' : allowedActor(rule);
    add(`${who} without x-csrf-token → 403 csrf_failed`, async () =>
      expectRefusal(
        await call(f, who, method, await pathOf(rule), { body: await body(), csrf: 'none' }),
        403,
        'csrf_failed',
      ),
    );
    add(`${who} with another session's CSRF token → 403 csrf_failed`, async () =>
      expectRefusal(
        await call(f, who, method, await pathOf(rule), { body: await body(), csrf: 'other' }),
        403,
        'csrf_failed',
      ),
    );
    add(`${who} from a foreign Origin → 403 csrf_failed`, async () =>
      expectRefusal(
        await call(f, who, method, await pathOf(rule), { body: await body(), origin: EVIL_ORIGIN }),
        403,
        'csrf_failed',
      ),
    );
    // Same host and port, another scheme: a page served at http:// must not pass for https:// (N1).
    add(`${who} from our host under another scheme → 403 csrf_failed`, async () =>
      expectRefusal(
        await call(f, who, method, await pathOf(rule), { body: await body(), origin: otherScheme(f.url) }),
        403,
        'csrf_failed',
      ),
    );
  }

  // Malformed input from someone allowed.
  if (rule.url.includes(':id')) {
    // A domain's :id is its name, so `bad.id` is well-formed there; an underscore never is.
    const bad = rule.id?.of === 'user' ? 'x'.repeat(65) : rule.id?.of === 'domain' ? 'bad_id.example' : 'bad.id';
    add(`a malformed :id (${bad.slice(0, 8)}…) → 400 validation_failed`, async () => {
      const headers: Record<string, string> =
        a.kind === 'agentAndDevice' ? { 'x-device-proof': await f.proof(method, await pathOf(rule, bad)) } : {};
      const r = await call(f, allowedActor(rule), method, await pathOf(rule, bad), { body: await body(), headers });
      expectRefusal(r, 400, 'validation_failed');
    });
  }
  if (rule.body && method === 'POST' && a.kind !== 'deviceProof') {
    add('an unexpected field in the body → 400 validation_failed', async () => {
      const headers: Record<string, string> =
        a.kind === 'agentAndDevice' ? { 'x-device-proof': await f.proof(method, await pathOf(rule)) } : {};
      const r = await call(f, allowedActor(rule), method, await pathOf(rule), {
        body: { ...(await body()), unexpected: true },
        headers,
      });
      expectRefusal(r, 400, 'validation_failed');
    });
  }
  if (method === 'POST' && a.kind !== 'public') {
    // From someone allowed, a device's proof included: without it the request is refused from its head,
    // before its body is read (`http/endpoint.ts`).
    add('a body that is not JSON → 400 bad_request', async () => {
      const path = await pathOf(rule);
      const headers: Record<string, string> =
        a.kind === 'deviceProof'
          ? { authorization: await f.proof(method, path) }
          : a.kind === 'agentAndDevice'
            ? { 'x-device-proof': await f.proof(method, path) }
            : {};
      const who = a.kind === 'deviceProof' ? null : allowedActor(rule);
      expectRefusal(await call(f, who, method, path, { body: '{"oops', headers }), 400, 'bad_request');
    });
  }

  // Device proofs.
  if (a.kind === 'deviceProof' || a.kind === 'agentAndDevice') {
    const header = a.kind === 'deviceProof' ? 'authorization' : 'x-device-proof';
    const who: Actor | null = a.kind === 'deviceProof' ? null : 'agent';
    // A session that does not exist: a proof that gets through is refused later without side effects.
    const target = () => (a.kind === 'agentAndDevice' ? pathOf(rule, 'no-such-session') : pathOf(rule));
    const send = async (proof: string | undefined) =>
      call(f, who, method, await target(), { body: await body(), headers: proof ? { [header]: proof } : {} });
    if (a.kind === 'agentAndDevice') {
      add('no device proof → 401 authentication_required', async () =>
        expectRefusal(await send(undefined), 401, 'authentication_required'),
      );
    }
    add('a proof signed with another key → 401 authentication_required', async () =>
      expectRefusal(
        await send(await f.proof(method, await target(), { key: await forgerKey() })),
        401,
        'authentication_required',
      ),
    );
    add('a proof made for another request → 401 authentication_required', async () =>
      expectRefusal(await send(await f.proof(method, '/api/v1/devices/elsewhere')), 401, 'authentication_required'),
    );
    add('a proof naming an unknown device → 401 authentication_required', async () =>
      expectRefusal(
        await send(await f.proof(method, await target(), { sub: 'no-such-device' })),
        401,
        'authentication_required',
      ),
    );
    add('a replayed proof → 401 authentication_required', async () => {
      const proof = await f.proof(method, await target());
      const first = await send(proof);
      expect(first.status, first.text).toBeLessThan(500);
      expect(first.status, first.text).not.toBe(401);
      expectRefusal(await send(proof), 401, 'authentication_required');
    });
    if (a.kind === 'agentAndDevice') {
      add("a valid proof for a device other than the body's → 403 forbidden", async () => {
        const r = await call(f, 'agent', method, await target(), {
          body: { deviceId: 'some-other-device' },
          headers: { [header]: await f.proof(method, await target()) },
        });
        expectRefusal(r, 403, 'forbidden');
      });
    }
  }
  return cases;
}

describe('the route table covers the server', () => {
  it('has an entry for every route the server registers', () => {
    const table = new Set(ROUTES.map(routeKey));
    const missing = f.t.server.routes.map(routeKey).filter((k) => !table.has(k));
    expect(missing, 'routes without an entry in security/routeTable.ts').toEqual([]);
  });

  it('names no route the server does not register', () => {
    const registered = new Set(f.t.server.routes.map(routeKey));
    expect(ROUTES.map(routeKey).filter((k) => !registered.has(k))).toEqual([]);
  });

  it('has test extras for every endpoint of the contract, and none for anything else', () => {
    expect(API_ROUTE_PROBLEMS, 'endpoints the sweep cannot sweep yet').toEqual({});
    expect(Object.keys(API_EXTRAS).sort()).toEqual(Object.keys(API).sort());
    expect(API_ROUTES.map((r) => r.endpoint).sort()).toEqual(Object.keys(API).sort());
  });

  it('has one entry per route', () => {
    const keys = ROUTES.map(routeKey);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
});

for (const rule of ROUTES) {
  describe(routeKey(rule), () => {
    for (const c of casesFor(rule)) it(c.name, () => c.run());
  });
}

describe('tenant isolation beyond path ids', () => {
  it("another tenant's live code looks exactly like a made-up one", async () => {
    const offered = await f.clients.helper.post('/api/v1/sessions', {});
    const code = offered.body.code as string;
    const foreign = await call(f, 'foreignHelper', 'POST', '/api/v1/sessions/redeem', { body: { code } });
    expectRefusal(foreign, 400, 'code_invalid');
    const madeUp = await call(f, 'foreignHelper', 'POST', '/api/v1/sessions/redeem', {
      body: { code: code === '12345678' ? '87654321' : '12345678' },
    });
    expectRefusal(madeUp, 400, 'code_invalid');
    expect(foreign.json?.message).toBe(madeUp.json?.message);
    // Nor does the foreign tenant's own audit log tell the two apart: its readers would
    // learn which guesses hit another organization's live code.
    const audit = await call(f, 'foreignAdmin', 'GET', '/api/v1/audit?action=session.code_rejected&limit=10');
    expect(audit.status).toBe(200);
    const rejected = (audit.json as { events: { data: unknown }[] }).events.slice(0, 2).map((e) => e.data);
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toEqual(rejected[1]);
    // The code still works for its own tenant: the foreign attempt did not burn it.
    expect((await f.clients.sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
  });

  it("lists show nothing of another tenant's sessions or devices", async () => {
    const sessions = await call(f, 'foreignHelper', 'GET', '/api/v1/sessions');
    expect(sessions.status).toBe(200);
    expect(sessions.text).not.toContain(f.sessionId);
    const devices = await call(f, 'foreignHelper', 'GET', '/api/v1/devices');
    expect(devices.status).toBe(200);
    expect(devices.text).not.toContain(f.deviceId);
    // …while the same lists in Contoso do show them (the case can fail).
    expect((await call(f, 'helper', 'GET', '/api/v1/devices')).text).toContain(f.deviceId);
  });
});
