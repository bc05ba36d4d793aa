/**
 * @module ratelimit/policies
 * Every limit the server enforces, in one place, with the reason for each number.
 * The figures in docs/security.md are computed from these values by tests.
 */
import type { BackoffPolicy } from './backoff.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
export const DAY = 24 * 60 * MINUTE;

/** Sign-in from a browser that has not signed in to this account before: per account. */
export const SIGN_IN_ACCOUNT: BackoffPolicy = {
  freeAttempts: 5,
  baseDelayMs: SECOND,
  maxDelayMs: 15 * MINUTE,
  windowMs: DAY,
};

/**
 * Sign-in per source address, for any account. Loose, because an office or a proxy puts many
 * people behind one address: it slows a password spray from one place (at most one try a
 * minute once spent) but never locks the address out for long.
 */
export const SIGN_IN_ADDRESS: BackoffPolicy = {
  freeAttempts: 20,
  baseDelayMs: SECOND,
  maxDelayMs: MINUTE,
  windowMs: DAY,
};

/** Sign-in from a browser holding a device cookie for the account: that browser's own budget (OWASP). */
export const SIGN_IN_DEVICE: BackoffPolicy = {
  freeAttempts: 5,
  baseDelayMs: SECOND,
  maxDelayMs: 15 * MINUTE,
  windowMs: DAY,
};

/**
 * Code redemption per account: two mistypes and a third try cost nothing; then the wait grows,
 * and ten failures a day is the ceiling.
 */
export const REDEEM_ACCOUNT: BackoffPolicy = {
  freeAttempts: 3,
  baseDelayMs: 2 * SECOND,
  maxDelayMs: 15 * MINUTE,
  windowMs: DAY,
  ceiling: 10,
};

/** Code redemption per source address (offices share one): loose, the tenant budget is the real bound. */
export const REDEEM_ADDRESS: BackoffPolicy = {
  freeAttempts: 30,
  baseDelayMs: 2 * SECOND,
  maxDelayMs: 15 * MINUTE,
  windowMs: DAY,
};

/** Digits of a security code and the chance per day we accept of any code being guessed. */
export const CODE_SPACE = 10 ** 8;
export const GUESS_RISK_PER_DAY = 0.001;

/**
 * The tenant's failed-redemption budget, in "live-code guesses": a wrong guess made while the
 * tenant has L live codes costs max(1, L) units, because it had chance L / CODE_SPACE of
 * hitting one. By the union bound the chance of any hit is at most units / CODE_SPACE.
 * Windows are 24 h from their first failure, so any 24 h overlaps at most two: each gets half.
 *
 *   units per window = GUESS_RISK_PER_DAY × CODE_SPACE / 2 = 50,000
 *   e.g. 1,000 live codes → 50 failed guesses per window; 10 live codes → 5,000.
 */
export const REDEEM_TENANT: BackoffPolicy = {
  freeAttempts: (GUESS_RISK_PER_DAY * CODE_SPACE) / 2,
  baseDelayMs: 0,
  maxDelayMs: 0,
  windowMs: DAY,
  ceiling: (GUESS_RISK_PER_DAY * CODE_SPACE) / 2,
};

/** One `security.code_guessing_suspected` alert per tenant per window. */
export const GUESSING_ALERT: BackoffPolicy = {
  freeAttempts: 1,
  baseDelayMs: 0,
  maxDelayMs: 0,
  windowMs: DAY,
  ceiling: 1,
};

/** Device enrollment with a token, per source address. */
export const ENROLL_ADDRESS: BackoffPolicy = {
  freeAttempts: 10,
  baseDelayMs: 2 * SECOND,
  maxDelayMs: 15 * MINUTE,
  windowMs: DAY,
};

/**
 * Audit log integrity checks per organization (`POST /api/v1/audit/verify`, `audit.read`, which
 * the built-in Read Only Operator has): each reads the organization's whole log and records an
 * event, so a loop of them loaded the database and grew the log it reads (300 in 3 s). Five a
 * minute, counted in the shared store (every node, and through Redis in scale-out); past them
 * `rate_limited` until the minute is over. A person checks once, or twice to compare a head.
 */
export const AUDIT_VERIFY_TENANT: BackoffPolicy = {
  freeAttempts: 5,
  baseDelayMs: 0,
  maxDelayMs: 0,
  windowMs: MINUTE,
  ceiling: 5,
};

/**
 * Requests that make the embedded provider store a row for a visitor nobody knows yet (an
 * authorization request: an interaction; a sign-out request: a session; both kept 10 minutes),
 * per source address, an IPv6 /64 (`identity/oidcRequestGuard`): 300 a minute, then doubling
 * waits of 1 s up to 30 s until the minute is over. A person starts one per sign-in, so an office
 * of hundreds behind one NAT address still signs in at shift start (5 a second). Expired rows are
 * pruned every 10 minutes, so an address has at most about 20 minutes' worth alive: ~6,000 rows of
 * at most ~6 KB (parameters are capped), under 40 MB, where one client wrote 10 MB a second
 * before.
 */
export const PROVIDER_REQUESTS_ADDRESS: BackoffPolicy = {
  freeAttempts: 300,
  baseDelayMs: SECOND,
  maxDelayMs: 30 * SECOND,
  windowMs: MINUTE,
};

/**
 * Profile picture uploads per uploader (`users/photoService`), a token bucket: ten back to back
 * (choosing, being refused, trying another), then one every 6 s. Each upload is decoded, up to
 * a second or two of a worker thread; an administrator setting many people's pictures by hand
 * does not come near it.
 */
export const PHOTO_UPLOADS_PER_PERSON = { burst: 10, refillMs: 6 * SECOND } as const;

/**
 * Pictures decoded at once by one server process, and uploads that may wait for their turn.
 * Decoding runs on libuv's thread pool (4 threads by default), which argon2 password checks
 * share: two decodes leave two threads to sign-ins. Past the waiting room, `rate_limited`.
 */
export const PHOTO_DECODES_AT_ONCE = 2;
export const PHOTO_DECODES_WAITING = 8;
