/**
 * @module identity/passkeys/passkeySignIn
 * Signing in with a passkey at the embedded provider, as the second factor after the password
 * or without a password (a discoverable credential, user verification required). The sign-in
 * page carries the options (a challenge bound to its interaction, and for a second factor to
 * the person); the answer comes back in the page's form. Checked in this order: the source
 * address's budget, the same as authenticator codes' (before anything is read or written: an
 * address over it gets a 429 that leaves no row, no audit record and no spent challenge); the
 * answer's shape; its challenge, spent as it is found; the credential is known and is the
 * person's (the second factor: the person who gave the password; without a password: the user
 * handle the authenticator gave must be the credential's owner, in the owner's tenant); the
 * account's budget; then the signature, origin, RP ID, user verification and counter
 * (`@simplewebauthn/server`); the new counter is stored by compare-and-set, so one signature
 * never counts twice. Refusals are audited with their reason, so only attempts within the
 * address's budget are: a flood from one address writes at most its free attempts.
 */
import { PasskeyAuthenticationResponse } from '@remote-help/protocol';
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, AuthenticatorTransport } from '@simplewebauthn/server';
import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import type { AuditLog } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../time.js';
import { iso } from '../../time.js';
import type { MfaLimits } from '../mfa/mfaLimits.js';
import type { ChallengePurpose, WebauthnChallenges } from './challenges.js';
import type { PasskeyRefusal, RelyingParty } from './webauthn.js';
import { REFUSAL_TEXT, parseTransports, refusalOf } from './webauthn.js';

export interface PasskeySignInDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  rp: RelyingParty;
  challenges: WebauthnChallenges;
  limits: MfaLimits;
}

export interface PasskeyUser {
  id: string;
  tenant_id: string;
  email: string;
}

export type PasskeyCheck =
  | { ok: true; user: PasskeyUser; userVerified: boolean }
  | { ok: false; status: number; reason: PasskeyRefusal; message: string }
  | { ok: false; status: 429; reason: 'rate_limited'; message: string; retryAfterSeconds: number };

const TIMEOUT_MS = 2 * 60_000;

export class PasskeySignIn {
  constructor(private readonly d: PasskeySignInDeps) {}

