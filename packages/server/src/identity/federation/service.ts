/**
 * @module identity/federation/service
 * The organization's external OpenID Connect providers: the only SQL about them, the admin
 * center's changes (scoped by tenant, audited before → after with the client secret left out)
 * and the look-ups sign-in needs (which enabled provider an email's domain sends a person to).
 */
import type { IdentityProvider, IdentityProviderInput, IdentityProviderList } from '@remote-help/protocol';
import type { IdentityProviderInput as InputSchema } from '@remote-help/protocol';
import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { AuditLog } from '../../audit/audit.js';
import type { Db } from '../../db/client.js';
import type { IdentityProvidersTable } from '../../db/schema.js';
import { AppError, errors } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Clock } from '../../time.js';
import { iso } from '../../time.js';
import type { Principal } from '../principal.js';
import type { IdpAddresses } from './outbound.js';
import { literalHostProblem } from './outbound.js';
import type { SecretBox } from './secretBox.js';

type Row = Selectable<IdentityProvidersTable>;
type Input = z.output<typeof InputSchema>;

/** A provider as sign-in uses it: the view plus the decrypted secret and its tenant. */
export interface ProviderRecord extends IdentityProvider {
  tenantId: string;
  clientSecret: string | null;
}

export const FEDERATION_CALLBACK_PATH = '/auth/federation/callback';

export interface FederationServiceDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  box: SecretBox;
  publicUrl: string;
  /** Which addresses a provider may have (`IDP_ADDRESSES`): an issuer at a forbidden address is refused on save. */
  addresses: IdpAddresses;
}

const json = <T>(text: string): T => JSON.parse(text) as T;

