/**
 * @module identity/mfa/mfaService
 * Multi-factor authentication with an authenticator app (TOTP) for the embedded provider's
 * accounts: enrollment (a secret made here, shown as an otpauth URI and QR code, confirmed by a
 * first code), ten single-use recovery codes, the check at sign-in, removal by the person
 * (password again) and reset by an administrator. A code is accepted once: the newest step
 * used is stored and moved forward by compare-and-set, so two requests racing with the same
 * code cannot both pass; a recovery code is spent the same way.
 */
import { createHmac, randomInt } from 'node:crypto';
import { RECOVERY_CODE_COUNT } from '@remote-help/protocol';
import type { MfaEnrollment, SecurityInfo } from '@remote-help/protocol';
import { PASSWORD_MIN_LENGTH } from '@remote-help/protocol';
import { renderSVG } from 'uqr';
import type { AuditLog } from '../../audit/audit.js';
import { byPerson } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import { assertMayManagePerson, assertUserManagerOf } from '../../rbac/delegation.js';
import { AppError, errors } from '../../errors.js';
import type { Clock } from '../../time.js';
import { iso } from '../../time.js';
import { openGcm, sealGcm } from '../../secretsAtRest.js';
import type { PasswordRecheck } from '../passwordRecheck.js';
import type { Principal } from '../principal.js';
import { matchTotp, newTotpSecret, otpauthUri } from './totp.js';

export interface MfaServiceDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  /** Server key the seal and recovery-code keys are derived from (`Secrets.codeKey`). */
  serverKey: Buffer;
  /** The issuer name authenticator apps show. */
  issuer?: string;
  recheck: PasswordRecheck;
}

