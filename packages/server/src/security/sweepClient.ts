/**
 * @module security/sweepClient
 * One HTTP call of the sweeps as a given caller (anonymous, a signed-in browser, the agent),
 * with exactly the headers a case asks for; the concrete path and body of a route for a
 * caller (the fixture fills `:id` and the body's placeholders); and the check that a refusal
 * is the protocol's error envelope with a code from the closed set.
 */
import { ERROR_CODES } from '@remote-help/protocol';
import { exportJWK, generateKeyPair } from 'jose';
import { expect } from 'vitest';
import { totpAt } from '../identity/mfa/totp.js';
import { DEMO_PASSWORD } from '../test/harness.js';
import { SoftAuthenticator } from '../test/softAuthenticator.js';
import type { SweepFixture, Target } from './fixture.js';
import { INVENTORY, PICTURE_BASE64 } from './fixture.js';
import type { Actor, RouteRule } from './routeTable.js';

export interface CallOptions {
  /** JSON-encoded unless a string (then sent as is with content-type application/json). */
  body?: unknown;
  /** The CSRF header: the caller's own token (default), none, or someone else's. */
  csrf?: 'own' | 'none' | 'other';
  origin?: string;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
  contentType: string;
}

/** Calls `method path` as `who` (null = nobody: no cookie, no token). */
export async function call(
  f: SweepFixture,
  who: Actor | null,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.origin) headers.origin = o.origin;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = {
    method,
    headers,
    ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
  };
  let response: Response;
  if (who === null) {
    response = await fetch(new URL(path, f.url), { ...init, redirect: 'manual' });
  } else if (who === 'agent') {
    headers.authorization ??= `Bearer ${f.agentToken}`;
    response = await fetch(new URL(path, f.url), { ...init, redirect: 'manual' });
  } else {
    const client = f.clients[who];
    const csrf = o.csrf ?? 'own';
    if (csrf === 'own') headers['x-csrf-token'] = client.csrf;
    if (csrf === 'other') headers['x-csrf-token'] = (who === 'admin' ? f.clients.helper : f.clients.admin).csrf;
    response = await client.raw(path, init);
  }
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, contentType: response.headers.get('content-type') ?? '' };
}

/** A refusal: this status, the envelope `{ ok:false, error, message }`, this code. */
export function expectRefusal(reply: Reply, status: number, code: string): void {
  const summary = `${reply.status} ${reply.text.slice(0, 300)}`;
  expect(reply.status, summary).toBe(status);
  expect(reply.json, summary).toBeDefined();
  const body = reply.json as Record<string, unknown>;
  expect(body.ok, summary).toBe(false);
  expect(ERROR_CODES as readonly unknown[], summary).toContain(body.error);
  expect(typeof body.message, summary).toBe('string');
  expect(body.error, summary).toBe(code);
}

/** The origin of `url` under the other scheme (http ⇄ https), same host and port. */
export function otherScheme(url: string): string {
  const u = new URL(url);
  return `${u.protocol === 'https:' ? 'http' : 'https'}://${u.host}`;
}

/** `url` with `:id` → `id`, other parameters (`:providerId`) → `params`, `:uid` and `*` → something plausible. */
export function fillPath(url: string, id: string, params: Readonly<Record<string, string>> = {}): string {
  const named = Object.entries(params).reduce((u, [name, value]) => u.replace(`:${name}`, value), url);
  return named
    .replace(':id', id)
    .replace(':uid', 'no-such-interaction')
    .replace('/assets/*', '/assets/app-abc123.js')
    .replace('*', 'deep/link');
}

/** The standing thing a rule's `:id` names (the fixture's session when the rule says nothing). */
export async function standingTarget(f: SweepFixture, rule: RouteRule): Promise<Target> {
  return rule.id ? f.target(rule.id, false) : { id: f.sessionId };
}

/** The path of a rule aimed at its standing target (or at `id`). */
export async function pathOf(f: SweepFixture, rule: RouteRule, id?: string): Promise<string> {
  if (!rule.url.includes(':id')) return fillPath(rule.url, '');
  const standing = await standingTarget(f, rule);
  return fillPath(rule.url, id ?? standing.id, standing.params);
}

/**
 * Who sends a body, and whether the call is meant to get through: a live call gets live codes
 * and tokens (made in the caller's organization), any other gets well-formed made-up ones.
 */
export interface BodyContext {
  actor: Actor;
  live: boolean;
  target?: Target;
}

