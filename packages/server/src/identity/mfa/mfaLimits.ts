/**
 * @module identity/mfa/mfaLimits
 * Authenticator and recovery codes are guessed like passwords, so they are limited like
 * passwords (`ratelimit/signInLimits`): per account and per source address, reserved before
 * the code is checked, cleared for the account by a success. A code has a million values and
 * three are valid at once, so the per-account back-off is what makes guessing hopeless.
 */
import { Backoff } from '../../ratelimit/backoff.js';
import { SIGN_IN_ACCOUNT, SIGN_IN_ADDRESS } from '../../ratelimit/policies.js';
import type { BackoffStore } from '../../ratelimit/store.js';
import type { Clock } from '../../time.js';

export type MfaAttempt =
  { ok: true; waitIfFailedSeconds: number; succeeded(): Promise<void> } | { ok: false; retryAfterSeconds: number };

export class MfaLimits {
  private readonly account: Backoff;
  private readonly address: Backoff;

  constructor(store: BackoffStore, clock: Clock) {
    this.account = new Backoff(store, clock, SIGN_IN_ACCOUNT);
    this.address = new Backoff(store, clock, SIGN_IN_ADDRESS);
  }

  async reserve(userId: string, ip: string): Promise<MfaAttempt> {
    const accountKeys = [`mfa:user:${userId}`];
    const account = await this.account.reserve(accountKeys);
    if (!account.ok) return account;
    const address = await this.address.reserve([`mfa:ip:${ip}`]);
    if (!address.ok) {
      await account.release();
      return address;
    }
    return {
      ok: true,
      waitIfFailedSeconds: Math.max(account.waitIfFailedSeconds, address.waitIfFailedSeconds),
      succeeded: () => this.account.reset(accountKeys),
    };
  }
}
