/**
 * @module http/endpoint
 * Registers `/api` routes from the contract (`@remote-help/protocol` `API`). For every
 * endpoint, in this order: resolve the caller its `caller` kind needs (session cookie or
 * bearer token, device proof), CSRF + Origin for commands, the contract's permission
 * (`can()`), then params, query and body parsed with the contract's schemas (typed
 * `validation_failed` errors). The domain handler gets typed input and returns the reply;
 * the status comes from the contract. Participant rules are the domain's (they need the session).
 *
 * Everything up to the permission needs only the request's head, so it runs in the route's
 * `onRequest` hook (after `registerAuth` has resolved the caller): a request the endpoint
 * refuses (no caller, the wrong kind of caller, no CSRF token, no permission) is answered
 * before a byte of its body is read or parsed. The body that is read is counted as it
 * streams in (`bodyBudget`): no more JSON elements than the body schema can accept.
 */
import type { Api, CallerKind, Endpoint, EndpointName, InputOf, OutputOf, PermissionRule } from '@remote-help/protocol';
import { API, isSchemaResponse, parseWith } from '@remote-help/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DeviceRow } from '../devices/repo.js';
import { errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { assertCsrf, requirePrincipal } from './auth.js';
import { jsonElementBudget, maxJsonElements } from './bodyBudget.js';

/** The caller a kind resolves to. */
export type CallerOf<C extends CallerKind> = C extends 'user' | 'agent'
  ? { principal: Principal; device: null }
  : C extends 'agentAndDevice'
    ? { principal: Principal; device: DeviceRow }
    : C extends 'device'
      ? { principal: null; device: DeviceRow }
      : { principal: null; device: null };

type KindOf<E> = E extends { caller: infer C } ? C : CallerKind;

/** What a handler gets: the parsed input, the resolved caller, and the raw request and reply. */
export type HandlerContext<E> = InputOf<E> &
  CallerOf<KindOf<E> & CallerKind> & { request: FastifyRequest; reply: FastifyReply };

/** A domain handler: for raw replies (pictures) it sends on `reply` itself and returns it. */
export type Handler<E> = (
  context: HandlerContext<E>,
) => OutputOf<E> extends undefined ? Promise<void> : Promise<OutputOf<E> | FastifyReply>;

/** A route file's table: endpoint name → handler. */
export type Handlers<K extends EndpointName> = { [N in K]: Handler<Api[N]> };

export interface EndpointDeps {
  /** Our origin, for the Origin check of commands. */
  publicOrigin: string;
  /** Verifies a device proof (`Authorization: Device …` or `x-device-proof`) for this request. */
  verifyDevice?: (request: FastifyRequest, header: string | undefined) => Promise<DeviceRow>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Conditional access for the admin center (`identity/conditionalAccess`), decorated on the
     * root instance: called for every endpoint whose permission is an administrator's.
     */
    adminAccessGate?: (principal: Principal) => Promise<void>;
  }
}

/** Permissions only the admin center's pages use: an endpoint that needs one is part of the admin center. */
const ADMIN_PERMISSIONS: ReadonlySet<string> = new Set([
  'settings.manage',
  'policies.manage',
  'users.manage',
  'roles.manage',
  'devices.manage',
  'reports.read',
  'audit.read',
]);

/** True when an endpoint's rule names an administrator's permission (conditional access treats it as the admin center). */
export const isAdminRule = (rule: PermissionRule): boolean =>
  [...(rule.all ?? []), ...(rule.any ?? [])].some((p) => ADMIN_PERMISSIONS.has(p));

/** True when the principal's role satisfies the rule. */
export function permits(principal: Principal, rule: PermissionRule): boolean {
  return (
    (rule.all ?? []).every((p) => can(principal, p)) && (!rule.any?.length || rule.any.some((p) => can(principal, p)))
  );
}

/** The person calling, for the kinds that need one (no await: a device proof is checked separately). */
function personOf(e: Endpoint, request: FastifyRequest): Principal | null {
  if (e.caller === 'public' || e.caller === 'enrollmentToken' || e.caller === 'device') return null;
  const principal = requirePrincipal(request);
  if (e.caller !== 'user' && principal.client !== 'agent')
    throw errors.forbidden(e.callerDenied ?? 'Only the Remote Help app can do this.');
  return principal;
}

