/**
 * Integration: the server's JSON log, captured at debug level while people sign in, create
 * and redeem a session and call the API with credentials. Lines carry the request id and,
 * once known, the tenant, user and session ids; no password, cookie, bearer token, OIDC
 * code or security code appears anywhere in the output.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import { redactUrl } from './logging.js';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ LOG_LEVEL: 'debug' }, { logger: { stream: capture } });
});
afterAll(async () => t?.stop());

const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

it('logs JSON with request, tenant, user and session ids, and none of the secrets that passed', async () => {
  const helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
  const sharer = new Client(t.url);
  await sharer.signIn('sharer@contoso.example');
  const { code, session } = (await helper.post('/api/v1/sessions')).body as { code: string; session: { id: string } };
  expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
  expect((await helper.json(`/api/v1/sessions/${session.id}`)).status).toBe(200);
  const bearer = 'bearer-value-that-must-not-be-logged';
  await fetch(`${t.url}/api/v1/me`, { headers: { authorization: `Bearer ${bearer}` } });
  // A careless line that hands the logger credentials is blanked too.
  t.server.app.log.info(
    {
      req: { headers: { authorization: `Bearer ${bearer}`, cookie: `rh_session=${helper.cookies.get('rh_session')}` } },
      password: DEMO_PASSWORD,
      user: { password: DEMO_PASSWORD, token: bearer },
      body: { code },
    },
    'careless line',
  );

  const all = entries();
  expect(all.length).toBeGreaterThan(10);
  const me = t.server.db;
  const helperRow = await me
    .selectFrom('users')
    .select(['id', 'tenant_id'])
    .where('email', '=', 'helper@contoso.example')
    .executeTakeFirstOrThrow();
  const withContext = all.find((e) => e.tenantId === helperRow.tenant_id && e.userId === helperRow.id && e.reqId);
  expect(withContext).toBeDefined();
  expect(all.some((e) => e.sessionId === session.id && e.tenantId === helperRow.tenant_id)).toBe(true);
  // The OIDC callback's authorization code reached the log only as [redacted].
  const callback = all.find(
    (e) =>
      typeof (e.req as { url?: string } | undefined)?.url === 'string' &&
      /[?&]code=/.test((e.req as { url: string }).url),
  );
  expect(callback).toBeDefined();
  expect((callback!.req as { url: string }).url).toMatch(/code=\[redacted\]/);

  const careless = all.find((e) => e.msg === 'careless line')!;
  expect(careless).toMatchObject({
    req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
    password: '[redacted]',
    user: { password: '[redacted]', token: '[redacted]' },
    body: { code: '[redacted]' },
  });

  const text = lines.join('\n');
  for (const secret of [
    DEMO_PASSWORD,
    bearer,
    code,
    helper.cookies.get('rh_session')!,
    sharer.cookies.get('rh_session')!,
  ])
    expect(text).not.toContain(secret);
});

it('blanks secret query parameters in logged URLs and keeps the rest', () => {
  expect(redactUrl('/auth/callback?code=abc&state=xyz&iss=https%3A%2F%2Fx')).toBe(
    '/auth/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fx',
  );
  expect(redactUrl('/help?login_hint=a%40b')).toBe('/help?login_hint=a%40b');
  expect(redactUrl('/x?id_token_hint=eyJ&lang=de')).toBe('/x?id_token_hint=[redacted]&lang=de');
});
