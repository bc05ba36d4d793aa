/**
 * @module identity/passwordRecheck
 * The password asked again of someone already signed in, before a change that a stolen cookie
 * or agent token must not make alone: changing the password, removing or replacing the
 * authenticator app, adding a passkey without a recent sign-in. Each check counts against the
 * sign-in page's own back-off (the account and the address, `SignInLimits`): without it, whoever
 * held a session could guess the password there without limit, and the right guess would let
 * them take the account's second factor or its password. A wrong password is audited like a
 * failed sign-in (`signin.failed`, `reason: bad_password`, with the change it was for).
 */
import { byPerson, type AuditLog } from '../audit/audit.js';
import type { Db } from '../db/client.js';
import { AppError, errors } from '../errors.js';
import type { SignInLimits } from '../ratelimit/signInLimits.js';
import { verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';

/** What the password was asked for (in the audit record). */
export type RecheckPurpose = 'change_password' | 'remove_mfa' | 'replace_mfa' | 'add_passkey';

export interface RecheckRefusal {
  /** The request field the password came in. */
  field: string;
  /** The refusal's message. */
  message: string;
}

export class PasswordRecheck {
  constructor(private readonly d: { db: Db; audit: AuditLog; limits: SignInLimits }) {}

  /**
   * Resolves when `password` is the caller's; else throws `rate_limited` (before it is even
   * compared) or `validation_failed` naming `refusal.field`, with `retryAfterSeconds` once a
   * wait applies to the next attempt.
   */
  async verify(principal: Principal, password: string, purpose: RecheckPurpose, refusal: RecheckRefusal) {
    const user = await this.d.db
      .selectFrom('users')
      .select(['email', 'password_hash'])
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.userId)
      .executeTakeFirst();
    if (!user) throw errors.authenticationRequired();
    const attempt = await this.d.limits.reserve({
      email: user.email,
      ip: principal.ip ?? 'unknown',
      deviceNonce: null,
    });
    if (!attempt.ok) throw errors.rateLimited(attempt.retryAfterSeconds);
    if (!(await verifyPassword(user.password_hash, password))) {
      await this.d.audit.record(
        byPerson(
          principal,
          'signin.failed',
          { type: 'user', id: principal.userId },
          { reason: 'bad_password', for: purpose },
        ),
      );
      const wait = attempt.waitIfFailedSeconds;
      throw new AppError('validation_failed', refusal.message, {
        field: refusal.field,
        ...(wait > 0 ? { retryAfterSeconds: wait } : {}),
      });
    }
    await attempt.succeeded();
  }
}
