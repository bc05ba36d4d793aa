/**
 * @module api/contract
 * The shape of one HTTP endpoint under `/api`: how it is called (method, Fastify-style
 * path, zod schemas for params, query and body), what it answers (status and schema), who
 * may call it and what it needs (permission or participant rule, CSRF for commands).
 * The server registers its routes from these declarations, the client core calls them,
 * the OpenAPI document and the authorization sweep are generated from them.
 */
import { z } from 'zod';
import type { Permission } from '../people.js';

/**
 * Who may call:
 * - `public`: anyone (no credentials are looked at).
 * - `enrollmentToken`: no person; an enrollment token in the body authorizes.
 * - `user`: a signed-in person — the browser apps' session cookie or the agent's bearer token.
 * - `agent`: a signed-in person through the native agent (bearer token) only.
 * - `device`: no person; `Authorization: Device <JWT>` signed with the device's key.
 * - `agentAndDevice`: the agent's bearer token (who) and the device's proof in `x-device-proof` (where).
 */
export type CallerKind = 'public' | 'enrollmentToken' | 'user' | 'agent' | 'device' | 'agentAndDevice';

/** A permission rule: the caller's role must grant every permission of `all` and one of `any`. */
export interface PermissionRule {
  all?: readonly Permission[];
  any?: readonly Permission[];
  /** The refusal's message (`forbidden`), as the domain says it. */
  denied: string;
}

/** Which side of the session named by `:id` may call (checked by the domain service). */
export type ParticipantRule = 'either' | 'helper' | 'sharer';

/** A reply that is not JSON (a picture, a page). */
export interface RawResponse {
  contentType: string;
  description: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One endpoint. Schemas are zod schemas from this package; `response: null` means 204 No Content. */
export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType | RawResponse | null = z.ZodType | RawResponse | null,
  C extends CallerKind = CallerKind,
> {
  /** Unique, stable name (the client's function, the OpenAPI operationId, the sweep's key). */
  name: string;
  method: HttpMethod;
  /** Fastify style: `/api/v1/sessions/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** When true a missing (or `null`) body counts as `{}` (e.g. all fields have defaults). */
  bodyOptional?: boolean;
  /** Largest request body in bytes, when it is not the server's default (64 KiB), e.g. a picture upload. */
  bodyLimit?: number;
  status: 200 | 201 | 204;
  response: R;
  caller: C;
  /** The refusal's message when a signed-in caller is not of the kind `caller` needs (`agent`, `agentAndDevice`). */
  callerDenied?: string;
  permission?: PermissionRule;
  participant?: ParticipantRule;
  /**
   * A state-changing command: a cookie caller must send `x-csrf-token` and, when its
   * browser sends an Origin, ours. Bearer and device callers have no ambient authority.
   */
  command: boolean;
}

/** Declares an endpoint, keeping its schema types for the server and the client. */
export function endpoint<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType | RawResponse | null = null,
  C extends CallerKind = CallerKind,
>(e: Endpoint<P, Q, B, R, C>): Endpoint<P, Q, B, R, C> {
  return e;
}

/** The parsed input a handler gets. */
export type InputOf<E> =
  E extends Endpoint<infer P, infer Q, infer B, z.ZodType | RawResponse | null, CallerKind>
    ? { params: z.output<P>; query: z.output<Q>; body: z.output<B> }
    : never;

/** What a handler returns: the response schema's input (the server sends it as it is). */
export type OutputOf<E> =
  E extends Endpoint<z.ZodType, z.ZodType, z.ZodType, infer R, CallerKind>
    ? R extends z.ZodType
      ? z.input<R>
      : R extends null
        ? undefined
        : unknown
    : never;

/** What a client receives: the response schema's output. */
export type ResultOf<E> =
  E extends Endpoint<z.ZodType, z.ZodType, z.ZodType, infer R, CallerKind>
    ? R extends z.ZodType
      ? z.output<R>
      : R extends null
        ? undefined
        : Uint8Array
    : never;

/** True when the endpoint answers JSON described by a schema. */
export const isSchemaResponse = (r: z.ZodType | RawResponse | null): r is z.ZodType => r instanceof z.ZodType;

/** An identifier in a path (`:id`): the same rule as `Id`. */
export const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
});

/** A command that takes nothing: `{}`, `null` or no body at all. */
export const EmptyBody = z.strictObject({}).nullish();

/** The reply of a command that has nothing to say but "done". */
export const OkResponse = z.object({ ok: z.literal(true) });
export type OkResponse = z.infer<typeof OkResponse>;
