/**
 * @module config/tuning
 * Tuning variables of the agent's environment, read and checked in one place.
 */
import { AgentError } from '../errors.js';

/** The refusal of `raw` in `env[name]`: "`name` must be `what`, not …". */
function refused(name: string, what: string, raw: string): AgentError {
  return new AgentError('invalid_argument', `${name} must be ${what}, not ${JSON.stringify(raw)}`);
}

/**
 * The whole number in `env[name]` (from `min` to `max`), or undefined when unset; anything else is
 * refused with "`name` must be `what`, not …".
 */
function wholeNumberFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  max: number,
  what: string,
  min = 0,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value >= min && value <= max)) throw refused(name, what, raw);
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

/** How long a new version has to check in after an update when `REMOTE_HELP_UPDATE_TRIAL_SECONDS` is unset. */
export const UPDATE_TRIAL_SECONDS = 120;
/** The longest trial: an hour is far beyond any start-up, and still ends a hung version the same day. */
const MAX_UPDATE_TRIAL_SECONDS = 3600;

/**
 * How long a new version has to check in after an update (ADR 0022), from
 * `REMOTE_HELP_UPDATE_TRIAL_SECONDS`: a whole number of seconds from 1 to 3600, unset meaning
 * {@link UPDATE_TRIAL_SECONDS}. Set but empty is refused like any other bad value: read as 0 it
 * rolled every update back at once, and read as "no bound" it would keep a hung version.
 */
export function updateTrialSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const name = 'REMOTE_HELP_UPDATE_TRIAL_SECONDS';
  const what = `a whole number of seconds from 1 to ${MAX_UPDATE_TRIAL_SECONDS} (unset: ${UPDATE_TRIAL_SECONDS})`;
  if (env[name] === '') throw refused(name, what, '');
  return wholeNumberFromEnv(env, name, MAX_UPDATE_TRIAL_SECONDS, what, 1) ?? UPDATE_TRIAL_SECONDS;
}
