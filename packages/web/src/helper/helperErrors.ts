/**
 * @module helperErrors
 * Failures in the helper's words: a refusal because of the helper's role (`forbidden`) or its
 * scope (`out_of_scope`, e.g. a remote launch on a device outside it) says what the helper can do
 * about it; everything else reads as everywhere else (`errorText`).
 */
import type { TFunction } from 'i18next';
import { ApiError } from '../common/api';
import { errorText } from '../common/errorText';

/** See the module description. */
export function helperErrorText(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && (error.code === 'out_of_scope' || error.code === 'forbidden')) {
    return t(`helper.errors.${error.code}`);
  }
  return errorText(t, error);
}
