/**
 * @module session/apiClient
 * Typed calls to the server's REST API with `Authorization: Bearer` (no CSRF token is
 * needed for bearer tokens). Replies are validated against the protocol schemas; error
 * envelopes become an `ApiError` carrying the server's code. A 401 gets one retry with
 * a freshly refreshed token.
 */
import {
  ErrorEnvelope,
  Me,
  SessionResponse,
  type ErrorCode,
  type Me as MeType,
  type SessionView,
} from '@remote-help/protocol';
import type { z } from 'zod';
import type { AccessTokenProvider } from '../auth/credentials.js';

/** A server error code, or one of the failures that happen before a reply is understood. */
export type ApiErrorCode = ErrorCode | 'network_error' | 'bad_response';

/** A failed API call. Branch on `code`; `message` is the server's (English) text. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ApiErrorCode, message: string, status = 0, data?: Record<string, unknown>, cause?: unknown) {
    super(message, { cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.data = data;
  }

  /** Seconds to wait before retrying (rate limits), when the server said. */
  get retryAfterSeconds(): number | null {
    const value = this.data?.['retryAfterSeconds'];
    return typeof value === 'number' ? value : null;
  }
}

/** True when `error` is an `ApiError`, optionally with the given code. */
export function isApiError(error: unknown, code?: ApiErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** Where the API is and how to authenticate. */
export interface ApiClientOptions {
  /** The server's origin, e.g. `https://help.example.com`. */
  server: string;
  tokens: AccessTokenProvider;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** An image fetched through the API. */
export interface ApiImage {
  contentType: string;
  body: Uint8Array;
}

const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml']);

/** The REST API of one server, as the signed-in agent. */
export class ApiClient {
  readonly server: string;
  readonly #tokens: AccessTokenProvider;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.server = options.server;
    this.#tokens = options.tokens;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#fetch = options.fetch ?? fetch;
  }

  /** `GET /api/v1/me` */
  me(): Promise<MeType> {
    return this.#json('GET', '/api/v1/me', undefined, Me);
  }

  /** `POST /api/v1/sessions/redeem` as the native agent. */
  async redeem(code: string): Promise<SessionView> {
    return (await this.#json('POST', '/api/v1/sessions/redeem', { code, client: 'agent' }, SessionResponse)).session;
  }

  /** `GET /api/v1/sessions/:id` */
  async session(id: string): Promise<SessionView> {
    return (await this.#json('GET', `/api/v1/sessions/${encodeURIComponent(id)}`, undefined, SessionResponse)).session;
  }

  /** `POST /api/v1/sessions/:id/respond`: allow or decline the pending request. */
  async respond(id: string, allow: boolean): Promise<SessionView> {
    return (await this.#json('POST', `/api/v1/sessions/${encodeURIComponent(id)}/respond`, { allow }, SessionResponse))
      .session;
  }

  /** `POST /api/v1/sessions/:id/drop-control`: the sharer takes control back; the session continues in view. */
  async dropControl(id: string): Promise<SessionView> {
    return (await this.#json('POST', `/api/v1/sessions/${encodeURIComponent(id)}/drop-control`, {}, SessionResponse))
      .session;
  }

  /** `POST /api/v1/sessions/:id/leave` */
  async leave(id: string): Promise<SessionView> {
    return (await this.#json('POST', `/api/v1/sessions/${encodeURIComponent(id)}/leave`, {}, SessionResponse)).session;
  }

  /**
   * Fetches an image the API points at (a profile photo). Only URLs on this server are
   * fetched, so the bearer token never goes anywhere else.
   */
  async image(url: string): Promise<ApiImage> {
    const target = new URL(url, this.server);
    if (target.origin !== new URL(this.server).origin) {
      throw new ApiError('bad_request', 'Images are fetched only from the Remote Help server.');
    }
    const response = await this.#send('GET', target.pathname + target.search, undefined);
    if (!response.ok) throw await this.#errorOf(response);
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!IMAGE_TYPES.has(contentType)) throw new ApiError('bad_response', 'The server did not send an image.');
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > MAX_IMAGE_BYTES) throw new ApiError('payload_too_large', 'The image is too large.');
    return { contentType, body };
  }

  async #json<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    const response = await this.#send(method, path, body);
    if (!response.ok) throw await this.#errorOf(response);
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      throw new ApiError(
        'bad_response',
        'The server sent a reply that is not JSON.',
        response.status,
        undefined,
        error,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError('bad_response', `Unexpected reply from ${path}.`, response.status);
    return parsed.data;
  }

  /** Sends with the current token; on 401 refreshes once and retries. */
  async #send(method: string, path: string, body: unknown): Promise<Response> {
    const attempt = async (forceRefresh: boolean): Promise<Response> => {
      const token = await this.#tokens.accessToken({ forceRefresh });
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      try {
        return await this.#fetch(new URL(path, this.server), {
          method,
          headers,
          body: body === undefined ? null : JSON.stringify(body),
          redirect: 'error',
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        throw new ApiError('network_error', `Cannot reach ${this.server}.`, 0, undefined, error);
      }
    };
    const first = await attempt(false);
    if (first.status !== 401) return first;
    await first.body?.cancel();
    return attempt(true);
  }

  async #errorOf(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: handled below
    }
    const envelope = ErrorEnvelope.safeParse(json);
    if (envelope.success) {
      const { error, message, data } = envelope.data;
      return new ApiError(error, message, response.status, data);
    }
    return new ApiError('bad_response', `The server answered ${response.status}.`, response.status);
  }
}
