/**
 * The embedded provider stores nothing big for a visitor nobody knows, and not without end, each
 * against a real server: pushed authorization requests are off, every parameter and the whole
 * query are short (`invalid_request` before anything is stored), form bodies are small, and one
 * address (an IPv6 /64) starts a bounded number of authorizations and sign-outs. The clock is
 * simulated and stands still: the tests count rows, never time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_REQUESTS_ADDRESS } from '../ratelimit/policies.js';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import {
  MAX_BODY_LENGTH,
  MAX_PARAMETER_LENGTH,
  MAX_QUERY_LENGTH,
  queryProblem,
  startsSomething,
} from './oidcRequestGuard.js';

const clock = { t: Date.UTC(2027, 5, 1, 9, 0, 0), now: () => clock.t };
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ TRUST_PROXY: 'loopback' }, { clock });
});
afterAll(async () => t?.stop());

/** Rows of the provider's storage, by model. */
async function rows(): Promise<Record<string, number>> {
  const found = await t.server.db
    .selectFrom('oidc_payloads')
    .select(['model', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('model')
    .execute();
  return Object.fromEntries(found.map((r) => [r.model, Number(r.n)]));
}
const stored = async (): Promise<number> => Object.values(await rows()).reduce((a, b) => a + b, 0);

/** The agent's authorization request (public client, PKCE), with `extra` parameters. */
function agentAuthorization(extra: Record<string, string> = {}): URLSearchParams {
  const verifier = randomBytes(32).toString('base64url');
  return new URLSearchParams({
    client_id: 'remote-help-agent',
    redirect_uri: 'http://127.0.0.1:5555/callback',
    response_type: 'code',
    scope: 'openid email profile offline_access',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(32).toString('base64url'),
    prompt: 'login consent',
    ...extra,
  });
}

/** `GET /oidc/auth?…` as seen from `ip`; returns the status and the body (not followed). */
async function authorize(query: URLSearchParams | string, ip = '198.51.100.1') {
  const response = await fetch(`${t.url}/oidc/auth?${query.toString()}`, {
    redirect: 'manual',
    headers: { 'x-forwarded-for': ip },
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

describe('parameters the provider would store', () => {
  it('refuses an oversized state, nonce, redirect_uri, login hint or query with invalid_request, and stores nothing', async () => {
    const before = await stored();
    const long = 'x'.repeat(MAX_PARAMETER_LENGTH + 1);
    for (const name of ['state', 'nonce', 'redirect_uri', 'login_hint', 'ui_locales', 'claims', 'rh_app']) {
      const refused = await authorize(agentAuthorization({ [name]: long }));
      expect(refused.status, name).toBe(400);
      expect(refused.body).toContain(`${name} is too long`);
    }
    // Many parameters, each short: the query as a whole.
    const many = agentAuthorization();
    for (let i = 0; many.toString().length <= MAX_QUERY_LENGTH; i++) many.set(`p${i}`, 'y'.repeat(500));
    const whole = await authorize(many);
    expect(whole.status).toBe(400);
    expect(whole.body).toContain('the query is too long');
    // The review's request: a 12,000-character state and a 2,000-character nonce.
    expect((await authorize(agentAuthorization({ state: 's'.repeat(12_000), nonce: 'n'.repeat(2000) }))).status).toBe(
      400,
    );
    expect(await stored()).toBe(before);
  });

  it('refuses a long state at sign-out too, and stores no session for it', async () => {
    const before = await rows();
    const response = await fetch(`${t.url}/oidc/session/end?state=${'s'.repeat(MAX_PARAMETER_LENGTH + 1)}`, {
      headers: { 'x-forwarded-for': '198.51.100.2' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('state is too long');
    expect(await rows()).toEqual(before);
  });

  it('keeps a session nobody signed in to (a sign-out) as briefly as an interaction, a signed-in one 12 hours', async () => {
    const sessions = async () =>
      (await t.server.db.selectFrom('oidc_payloads').select('payload').where('model', '=', 'Session').execute()).map(
        (r) => JSON.parse(r.payload) as { iat: number; exp: number; accountId?: string },
      );
    const before = (await sessions()).filter((s) => !s.accountId).length;
    const signOut = await fetch(`${t.url}/oidc/session/end?client_id=remote-help-web&state=abc`, {
      headers: { 'x-forwarded-for': '198.51.100.5' },
    });
    expect(signOut.status).toBe(200);
    await signOut.arrayBuffer();
    const anonymous = (await sessions()).filter((s) => !s.accountId);
    expect(anonymous).toHaveLength(before + 1);
    expect(anonymous.every((s) => s.exp - s.iat <= 601)).toBe(true);
    await new Client(t.url).signIn('helper@contoso.example');
    const signedIn = (await sessions()).filter((s) => s.accountId);
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]!.exp - signedIn[0]!.iat).toBeGreaterThanOrEqual(12 * 3600 - 1);
  });

  it('refuses a form body over the cap or without a length at the token endpoint', async () => {
    // A code exchange of the agent (public client): without the guard, invalid_grant (no such code).
    const exchange = (code: string) =>
      new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'remote-help-agent',
        redirect_uri: 'http://127.0.0.1:5555/callback',
        code_verifier: 'v'.repeat(43),
        code,
      });
    const token = (body: BodyInit) =>
      fetch(`${t.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        duplex: 'half',
      } as RequestInit);
    const small = await token(exchange('c'.repeat(43)));
    expect(small.status).toBe(400);
    expect(await small.json()).toMatchObject({ error: 'invalid_grant' });
    const big = await token(exchange('c'.repeat(MAX_BODY_LENGTH)));
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/too large/),
    });
    const streamed = await token(new Blob([exchange('c'.repeat(43)).toString()]).stream());
    expect(streamed.status).toBe(400);
    expect(await streamed.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/Content-Length/),
    });
  });

  it('lets our own clients through with their real parameters, a 254-character login hint included', async () => {
    const before = (await rows()).Interaction ?? 0;
    const agent = await authorize(agentAuthorization({ max_age: '0' }), '198.51.100.3');
    expect(agent.status).toBe(303);
    expect(agent.headers.get('location')).toMatch(/\/signin\//);
    // The web app: `/auth/login` builds the request (state, nonce, PKCE, login hint, language, app).
    const hint = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.example`;
    expect(hint).toHaveLength(254);
    const web = new Client(t.url);
    const page = await web.follow(`/auth/login?returnTo=/help&ui_locales=de&login_hint=${encodeURIComponent(hint)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="csrf"');
    expect((await rows()).Interaction).toBe(before + 2);
  });
});

describe('pushed authorization requests', () => {
  it('are off: the endpoint is gone, not advertised, and stores nothing', async () => {
    const before = await stored();
    const response = await fetch(`${t.url}/oidc/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.4' },
      body: agentAuthorization(),
    });
    expect(response.status).toBe(404);
    await response.arrayBuffer();
    const discovery = (await (await fetch(`${t.url}/oidc/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.pushed_authorization_request_endpoint).toBeUndefined();
    expect(discovery.authorization_endpoint).toBe(`${t.url}/oidc/auth`);
    // A request_uri cannot stand in for pushed parameters either.
    const byReference = await authorize(
      new URLSearchParams({ client_id: 'remote-help-agent', request_uri: 'urn:ietf:params:oauth:request_uri:x' }),
      '198.51.100.4',
    );
    expect(byReference.status).toBeGreaterThanOrEqual(300);
    expect(await stored()).toBe(before);
  });
});

describe('authorizations one address may start', () => {
  it('starts the budget’s worth from one address, then a 429 page with Retry-After and no more rows', async () => {
    const ip = '203.0.113.50';
    const before = (await rows()).Interaction ?? 0;
    for (let i = 0; i < PROVIDER_REQUESTS_ADDRESS.freeAttempts; i++) {
      expect((await authorize(agentAuthorization(), ip)).status).toBe(303);
    }
    expect((await rows()).Interaction).toBe(before + PROVIDER_REQUESTS_ADDRESS.freeAttempts);
    const refused = await authorize(agentAuthorization(), ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toContain('Too many attempts');
    // Sign-outs share the budget.
    const signOut = await fetch(`${t.url}/oidc/session/end`, { headers: { 'x-forwarded-for': ip } });
    expect(signOut.status).toBe(429);
    await signOut.arrayBuffer();
    expect((await rows()).Interaction).toBe(before + PROVIDER_REQUESTS_ADDRESS.freeAttempts);
    // Another address is not affected.
    expect((await authorize(agentAuthorization(), '203.0.113.51')).status).toBe(303);
  });

  it('counts every address of one IPv6 /64 under one budget, and an IPv4-mapped address as IPv4', async () => {
    const before = (await rows()).Interaction ?? 0;
    const statuses: number[] = [];
    for (let i = 0; i <= PROVIDER_REQUESTS_ADDRESS.freeAttempts; i++) {
      statuses.push((await authorize(agentAuthorization(), `2001:db8:5:6:${(i + 1).toString(16)}::1`)).status);
    }
    expect(statuses.filter((s) => s === 303)).toHaveLength(PROVIDER_REQUESTS_ADDRESS.freeAttempts);
    expect(statuses.at(-1)).toBe(429);
    expect((await rows()).Interaction).toBe(before + PROVIDER_REQUESTS_ADDRESS.freeAttempts);
    // The next /64 has a budget of its own.
    expect((await authorize(agentAuthorization(), '2001:db8:5:7::1')).status).toBe(303);
    // 203.0.113.50 spent its budget above, whichever way it is written.
    expect((await authorize(agentAuthorization(), '::ffff:203.0.113.50')).status).toBe(429);
  });
});

describe('the guard’s rules', () => {
  it('measures decoded values and the raw query', () => {
    expect(queryProblem(`state=${'%41'.repeat(MAX_PARAMETER_LENGTH)}`)).toBeUndefined();
    expect(queryProblem(`state=${'%41'.repeat(MAX_PARAMETER_LENGTH + 1)}`)).toContain('state is too long');
    expect(queryProblem(`id_token_hint=${'e'.repeat(2000)}`)).toBeUndefined();
    expect(queryProblem('a=1&'.repeat(MAX_QUERY_LENGTH / 4 + 1))).toContain('query is too long');
  });

  it('counts the authorization endpoint and sign-out as the provider’s router matches them, not the resume', () => {
    for (const path of ['/auth', '/AUTH', '/auth/', '/Session/End', '/session/end/'])
      expect(startsSomething(path)).toBe(true);
    for (const path of ['/auth/abc', '/session/end/confirm', '/token', '/request', '/authx']) {
      expect(startsSomething(path)).toBe(false);
    }
  });
});
