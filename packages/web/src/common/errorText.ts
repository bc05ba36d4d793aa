/**
 * @module errorText
 * Turns any failure (HTTP error, WebSocket error frame, wrong-app link, unknown) into a
 * translated sentence. Clients translate by code, never by the server's message.
 */
import type { TFunction } from 'i18next';
import { ApiError } from './api';
import type { ErrorFrame } from './SignalingClient';
import { WrongRoleError } from './useSession';

/** Seconds to wait before retrying, from a `rate_limited` error's `data.retryAfterSeconds`. */
export function retryAfterSeconds(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.code !== 'rate_limited') return null;
  const seconds = error.data?.['retryAfterSeconds'];
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : null;
}

/** Makes an {@link ApiError} of a WebSocket error frame so both translate the same way. */
export function frameToError(frame: ErrorFrame): ApiError {
  return new ApiError(frame.error, frame.message, { data: frame.data });
}

/** A translated, user-facing sentence for `error`. */
export function errorText(t: TFunction, error: unknown): string {
  if (error instanceof WrongRoleError) return t(`common.wrongApp.${error.role}`);
  if (!(error instanceof ApiError)) return t('errors.internal_error');
  const seconds = retryAfterSeconds(error);
  if (seconds !== null) return t('errors.rate_limited', { count: seconds });
  return t(`errors.${error.code}`);
}
