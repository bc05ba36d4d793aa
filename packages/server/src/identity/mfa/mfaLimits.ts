/**
 * @module identity/mfa/mfaLimits
 * Authenticator and recovery codes are guessed like passwords, so they are limited like
 * passwords (`ratelimit/signInLimits`): per source address first, then per account, reserved
 * before the code is checked, cleared for the account by a success. A code has a million values
 * and three are valid at once, so the per-account back-off is what makes guessing hopeless.
 * Passkey answers share these budgets (`passkeys/passkeySignIn`): an answer says whose it is only
 * once it has been read, so it takes the address's unit first (`reserveAddress`), before anything
 * is read or written, and the account's when the account is known.
 */
import { perAddress } from '../../ratelimit/address.js';
import { Backoff } from '../../ratelimit/backoff.js';
import { SIGN_IN_ACCOUNT, SIGN_IN_ADDRESS } from '../../ratelimit/policies.js';
import type { BackoffStore } from '../../ratelimit/store.js';
import type { Clock } from '../../time.js';

export type MfaAttempt =
  { ok: true; waitIfFailedSeconds: number; succeeded(): Promise<void> } | { ok: false; retryAfterSeconds: number };

/** An attempt reserved on its source address; `forAccount` adds the account (and gives the address's unit back if the account refuses). */
export type MfaAddressAttempt =
  { ok: true; forAccount(userId: string): Promise<MfaAttempt> } | { ok: false; retryAfterSeconds: number };

export class MfaLimits {
  private readonly account: Backoff;
  private readonly address: Backoff;

  constructor(store: BackoffStore, clock: Clock) {
    this.account = new Backoff(store, clock, SIGN_IN_ACCOUNT);
    this.address = new Backoff(store, clock, SIGN_IN_ADDRESS);
  }

  async reserve(userId: string, ip: string): Promise<MfaAttempt> {
    const address = await this.reserveAddress(ip);
    return address.ok ? address.forAccount(userId) : address;
  }

  /** Reserves the address's unit alone: an address over its budget is refused before any account is counted. */
  async reserveAddress(ip: string): Promise<MfaAddressAttempt> {
    const address = await this.address.reserve([perAddress('mfa', ip)]);
    if (!address.ok) return address;
    return {
      ok: true,
      forAccount: async (userId) => {
        const accountKeys = [`mfa:user:${userId}`];
        const account = await this.account.reserve(accountKeys);
        if (!account.ok) {
          await address.release();
          return account;
        }
        return {
          ok: true,
          waitIfFailedSeconds: Math.max(account.waitIfFailedSeconds, address.waitIfFailedSeconds),
          succeeded: () => this.account.reset(accountKeys),
        };
      },
    };
  }
}
