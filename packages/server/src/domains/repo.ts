/**
 * @module domains/repo
 * The only SQL about an organization's domains (`tenant_domains`): every query names the
 * tenant, except the one that asks whether *another* organization verified a name.
 */
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { TenantDomainsTable } from '../db/schema.js';

export type DomainRow = Selectable<TenantDomainsTable>;

/** True when the database refused a second verified row for a name (`tenant_domains_verified_uq`) or a duplicate key. */
export const isUniqueViolation = (error: unknown): boolean =>
  /UNIQUE|duplicate key/i.test((error as Error | undefined)?.message ?? '');

export class DomainsRepo {
  constructor(private readonly db: Db) {}

  /** The same repository on `db` (a caller's transaction): its writes commit with the caller's. */
  on(db: Db): DomainsRepo {
    return db === this.db ? this : new DomainsRepo(db);
  }

  list(tenantId: string): Promise<DomainRow[]> {
    return this.db
      .selectFrom('tenant_domains')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('domain')
      .execute();
  }

  find(tenantId: string, domain: string): Promise<DomainRow | undefined> {
    return this.db
      .selectFrom('tenant_domains')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('domain', '=', domain)
      .executeTakeFirst();
  }

  /** Whether an organization other than `tenantId` has verified `domain`. */
  async verifiedElsewhere(tenantId: string, domain: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('tenant_domains')
      .select('tenant_id')
      .where('domain', '=', domain)
      .where('tenant_id', '<>', tenantId)
      .where('verified_at', 'is not', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async insertPending(tenantId: string, domain: string, txtValue: string, now: string): Promise<void> {
    await this.db
      .insertInto('tenant_domains')
      .values({ tenant_id: tenantId, domain, method: 'dns', verified_at: null, created_at: now, txt_value: txtValue })
      .execute();
  }

  /** Marks a pending domain verified by DNS; false when it was no longer pending. */
  async markVerified(tenantId: string, domain: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('tenant_domains')
      .set({ method: 'dns', verified_at: now, checked_at: now })
      .where('tenant_id', '=', tenantId)
      .where('domain', '=', domain)
      .where('verified_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(tenantId: string, domain: string): Promise<void> {
    await this.db.deleteFrom('tenant_domains').where('tenant_id', '=', tenantId).where('domain', '=', domain).execute();
  }

  /** How many of the organization's people have an email in each of `domains` (ASCII names: no LIKE wildcards in them). */
  async userCounts(tenantId: string, domains: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const domain of domains) {
      const row = await this.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where(sql`lower(email)`, 'like', `%@${domain}`)
        .executeTakeFirstOrThrow();
      counts.set(domain, Number(row.n));
    }
    return counts;
  }

  /** The names of the organization's identity providers, by domain they sign people in for. */
  async providersByDomain(tenantId: string): Promise<Map<string, string[]>> {
    const rows = await this.db
      .selectFrom('identity_providers')
      .select(['name', 'domains'])
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    const by = new Map<string, string[]>();
    for (const row of rows)
      for (const domain of JSON.parse(row.domains) as string[]) by.set(domain, [...(by.get(domain) ?? []), row.name]);
    return by;
  }
}
