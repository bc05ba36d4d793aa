/**
 * @module rbac/policy
 * What a person may do (effective permissions) and whom they may help (scope).
 *
 * - Effective permissions: the union of the roles of every assignment whose member groups
 *   contain the person; `takeFullControl` implies `viewScreen`.
 * - `mayHelp(helper, target, permission)`: some assignment of the helper grants the
 *   permission, its scope includes the target (the sharer, and the device when known: see
 *   `inScope`) and none of its excluded groups contains any part. Exclusions win, also over
 *   scope "all users and devices".
 */
import { DeviceGroupRule, Inventory } from '@remote-help/protocol';
import type { Permission } from '@remote-help/protocol';
import { AppError } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { compareVersions, parseVersion } from '../devices/compliance.js';
import type { Db } from '../db/client.js';
import type { Grant, RbacRepo, ScopeGroup } from './repo.js';
import { rolePermissions, withImplied } from './permissions.js';

/** Who the helper wants to help: the sharer, the device, or both. */
export interface HelpTarget {
  userId?: string | null;
  deviceId?: string | null;
}

/** Whether a device with this inventory matches a dynamic group's rule. Unknown values never match. */
export function ruleMatches(rule: DeviceGroupRule, inventory: Inventory): boolean {
  const actual = inventory[rule.field];
  if (actual === null || actual === undefined) return false;
  if (typeof rule.value === 'boolean') {
    const equal = actual === rule.value;
    return rule.op === 'eq' ? equal : rule.op === 'ne' ? !equal : false;
  }
  if (rule.op === 'gte' || rule.op === 'lte') {
    const have = parseVersion(String(actual));
    const want = parseVersion(rule.value);
    if (!have || !want) return false;
    const order = compareVersions(have, want);
    return rule.op === 'gte' ? order >= 0 : order <= 0;
  }
  const a = String(actual).toLowerCase();
  const v = rule.value.toLowerCase();
  switch (rule.op) {
    case 'eq':
      return a === v;
    case 'ne':
      return a !== v;
    case 'startsWith':
      return a.startsWith(v);
    case 'contains':
      return a.includes(v);
  }
}

/** Parses a stored rule and inventory; anything that does not parse matches nothing. */
export function storedRuleMatches(ruleJson: string | null, inventoryJson: string | undefined): boolean {
  if (!ruleJson || !inventoryJson) return false;
  try {
    const rule = DeviceGroupRule.safeParse(JSON.parse(ruleJson));
    const inventory = Inventory.safeParse(JSON.parse(inventoryJson));
    return rule.success && inventory.success && ruleMatches(rule.data, inventory.data);
  } catch {
    return false;
  }
}

export class AccessPolicy {
  constructor(private readonly repo: RbacRepo) {}

  /** The same policy reading through `db` (a caller's transaction, which may hold changes not yet committed). */
  on(db: Db): AccessPolicy {
    const repo = this.repo.on(db);
    return repo === this.repo ? this : new AccessPolicy(repo);
  }

  /** The permissions a user has now (one query). */
  async effectivePermissions(tenantId: string, userId: string): Promise<Permission[]> {
    return permissionsOf(await this.repo.grantsOf(tenantId, userId));
  }

  /** True when some assignment of the helper grants `permission` over the whole target. */
  async mayHelp(helper: Principal, target: HelpTarget, permission: Permission): Promise<boolean> {
    const grants = (await this.repo.grantsOf(helper.tenantId, helper.userId)).filter((g) =>
      rolePermissions(g.roleId, g.customPermissions).includes(permission),
    );
    if (grants.length === 0) return false;
    const groups = await this.repo.scopeGroups(
      helper.tenantId,
      grants.map((g) => g.assignmentId),
    );
    const contains = await this.membership(helper.tenantId, target, groups);
    return covers(grants, groups, target, contains);
  }

