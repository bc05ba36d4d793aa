/**
 * @module api/ApiError
 * The one error of every API client (web app, agent): the server's envelope
 * (`code`, `message`, `data`) and the HTTP status, or a failure before a reply was understood.
 */
import type { ErrorCode } from '../errors.js';

/** A server error code, or `network_error` (no reply) / `bad_response` (a reply that breaks the contract). */
export type ApiErrorCode = ErrorCode | 'network_error' | 'bad_response';

/** A failed API call. Branch on `code`; `message` is the server's (English) text. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** HTTP status; 0 when there was no reply. */
  readonly status: number;
  readonly data: Record<string, unknown> | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { status?: number; data?: Record<string, unknown> | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? 0;
    this.data = options.data;
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
