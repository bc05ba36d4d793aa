/**
 * @module errors
 * One error type for the server. Factories set the HTTP status and the protocol code;
 * the error handler turns any thrown value into the protocol's envelope and leaks nothing else.
 */
import type { ErrorCode, ErrorEnvelope } from '@remote-help/protocol';
import { ProtocolError } from '@remote-help/protocol';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  authentication_required: 401,
  invalid_credentials: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_participant: 403,
  tenant_disabled: 403,
  device_offline: 409,
  enrollment_token_invalid: 401,
  not_found: 404,
  session_not_found: 404,
  session_ended: 409,
  invalid_transition: 409,
  unsupported_mode: 409,
  code_invalid: 400,
  code_expired: 410,
  code_used: 410,
  code_own_session: 409,
  rate_limited: 429,
  payload_too_large: 413,
  internal_error: 500,
};

/** An error with a protocol code, an HTTP status and a message safe to show. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}

export const errors = {
  authenticationRequired: () => new AppError('authentication_required', 'Sign in to continue.'),
  forbidden: (message = 'You do not have permission to do this.') => new AppError('forbidden', message),
  notFound: (what = 'Resource') => new AppError('not_found', `${what} not found.`),
  sessionNotFound: () => new AppError('session_not_found', 'Session not found.'),
  notParticipant: () => new AppError('not_participant', 'You are not a participant of this session.'),
  invalidTransition: (message: string) => new AppError('invalid_transition', message),
  sessionEnded: () => new AppError('session_ended', 'This session has ended.'),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError('rate_limited', `Too many attempts. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds }),
  csrf: () => new AppError('csrf_failed', 'Missing or invalid CSRF token. Reload the page and try again.'),
};

/** Maps any thrown value to a status and an envelope. Unknown failures become `internal_error`. */
export function toEnvelope(error: unknown): { status: number; body: ErrorEnvelope; internal: boolean } {
  if (error instanceof AppError) {
    return {
      status: error.status,
      body: { ok: false, error: error.code, message: error.message, ...(error.data ? { data: error.data } : {}) },
      internal: false,
    };
  }
  if (error instanceof ProtocolError) {
    return {
      status: STATUS[error.code],
      body: { ok: false, error: error.code, message: error.message, ...(error.data ? { data: error.data } : {}) },
      internal: false,
    };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (fastifyError.statusCode === 413 || fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: { ok: false, error: 'payload_too_large', message: 'Request body too large.' },
      internal: false,
    };
  }
  if (
    fastifyError.statusCode === 400 ||
    fastifyError.statusCode === 415 ||
    fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
    fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
  ) {
    return {
      status: 400,
      body: {
        ok: false,
        error: 'bad_request',
        message: 'Malformed request: send a JSON body with content-type application/json.',
      },
      internal: false,
    };
  }
  return {
    status: 500,
    body: { ok: false, error: 'internal_error', message: 'Something went wrong on our side.' },
    internal: true,
  };
}
