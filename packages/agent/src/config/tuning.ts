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