/** The device header a kind needs: `Authorization: Device …`, or `x-device-proof` beside a bearer token. */
function deviceHeaderOf(e: Endpoint, request: FastifyRequest): string | undefined | null {
  const header =
    e.caller === 'device'
      ? request.headers.authorization
      : e.caller === 'agentAndDevice'
        ? request.headers['x-device-proof']
        : null;
  if (header === null) return null;
  return typeof header === 'string' ? header : undefined;
}

/** The caller `onRequest` resolved for a request, for its handler. */
const callers = new WeakMap<FastifyRequest, { principal: Principal | null; device: DeviceRow | null }>();

/** The smallest element budget of a body (see `registerEndpoint`). */
export const MIN_BODY_ELEMENTS = 64;

/** Methods whose body Fastify never reads. */
const BODILESS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** Registers one endpoint with its handler. */
export function registerEndpoint<E extends Endpoint>(
  app: FastifyInstance,
  e: E,
  deps: EndpointDeps,
  handler: Handler<E>,
): void {
  // Who is calling and may they: from the head of the request alone, before its body is read.
  const admit = async (request: FastifyRequest) => {
    const principal = personOf(e, request);
    const deviceHeader = deviceHeaderOf(e, request);
    let device: DeviceRow | null = null;
    if (deviceHeader !== null) {
      if (!deps.verifyDevice) throw new Error(`${e.name}: no device verifier`);
      device = await deps.verifyDevice(request, deviceHeader);
    }
    if (e.command && principal && (e.caller === 'user' || e.caller === 'agent')) assertCsrf(request, deps.publicOrigin);
    if (e.permission && !(principal && permits(principal, e.permission))) throw errors.forbidden(e.permission.denied);
    if (principal && e.permission && isAdminRule(e.permission)) await request.server.adminAccessGate?.(principal);
    callers.set(request, { principal, device });
  };
  // What the body may hold: the schema's bound (at least a few dozen elements, so that a body a
  // little off still gets its precise `validation_failed`), never more than a body of the
  // default limit can hold at all.
  const fallback = Math.ceil((app.initialConfig.bodyLimit ?? 1024 * 1024) / 2);
  const budget = Math.min(Math.max(e.body ? maxJsonElements(e.body) : fallback, MIN_BODY_ELEMENTS), fallback);
  const countBody = jsonElementBudget(budget);
  const preParsing = async (request: FastifyRequest, reply: FastifyReply, payload: NodeJS.ReadableStream) =>
    BODILESS.has(request.method) ? payload : countBody(request, reply, payload);
  const run = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callers.get(request);
    if (!caller) throw new Error(`${e.name}: no caller resolved`);
    const { principal, device } = caller;
    const params = e.params ? parseWith(e.params, request.params, 'path') : undefined;
    const query = e.query ? parseWith(e.query, request.query, 'query') : undefined;
    const rawBody = e.bodyOptional ? (request.body ?? {}) : request.body;
    const body = e.body ? parseWith(e.body, rawBody, 'body') : undefined;
    const context = { params, query, body, principal, device, request, reply } as unknown as HandlerContext<E>;
    const result = await handler(context);
    if (e.response === null) return reply.status(204).send();
    if (!isSchemaResponse(e.response)) return result;
    return reply.status(e.status).send(result);
  };
  app.route({
    method: e.method,
    url: e.path,
    onRequest: admit,
    preParsing,
    handler: run,
    ...(e.bodyLimit ? { bodyLimit: e.bodyLimit } : {}),
  });
}

/** Registers every endpoint of a route file's table. */
export function registerEndpoints<K extends EndpointName>(
  app: FastifyInstance,
  deps: EndpointDeps,
  handlers: Handlers<K>,
): void {
  for (const name of Object.keys(handlers) as K[]) {
    registerEndpoint(app, API[name] as Endpoint, deps, handlers[name] as Handler<Endpoint>);
  }
}
