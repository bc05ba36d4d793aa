/**
 * @module identity/federation/jit
 * Just-in-time provisioning: the ID token's claims, read through the provider's claim mapping,
 * create or update the person in the provider's organization, and the groups claim sets the
 * person's user groups (mapped by the provider's group mappings, and by group name when asked),
 * so that role assignments to those groups apply. An email outside the provider's domains, or in
 * one the organization no longer holds (verified by DNS or asserted), is refused; nothing is
 * created or changed for a refused sign-in.
 *
 * A person is found by their link to the provider (`user_identities`: provider and `sub`), else by
 * email, which links an existing account of that email (a local one included) to the provider
 * account. So the email must be one the provider vouches for:
 * - `email_verified` present and anything but `true` (or the string "true", as some providers send
 *   it) is refused, linked or not: a provider where people set their own email (Keycloak's account
 *   console, self-registration) would otherwise hand anyone the account of that address.
 * - `email_verified` absent is accepted: Microsoft Entra ID never sends it (its `email` is set by
 *   the directory's administrators), nor do providers that only issue admin-managed addresses. The
 *   administrator vouches for such a provider by restricting it to the organization's domains.
 *   The claim is read by its standard name whatever the `email` claim is mapped to.
 * - An account already linked to one subject of this provider is never linked to another subject
 *   claiming its email (a recreated or impostor provider account): refused until an administrator
 *   sorts it out, rather than a second way into the same account.
 */
import type { AuditEntry, AuditLog } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import { isUniqueViolation } from '../../db/dialect.js';
import { newId } from '../../ids.js';
import type { Clock } from '../../time.js';
import { iso } from '../../time.js';
import type { ProviderRecord } from './service.js';
import { domainOf } from './service.js';

/**
 * A refused federated sign-in: a stable code and words for the person. `message` is English (logs,
 * audit); the page shows the catalog's `federation.error.<key>` (the code unless given) with
 * `params` in the person's language (`pages.ts`).
 */
export class FederationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly params: Readonly<Record<string, string>> = {},
    readonly key: string = code,
  ) {
    super(message);
    this.name = 'FederationError';
  }
}

export interface MappedClaims {
  subject: string;
  email: string | null;
  displayName: string | null;
  jobTitle: string | null;
  company: string | null;
  photoUrl: string | null;
  groups: string[];
  /** The provider's `email_verified`: null (or left out) when it sent none, else whether it is `true` (or "true"). */
  emailVerified?: boolean | null;
}

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null;

export function mapClaims(provider: ProviderRecord, claims: Record<string, unknown>): MappedClaims {
  const c = provider.claims;
  const get = (name: string) => (name ? claims[name] : undefined);
  const rawGroups = get(c.groups);
  const groups = (Array.isArray(rawGroups) ? rawGroups : rawGroups === undefined ? [] : [rawGroups])
    .filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 256)
    .slice(0, 500);
  const email = text(get(c.email), 254)?.toLowerCase() ?? null;
  return {
    subject: String(claims.sub),
    email,
    displayName: text(get(c.displayName), 128),
    jobTitle: text(get(c.jobTitle), 128),
    company: text(get(c.company), 128),
    photoUrl: text(get(c.photoUrl), 2000),
    groups,
    // Not mappable: the standard claim. Only an absent claim is "not said"; null, false, "false", 0… are "not verified".
    emailVerified:
      claims.email_verified === undefined ? null : claims.email_verified === true || claims.email_verified === 'true',
  };
}

/** The provider's name of the first claim we read that holds U+0000, or null. */
function claimWithNul(provider: ProviderRecord, mapped: MappedClaims): string | null {
  for (const [field, value] of Object.entries(mapped) as [keyof MappedClaims, unknown][])
    if ([value].flat().some((v) => typeof v === 'string' && v.includes('\u0000')))
      return field === 'subject' ? 'sub' : field === 'emailVerified' ? 'email_verified' : provider.claims[field];
  return null;
}

