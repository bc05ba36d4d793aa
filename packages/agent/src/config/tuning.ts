/**
 * @module config/tuning
 * Tuning variables of the agent's environment, read and checked in one place.
 */
import { AgentError } from '../errors.js';

/**
 * The whole number in `env[name]` (at most `max`), or undefined when unset; anything else is
 * refused with "`name` must be `what`, not …".
 */
function wholeNumberFromEnv(env: NodeJS.ProcessEnv, name: string, max: number, what: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value <= max)) throw new AgentError('invalid_argument', `${name} must be ${what}, not ${JSON.stringify(raw)}`);
  return value;
}

/** The bulk pacing rate from `REMOTE_HELP_BULK_KBIT` (kbit/s), or undefined; anything but a whole number ≥ 0 is refused. */
export function bulkKbitFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return wholeNumberFromEnv(
    env,
    'REMOTE_HELP_BULK_KBIT',
    9_999_999,
    'a whole number of kbit/s (0 turns the pacing off)',
  );
}

/**
 * The congestion window's padding before the first picture from `REMOTE_HELP_WARM_KB` (KiB), or
 * undefined; anything but a whole number from 0 (none) to 1024 is refused.
 */
export function warmKibFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return wholeNumberFromEnv(env, 'REMOTE_HELP_WARM_KB', 1024, 'a whole number of KiB from 0 (no padding) to 1024');
}
