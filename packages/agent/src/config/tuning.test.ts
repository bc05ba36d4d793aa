/**
 * The agent's tuning variables: each bad value is refused with `invalid_argument` naming the
 * variable, and a good one is what the agent uses.
 */
import { describe, expect, it } from 'vitest';
import { bulkKbitFromEnv, UPDATE_TRIAL_SECONDS, updateTrialSecondsFromEnv, warmKibFromEnv } from './tuning.js';

const NAME = 'REMOTE_HELP_UPDATE_TRIAL_SECONDS';

describe('tuning variables', () => {
  it('REMOTE_HELP_UPDATE_TRIAL_SECONDS: 1 to 3600 seconds, unset meaning 120; anything else refused', () => {
    expect(updateTrialSecondsFromEnv({})).toBe(UPDATE_TRIAL_SECONDS);
    expect(UPDATE_TRIAL_SECONDS).toBe(120);
    expect(updateTrialSecondsFromEnv({ [NAME]: '3' })).toBe(3);
    expect(updateTrialSecondsFromEnv({ [NAME]: ' 90 ' })).toBe(90);
    expect(updateTrialSecondsFromEnv({ [NAME]: '3600' })).toBe(3600);
    for (const bad of ['abc', '', ' ', '0', '-5', '1.5', '1e3', '3601', 'NaN', 'Infinity'])
      expect(() => updateTrialSecondsFromEnv({ [NAME]: bad }), bad).toThrow(
        expect.objectContaining({
          reason: 'invalid_argument',
          message: `${NAME} must be a whole number of seconds from 1 to 3600 (unset: 120), not ${JSON.stringify(bad)}`,
        }),
      );
  });

  it('the pacing and warm-up variables keep 0 and an empty value as before', () => {
    expect(bulkKbitFromEnv({ REMOTE_HELP_BULK_KBIT: '0' })).toBe(0);
    expect(bulkKbitFromEnv({ REMOTE_HELP_BULK_KBIT: '' })).toBeUndefined();
    expect(warmKibFromEnv({ REMOTE_HELP_WARM_KB: '1024' })).toBe(1024);
    expect(() => warmKibFromEnv({ REMOTE_HELP_WARM_KB: '1025' })).toThrow(/REMOTE_HELP_WARM_KB must be/);
  });
});