const MADE_UP_CODE = '0000 0000';
const MADE_UP_ENROLLMENT_TOKEN = `rhe_${'x'.repeat(43)}`;

/** A rule's example body (`API_EXTRAS`) with its placeholders filled for `ctx` (see `ApiExtras`). */
export async function bodyOf(f: SweepFixture, rule: RouteRule, ctx: BodyContext): Promise<unknown> {
  if (!rule.body) return undefined;
  const tenant = f.tenants[f.tenantOf(ctx.actor)];
  const fill = async (value: unknown): Promise<unknown> => {
    if (Array.isArray(value)) return Promise.all(value.map(fill));
    if (value && typeof value === 'object') {
      const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await fill(v)] as const));
      return Object.fromEntries(entries);
    }
    if (typeof value !== 'string') return value;
    switch (value) {
      case '$group':
        return tenant.spareGroup;
      case '$device':
        return ctx.target?.device?.id ?? f.deviceId;
      case '$inventory':
        return INVENTORY;
      case '$picture':
        return PICTURE_BASE64;
      case '$publicKey': {
        const jwk = await exportJWK((await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })).publicKey);
        return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
      }
      case '$code':
        return ctx.live ? f.liveCode(ctx.actor) : MADE_UP_CODE;
      case '$enrollmentToken':
        return ctx.live ? f.liveEnrollmentToken() : MADE_UP_ENROLLMENT_TOKEN;
      case '$password':
        return ctx.live ? DEMO_PASSWORD : 'not the right password';
      case '$totp':
        return ctx.live ? liveTotp(f, ctx.actor) : '000000';
      case '$passkeyRegistration':
        return ctx.live ? livePasskeyRegistration(f, ctx.actor) : madeUpPasskeyRegistration(f);
      case '$self': {
        // The caller's own id (for What if, which names a person of the caller's organization).
        if (ctx.actor === 'agent') return 'agent-self';
        const me = await f.clients[ctx.actor].json('/api/v1/me');
        return (me.body.user as { id: string }).id;
      }
      case '$passkey':
        return ctx.live ? livePasskey(f, ctx.actor) : 'no-such-passkey';
    }
    if (value.startsWith('$')) throw new Error(`${rule.endpoint ?? rule.url}: unknown body placeholder ${value}`);
    return value.replaceAll('{unique}', randomToken()).replaceAll('{domain}', tenant.domain);
  };
  return fill(rule.body);
}

/** Starts an authenticator setup for `actor` and answers the code the app would show now. */
async function liveTotp(f: SweepFixture, actor: Actor): Promise<string> {
  const client = actor === 'agent' ? undefined : f.clients[actor];
  if (!client) throw new Error(`$totp: ${actor} has no browser`);
  const r = await client.post('/api/v1/me/mfa/enrollment', {});
  if (r.status !== 200) throw new Error(`$totp: enrollment → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  return totpAt(r.body.secret as string, Date.now());
}

/** A software authenticator's answer to a registration just started for `actor`. */
async function livePasskeyRegistration(f: SweepFixture, actor: Actor): Promise<unknown> {
  const client = actor === 'agent' ? undefined : f.clients[actor];
  if (!client) throw new Error(`$passkeyRegistration: ${actor} has no browser`);
  const r = await client.post('/api/v1/me/passkeys/registration', { password: DEMO_PASSWORD });
  if (r.status !== 200)
    throw new Error(`$passkeyRegistration: start → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  return new SoftAuthenticator(new URL(f.url).origin).create(r.body as never);
}

/** A well-formed answer to a challenge nobody issued. */
function madeUpPasskeyRegistration(f: SweepFixture): unknown {
  const challenge = Buffer.alloc(32, 7).toString('base64url');
  return new SoftAuthenticator(new URL(f.url).origin).create({ challenge, rp: {}, user: { id: 'nobody' } });
}

/** Adds a passkey for `actor` and answers its id. */
async function livePasskey(f: SweepFixture, actor: Actor): Promise<string> {
  const client = actor === 'agent' ? undefined : f.clients[actor];
  if (!client) throw new Error(`$passkey: ${actor} has no browser`);
  const response = await livePasskeyRegistration(f, actor);
  const r = await client.post('/api/v1/me/passkeys', { name: `Sweep ${randomToken()}`, response });
  if (r.status !== 201) throw new Error(`$passkey: add → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  return r.body.id as string;
}

let counter = 0;
const randomToken = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;
