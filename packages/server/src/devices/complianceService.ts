/**
 * @module devices/complianceService
 * Compliance policies (CRUD for `policies.manage`, audited with before → after) and the
 * evaluation of devices: on enrollment and check-in, for every device of the tenant when
 * its policies change, hourly (time alone can break "checked in within N days"), and afresh
 * when a sharer joins from a device. The result is stored
 * on the device row (`compliance`, `failing_rules`).
 */
import type { CompliancePolicy, CompliancePolicyInput, ComplianceStatus, Inventory } from '@remote-help/protocol';
import { Inventory as InventorySchema } from '@remote-help/protocol';
import type { AuditEntry, AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { newId } from '../ids.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { Evaluation } from './compliance.js';
import { evaluate } from './compliance.js';
import type { ComplianceRepo } from './complianceRepo.js';
import { complianceStatus } from './complianceStatus.js';
import { policyOf } from './complianceRepo.js';
import type { RbacRepo } from '../rbac/repo.js';
import { storedRuleMatches } from '../rbac/policy.js';
import type { DeviceRow, DevicesRepo } from './repo.js';

/** Most policies one organization may have. */
export const MAX_POLICIES_PER_TENANT = 50;

export interface ComplianceServiceDeps {
  repo: ComplianceRepo;
  devices: DevicesRepo;
  audit: AuditLog;
  clock: Clock;
  /** Device groups (`rbac/repo`): which static groups hold a device, the groups themselves (rules), static members. */
  groups: Pick<RbacRepo, 'staticGroupsOf' | 'findGroups' | 'members'>;
}

export class ComplianceService {
  constructor(private readonly d: ComplianceServiceDeps) {}

  private assertMayManage(principal: Principal): void {
    if (!can(principal, 'policies.manage')) {
      throw errors.forbidden('Your role does not allow you to manage compliance policies.');
    }
  }

  async list(principal: Principal): Promise<CompliancePolicy[]> {
    this.assertMayManage(principal);
    return (await this.d.repo.list(principal.tenantId)).map(policyOf);
  }

  async create(principal: Principal, input: CompliancePolicyInput): Promise<CompliancePolicy> {
    this.assertMayManage(principal);
    await this.assertDeviceGroups(principal.tenantId, input);
    if ((await this.d.repo.count(principal.tenantId)) >= MAX_POLICIES_PER_TENANT) {
      throw new AppError('bad_request', `An organization can have at most ${MAX_POLICIES_PER_TENANT} policies.`);
    }
    const now = iso(this.d.clock.now());
    const row = {
      id: newId(),
      tenant_id: principal.tenantId,
      name: input.name,
      rules: JSON.stringify(input.rules),
      assignment: JSON.stringify(input.assignment),
      created_at: now,
      updated_at: now,
    };
    const policy = policyOf(row);
    await this.changed(principal, 'compliance_policy.created', policy.id, null, input, (repo) => repo.insert(row));
    await this.reevaluateTenant(principal.tenantId);
    return policy;
  }

  async update(principal: Principal, id: string, input: CompliancePolicyInput): Promise<CompliancePolicy> {
    this.assertMayManage(principal);
    await this.assertDeviceGroups(principal.tenantId, input);
    const before = await this.d.repo.find(principal.tenantId, id);
    if (!before) throw errors.notFound('Compliance policy');
    const changes = {
      name: input.name,
      rules: JSON.stringify(input.rules),
      assignment: JSON.stringify(input.assignment),
      updated_at: iso(this.d.clock.now()),
    };
    const { name, rules, assignment } = policyOf(before);
    await this.changed(principal, 'compliance_policy.updated', id, { name, rules, assignment }, input, async (repo) => {
      if (!(await repo.update(principal.tenantId, id, changes))) throw errors.notFound('Compliance policy');
    });
    await this.reevaluateTenant(principal.tenantId);
    return policyOf({ ...before, ...changes });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    this.assertMayManage(principal);
    const before = await this.d.repo.find(principal.tenantId, id);
    if (!before) throw errors.notFound('Compliance policy');
    const { name, rules, assignment } = policyOf(before);
    await this.changed(principal, 'compliance_policy.deleted', id, { name, rules, assignment }, null, async (repo) => {
      if (!(await repo.remove(principal.tenantId, id))) throw errors.notFound('Compliance policy');
    });
    await this.reevaluateTenant(principal.tenantId);
  }

  /**
   * Every enrolled device evaluated now against the current policies and device groups:
   * per policy, how many it applies to pass or fail it; overall, compliant, noncompliant or
   * not evaluated. Nothing is stored (the device rows keep their last evaluation).
   */
  async status(principal: Principal): Promise<ComplianceStatus> {
    this.assertMayManage(principal);
    const tenantId = principal.tenantId;
    const [policies, devices] = await Promise.all([
      this.d.repo.list(tenantId).then((rows) => rows.map(policyOf)),
      this.d.devices.list(tenantId, 10_000),
    ]);
    const named = [
      ...new Set(policies.flatMap((p) => (p.assignment.kind === 'deviceGroups' ? p.assignment.groupIds : []))),
    ];
    const groups = (await this.d.groups.findGroups(tenantId, named)).filter((g) => g.kind === 'device');
    const statics = await this.d.groups.members(
      tenantId,
      groups.filter((g) => !g.rule).map((g) => g.id),
    );
    const staticMembers = new Set(statics.map((m) => `${m.group_id} ${m.member_id}`));
    const rules = new Map(groups.map((g) => [g.id, g.rule]));
    const now = this.d.clock.now();
    const counts = complianceStatus(
      devices.map((device) => ({
        inventory: InventorySchema.parse(JSON.parse(device.inventory)),
        lastCheckInAt: device.last_check_in_at,
        inGroup: (id: string) => {
          if (!rules.has(id)) return false;
          const rule = rules.get(id) ?? null;
          return rule ? storedRuleMatches(rule, device.inventory) : staticMembers.has(`${id} ${device.id}`);
        },
      })),
      policies,
      now,
    );
    return { ...counts, evaluatedAt: iso(now) };
  }

  /** A policy may be assigned only to device groups of the caller's tenant. */
  private async assertDeviceGroups(tenantId: string, input: CompliancePolicyInput): Promise<void> {
    if (input.assignment.kind !== 'deviceGroups') return;
    const wanted = [...new Set(input.assignment.groupIds)];
    const found = (await this.d.groups.findGroups(tenantId, wanted)).filter((g) => g.kind === 'device');
    if (found.length !== wanted.length) {
      const known = new Set(found.map((g) => g.id));
      const unknown = wanted.filter((id) => !known.has(id)).join(', ');
      throw new AppError('validation_failed', 'A policy can be assigned only to device groups of your organization.', {
        issues: [{ path: 'assignment.groupIds', message: `unknown device groups: ${unknown}` }],
      });
    }
  }

  /** Whether a device is in each device group the policies name: static member, or its inventory matches the rule. */
  private async groupsOf(device: DeviceRow, policies: readonly CompliancePolicy[]): Promise<(id: string) => boolean> {
    const named = [
      ...new Set(policies.flatMap((p) => (p.assignment.kind === 'deviceGroups' ? p.assignment.groupIds : []))),
    ];
    if (named.length === 0) return () => false;
    const [groups, statics] = await Promise.all([
      this.d.groups.findGroups(device.tenant_id, named),
      this.d.groups.staticGroupsOf(device.tenant_id, device.id),
    ]);
    const member = new Set(statics);
    const inGroup = new Set(
      groups
        .filter((g) => g.kind === 'device' && (g.rule ? storedRuleMatches(g.rule, device.inventory) : member.has(g.id)))
        .map((g) => g.id),
    );
    return (id) => inGroup.has(id);
  }

  /**
   * Runs `work` on the repository bound to one transaction and audits it there: the change and
   * its record commit together or not at all (`AuditLog.together`).
   */
  private async changed(
    principal: Principal,
    action: AuditEntry['action'],
    id: string,
    before: CompliancePolicyInput | null,
    after: CompliancePolicyInput | null,
    work: (repo: ComplianceRepo) => Promise<void>,
  ): Promise<void> {
    await this.d.audit.together(
      (db) => work(this.d.repo.on(db)),
      () => byPerson(principal, action, { type: 'compliance_policy', id }, { before, after }),
    );
  }

  /** Evaluates one device now against its tenant's policies and stores the result on its row. */
  async evaluateDevice(device: DeviceRow, policies?: readonly CompliancePolicy[]): Promise<Evaluation> {
    policies ??= (await this.d.repo.list(device.tenant_id)).map(policyOf);
    const inventory: Inventory = InventorySchema.parse(JSON.parse(device.inventory));
    const inGroup = await this.groupsOf(device, policies);
    const result = evaluate(
      { inventory, lastCheckInAt: device.last_check_in_at },
      policies,
      this.d.clock.now(),
      inGroup,
    );
    await this.d.devices.setCompliance(
      device.tenant_id,
      device.id,
      result.compliance,
      JSON.stringify(result.failingRules),
      iso(this.d.clock.now()),
    );
    return result;
  }

  /**
   * Re-evaluates every device of every tenant with policies: "checked in within N days"
   * turns false with time alone, with no event on the device. Run periodically (`app.ts`).
   */
  async reevaluateAll(): Promise<void> {
    for (const tenantId of await this.d.repo.tenantsWithPolicies()) await this.reevaluateTenant(tenantId);
  }

  /** Re-evaluates every device of a tenant (after its policies changed). */
  async reevaluateTenant(tenantId: string): Promise<void> {
    const policies = (await this.d.repo.list(tenantId)).map(policyOf);
    for (const device of await this.d.devices.list(tenantId, 10_000)) await this.evaluateDevice(device, policies);
  }
}