  /**
   * The devices a helper may help with `permission` (a device alone, no person: as remote launch
   * checks), as a predicate for lists: `mayHelp(helper, { deviceId }, permission)` for each
   * device, with the helper's assignments and the static members of their device groups read
   * once (three queries) instead of per device.
   */
  async deviceScope(
    helper: Principal,
    permission: Permission,
  ): Promise<(device: { id: string; inventory: string }) => boolean> {
    const grants = (await this.repo.grantsOf(helper.tenantId, helper.userId)).filter((g) =>
      rolePermissions(g.roleId, g.customPermissions).includes(permission),
    );
    if (grants.length === 0) return () => false;
    const groups = await this.repo.scopeGroups(
      helper.tenantId,
      grants.map((g) => g.assignmentId),
    );
    const staticGroups = [...new Set(groups.filter((g) => g.kind === 'device' && !g.rule).map((g) => g.groupId))];
    const members = new Map<string, Set<string>>();
    for (const m of await this.repo.members(helper.tenantId, staticGroups)) {
      const set = members.get(m.group_id) ?? new Set<string>();
      set.add(m.member_id);
      members.set(m.group_id, set);
    }
    return (device) =>
      covers(grants, groups, { deviceId: device.id }, (g) => {
        if (g.kind !== 'device') return false;
        return g.rule ? storedRuleMatches(g.rule, device.inventory) : (members.get(g.groupId)?.has(device.id) ?? false);
      });
  }

  /** `mayHelp`, or an `out_of_scope` error that says what to ask the administrator for. */
  async assertMayHelp(helper: Principal, target: HelpTarget, permission: Permission, whom: string): Promise<void> {
    if (await this.mayHelp(helper, target, permission)) return;
    const what = permission === 'remoteHelp.takeFullControl' ? 'take full control of' : 'help';
    throw new AppError(
      'out_of_scope',
      `Your role does not let you ${what} ${whom}. Ask your administrator to add ${whom} to the scope groups of your role assignment (or to remove them from its exclusions).`,
      { permission },
    );
  }

  /** A predicate: does this scope/exclusion group contain a part of the target? */
  private async membership(
    tenantId: string,
    target: HelpTarget,
    groups: readonly ScopeGroup[],
  ): Promise<(g: ScopeGroup) => boolean> {
    const [userGroups, deviceGroups, inventory] = await Promise.all([
      target.userId ? this.repo.staticGroupsOf(tenantId, target.userId) : Promise.resolve([]),
      target.deviceId ? this.repo.staticGroupsOf(tenantId, target.deviceId) : Promise.resolve([]),
      target.deviceId && groups.some((g) => g.kind === 'device' && g.rule)
        ? this.repo.deviceInventory(tenantId, target.deviceId)
        : Promise.resolve(undefined),
    ]);
    const users = new Set(userGroups);
    const devices = new Set(deviceGroups);
    return (g) => {
      if (g.kind === 'user') return users.has(g.groupId);
      if (!target.deviceId) return false;
      return g.rule ? storedRuleMatches(g.rule, inventory) : devices.has(g.groupId);
    };
  }
}

/**
 * Whether some of the grants covers the whole target: none of its excluded groups contains a
 * part of it, and its scope is "all" or its scope groups include it (`inScope`).
 */
export function covers(
  grants: readonly Grant[],
  groups: readonly ScopeGroup[],
  target: HelpTarget,
  contains: (g: ScopeGroup) => boolean,
): boolean {
  return grants.some((grant) => {
    const mine = groups.filter((g) => g.assignmentId === grant.assignmentId);
    if (mine.some((g) => g.relation === 'excluded' && contains(g))) return false;
    if (grant.scopeAll) return Boolean(target.userId || target.deviceId);
    return inScope(
      target,
      mine.filter((g) => g.relation === 'scope'),
      contains,
    );
  });
}

/**
 * Whether scope groups (not "all") include a target. Some known part must be in a scope
 * group of its kind; and a known part whose kind the scope names (a user when it lists user
 * groups, a device when it lists device groups) must be in one of them. So a scope of user
 * groups only covers its people on any device, one of device groups only covers anyone at
 * those devices, and one of both needs the person and the device when both are known.
 */
export function inScope(
  target: HelpTarget,
  scope: readonly ScopeGroup[],
  contains: (g: ScopeGroup) => boolean,
): boolean {
  const userGroups = scope.filter((g) => g.kind === 'user');
  const deviceGroups = scope.filter((g) => g.kind === 'device');
  const userIn = Boolean(target.userId) && userGroups.some(contains);
  const deviceIn = Boolean(target.deviceId) && deviceGroups.some(contains);
  if (!userIn && !deviceIn) return false;
  if (target.userId && userGroups.length > 0 && !userIn) return false;
  if (target.deviceId && deviceGroups.length > 0 && !deviceIn) return false;
  return true;
}

/** The union of the permissions of some grants. */
export function permissionsOf(grants: readonly Pick<Grant, 'roleId' | 'customPermissions'>[]): Permission[] {
  return withImplied(grants.flatMap((g) => rolePermissions(g.roleId, g.customPermissions)));
}
