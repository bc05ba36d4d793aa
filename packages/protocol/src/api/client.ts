/**
 * @module api/client
 * One typed client core for every endpoint of the contract, runtime-neutral: it needs a
 * `fetch` and nothing else (the browser passes `window.fetch` with the cookie and CSRF
 * header; the agent passes a fetch that adds its bearer token and refreshes it on 401).
 * Replies are validated with the contract's schemas; every failure is one {@link ApiError}.
 */
import type { z } from 'zod';
import { ErrorEnvelope } from '../errors.js';
import { ApiError } from './ApiError.js';
import type { ApiErrorCode } from './ApiError.js';
import type { Endpoint, ResultOf } from './contract.js';
import { isSchemaResponse } from './contract.js';
import type { Api } from './endpoints.js';
import { API } from './endpoints.js';

/** What the client needs of a `Response` (the WHATWG one fits). */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** What the client passes to `fetch`. */
export interface RequestInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  credentials?: 'same-origin' | 'include' | 'omit';
}

/** A `fetch` (the WHATWG one fits, and so does a wrapper that adds credentials). */
export type FetchLike = (url: string, init: RequestInitLike) => Promise<ResponseLike>;

export interface ApiClientOptions {
  /** The server's origin (`https://help.example.com`), or `''` for same-origin calls in a browser. */
  baseUrl: string;
  fetch: FetchLike;
  /** Extra headers per call, e.g. `x-csrf-token` on commands. */
  headers?: (endpoint: Endpoint) => Record<string, string>;
  /** Browser cookies: `same-origin` for the web apps. */
  credentials?: RequestInitLike['credentials'];
}

type Part<K extends string, S> = S extends z.ZodUndefined
  ? object
  : undefined extends z.input<S & z.ZodType>
    ? { [k in K]?: z.input<S & z.ZodType> }
    : { [k in K]: z.input<S & z.ZodType> };

/** The input of a call: path params, query and body, each typed by the contract's schema. */
export type CallInput<E> =
  E extends Endpoint<infer P, infer Q, infer B, infer _R>
    ? Part<'params', P> & Part<'query', Q> & Part<'body', B>
    : never;

/** A picture or page an endpoint answers with. */
export interface RawResult {
  contentType: string;
  body: Uint8Array;
}

type Result<E> = ResultOf<E> extends Uint8Array ? RawResult : ResultOf<E>;

/** One typed function per endpoint. */
export type ApiCall<E> =
  object extends CallInput<E>
    ? (input?: CallInput<E>) => Promise<Result<E>>
    : (input: CallInput<E>) => Promise<Result<E>>;

export type ApiClient = { [K in keyof Api]: ApiCall<Api[K]> };

/** The error code of a failed reply without an envelope (a proxy's page): by status, else `bad_response`. */
export function codeForStatus(status: number): ApiErrorCode {
  if (status === 400) return 'bad_request';
  if (status === 401) return 'authentication_required';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  return 'bad_response';
}

/** Fills `:name` segments of a Fastify-style path, each URL-encoded. */
export function pathFor(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new ApiError('bad_request', `Missing path parameter ${name}.`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value])
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** Turns a failed reply into an {@link ApiError}: the envelope when there is one, else the status. */
export async function errorOf(response: ResponseLike): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  const envelope = ErrorEnvelope.safeParse(parseJson(text));
  if (envelope.success) {
    const { error, message, data } = envelope.data;
    return new ApiError(error, message, { status: response.status, data });
  }
  return new ApiError(codeForStatus(response.status), `The server answered ${response.status}.`, {
    status: response.status,
  });
}

/** Calls one endpoint. */
export async function callEndpoint<E extends Endpoint>(
  options: ApiClientOptions,
  endpoint: E,
  input: { params?: unknown; query?: unknown; body?: unknown } = {},
): Promise<Result<E>> {
  const url =
    options.baseUrl +
    pathFor(endpoint.path, input.params as Record<string, unknown> | undefined) +
    queryString(input.query as Record<string, unknown> | undefined);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers?.(endpoint) };
  const init: RequestInitLike = { method: endpoint.method, headers };
  if (options.credentials) init.credentials = options.credentials;
  if (endpoint.method !== 'GET') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(input.body ?? {});
  }
  let response: ResponseLike;
  try {
    // Called detached: a browser's fetch refuses to run with another object as `this`.
    const send = options.fetch;
    response = await send(url, init);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('network_error', `Cannot reach ${options.baseUrl || 'the server'}.`, { cause: error });
  }
  if (!response.ok) throw await errorOf(response);
  const schema = endpoint.response;
  if (schema === null) {
    await response.text().catch(() => '');
    return undefined as Result<E>;
  }
  if (!isSchemaResponse(schema)) {
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    return { contentType, body: new Uint8Array(await response.arrayBuffer()) } as Result<E>;
  }
  const json = parseJson(await response.text());
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError('bad_response', `Unexpected reply from ${endpoint.method} ${endpoint.path}.`, {
      status: response.status,
    });
  }
  return parsed.data as Result<E>;
}

/** A typed function per endpoint of the contract. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const client: Record<string, (input?: object) => Promise<unknown>> = {};
  for (const [name, e] of Object.entries(API)) client[name] = (input) => callEndpoint(options, e as Endpoint, input);
  return client as unknown as ApiClient;
}
