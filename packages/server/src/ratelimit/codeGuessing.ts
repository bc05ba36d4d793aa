/**
 * @module ratelimit/codeGuessing
 * The limits on entering security codes. Every attempt is reserved on three keys before the
 * code is looked up: the account (a daily ceiling), the source address, and the tenant's
 * budget of failed guesses weighted by how many codes are live (see `REDEEM_TENANT`). A
 * wrong code keeps its reservation; a right one gives it back. When a tenant's budget is
 * spent, redemption in that tenant waits for the window to end and administrators get one
 * `security.code_guessing_suspected` audit event.
 */
import type { AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import type { Db } from '../db/client.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import { perAddress } from './address.js';
import { Backoff } from './backoff.js';
import { GUESSING_ALERT, REDEEM_ACCOUNT, REDEEM_ADDRESS, REDEEM_TENANT } from './policies.js';
import type { BackoffStore } from './store.js';

/** A reserved redemption attempt. */
export interface RedeemAttempt {
  /** Seconds the caller must wait before the next attempt if this one turns out wrong. */
  waitIfFailedSeconds: number;
  /** The code was right: give the reservation back and clear the account's count. */
  succeeded(): Promise<void>;
  /**
   * Not a guess, but not a redemption either (the caller's own live code): give the reservation
   * back and leave the account's count as it is. Clearing it here would let a helper wipe their
   * own back-off between wrong guesses by entering a code of their own, which stays live.
   */
  notAGuess(): Promise<void>;
}

export interface CodeGuessingDeps {
  store: BackoffStore;
  clock: Clock;
  audit: AuditLog;
  /** How many codes of the tenant can be redeemed right now. */
  liveCodes: (tenantId: string) => Promise<number>;
}

/** Counts a tenant's live codes straight from `help_sessions` (the only query here). */
export const liveCodesIn =
  (db: Db, clock: Clock) =>
  async (tenantId: string): Promise<number> => {
    const row = await db
      .selectFrom('help_sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('code_hash', 'is not', null)
      .where('code_expires_at', '>', iso(clock.now()))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  };

export class CodeGuessingLimits {
  readonly account: Backoff;
  readonly address: Backoff;
  readonly tenant: Backoff;
  private readonly alert: Backoff;

  constructor(private readonly d: CodeGuessingDeps) {
    this.account = new Backoff(d.store, d.clock, REDEEM_ACCOUNT);
    this.address = new Backoff(d.store, d.clock, REDEEM_ADDRESS);
    this.tenant = new Backoff(d.store, d.clock, REDEEM_TENANT);
    this.alert = new Backoff(d.store, d.clock, GUESSING_ALERT);
  }

  /** Reserves one attempt for `principal`, or throws `rate_limited` without looking at the code. */
  async reserve(principal: Principal): Promise<RedeemAttempt> {
    const accountKeys = [`redeem:user:${principal.userId}`];
    const addressKeys = principal.ip ? [perAddress('redeem', principal.ip)] : [];
    const tenantKeys = [`redeem:tenant:${principal.tenantId}`];
    const weight = Math.max(1, await this.d.liveCodes(principal.tenantId));

    const account = await this.account.reserve(accountKeys);
    if (!account.ok) throw errors.rateLimited(account.retryAfterSeconds);
    const address = await this.address.reserve(addressKeys);
    if (!address.ok) {
      await account.release();
      throw errors.rateLimited(address.retryAfterSeconds);
    }
    const tenant = await this.tenant.reserve(tenantKeys, weight);
    if (!tenant.ok) {
      await Promise.all([account.release(), address.release()]);
      await this.raiseAlert(principal, weight);
      throw new AppError(
        'rate_limited',
        `Too many wrong security codes were entered in your organization today. Try again in ${tenant.retryAfterSeconds} s or ask your administrator.`,
        { retryAfterSeconds: tenant.retryAfterSeconds },
      );
    }
    return {
      waitIfFailedSeconds: Math.max(account.waitIfFailedSeconds, address.waitIfFailedSeconds),
      succeeded: async () => {
        await Promise.all([address.release(), tenant.release()]);
        await this.account.reset(accountKeys);
      },
      notAGuess: async () => {
        await Promise.all([account.release(), address.release(), tenant.release()]);
      },
    };
  }

  /** The first refusal of a window writes the audit alert for administrators; later ones do not. */
  private async raiseAlert(principal: Principal, weight: number): Promise<void> {
    const first = await this.alert.reserve([`redeem:alert:${principal.tenantId}`]);
    if (!first.ok) return;
    await this.d.audit.record(
      byPerson(principal, 'security.code_guessing_suspected', undefined, {
        budgetUnits: REDEEM_TENANT.ceiling,
        liveCodes: weight,
        windowHours: REDEEM_TENANT.windowMs / 3_600_000,
      }),
    );
  }
}
