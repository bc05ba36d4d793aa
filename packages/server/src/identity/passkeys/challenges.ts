/**
 * @module identity/passkeys/challenges
 * WebAuthn challenges: 32 random bytes handed out with each set of options, kept until used or
 * expired. Each is bound to what it was made for: a purpose, the person (registration, second
 * factor) and the sign-in interaction whose page showed it. Using one deletes it in the same
 * statement that finds it, so it counts once even when two answers race; an answer whose
 * challenge is unknown, spent, expired or bound to something else is refused.
 */
import { randomBytes } from 'node:crypto';
import { PASSKEY_CHALLENGE_MINUTES } from '@remote-help/protocol';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../time.js';

export type ChallengePurpose = 'register' | 'second_factor' | 'passwordless';

/** What a challenge is bound to; every field given must match when it is used. */
export interface ChallengeBinding {
  /** The sign-in interaction (sign-in challenges). */
  uid?: string;
  tenantId?: string;
  userId?: string;
}

const TTL_MS = PASSKEY_CHALLENGE_MINUTES * 60_000;

export class WebauthnChallenges {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * A new challenge for `purpose`. A sign-in page shown again replaces its interaction's earlier
   * challenge of the same purpose in one statement (one live challenge per page, however many
   * times it is shown at once: a unique index, migration 0023); expired ones are swept on the way.
   */
  async issue(purpose: ChallengePurpose, binding: ChallengeBinding): Promise<string> {
    const challenge = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.db.deleteFrom('webauthn_challenges').where('expires_at', '<', now).execute();
    const row = {
      challenge,
      purpose,
      interaction_uid: binding.uid ?? null,
      tenant_id: binding.tenantId ?? null,
      user_id: binding.userId ?? null,
      expires_at: now + TTL_MS,
    };
    const insert = this.db.insertInto('webauthn_challenges').values(row);
    if (!binding.uid) {
      await insert.execute();
      return challenge;
    }
    await insert
      .onConflict((oc) =>
        oc.columns(['interaction_uid', 'purpose']).where('interaction_uid', 'is not', null).doUpdateSet({
          challenge,
          tenant_id: row.tenant_id,
          user_id: row.user_id,
          expires_at: row.expires_at,
        }),
      )
      .execute();
    return challenge;
  }

  /** True (once) when `challenge` was issued for `purpose` and `binding` and has not expired; it is spent. */
  async consume(challenge: string, purpose: ChallengePurpose, binding: ChallengeBinding): Promise<boolean> {
    if (!challenge || challenge.length > 128) return false;
    let q = this.db
      .deleteFrom('webauthn_challenges')
      .where('challenge', '=', challenge)
      .where('purpose', '=', purpose)
      .where('expires_at', '>=', this.clock.now());
    q = binding.uid ? q.where('interaction_uid', '=', binding.uid) : q.where('interaction_uid', 'is', null);
    if (binding.tenantId) q = q.where('tenant_id', '=', binding.tenantId);
    if (binding.userId) q = q.where('user_id', '=', binding.userId);
    const spent = await q.executeTakeFirst();
    return Number(spent.numDeletedRows) === 1;
  }
}
