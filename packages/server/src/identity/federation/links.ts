/**
 * @module identity/federation/links
 * A person's organization sign-in links (`user_identities`: an identity provider of their
 * organization and the account's subject there) as an administrator (`users.manage`) sees and
 * unlinks them. A person linked to one subject of a provider is never linked to another subject
 * claiming their email (`jit.ts`: `federation_identity_conflict`), so when their account at the
 * provider is deleted and made again, unlinking the old subject is how they get back in: their
 * next sign-in there links the account they use by its (verified) email, as a first one does.
 *
 * Every query is scoped by the caller's organization: another organization's person or provider
 * is exactly as unknown as one that does not exist (404). Unlinking acts on someone's account,
 * so it needs every permission that person holds (`assertMayManagePerson`); it is audited
 * (`user.identity_unlinked`, with the provider's name and the subject) in the same transaction.
 */
import type { UserIdentityList } from '@remote-help/protocol';
import type { AuditLog } from '../../audit/audit.js';
import { byPerson } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import { errors } from '../../errors.js';
import { assertMayManagePerson, assertUserManagerOf } from '../../rbac/delegation.js';
import type { Principal } from '../principal.js';

export interface IdentityLinksDeps {
  db: Db;
  audit: AuditLog;
}

export class IdentityLinks {
  constructor(private readonly d: IdentityLinksDeps) {}

  private links(tenantId: string, userId: string, providerId?: string) {
    return this.d.db
      .selectFrom('user_identities as l')
      .innerJoin('identity_providers as p', (join) =>
        join.onRef('p.id', '=', 'l.provider_id').onRef('p.tenant_id', '=', 'l.tenant_id'),
      )
      .select(['l.provider_id', 'p.name', 'l.subject', 'l.created_at'])
      .where('l.tenant_id', '=', tenantId)
      .where('l.user_id', '=', userId)
      .$if(providerId !== undefined, (q) => q.where('l.provider_id', '=', providerId as string))
      .orderBy('l.created_at')
      .orderBy('p.name')
      .execute();
  }

  /** A person's links, oldest first. */
  async list(principal: Principal, userId: string): Promise<UserIdentityList> {
    await assertUserManagerOf(this.d.db, principal, userId);
    const rows = await this.links(principal.tenantId, userId);
    return {
      identities: rows.map((r) => ({
        providerId: r.provider_id,
        providerName: r.name,
        subject: r.subject,
        linkedAt: r.created_at,
      })),
    };
  }

  /** Unlinks a person from their account (subject) at one provider of the organization. */
  async unlink(principal: Principal, userId: string, providerId: string): Promise<void> {
    await assertUserManagerOf(this.d.db, principal, userId);
    await assertMayManagePerson(this.d.db, principal, userId);
    const rows = await this.links(principal.tenantId, userId, providerId);
    const [first] = rows;
    if (!first) throw errors.notFound('Sign-in link');
    const subjects = rows.map((r) => r.subject);
    const removed = await this.d.audit.together(
      (db) =>
        db
          .deleteFrom('user_identities')
          .where('tenant_id', '=', principal.tenantId)
          .where('user_id', '=', userId)
          .where('provider_id', '=', providerId)
          .where('subject', 'in', subjects)
          .executeTakeFirst(),
      (result) =>
        Number(result.numDeletedRows) === 0
          ? null
          : byPerson(
              principal,
              'user.identity_unlinked',
              { type: 'user', id: userId },
              {
                providerId,
                provider: first.name,
                subject: first.subject,
                // A person has one subject per provider; should a race have linked two, both go, and both are named.
                ...(subjects.length > 1 ? { subjects } : {}),
              },
            ),
    );
    // Unlinked meanwhile by someone else: nothing changed here, as if it had not been there.
    if (Number(removed.numDeletedRows) === 0) throw errors.notFound('Sign-in link');
  }
}
