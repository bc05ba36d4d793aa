/**
 * @module ratelimit/signInLimits
 * Which back-off keys a password attempt is reserved on, following OWASP's guidance on
 * blocking guessing without locking owners out:
 * - a browser with a valid device cookie for the account counts under that cookie alone;
 * - any other attempt counts per source address first and only then per account, so an
 *   address over its budget (a spray of made-up emails) leaves no count for any account;
 * - a success clears the account, the address and the device keys.
 * The reservation comes before the password is verified, atomically per key. Addresses are keyed
 * by `addressKey` (an IPv6 address by its /64).
 */
import type { Clock } from '../time.js';
import { perAddress } from './address.js';
import { Backoff } from './backoff.js';
import { SIGN_IN_ACCOUNT, SIGN_IN_ADDRESS, SIGN_IN_DEVICE } from './policies.js';
import type { BackoffStore } from './store.js';

export interface SignInAttemptInput {
  email: string;
  ip: string;
  /** Nonce of a valid device cookie for `email`, or null. */
  deviceNonce: string | null;
}

export type SignInAttempt =
  { ok: true; waitIfFailedSeconds: number; succeeded(): Promise<void> } | { ok: false; retryAfterSeconds: number };

export class SignInLimits {
  private readonly account: Backoff;
  private readonly address: Backoff;
  private readonly device: Backoff;

  constructor(store: BackoffStore, clock: Clock) {
    this.account = new Backoff(store, clock, SIGN_IN_ACCOUNT);
    this.address = new Backoff(store, clock, SIGN_IN_ADDRESS);
    this.device = new Backoff(store, clock, SIGN_IN_DEVICE);
  }

  async reserve(input: SignInAttemptInput): Promise<SignInAttempt> {
    const accountKeys = [`login:email:${input.email}`];
    const addressKeys = [perAddress('login', input.ip)];
    const clear = async (deviceKeys: string[]) => {
      await Promise.all([
        this.account.reset(accountKeys),
        this.address.reset(addressKeys),
        this.device.reset(deviceKeys),
      ]);
    };
    if (input.deviceNonce) {
      const deviceKeys = [`login:device:${input.deviceNonce}`];
      const device = await this.device.reserve(deviceKeys);
      if (!device.ok) return device;
      return { ok: true, waitIfFailedSeconds: device.waitIfFailedSeconds, succeeded: () => clear(deviceKeys) };
    }
    const address = await this.address.reserve(addressKeys);
    if (!address.ok) return address;
    const account = await this.account.reserve(accountKeys);
    if (!account.ok) {
      await address.release();
      return account;
    }
    return {
      ok: true,
      waitIfFailedSeconds: Math.max(account.waitIfFailedSeconds, address.waitIfFailedSeconds),
      succeeded: () => clear([]),
    };
  }
}
