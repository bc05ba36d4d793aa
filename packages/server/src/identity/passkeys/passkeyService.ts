/**
 * @module identity/passkeys/passkeyService
 * A person's passkeys: adding one (options with a single-use challenge → the browser's
 * attestation, verified for that challenge, our origin and RP ID), listing, renaming and removing
 * their own, and an administrator (`users.manage`) seeing and removing someone's. Adding needs a
 * recent sign-in: this browser signed in (the relying party always asks for credentials) within
 * `PASSKEY_RECENT_SIGN_IN_MINUTES`, else the password again, as removing an authenticator app
 * does. Only accounts with a Remote Help password may add one: a passkey at the embedded provider
 * must not become a way around an organization's own sign-in. Every change is audited.
 */
import {
  PASSKEY_RECENT_SIGN_IN_MINUTES,
  PASSKEYS_PER_USER_MAX,
  type MyPasskeys,
  type Passkey,
  type PasskeyCreationOptions,
  type PasskeyRegistrationResponse,
  type UserPasskeys,
} from '@remote-help/protocol';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import type { AuditLog } from '../../audit/audit.js';
import { byPerson } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import { assertMayManagePerson, assertUserManagerOf } from '../../rbac/delegation.js';
import { AppError, errors } from '../../errors.js';
import { newId, sha256 } from '../../ids.js';
import type { Clock } from '../../time.js';
import { iso } from '../../time.js';
import type { PasswordRecheck } from '../passwordRecheck.js';
import type { Principal } from '../principal.js';
import type { WebauthnChallenges } from './challenges.js';
import type { PasskeyRefusal, RelyingParty } from './webauthn.js';
import { REFUSAL_TEXT, presentPasskey, refusalOf } from './webauthn.js';

export interface PasskeyServiceDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  rp: RelyingParty;
  challenges: WebauthnChallenges;
  recheck: PasswordRecheck;
}

/** A refused WebAuthn answer as the API says it (`data.reason` names which check failed). */
export function passkeyError(reason: PasskeyRefusal): AppError {
  return new AppError(reason === 'already_added' ? 'conflict' : 'validation_failed', REFUSAL_TEXT[reason], {
    field: 'passkey',
    reason,
  });
}

export class PasskeyService {
  constructor(private readonly d: PasskeyServiceDeps) {}

  private rows(tenantId: string, userId: string) {
    return this.d.db
      .selectFrom('user_passkeys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
  }

  private account(principal: Principal) {
    return this.d.db
      .selectFrom('users')
      .select(['id', 'email', 'display_name', 'password_hash'])
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.userId)
      .executeTakeFirst();
  }

  /** Whether this browser's session (its cookie token) signed in within the recent-sign-in window. */
  private async signedInRecently(principal: Principal, sessionToken: string | undefined): Promise<boolean> {
    if (!sessionToken || principal.client !== 'web') return false;
    const session = await this.d.db
      .selectFrom('auth_sessions')
      .select('created_at')
      .where('id', '=', sha256(sessionToken))
      .where('tenant_id', '=', principal.tenantId)
      .where('user_id', '=', principal.userId)
      .executeTakeFirst();
    const since = iso(this.d.clock.now() - PASSKEY_RECENT_SIGN_IN_MINUTES * 60_000);
    return Boolean(session && session.created_at >= since);
  }

  async listMine(principal: Principal, sessionToken: string | undefined): Promise<MyPasskeys> {
    const [rows, user, recent] = await Promise.all([
      this.rows(principal.tenantId, principal.userId),
      this.account(principal),
      this.signedInRecently(principal, sessionToken),
    ]);
    return { passkeys: rows.map(presentPasskey), canAdd: Boolean(user?.password_hash), passwordRequired: !recent };
  }

