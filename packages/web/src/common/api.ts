/**
 * @module api
 * The web app's adapter of the protocol's client core: same-origin JSON with cookies and
 * the CSRF header on every command. `api` has a typed function per endpoint of the contract;
 * `request`/`requestNoContent` remain for the few calls outside it (`/auth/logout`). Every
 * failure is the protocol's one {@link ApiError}.
 */
import { ApiError, createApiClient, errorOf } from '@remote-help/protocol';
import type { ApiClient, ApiErrorCode } from '@remote-help/protocol';

export { ApiError };
export type { ApiErrorCode };

let csrfToken: string | null = null;

/** Remembers the CSRF token from `GET /api/v1/me`; it is sent as `x-csrf-token` on every command. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Every endpoint of the contract, called from this origin with the session cookie. */
export const api: ApiClient = createApiClient({
  baseUrl: '',
  fetch: (url, init) => fetch(url, init),
  credentials: 'same-origin',
  headers: (endpoint): Record<string, string> => (endpoint.command && csrfToken ? { 'x-csrf-token': csrfToken } : {}),
});

async function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
  }
  try {
    return await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch (error) {
    throw new ApiError('network_error', error instanceof Error ? error.message : 'Network error', { cause: error });
  }
}

/** What `request` needs of a response schema (a zod schema from the protocol package fits). */
export interface ResponseSchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false };
}

/**
 * A call outside the contract: sends a request and validates a successful JSON body with `schema`.
 * Throws {@link ApiError} on any failure, including a body that breaks the schema.
 */
export async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  schema: ResponseSchema<T>,
  body?: unknown,
): Promise<T> {
  const response = await send(method, path, body);
  if (!response.ok) throw await errorOf(response);
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError('bad_response', `Unexpected response from ${method} ${path}`, { status: response.status });
  }
  return parsed.data;
}

/** A call outside the contract that answers with no body (e.g. 204). Throws {@link ApiError} on failure. */
export async function requestNoContent(method: 'GET' | 'POST', path: string, body?: unknown): Promise<void> {
  const response = await send(method, path, body);
  if (!response.ok) throw await errorOf(response);
}

/**
 * Posts while the page goes away (`pagehide`): `keepalive` lets the request outlive the page.
 * Fire and forget; nothing can be done with the answer any more.
 */
export function postOnUnload(path: string, body: unknown): void {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  fetch(path, {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: JSON.stringify(body),
    keepalive: true,
  }).catch(() => undefined);
}