function view(row: Row): IdentityProvider {
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    hasClientSecret: row.client_secret_enc !== null,
    scopes: json(row.scopes),
    claims: json(row.claims),
    domains: json(row.domains),
    groupMappings: json(row.group_mappings),
    matchGroupsByName: row.match_groups_by_name === 1,
    countProviderMfa: row.count_provider_mfa === 1,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The email's domain, lower case, or '' when it has none. */
export const domainOf = (email: string): string => {
  const at = email.lastIndexOf('@');
  return at < 0
    ? ''
    : email
        .slice(at + 1)
        .trim()
        .toLowerCase();
};

export class FederationService {
  readonly redirectUri: string;

  constructor(private readonly d: FederationServiceDeps) {
    this.redirectUri = `${d.publicUrl}${FEDERATION_CALLBACK_PATH}`;
  }

  private async rows(tenantId: string): Promise<Row[]> {
    return this.d.db
      .selectFrom('identity_providers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
  }

  private async row(tenantId: string, id: string): Promise<Row> {
    const row = await this.d.db
      .selectFrom('identity_providers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw errors.notFound('Identity provider');
    return row;
  }

  async list(principal: Principal): Promise<IdentityProviderList> {
    return { providers: (await this.rows(principal.tenantId)).map(view), redirectUri: this.redirectUri };
  }

  async get(principal: Principal, id: string): Promise<IdentityProvider> {
    return view(await this.row(principal.tenantId, id));
  }

  /** Domains must be the organization's, each sent to one provider at most; mapped groups must be its user groups. */
  private async check(tenantId: string, body: Input, selfId: string | null): Promise<void> {
    const unreachable = literalHostProblem(body.issuer, this.d.addresses);
    if (unreachable) throw new AppError('validation_failed', `${unreachable}.`, { field: 'issuer' });
    const own = new Set(
      (
        await this.d.db
          .selectFrom('tenant_domains')
          .select('domain')
          .where('tenant_id', '=', tenantId)
          .where('verified_at', 'is not', null)
          .execute()
      ).map((r) => r.domain.toLowerCase()),
    );
    const foreign = body.domains.filter((d) => !own.has(d));
    if (foreign.length)
      throw new AppError('validation_failed', `Not a domain of your organization: ${foreign.join(', ')}.`, {
        field: 'domains',
      });
    if (new Set(body.domains).size !== body.domains.length)
      throw new AppError('validation_failed', 'A domain is listed twice.', { field: 'domains' });
    // Home-realm discovery needs one answer per domain: no two enabled providers share one.
    for (const other of await this.rows(tenantId)) {
      if (other.id === selfId || !body.enabled || other.enabled !== 1) continue;
      const taken = json<string[]>(other.domains).filter((d) => body.domains.includes(d));
      if (taken.length)
        throw new AppError('conflict', `${taken.join(', ')} already sends people to ${other.name}.`, {
          field: 'domains',
        });
    }
    const ids = [...new Set(body.groupMappings.map((m) => m.groupId))];
    if (ids.length) {
      const found = await this.d.db
        .selectFrom('rbac_groups')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'user')
        .where('id', 'in', ids)
        .execute();
      if (found.length !== ids.length)
        throw new AppError('validation_failed', 'A group mapping names a group that is not a user group here.', {
          field: 'groupMappings',
        });
    }
  }

  /** Runs `work` and its audit record in one transaction (`AuditLog.together`): both commit or neither. */
  private async changed(
    principal: Principal,
    action: 'created' | 'updated' | 'deleted',
    id: string,
    before: unknown,
    after: unknown,
    work: (db: Db) => Promise<unknown>,
  ): Promise<void> {
    await this.d.audit.together(work, () => ({
      tenantId: principal.tenantId,
      actor: { type: 'user', id: principal.userId },
      action: `identity_provider.${action}`,
      target: { type: 'identity_provider', id },
      ip: principal.ip,
      // The view never holds the secret; whether one is stored is enough to follow a change.
      data: { before, after },
    }));
  }

  async create(principal: Principal, body: Input): Promise<IdentityProvider> {
    await this.check(principal.tenantId, body, null);
    const now = iso(this.d.clock.now());
    const row: Row = {
      id: newId(),
      tenant_id: principal.tenantId,
      name: body.name,
      issuer: body.issuer,
      client_id: body.clientId,
      client_secret_enc: body.clientSecret ? this.d.box.seal(body.clientSecret) : null,
      scopes: JSON.stringify(body.scopes),
      claims: JSON.stringify(body.claims),
      domains: JSON.stringify(body.domains),
      group_mappings: JSON.stringify(body.groupMappings),
      match_groups_by_name: body.matchGroupsByName ? 1 : 0,
      count_provider_mfa: body.countProviderMfa ? 1 : 0,
      enabled: body.enabled ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    const after = view(row);
    await this.changed(principal, 'created', row.id, null, after, (db) =>
      db.insertInto('identity_providers').values(row).execute(),
    );
    return after;
  }

  async update(principal: Principal, id: string, body: Input): Promise<IdentityProvider> {
    const old = await this.row(principal.tenantId, id);
    await this.check(principal.tenantId, body, id);
    const secret =
      body.clientSecret === undefined
        ? old.client_secret_enc
        : body.clientSecret === ''
          ? null
          : this.d.box.seal(body.clientSecret);
    const changes = {
      name: body.name,
      issuer: body.issuer,
      client_id: body.clientId,
      client_secret_enc: secret,
      scopes: JSON.stringify(body.scopes),
      claims: JSON.stringify(body.claims),
      domains: JSON.stringify(body.domains),
      group_mappings: JSON.stringify(body.groupMappings),
      match_groups_by_name: body.matchGroupsByName ? 1 : 0,
      count_provider_mfa: body.countProviderMfa ? 1 : 0,
      enabled: body.enabled ? 1 : 0,
      updated_at: iso(this.d.clock.now()),
    };
    const before = view(old);
    const after = view({ ...old, ...changes });
    // A subject means something only at the issuer (and, where subjects are pairwise as in Entra ID,
    // for the client) that gave it: another issuer or client starts its links anew, each person
    // linked again by their (verified) email at their next sign-in. Kept, the old links would refuse
    // everyone's new subject as a second one (`federation_identity_conflict`) or, at a new issuer,
    // sign a stranger with an old subject's id in as the person.
    const relinks = old.issuer !== body.issuer || old.client_id !== body.clientId;
    const linksCleared = relinks
      ? Number(
          (
            await this.d.db
              .selectFrom('user_identities')
              .select((eb) => eb.fn.countAll<number | string>().as('n'))
              .where('tenant_id', '=', principal.tenantId)
              .where('provider_id', '=', id)
              .executeTakeFirst()
          )?.n ?? 0,
        )
      : 0;
    await this.changed(
      principal,
      'updated',
      id,
      { ...before, secretChanged: undefined },
      {
        ...after,
        // A new secret is recorded as changed, never as its value.
        secretChanged: body.clientSecret !== undefined,
        ...(relinks ? { linksCleared } : {}),
      },
      async (db) => {
        await db
          .updateTable('identity_providers')
          .set(changes)
          .where('tenant_id', '=', principal.tenantId)
          .where('id', '=', id)
          .execute();
        if (relinks) {
          await db
            .deleteFrom('user_identities')
            .where('tenant_id', '=', principal.tenantId)
            .where('provider_id', '=', id)
            .execute();
        }
      },
    );
    return after;
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const old = await this.row(principal.tenantId, id);
    await this.changed(principal, 'deleted', id, view(old), null, (db) =>
      db.deleteFrom('identity_providers').where('tenant_id', '=', principal.tenantId).where('id', '=', id).execute(),
    );
  }

  // Sign-in side ------------------------------------------------------------------------

  private record(row: Row): ProviderRecord {
    return {
      ...view(row),
      tenantId: row.tenant_id,
      clientSecret: row.client_secret_enc ? this.d.box.open(row.client_secret_enc) : null,
    };
  }

  /** The enabled provider an email's domain sends a person to, if any. */
  async forEmail(email: string): Promise<ProviderRecord | undefined> {
    const domain = domainOf(email);
    if (!domain) return undefined;
    const rows = await this.d.db.selectFrom('identity_providers').selectAll().where('enabled', '=', 1).execute();
    const row = rows.find((r) => json<string[]>(r.domains).includes(domain));
    return row ? this.record(row) : undefined;
  }

  /** Whether any organization has an enabled provider (then sign-in asks for the email first). */
  async anyEnabled(): Promise<boolean> {
    return !!(await this.d.db
      .selectFrom('identity_providers')
      .select('id')
      .where('enabled', '=', 1)
      .executeTakeFirst());
  }

  /** A provider by id for a flow under way (its tenant is the flow's). */
  async byId(id: string): Promise<ProviderRecord | undefined> {
    const row = await this.d.db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.record(row) : undefined;
  }

  /** For the test sign-in: one of the caller's organization's providers, enabled or not. */
  async forTest(principal: Principal, id: string): Promise<ProviderRecord> {
    return this.record(await this.row(principal.tenantId, id));
  }
}

export type { IdentityProviderInput };