  /** The options for `navigator.credentials.create()`, with a challenge for this person only. */
  async startRegistration(
    principal: Principal,
    sessionToken: string | undefined,
    password: string | undefined,
  ): Promise<PasskeyCreationOptions> {
    const user = await this.account(principal);
    if (!user) throw errors.authenticationRequired();
    if (!user.password_hash) {
      throw errors.forbidden('Passkeys are for Remote Help accounts; your organization’s own sign-in protects yours.');
    }
    if (!(await this.signedInRecently(principal, sessionToken))) {
      if (!password) {
        throw new AppError('validation_failed', 'Enter your password to add a passkey.', {
          field: 'password',
          reason: 'recent_sign_in_required',
        });
      }
      await this.d.recheck.verify(principal, password, 'add_passkey', {
        field: 'password',
        message: 'That password is not right.',
      });
    }
    const existing = await this.rows(principal.tenantId, principal.userId);
    if (existing.length >= PASSKEYS_PER_USER_MAX) {
      throw new AppError('conflict', `You have ${PASSKEYS_PER_USER_MAX} passkeys; remove one before adding another.`);
    }
    const challenge = await this.d.challenges.issue('register', {
      tenantId: principal.tenantId,
      userId: principal.userId,
    });
    const options = await generateRegistrationOptions({
      rpName: this.d.rp.name,
      rpID: this.d.rp.id,
      userName: user.email,
      userDisplayName: user.display_name,
      // The user handle a discoverable passkey gives back at sign-in: our random user id, nothing personal.
      userID: new TextEncoder().encode(user.id),
      challenge: Buffer.from(challenge, 'base64url'),
      attestationType: 'none',
      timeout: 5 * 60_000,
      excludeCredentials: existing.map((row) => ({ id: row.credential_id })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return options as PasskeyCreationOptions;
  }

  /** Verifies the browser's answer to this person's challenge and stores the passkey. */
  async finishRegistration(
    principal: Principal,
    name: string,
    response: PasskeyRegistrationResponse,
  ): Promise<Passkey> {
    let challenge: string;
    try {
      challenge = decodeClientDataJSON(response.response.clientDataJSON).challenge;
    } catch {
      throw passkeyError('malformed');
    }
    const fresh = await this.d.challenges.consume(challenge, 'register', {
      tenantId: principal.tenantId,
      userId: principal.userId,
    });
    if (!fresh) throw passkeyError('challenge');
    let info;
    try {
      const verification = await verifyRegistrationResponse({
        // The contract's schema checked the shape; the library checks every byte of it.
        response: response as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.d.rp.origin,
        expectedRPID: this.d.rp.id,
        requireUserVerification: false,
      });
      if (!verification.verified) throw passkeyError('signature');
      info = verification.registrationInfo;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw passkeyError(refusalOf(error));
    }
    const taken = await this.d.db
      .selectFrom('user_passkeys')
      .select('id')
      .where('credential_id', '=', info.credential.id)
      .executeTakeFirst();
    if (taken) throw passkeyError('already_added');
    const now = iso(this.d.clock.now());
    const row = {
      id: newId(),
      tenant_id: principal.tenantId,
      user_id: principal.userId,
      credential_id: info.credential.id,
      public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: JSON.stringify(info.credential.transports ?? []),
      device_type: info.credentialDeviceType,
      backed_up: info.credentialBackedUp ? 1 : 0,
      name,
      created_at: now,
      last_used_at: null,
    };
    await this.d.audit.together(
      (trx) => trx.insertInto('user_passkeys').values(row).execute(),
      () =>
        byPerson(
          principal,
          'user.passkey_added',
          { type: 'user', id: principal.userId },
          { passkeyId: row.id, name, synced: row.device_type === 'multiDevice' },
        ),
    );
    return presentPasskey(row);
  }

  async rename(principal: Principal, id: string, name: string): Promise<Passkey> {
    const before = await this.d.db
      .selectFrom('user_passkeys')
      .selectAll()
      .where('tenant_id', '=', principal.tenantId)
      .where('user_id', '=', principal.userId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!before) throw errors.notFound('Passkey');
    await this.d.audit.together(
      (db) => db.updateTable('user_passkeys').set({ name }).where('id', '=', before.id).execute(),
      () =>
        byPerson(
          principal,
          'user.passkey_renamed',
          { type: 'user', id: principal.userId },
          { passkeyId: id, before: { name: before.name }, after: { name } },
        ),
    );
    return presentPasskey({ ...before, name });
  }

  async removeOwn(principal: Principal, id: string): Promise<void> {
    const row = await this.d.db
      .selectFrom('user_passkeys')
      .select(['id', 'name'])
      .where('tenant_id', '=', principal.tenantId)
      .where('user_id', '=', principal.userId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw errors.notFound('Passkey');
    await this.d.audit.together(
      (db) => db.deleteFrom('user_passkeys').where('id', '=', row.id).execute(),
      () =>
        byPerson(
          principal,
          'user.passkey_removed',
          { type: 'user', id: principal.userId },
          { passkeyId: id, name: row.name },
        ),
    );
  }

  /** An administrator sees someone's passkeys (names and dates only). */
  async listFor(principal: Principal, userId: string): Promise<UserPasskeys> {
    await assertUserManagerOf(this.d.db, principal, userId);
    return { passkeys: (await this.rows(principal.tenantId, userId)).map(presentPasskey) };
  }

  /** An administrator removes every passkey of someone in their organization. */
  async removeAllFor(principal: Principal, userId: string): Promise<void> {
    await assertUserManagerOf(this.d.db, principal, userId);
    await assertMayManagePerson(this.d.db, principal, userId);
    await this.d.audit.together(
      (db) =>
        db
          .deleteFrom('user_passkeys')
          .where('tenant_id', '=', principal.tenantId)
          .where('user_id', '=', userId)
          .executeTakeFirst(),
      (removed) =>
        byPerson(
          principal,
          'user.passkeys_reset',
          { type: 'user', id: userId },
          { removed: Number(removed.numDeletedRows) },
        ),
    );
  }
}