  async hasPasskeys(user: { id: string; tenant_id: string }): Promise<boolean> {
    // By tenant and user: the passkeys' index is (tenant_id, user_id); by user alone every
    // sign-in read the passkeys of every organization.
    const row = await this.d.db
      .selectFrom('user_passkeys')
      .select('id')
      .where('tenant_id', '=', user.tenant_id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    return Boolean(row);
  }

  /** Options (JSON) for the first page's "Sign in with a passkey": any discoverable passkey, verified user. */
  async passwordlessOptions(uid: string): Promise<string> {
    const challenge = await this.d.challenges.issue('passwordless', { uid });
    const options = await generateAuthenticationOptions({
      rpID: this.d.rp.id,
      challenge: Buffer.from(challenge, 'base64url'),
      userVerification: 'required',
      timeout: TIMEOUT_MS,
    });
    return JSON.stringify(options);
  }

  /** Options (JSON) for the second step: this person's passkeys only. */
  async secondFactorOptions(uid: string, user: PasskeyUser): Promise<string> {
    const rows = await this.d.db
      .selectFrom('user_passkeys')
      .select(['credential_id', 'transports'])
      .where('tenant_id', '=', user.tenant_id)
      .where('user_id', '=', user.id)
      .execute();
    const challenge = await this.d.challenges.issue('second_factor', {
      uid,
      tenantId: user.tenant_id,
      userId: user.id,
    });
    const options = await generateAuthenticationOptions({
      rpID: this.d.rp.id,
      challenge: Buffer.from(challenge, 'base64url'),
      userVerification: 'preferred',
      timeout: TIMEOUT_MS,
      allowCredentials: rows.map((r) => ({
        id: r.credential_id,
        transports: parseTransports(r.transports) as AuthenticatorTransport[],
      })),
    });
    return JSON.stringify(options);
  }

  /**
   * Checks the answer posted on interaction `uid`. `expected`: the person who gave the password
   * (second factor); without it, the passkey says who is signing in.
   */
  async verify(uid: string, credential: string, ip: string, expected?: PasskeyUser): Promise<PasskeyCheck> {
    const purpose: ChallengePurpose = expected ? 'second_factor' : 'passwordless';
    const refuse = async (reason: PasskeyRefusal, who?: { id: string; tenant_id: string }): Promise<PasskeyCheck> => {
      await this.d.audit.record({
        tenantId: who?.tenant_id ?? null,
        actor: { type: 'user', id: who?.id ?? null },
        action: 'signin.passkey_failed',
        ip,
        data: { reason, purpose },
      });
      return { ok: false, status: reason === 'disabled' ? 403 : 401, reason, message: REFUSAL_TEXT[reason] };
    };
    const tooMany = (retryAfterSeconds: number): PasskeyCheck => ({
      ok: false,
      status: 429,
      reason: 'rate_limited',
      message: `Too many attempts. Try again in ${retryAfterSeconds} seconds.`,
      retryAfterSeconds,
    });

    // The address's unit first: every refusal below is counted, and audited, within its budget.
    const gate = await this.d.limits.reserveAddress(ip);
    if (!gate.ok) return tooMany(gate.retryAfterSeconds);

    let response: PasskeyAuthenticationResponse;
    let challenge: string;
    try {
      response = PasskeyAuthenticationResponse.parse(JSON.parse(credential));
      challenge = decodeClientDataJSON(response.response.clientDataJSON).challenge;
    } catch {
      return refuse('malformed', expected);
    }
    const binding = expected ? { uid, tenantId: expected.tenant_id, userId: expected.id } : { uid };
    if (!(await this.d.challenges.consume(challenge, purpose, binding))) return refuse('challenge', expected);

    const row = await this.d.db
      .selectFrom('user_passkeys')
      .innerJoin('users', (join) =>
        join.onRef('users.id', '=', 'user_passkeys.user_id').onRef('users.tenant_id', '=', 'user_passkeys.tenant_id'),
      )
      .select([
        'user_passkeys.id',
        'user_passkeys.tenant_id',
        'user_passkeys.user_id',
        'user_passkeys.credential_id',
        'user_passkeys.public_key',
        'user_passkeys.counter',
        'user_passkeys.transports',
        'users.email',
        'users.disabled',
      ])
      .where('user_passkeys.credential_id', '=', response.id)
      .executeTakeFirst();
    if (!row) return refuse('unknown_credential', expected);
    const owner = { id: row.user_id, tenant_id: row.tenant_id, email: row.email };
    if (expected) {
      if (row.user_id !== expected.id || row.tenant_id !== expected.tenant_id) return refuse('other_account', expected);
    } else if (response.response.userHandle !== Buffer.from(row.user_id).toString('base64url')) {
      return refuse('other_account', owner);
    }

    const attempt = await gate.forAccount(owner.id);
    if (!attempt.ok) return tooMany(attempt.retryAfterSeconds);
    let newCounter: number;
    let userVerified: boolean;
    try {
      const verification = await verifyAuthenticationResponse({
        // The schema checked the shape; the library checks every byte of it.
        response: response as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.d.rp.origin,
        expectedRPID: this.d.rp.id,
        credential: {
          id: row.credential_id,
          publicKey: Buffer.from(row.public_key, 'base64url'),
          counter: Number(row.counter),
          transports: parseTransports(row.transports) as AuthenticatorTransport[],
        },
        requireUserVerification: purpose === 'passwordless',
      });
      if (!verification.verified) return refuse('signature', owner);
      ({ newCounter, userVerified } = verification.authenticationInfo);
    } catch (error) {
      return refuse(refusalOf(error), owner);
    }
    // Compare-and-set: of two answers racing with one signature, only one moves the counter.
    const moved = await this.d.db
      .updateTable('user_passkeys')
      .set({ counter: newCounter, last_used_at: iso(this.d.clock.now()) })
      .where('id', '=', row.id)
      .where('counter', '=', row.counter)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return refuse('counter', owner);
    if (row.disabled) return refuse('disabled', owner);
    await attempt.succeeded();
    return { ok: true, user: owner, userVerified };
  }
}
