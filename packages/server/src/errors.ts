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
  unenrolled_not_allowed: 403,
  device_offline: 409,
  launch_pending: 409,
  too_many_codes: 409,
  out_of_scope: 403,
  conflict: 409,
  enrollment_token_invalid: 401,
  enrollment_token_expired: 410,
  enrollment_token_used_up: 410,
  enrollment_token_revoked: 410,
  device_revoked: 403,
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
  image_invalid: 400,
  image_too_large: 413,
  domain_taken: 409,
  dns_record_missing: 422,
  dns_record_mismatch: 422,
  dns_timeout: 504,
  dns_lookup_failed: 502,
  chat_disabled: 403,
  message_empty: 400,
  message_too_long: 413,
  chat_full: 409,
  access_blocked: 403,
  mfa_required: 403,
  compliant_device_required: 403,
  enrolled_device_required: 403,
  reauthentication_required: 401,
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
  tooManyCodes: (max: number) =>
    new AppError(
      'too_many_codes',
      `You already have ${max} security codes waiting. Cancel one you no longer need, or wait until one expires.`,
      { max },
    ),
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
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 499) {
    const code = (error as { code?: unknown }).code;
    const body = clientErrorBody(status);
    if (typeof code === 'string' && code.startsWith('FST_ERR_CTP_') && (status === 400 || status === 415))
      body.message = 'Malformed request: send a JSON body with content-type application/json.';
    return { status, body, internal: false };
  }
  return {
    status: 500,
    body: { ok: false, error: 'internal_error', message: 'Something went wrong on our side.' },
    internal: true,
  };
}

/** The protocol code for a client error (4xx) that did not come from our own code. */
const CLIENT_ERROR_CODES: Partial<Record<number, ErrorCode>> = {
  401: 'authentication_required',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  429: 'rate_limited',
};

const CLIENT_ERROR_MESSAGES: Partial<Record<number, string>> = {
  400: 'Malformed request.',
  403: 'Not allowed.',
  404: 'Not found.',
  405: 'Method not allowed.',
  408: 'The request took too long to arrive.',
  413: 'Request body too large.',
  414: 'The address (URL) is too long.',
  415: 'Unsupported content type: send a JSON body with content-type application/json.',
  431: 'The request headers are too large.',
};

/**
 * The envelope for a 4xx raised by Fastify, a plugin or Node's HTTP parser (bad URL, traversal
 * refused by the static files, oversized headers). It keeps the status and says nothing internal.
 */
export function clientErrorBody(status: number): ErrorEnvelope {
  return {
    ok: false,
    error: CLIENT_ERROR_CODES[status] ?? 'bad_request',
    message: CLIENT_ERROR_MESSAGES[status] ?? 'Malformed request.',
  };
}

/**
 * What to answer on a raw socket when Node cannot parse a request at all (`clientError`):
 * 431 for oversized headers, 414 when it is the request line (the URL) that overflowed,
 * 408 for a request that never finished arriving, 400 otherwise. `null`: nothing to send.
 */
export function rawClientError(error: {
  code?: string;
  rawPacket?: unknown;
}): { status: number; response: string } | null {
  if (error.code === 'ECONNRESET') return null;
  let status = 400;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') status = 408;
  else if (error.code === 'HPE_HEADER_OVERFLOW')
    status = requestLineOverflowed(Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined) ? 414 : 431;
  else if (error.code === 'HPE_URI_TOO_LONG') status = 414;
  const body = JSON.stringify(clientErrorBody(status));
  const reason = STATUS_TEXT[status] ?? 'Bad Request';
  const response =
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`;
  return { status, response };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

/** True when the bytes Node gave up on are a request line that never ended (or ran over half the budget). */
function requestLineOverflowed(packet: Buffer | undefined): boolean {
  if (!packet?.length || !/^[A-Z]{3,7} \S/.test(packet.subarray(0, 16).toString('latin1'))) return false;
  const end = packet.indexOf('\r\n');
  return end === -1 || end > 8 * 1024;
}

/** Answers a request Node could not parse (Fastify's `clientErrorHandler`) with the envelope, and closes. */
export function answerClientError(
  error: { code?: string; rawPacket?: unknown },
  socket: { destroyed: boolean; writable: boolean; write(data: string): unknown; destroy(): unknown },
  log: { warn(details: object, message: string): void },
): void {
  if (socket.destroyed) return;
  const answer = rawClientError(error);
  if (answer) {
    log.warn({ status: answer.status, code: error.code }, 'malformed HTTP request refused');
    if (socket.writable) socket.write(answer.response);
  }
  socket.destroy();
}