/** Why this person would be refused, or null: the same rule sign-in and the test sign-in apply. */
export function refusalOf(provider: ProviderRecord, mapped: MappedClaims): FederationError | null {
  // PostgreSQL refuses U+0000 in text (ADR 0020); SQLite would store it. Refused on both, before anything is written.
  const withNul = claimWithNul(provider, mapped);
  if (withNul)
    return new FederationError(
      'federation_claims_invalid',
      `${provider.name} sent a claim with a NUL character (${withNul}).`,
      400,
      { provider: provider.name, detail: `the claim "${withNul}" contains a NUL character` },
      'federation_failed',
    );
  if (!mapped.email || !/^[^@\s]+@[^@\s]+$/.test(mapped.email))
    return new FederationError(
      'federation_email_missing',
      `${provider.name} sent no email address (claim "${provider.claims.email}"). Ask your administrator to check the claim mapping.`,
      403,
      { provider: provider.name, claim: provider.claims.email },
    );
  if (!provider.domains.includes(domainOf(mapped.email)))
    return new FederationError(
      'federation_email_outside_domains',
      `${mapped.email} is not in a domain of this organization (${provider.domains.join(', ')}).`,
      403,
      { email: mapped.email, domains: provider.domains.join(', ') },
    );
  if (mapped.emailVerified === false) {
    const detail = `${provider.name} has not verified the email address ${mapped.email} (email_verified). Verify it there, or ask your administrator`;
    // In the catalogs' words of a failed sign-in (like the NUL refusal above) until they have words of their own.
    return new FederationError(
      'federation_email_not_verified',
      `${detail}.`,
      403,
      { provider: provider.name, detail },
      'federation_failed',
    );
  }
  return null;
}

export interface Provisioner {
  db: Db;
  audit: AuditLog;
  clock: Clock;
}

/** The ids of our user groups the person's groups claim maps to. */
export async function mappedGroupIds(
  d: Provisioner,
  provider: ProviderRecord,
  groups: readonly string[],
): Promise<string[]> {
  const ids = new Set<string>();
  const wanted = new Set(groups);
  for (const m of provider.groupMappings) if (wanted.has(m.externalId)) ids.add(m.groupId);
  if (provider.matchGroupsByName && groups.length) {
    const names = new Set(groups.map((g) => g.toLowerCase()));
    const rows = await d.db
      .selectFrom('rbac_groups')
      .select(['id', 'name'])
      .where('tenant_id', '=', provider.tenantId)
      .where('kind', '=', 'user')
      .execute();
    for (const row of rows) if (names.has(row.name.toLowerCase())) ids.add(row.id);
  }
  // Only groups that still exist and are user groups of the provider's organization.
  if (!ids.size) return [];
  const existing = await d.db
    .selectFrom('rbac_groups')
    .select('id')
    .where('tenant_id', '=', provider.tenantId)
    .where('kind', '=', 'user')
    .where('id', 'in', [...ids])
    .execute();
  return existing.map((r) => r.id).sort();
}

/** Tries of one provisioning that lost a race on a unique key (each loser finds the winner's rows next time). */
const PROVISION_ATTEMPTS = 3;

