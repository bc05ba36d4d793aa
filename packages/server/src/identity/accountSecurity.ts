/**
 * @module identity/accountSecurity
 * A person's password and sign-ins: changing one's own password (the password policy applies;
 * the other browsers are signed out), and *sign out everywhere*, by the person (this browser
 * stays until the web app signs it out) or by an administrator. Ending sign-ins deletes the
 * browser sessions (`auth_sessions`) and, at the embedded provider, the person's sessions,
 * grants, codes and tokens: the Remote Help app's bearer token stops working at once.
 */
import type { Db } from '../db/client.js';
import { assertMayManagePerson, assertUserManagerOf } from '../rbac/delegation.js';
import { sha256 } from '../ids.js';
import type { AuditEntry, AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import { assertPasswordAllowed } from './passwordPolicy.js';
import type { PasswordRecheck } from './passwordRecheck.js';
import { hashPassword } from './passwords.js';
import type { Principal } from './principal.js';

/** The embedded provider's records that carry a person's sign-in. */
const SIGN_IN_MODELS = ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode'] as const;

/** Ends every sign-in of `userId` but the browser session whose cookie token is `keepToken`. */
export async function endSignInsOf(db: Db, userId: string, keepToken?: string): Promise<number> {
  let sessions = db.deleteFrom('auth_sessions').where('user_id', '=', userId);
  if (keepToken) sessions = sessions.where('id', '!=', sha256(keepToken));
  const ended = await sessions.executeTakeFirst();
  // The provider's records name their person in `account_id` (migration 0021, indexed).
  const records = await db
    .deleteFrom('oidc_payloads')
    .where('account_id', '=', userId)
    .where('model', 'in', SIGN_IN_MODELS)
    .executeTakeFirst();
  return Number(ended.numDeletedRows) + Number(records.numDeletedRows);
}

export class AccountSecurity {
  constructor(
    private readonly d: {
      db: Db;
      audit: AuditLog;
      clock: Clock;
      /** Told once someone's sign-ins were ended and it committed: their open sockets are rechecked. */
      signInsEnded?: (userId: string) => void;
      recheck: PasswordRecheck;
    },
  ) {}

  /** Changes the caller's password; the other browsers are signed out, this one stays. */
  async changePassword(
    principal: Principal,
    currentToken: string | undefined,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    await this.d.recheck.verify(principal, currentPassword, 'change_password', {
      field: 'currentPassword',
      message: 'Your current password is not right.',
    });
    assertPasswordAllowed(newPassword, 'newPassword');
    await this.setPassword(
      principal.tenantId,
      principal.userId,
      newPassword,
      byPerson(principal, 'user.password_changed', { type: 'user', id: principal.userId }),
      (db) => endSignInsOf(db, principal.userId, currentToken),
    );
    this.d.signInsEnded?.(principal.userId);
  }

  /**
   * Sets a password that passed the policy and clears an administrator's "change at next sign-in".
   * `entry` is recorded in the same transaction, and `alsoThere` runs in it (ending other
   * sign-ins): all of it commits or none (`AuditLog.together`).
   */
  async setPassword(
    tenantId: string,
    userId: string,
    password: string,
    entry: AuditEntry,
    alsoThere?: (db: Db) => Promise<unknown>,
  ): Promise<void> {
    // Hashed before the transaction opens: it takes a while, and holds nothing meanwhile.
    const passwordHash = await hashPassword(password);
    await this.d.audit.together(
      async (db) => {
        await db
          .updateTable('users')
          .set({ password_hash: passwordHash, must_change_password: 0, updated_at: iso(this.d.clock.now()) })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', userId)
          .execute();
        await alsoThere?.(db);
      },
      () => entry,
    );
  }

  /** The caller's other sign-ins end (`keepToken`: this browser's cookie). */
  async signOutEverywhere(principal: Principal, keepToken: string | undefined): Promise<void> {
    await this.d.audit.together(
      (db) => endSignInsOf(db, principal.userId, keepToken),
      (ended) =>
        byPerson(
          principal,
          'user.signed_out_everywhere',
          { type: 'user', id: principal.userId },
          { ended, by: 'self' },
        ),
    );
    this.d.signInsEnded?.(principal.userId);
  }

  /** An administrator (`users.manage`) ends every sign-in of someone in their organization. */
  async signOutUser(principal: Principal, userId: string): Promise<void> {
    await assertUserManagerOf(this.d.db, principal, userId);
    await assertMayManagePerson(this.d.db, principal, userId);
    await this.d.audit.together(
      (db) => endSignInsOf(db, userId),
      (ended) =>
        byPerson(principal, 'user.signed_out_everywhere', { type: 'user', id: userId }, { ended, by: 'administrator' }),
    );
    this.d.signInsEnded?.(userId);
  }
}
