/**
 * @module domains/service
 * The organization's domains (Tenant administration > Domains): add one and get the TXT record
 * to publish, verify it through the configured resolver, remove it. Scoped by the caller's
 * tenant, audited (`domain.added`, `domain.verified`, `domain.removed`); a refused call changes
 * nothing and writes nothing. A domain verified by DNS stays verified: the record is not looked
 * up again (it may be removed once verified), as ADR 0016 explains.
 */
import { randomBytes } from 'node:crypto';
import type { TenantDomain } from '@remote-help/protocol';
import { DOMAIN_TXT_PREFIX, DOMAIN_TXT_VALUE_PREFIX } from '@remote-help/protocol';
import type { AuditEntry, AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { DomainRow, DomainsRepo } from './repo.js';
import { isUniqueViolation } from './repo.js';
import type { TxtLookup } from './txtLookup.js';

export interface DomainServiceDeps {
  repo: DomainsRepo;
  audit: AuditLog;
  clock: Clock;
  lookupTxt: TxtLookup;
}

/** The DNS name of a domain's proof record. */
export const txtName = (domain: string): string => `${DOMAIN_TXT_PREFIX}.${domain}`;

const taken = (domain: string) =>
  new AppError('domain_taken', `${domain} is verified by another organization. Each domain belongs to one only.`, {
    domain,
  });

export class DomainService {
  constructor(private readonly d: DomainServiceDeps) {}

  private view(row: DomainRow, users: number, providers: readonly string[]): TenantDomain {
    const verified = row.verified_at !== null;
    return {
      domain: row.domain,
      status: verified ? 'verified' : 'pending',
      proof: verified ? (row.method === 'dns' ? 'dns' : 'asserted') : null,
      txtRecord: row.method === 'dns' && row.txt_value ? { name: txtName(row.domain), value: row.txt_value } : null,
      verifiedAt: row.verified_at,
      createdAt: row.created_at,
      users,
      identityProviders: [...providers],
    };
  }

  private async present(tenantId: string, rows: readonly DomainRow[]): Promise<TenantDomain[]> {
    const [counts, providers] = await Promise.all([
      this.d.repo.userCounts(
        tenantId,
        rows.map((r) => r.domain),
      ),
      this.d.repo.providersByDomain(tenantId),
    ]);
    return rows.map((r) => this.view(r, counts.get(r.domain) ?? 0, providers.get(r.domain) ?? []));
  }

  private async one(tenantId: string, domain: string): Promise<TenantDomain> {
    const row = await this.d.repo.find(tenantId, domain);
    if (!row) throw errors.notFound('Domain');
    const [view] = await this.present(tenantId, [row]);
    if (!view) throw errors.notFound('Domain');
    return view;
  }

  /**
   * Runs `work` on the repository bound to one transaction and audits it there when it returns
   * true (`AuditLog.together`): the change and its record commit together or not at all.
   */
  private changed(
    principal: Principal,
    action: AuditEntry['action'],
    domain: string,
    data: Record<string, unknown>,
    work: (repo: DomainsRepo) => Promise<boolean>,
  ): Promise<boolean> {
    return this.d.audit.together(
      (db) => work(this.d.repo.on(db)),
      (done) => (done ? byPerson(principal, action, { type: 'domain', id: domain }, data) : null),
    );
  }

  async list(principal: Principal): Promise<TenantDomain[]> {
    return this.present(principal.tenantId, await this.d.repo.list(principal.tenantId));
  }

  /** Adds `domain` (already normalized by the contract) as pending, with a fresh TXT value. */
  async add(principal: Principal, domain: string): Promise<TenantDomain> {
    if (await this.d.repo.find(principal.tenantId, domain))
      throw new AppError('conflict', `${domain} is already one of your organization’s domains.`, { domain });
    if (await this.d.repo.verifiedElsewhere(principal.tenantId, domain)) throw taken(domain);
    const value = `${DOMAIN_TXT_VALUE_PREFIX}${randomBytes(24).toString('base64url')}`;
    try {
      await this.changed(
        principal,
        'domain.added',
        domain,
        { txtRecord: { name: txtName(domain), value } },
        async (repo) => {
          await repo.insertPending(principal.tenantId, domain, value, iso(this.d.clock.now()));
          return true;
        },
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('conflict', `${domain} is already one of your organization’s domains.`, { domain });
      throw error;
    }
    return this.one(principal.tenantId, domain);
  }

  /** Looks the TXT record up now; verified when one of the values is the domain's. Refusals change nothing. */
  async verify(principal: Principal, domain: string): Promise<TenantDomain> {
    const row = await this.d.repo.find(principal.tenantId, domain);
    if (!row) throw errors.notFound('Domain');
    if (row.verified_at !== null) return this.one(principal.tenantId, domain);
    if (await this.d.repo.verifiedElsewhere(principal.tenantId, domain)) throw taken(domain);
    const name = txtName(domain);
    const values = await this.d.lookupTxt(name);
    const expected = row.txt_value ?? '';
    if (!expected || !values.some((v) => v.trim() === expected)) {
      // Only our own records are named back: the administrator compares them with what they published.
      const ours = values.filter((v) => v.startsWith(DOMAIN_TXT_VALUE_PREFIX)).slice(0, 5);
      throw new AppError(
        'dns_record_mismatch',
        `The TXT records at ${name} do not hold ${expected}. Check the value you published (DNS changes can take a while to appear).`,
        { name, expected, found: ours },
      );
    }
    try {
      await this.changed(
        principal,
        'domain.verified',
        domain,
        { proof: 'dns', txtRecord: { name, value: expected } },
        (repo) => repo.markVerified(principal.tenantId, domain, iso(this.d.clock.now())),
      );
    } catch (error) {
      // Another organization verified it between our check and this write.
      if (isUniqueViolation(error)) throw taken(domain);
      throw error;
    }
    return this.one(principal.tenantId, domain);
  }

  /** Removes a domain nobody of the organization and no identity provider uses (see the contract). */
  async remove(principal: Principal, domain: string): Promise<void> {
    const before = await this.one(principal.tenantId, domain);
    if (before.users > 0 || before.identityProviders.length > 0) {
      const parts = [
        before.users > 0 ? `${before.users} ${before.users === 1 ? 'person has' : 'people have'} an email there` : '',
        before.identityProviders.length ? `identity provider ${before.identityProviders.join(', ')} signs it in` : '',
      ].filter(Boolean);
      throw new AppError('conflict', `${domain} is in use: ${parts.join('; ')}. Move or remove them first.`, {
        domain,
        users: before.users,
        identityProviders: before.identityProviders,
      });
    }
    await this.changed(principal, 'domain.removed', domain, { before }, async (repo) => {
      await repo.delete(principal.tenantId, domain);
      return true;
    });
  }
}
