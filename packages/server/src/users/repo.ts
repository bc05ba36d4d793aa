/**
 * @module users/repo
 * The only SQL about users, tenants and their verified domains. Every read of tenant
 * data is scoped by tenant id, except the sign-in lookup by email (emails are global).
 */
import type { DomainProof } from '@remote-help/protocol';
import type { Selectable } from 'kysely';
import type { Db } from '../db/client.js';
import { compiledOnce } from '../db/compiledOnce.js';
import type { TenantsTable, UsersTable } from '../db/schema.js';

export type UserRow = Selectable<UsersTable>;
export type TenantRow = Selectable<TenantsTable>;

/** Every column of a user but the password hash and the photo bytes. */
export const PUBLIC_USER_COLUMNS = [
  'id',
  'tenant_id',
  'email',
  'display_name',
  'job_title',
  'company',
  'photo_mime',
  'roles',
  'disabled',
  'created_at',
  'updated_at',
] as const;

export type PublicUserRow = Pick<UserRow, (typeof PUBLIC_USER_COLUMNS)[number]>;

/** A domain the tenant holds, and how: its TXT record checked (`dns`) or an administrator's word (`asserted`). */
export interface HeldDomain {
  domain: string;
  proof: DomainProof;
}

export class UsersRepo {
  constructor(private readonly db: Db) {}

  // Read by every session command and presentation, built once (`db/compiledOnce`).
  private readonly tenantQuery = compiledOnce((slot: (name: 'tenantId') => string) =>
    this.db.selectFrom('tenants').selectAll().where('id', '=', slot('tenantId')),
  );
  private readonly cardContextQuery = compiledOnce((slot: (name: 'tenantId') => string) =>
    this.db
      .selectFrom('tenants')
      .leftJoin('tenant_domains', (join) =>
        join.onRef('tenant_domains.tenant_id', '=', 'tenants.id').on('tenant_domains.verified_at', 'is not', null),
      )
      .select(['tenants.name', 'tenant_domains.domain', 'tenant_domains.method'])
      .where('tenants.id', '=', slot('tenantId'))
      .orderBy('tenant_domains.domain'),
  );

  async findById(tenantId: string, id: string): Promise<PublicUserRow | undefined> {
    return this.db
      .selectFrom('users')
      .select(PUBLIC_USER_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The tenant's people among `ids` (those that exist), in one query. */
  async findManyById(tenantId: string, ids: readonly string[]): Promise<PublicUserRow[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('users')
      .select(PUBLIC_USER_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .execute();
  }

  /**
   * What a person's card needs of their organization, in one query: its name and the domains it
   * holds ({@link heldDomains}), or undefined when there is no such tenant.
   */
  async cardContext(tenantId: string): Promise<{ tenantName: string; domains: HeldDomain[] } | undefined> {
    const { rows } = await this.db.executeQuery(this.cardContextQuery({ tenantId }));
    const first = rows[0];
    if (!first) return undefined;
    const domains = rows.flatMap((r): HeldDomain[] =>
      r.domain === null ? [] : [{ domain: r.domain, proof: r.method === 'dns' ? 'dns' : 'asserted' }],
    );
    return { tenantName: first.name, domains };
  }

  /** Sign-in lookup: emails are unique across the installation. Includes the password hash. */
  async findForSignIn(
    email: string,
  ): Promise<Pick<UserRow, 'id' | 'tenant_id' | 'password_hash' | 'disabled'> | undefined> {
    return this.db
      .selectFrom('users')
      .select(['id', 'tenant_id', 'password_hash', 'disabled'])
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
  }

  /** Used only by the embedded IdP, which knows the subject but not yet the tenant. */
  async findBySubject(id: string): Promise<PublicUserRow | undefined> {
    return this.db.selectFrom('users').select(PUBLIC_USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async photo(tenantId: string, id: string): Promise<{ mime: string; data: Uint8Array } | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(['photo_mime', 'photo'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.photo && row.photo_mime ? { mime: row.photo_mime, data: row.photo } : undefined;
  }

  async tenant(tenantId: string): Promise<TenantRow | undefined> {
    return (await this.db.executeQuery(this.tenantQuery({ tenantId }))).rows[0];
  }

  /** The domains the tenant holds (verified by DNS or asserted), with how; what trust screens show. */
  async heldDomains(tenantId: string): Promise<HeldDomain[]> {
    const rows = await this.db
      .selectFrom('tenant_domains')
      .select(['domain', 'method'])
      .where('tenant_id', '=', tenantId)
      .where('verified_at', 'is not', null)
      .orderBy('domain')
      .execute();
    return rows.map((r) => ({ domain: r.domain, proof: r.method === 'dns' ? 'dns' : 'asserted' }));
  }

  /** The names of the domains the tenant holds (verified by DNS or asserted): where its people's emails may be. */
  async verifiedDomains(tenantId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tenant_domains')
      .select('domain')
      .where('tenant_id', '=', tenantId)
      .where('verified_at', 'is not', null)
      .orderBy('domain')
      .execute();
    return rows.map((r) => r.domain);
  }
}
