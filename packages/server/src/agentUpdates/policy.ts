/**
 * @module agentUpdates/policy
 * A tenant's agent update policy (columns of `tenants`, 0018): the minimum agent version and
 * whether agents update themselves. Read and replaced by `settings.manage`, each change audited
 * as a settings change with the values before and after; and the versions the tenant's enrolled
 * devices last reported, for the devices list.
 */
import {
  compareAgentVersions,
  type AgentUpdatePolicy,
  type AgentVersionSummary,
  type ReleasePlatform,
} from '@remote-help/protocol';
import type { AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import type { Db } from '../db/client.js';
import { jsonText } from '../db/dialect.js';
import { errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import type { ReleaseShelf } from './releases.js';

export class AgentUpdatePolicies {
  constructor(private readonly d: { db: Db; audit: AuditLog; releases: ReleaseShelf }) {}

  /** The tenant's policy (no permission check: the device's own tenant, or a checked caller). */
  async of(tenantId: string): Promise<AgentUpdatePolicy> {
    const row = await this.d.db
      .selectFrom('tenants')
      .select(['agent_min_version', 'agent_auto_update'])
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!row) throw errors.notFound('Organization');
    return { minimumVersion: row.agent_min_version, autoUpdate: row.agent_auto_update === 1 };
  }

  async get(principal: Principal): Promise<AgentUpdatePolicy> {
    this.assertMayManage(principal);
    return this.of(principal.tenantId);
  }

  /** Replaces the policy; audits what changed, before → after. */
  async put(principal: Principal, next: AgentUpdatePolicy): Promise<AgentUpdatePolicy> {
    this.assertMayManage(principal);
    const before = await this.of(principal.tenantId);
    const changed = (Object.keys(next) as (keyof AgentUpdatePolicy)[]).filter((k) => before[k] !== next[k]);
    if (changed.length === 0) return before;
    await this.d.audit.together(
      (db) =>
        db
          .updateTable('tenants')
          .set({ agent_min_version: next.minimumVersion, agent_auto_update: next.autoUpdate ? 1 : 0 })
          .where('id', '=', principal.tenantId)
          .execute(),
      () =>
        byPerson(
          principal,
          'tenant.settings_updated',
          { type: 'tenant', id: principal.tenantId },
          {
            area: 'agentUpdates',
            before: Object.fromEntries(changed.map((k) => [k, before[k]])),
            after: Object.fromEntries(changed.map((k) => [k, next[k]])),
          },
        ),
    );
    return next;
  }

  /** Versions across the tenant's enrolled devices (administrators who see every device). */
  async summary(principal: Principal): Promise<AgentVersionSummary> {
    if (!can(principal, 'devices.read') && !can(principal, 'devices.manage'))
      throw errors.forbidden('Your role does not allow you to see every device.');
    const policy = await this.of(principal.tenantId);
    const version = jsonText(this.d.db, 'inventory', 'agentVersion');
    const rows = await this.d.db
      .selectFrom('devices')
      .select([version.as('version'), (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('tenant_id', '=', principal.tenantId)
      .where('revoked_at', 'is', null)
      .groupBy(version)
      .execute();
    const below = (v: string) => policy.minimumVersion !== null && compareAgentVersions(v, policy.minimumVersion) < 0;
    const versions = rows
      .map((r) => ({
        version: String(r.version ?? ''),
        devices: Number(r.n),
        belowMinimum: below(String(r.version ?? '')),
      }))
      .sort((a, b) => compareAgentVersions(b.version, a.version));
    const latest = new Map<ReleasePlatform, string>();
    for (const r of await this.d.releases.list()) {
      if (r.manifest.channel === 'stable' && !latest.has(r.manifest.platform))
        latest.set(r.manifest.platform, r.manifest.version);
    }
    return {
      versions,
      policy,
      belowMinimum: versions.filter((v) => v.belowMinimum).reduce((n, v) => n + v.devices, 0),
      latest: [...latest].map(([platform, v]) => ({ platform, version: v })),
    };
  }

  private assertMayManage(principal: Principal): void {
    if (!can(principal, 'settings.manage')) throw errors.forbidden('Your role does not allow you to manage settings.');
  }
}