/** Creates or updates the person from the claims; returns our user id. Throws `FederationError`. */
export async function provision(
  d: Provisioner,
  provider: ProviderRecord,
  mapped: MappedClaims,
  ip: string | null,
): Promise<string> {
  const refused = refusalOf(provider, mapped);
  if (refused) throw refused;
  const email = mapped.email as string;
  const tenantId = provider.tenantId;
  // The provider's domains were the organization's when it was saved; the domain must still be (not removed since).
  const held = await d.db
    .selectFrom('tenant_domains')
    .select('domain')
    .where('tenant_id', '=', tenantId)
    .where('domain', '=', domainOf(email))
    .where('verified_at', 'is not', null)
    .executeTakeFirst();
  if (!held)
    throw new FederationError(
      'federation_email_outside_domains',
      `${email} is not in a verified domain of this organization.`,
      403,
      { email },
      'federation_email_unverified_domain',
    );
  const groupIds = await mappedGroupIds(d, provider, mapped.groups);
  const now = iso(d.clock.now());
  // The change and its record commit together; the record is made after every write of the
  // change, so the chain's lock is taken last (ADR 0035), and it is logged once committed.
  const work = async (trx: Db): Promise<{ userId: string; entry: AuditEntry | null }> => {
    let entry: AuditEntry | null = null;
    const link = await trx
      .selectFrom('user_identities')
      .select('user_id')
      .where('provider_id', '=', provider.id)
      .where('subject', '=', mapped.subject)
      .executeTakeFirst();
    let user = link
      ? await trx.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirst()
      : await trx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    if (user && user.tenant_id !== tenantId)
      // Emails are unique across the installation; never say which organization holds it.
      throw new FederationError('federation_email_taken', `${email} already belongs to another account.`, 409, {
        email,
      });
    // Subjects are the provider's stable ids: a person linked to one is not taken over by another
    // subject that claims the same email (found by email, so it is not linked itself).
    if (user && !link) {
      // Not this subject: on PostgreSQL each statement reads what was committed before it, so a
      // concurrent first sign-in of the same person may have linked them between the two reads
      // above (its insert of the link then fails here and the attempt starts again).
      const other = await trx
        .selectFrom('user_identities')
        .select('subject')
        .where('provider_id', '=', provider.id)
        .where('user_id', '=', user.id)
        .where('subject', '!=', mapped.subject)
        .executeTakeFirst();
      if (other) {
        const detail = `${email} is already linked to another account at ${provider.name}. Ask your administrator`;
        throw new FederationError(
          'federation_identity_conflict',
          `${detail}.`,
          409,
          { provider: provider.name, detail },
          'federation_failed',
        );
      }
    }
    if (user?.disabled)
      throw new FederationError(
        'federation_account_disabled',
        'Your account is disabled. Contact your administrator.',
        403,
        {},
      );
    const profile = {
      email,
      display_name: mapped.displayName ?? user?.display_name ?? email,
      job_title: mapped.jobTitle ?? user?.job_title ?? null,
      company: mapped.company ?? user?.company ?? null,
    };
    const before = await groupsOf(trx, tenantId, user?.id);
    if (!user) {
      const id = newId();
      await trx
        .insertInto('users')
        .values({
          id,
          tenant_id: tenantId,
          ...profile,
          photo_mime: null,
          photo: null,
          // No local password: this person signs in at their organization's provider.
          password_hash: null,
          roles: '[]',
          disabled: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      entry = {
        tenantId,
        actor: { type: 'system', id: null },
        action: 'user.created',
        target: { type: 'user', id },
        ip,
        data: { via: 'federation', provider: provider.name, before: null, after: { ...profile, groups: groupIds } },
      };
      user = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    } else {
      const old = {
        email: user.email,
        display_name: user.display_name,
        job_title: user.job_title,
        company: user.company,
      };
      const changed =
        JSON.stringify(old) !== JSON.stringify(profile) || JSON.stringify(before) !== JSON.stringify(groupIds);
      if (changed) {
        await trx
          .updateTable('users')
          .set({ ...profile, updated_at: now })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', user.id)
          .execute();
        entry = {
          tenantId,
          actor: { type: 'system', id: null },
          action: 'user.updated',
          target: { type: 'user', id: user.id },
          ip,
          data: {
            via: 'federation',
            provider: provider.name,
            before: { ...old, groups: before },
            after: { ...profile, groups: groupIds },
          },
        };
      }
    }
    if (!link)
      await trx
        .insertInto('user_identities')
        .values({
          provider_id: provider.id,
          subject: mapped.subject,
          tenant_id: tenantId,
          user_id: user.id,
          created_at: now,
        })
        .execute();
    // The provider's groups claim is authoritative for a federated person's user groups (like a directory sync).
    await trx
      .deleteFrom('rbac_group_members')
      .where('tenant_id', '=', tenantId)
      .where('member_id', '=', user.id)
      .execute();
    if (groupIds.length)
      await trx
        .insertInto('rbac_group_members')
        .values(groupIds.map((group_id) => ({ group_id, tenant_id: tenantId, member_id: user.id })))
        // A concurrent sign-in of the same person may have just written the same memberships (its
        // delete above did not see them): the same rows, so nothing to add, and no attempt used up.
        .onConflict((oc) => oc.doNothing())
        .execute();
    return { userId: user.id, entry };
  };
  const write = async () => (await d.audit.together(work, (result) => result.entry)).userId;
  // Two first sign-ins of one person at the same instant (two tabs, a double click): on PostgreSQL both
  // read "no link, no user", the second insert hits the unique email or the identity link (or a group
  // membership) and its transaction is rolled back whole. Again, it finds what the first one wrote.
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= PROVISION_ATTEMPTS || !isUniqueViolation(error)) throw error;
    }
  }
}

async function groupsOf(db: Db, tenantId: string, userId: string | undefined): Promise<string[]> {
  if (!userId) return [];
  const rows = await db
    .selectFrom('rbac_group_members')
    .innerJoin('rbac_groups', 'rbac_groups.id', 'rbac_group_members.group_id')
    .select('rbac_group_members.group_id')
    .where('rbac_group_members.tenant_id', '=', tenantId)
    .where('rbac_group_members.member_id', '=', userId)
    .where('rbac_groups.kind', '=', 'user')
    .execute();
  return rows.map((r) => r.group_id).sort();
}
