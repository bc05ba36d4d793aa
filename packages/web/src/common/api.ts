/**
 * @module api
 * The one HTTP client of the web app: same-origin JSON with cookies, the CSRF header
 * on every POST, and every failure turned into a typed {@link ApiError}.
 */
import { ErrorEnvelope } from '@remote-help/protocol';
import type { ErrorCode } from '@remote-help/protocol';

/** A server error code, or `network_error` when the server could not be reached at all. */
export type ApiErrorCode = ErrorCode | 'network_error';

/** A failed request: HTTP status (0 when there was no response), error code, server message and extra data. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(status: number, code: ApiErrorCode, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

let csrfToken: string | null = null;

/** Remembers the CSRF token from `GET /api/v1/me`; it is sent as `x-csrf-token` on every POST. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The error code to assume when a failed response has no valid error envelope. */
function codeForStatus(status: number): ErrorCode {
  if (status === 400) return 'bad_request';
  if (status === 401) return 'authentication_required';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  return 'internal_error';
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

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
    const message = error instanceof Error ? error.message : 'Network error';
    throw new ApiError(0, 'network_error', message);
  }
}

async function toError(response: Response): Promise<ApiError> {
  const parsed = ErrorEnvelope.safeParse(await readJson(response));
  if (parsed.success) {
    const { error, message, data } = parsed.data;
    return new ApiError(response.status, error, message, data);
  }
  return new ApiError(response.status, codeForStatus(response.status), response.statusText);
}

/** What `request` needs of a response schema (a zod schema from the protocol package fits). */
export interface ResponseSchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false };
}

/**
 * Sends a request and validates a successful JSON body with `schema`.
 * Throws {@link ApiError} on any failure, including a body that breaks the contract.
 */
export async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  schema: ResponseSchema<T>,
  body?: unknown,
): Promise<T> {
  const response = await send(method, path, body);
  if (!response.ok) throw await toError(response);
  const parsed = schema.safeParse(await readJson(response));
  if (!parsed.success) {
    throw new ApiError(response.status, 'internal_error', `Unexpected response from ${method} ${path}`);
  }
  return parsed.data;
}

/** Sends a request that answers with no body (e.g. 204). Throws {@link ApiError} on failure. */
export async function requestNoContent(method: 'GET' | 'POST', path: string, body?: unknown): Promise<void> {
  const response = await send(method, path, body);
  if (!response.ok) throw await toError(response);
}
