/**
 * @module errors
 * The closed set of error codes and the one error envelope used by HTTP bodies
 * and WebSocket error frames alike.
 */
import { z } from 'zod';

/** Every error the server can report. Clients translate by code, never by message. */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'authentication_required',
  'csrf_failed',
  'forbidden',
  'not_found',
  'session_not_found',
  'session_ended',
  'invalid_transition',
  'not_participant',
  'code_invalid',
  'code_expired',
  'code_used',
  'code_own_session',
  'rate_limited',
  'payload_too_large',
  'unsupported_mode',
  'tenant_disabled',
  'device_offline',
  'launch_pending',
  'too_many_codes',
  'out_of_scope',
  'conflict',
  'enrollment_token_invalid',
  'enrollment_token_expired',
  'enrollment_token_used_up',
  'enrollment_token_revoked',
  'device_revoked',
  'unenrolled_not_allowed',
  'invalid_credentials',
  'image_invalid',
  'image_too_large',
  'domain_taken',
  'dns_record_missing',
  'dns_record_mismatch',
  'dns_timeout',
  'dns_lookup_failed',
  'chat_disabled',
  'message_empty',
  'message_too_long',
  'chat_full',
  'access_blocked',
  'mfa_required',
  'compliant_device_required',
  'enrolled_device_required',
  'reauthentication_required',
  'internal_error',
] as const;

export const ErrorCode = z.enum(ERROR_CODES);
/** A machine-readable error code. */
export type ErrorCode = z.infer<typeof ErrorCode>;

/** `{ ok: false, error, message, data? }` — the body of every failed request and every WS error frame. */
export const ErrorEnvelope = z.object({
  ok: z.literal(false),
  error: ErrorCode,
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** Thrown by `parseMessage` and friends: carries the code and a readable list of issues. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.data = data;
  }
}
