/**
 * @module time
 * A clock that tests can move. Everything that depends on "now" takes a `Clock`.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** ISO 8601 text for a millisecond timestamp. */
export const iso = (ms: number): string => new Date(ms).toISOString();
