/**
 * @module config/tuning
 * Tuning variables of the agent's environment, read and checked in one place.
 */
import { AgentError } from '../errors.js';

/** The bulk pacing rate from `REMOTE_HELP_BULK_KBIT` (kbit/s), or undefined; anything but a whole number ≥ 0 is refused. */
export function bulkKbitFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['REMOTE_HELP_BULK_KBIT'];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,7}$/.test(raw.trim())) {
    throw new AgentError(
      'invalid_argument',
      `REMOTE_HELP_BULK_KBIT must be a whole number of kbit/s (0 turns the pacing off), not ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw.trim());
}

/**
 * The congestion window's padding before the first picture from `REMOTE_HELP_WARM_KB` (KiB), or
 * undefined; anything but a whole number from 0 (none) to 1024 is refused.
 */
export function warmKibFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['REMOTE_HELP_WARM_KB'];
  if (raw === undefined || raw === '') return undefined;
  const value = /^\d{1,4}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value <= 1024)) {
    throw new AgentError(
      'invalid_argument',
      `REMOTE_HELP_WARM_KB must be a whole number of KiB from 0 (no padding) to 1024, not ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