/** How a second factor was proven at sign-in. */
export type SecondFactor = 'otp' | 'recovery';

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `xxxxx-xxxxx` from an alphabet without look-alikes (about 49 bits). */
function newRecoveryCode(): string {
  const pick = () => Array.from({ length: 5 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
  return `${pick()}-${pick()}`;
}

export class MfaService {
  private readonly sealKey: Buffer;
  private readonly recoveryKey: Buffer;
  private readonly issuer: string;

  constructor(private readonly d: MfaServiceDeps) {
    this.sealKey = createHmac('sha256', d.serverKey).update('remote-help/mfa/seal').digest();
    this.recoveryKey = createHmac('sha256', d.serverKey).update('remote-help/mfa/recovery').digest();
    this.issuer = d.issuer ?? 'Remote Help';
  }

  private seal(secret: string): string {
    return sealGcm(this.sealKey, secret);
  }

  private unseal(sealed: string): string {
    return openGcm(this.sealKey, sealed);
  }

  private recoveryHash(userId: string, code: string): string {
    const normal = code.toLowerCase().replace(/[^a-z0-9]/g, '');
    return createHmac('sha256', this.recoveryKey).update(`${userId}:${normal}`).digest('base64url');
  }

  private row(userId: string) {
    return this.d.db.selectFrom('user_mfa').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** True when the person has a confirmed authenticator: sign-in asks for its code. */
  async isEnabled(userId: string): Promise<boolean> {
    const row = await this.row(userId);
    return Boolean(row?.secret_enc && row.confirmed_at);
  }

  async securityInfo(principal: Principal): Promise<SecurityInfo> {
    const [row, left, user] = await Promise.all([
      this.row(principal.userId),
      this.d.db
        .selectFrom('user_recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', principal.userId)
        .where('used_at', 'is', null)
        .executeTakeFirst(),
      this.d.db
        .selectFrom('users')
        .select('password_hash')
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', principal.userId)
        .executeTakeFirst(),
    ]);
    const enabled = Boolean(row?.secret_enc && row.confirmed_at);
    return {
      mfa: {
        enabled,
        confirmedAt: enabled ? (row?.confirmed_at ?? null) : null,
        recoveryCodesLeft: enabled ? Number(left?.n ?? 0) : 0,
      },
      hasPassword: Boolean(user?.password_hash),
      passwordPolicy: { minLength: PASSWORD_MIN_LENGTH, commonPasswordsRefused: true },
    };
  }

  /** A new secret waiting for its first code; an authenticator already confirmed keeps working meanwhile. */
  async startEnrollment(principal: Principal): Promise<MfaEnrollment> {
    const user = await this.d.db
      .selectFrom('users')
      .select('email')
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.userId)
      .executeTakeFirst();
    if (!user) throw errors.authenticationRequired();
    const secret = newTotpSecret();
    const now = iso(this.d.clock.now());
    const pending = { pending_secret_enc: this.seal(secret), pending_at: now };
    await this.d.db
      .insertInto('user_mfa')
      .values({
        user_id: principal.userId,
        tenant_id: principal.tenantId,
        secret_enc: null,
        confirmed_at: null,
        last_step: null,
        created_at: now,
        ...pending,
      })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(pending))
      .execute();
    const uri = otpauthUri(this.issuer, user.email, secret);
    const svg = renderSVG(uri, { ecc: 'M', border: 2, pixelSize: 6 });
    return { secret, otpauthUri: uri, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
  }

  /**
   * Confirms the pending secret with a code of it; answers fresh recovery codes (once). Replacing
   * an authenticator already confirmed needs the password too, as removing it does.
   */
  async confirmEnrollment(principal: Principal, code: string, password?: string): Promise<{ recoveryCodes: string[] }> {
    const row = await this.row(principal.userId);
    if (!row?.pending_secret_enc) {
      throw new AppError('conflict', 'Start setting up the authenticator app first.');
    }
    if (row.secret_enc && row.confirmed_at) {
      if (password === undefined) {
        throw new AppError('validation_failed', 'Enter your password to use another authenticator app.', {
          field: 'password',
          reason: 'password_required',
        });
      }
      await this.d.recheck.verify(principal, password, 'replace_mfa', {
        field: 'password',
        message: 'That password is not right.',
      });
    }
    const step = matchTotp(this.unseal(row.pending_secret_enc), code, this.d.clock.now(), null);
    if (step === null) {
      throw new AppError('validation_failed', 'That code is not right. Enter the 6-digit code the app shows now.', {
        field: 'code',
      });
    }
    const now = iso(this.d.clock.now());
    const wasEnabled = Boolean(row.secret_enc && row.confirmed_at);
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.d.audit.together(
      async (trx) => {
        const moved = await trx
          .updateTable('user_mfa')
          .set({
            secret_enc: row.pending_secret_enc,
            confirmed_at: now,
            last_step: step,
            pending_secret_enc: null,
            pending_at: null,
          })
          .where('user_id', '=', principal.userId)
          .where('pending_secret_enc', '=', row.pending_secret_enc)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw new AppError('conflict', 'This setup was replaced; start again.');
        await trx.deleteFrom('user_recovery_codes').where('user_id', '=', principal.userId).execute();
        await trx
          .insertInto('user_recovery_codes')
          .values(
            recoveryCodes.map((c) => ({
              code_hash: this.recoveryHash(principal.userId, c),
              user_id: principal.userId,
              tenant_id: principal.tenantId,
              used_at: null,
              created_at: now,
            })),
          )
          .execute();
      },
      () =>
        byPerson(
          principal,
          'user.mfa_enrolled',
          { type: 'user', id: principal.userId },
          { method: 'totp', replaced: wasEnabled, recoveryCodes: RECOVERY_CODE_COUNT },
        ),
    );
    return { recoveryCodes };
  }

  /** The person removes their own authenticator; their password proves it is them. */
  async removeOwn(principal: Principal, password: string): Promise<void> {
    await this.d.recheck.verify(principal, password, 'remove_mfa', {
      field: 'password',
      message: 'That password is not right.',
    });
    const had = await this.has(principal.userId);
    await this.clear(principal, principal.userId, had ? 'user.mfa_removed' : null, had);
  }

  /** An administrator (`users.manage`) removes someone's authenticator so they set it up again. */
  async resetFor(principal: Principal, userId: string): Promise<void> {
    await assertUserManagerOf(this.d.db, principal, userId);
    await assertMayManagePerson(this.d.db, principal, userId);
    await this.clear(principal, userId, 'user.mfa_reset', await this.has(userId));
  }

  /** Whether `userId` has an authenticator set up. */
  private async has(userId: string): Promise<boolean> {
    return Boolean((await this.row(userId))?.secret_enc);
  }

  /**
   * Removes the authenticator and recovery codes of `userId`, and records `action` (unless null)
   * in the same transaction: both commit or neither (`AuditLog.together`).
   */
  private async clear(
    principal: Principal,
    userId: string,
    action: 'user.mfa_removed' | 'user.mfa_reset' | null,
    had: boolean,
  ): Promise<void> {
    await this.d.audit.together(
      async (db) => {
        await db.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
        await db.deleteFrom('user_mfa').where('user_id', '=', userId).execute();
      },
      () =>
        action &&
        byPerson(principal, action, { type: 'user', id: userId }, { before: { mfa: had }, after: { mfa: false } }),
    );
  }

  /**
   * The sign-in's second step: a current authenticator code (never one of a step already used)
   * or an unused recovery code, which is spent. Null when neither.
   */
  async verify(userId: string, code: string): Promise<SecondFactor | null> {
    const row = await this.row(userId);
    if (!row?.secret_enc || !row.confirmed_at) return null;
    const clean = code.replace(/\s+/g, '');
    if (/^\d{6}$/.test(clean)) {
      const step = matchTotp(this.unseal(row.secret_enc), clean, this.d.clock.now(), row.last_step);
      if (step === null) return null;
      const moved = await this.d.db
        .updateTable('user_mfa')
        .set({ last_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return Number(moved.numUpdatedRows) === 1 ? 'otp' : null;
    }
    if (clean.length < 10 || clean.length > 16) return null;
    const spent = await this.d.db
      .updateTable('user_recovery_codes')
      .set({ used_at: iso(this.d.clock.now()) })
      .where('code_hash', '=', this.recoveryHash(userId, clean))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(spent.numUpdatedRows) === 1 ? 'recovery' : null;
  }
}
