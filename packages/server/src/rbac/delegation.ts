/**
 * @module rbac/delegation
 * Nobody hands out what they do not hold. A permission to manage people, groups or roles
 * (`users.manage`, `roles.manage`) is not a way to get the others: without these checks a
 * custom role holding only `users.manage` could add its holder to the Administrators' group,
 * or reset an administrator's password and authenticator and sign in as them.
 *
 * - Changing who is in a user group (a person's groups, a group's members, deleting the
 *   group, renaming it: an identity provider matching groups by name puts its people in the
 *   group that bears their token's name) needs every permission that membership grants.
 * - Acting on a person's account (profile, disabling, password, authenticator, passkeys,
 *   sign-ins, picture) needs every permission that person holds.
 * - A role may hold, and an assignment may grant or take away, only permissions the caller
 *   holds.
 * - Changing who is in a user group that a conditional access policy in force names (to
 *   include or to exclude) changes whom the policy binds: it also needs `settings.manage`, the
 *   permission that manages the policies (else `users.manage` alone could join a break-glass
 *   group that a policy requiring MFA excludes).
 *
 * Scope is not compared: a helper who may manage users and holds *View screen* for one group
 * may still put someone in a group whose assignment grants *View screen* for all.
 */
import type { Permission } from '@remote-help/protocol';
import type { Db } from '../db/client.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { permissionsOf } from './policy.js';
import { RbacRepo } from './repo.js';

const repoOf = (db: Db | RbacRepo): RbacRepo => (db instanceof RbacRepo ? db : new RbacRepo(db));

/** Throws `forbidden` naming what `granted` holds beyond the caller's permissions. */
export function assertHolds(principal: Principal, granted: readonly Permission[], what: string): void {
  const missing = [...new Set(granted)].filter((p) => !can(principal, p)).sort();
  if (missing.length === 0) return;
  throw new AppError('forbidden', `${what}: it involves permissions your role does not have (${missing.join(', ')}).`, {
    missing,
  });
}

/**
 * The caller may change who is in each of `groupIds` (user groups of their tenant).
 * `conditionalAccess: false` leaves out the policies' check (a rename changes no policy: they
 * name groups by id).
 */
export async function assertMayChangeMembership(
  db: Db | RbacRepo,
  principal: Principal,
  groupIds: readonly string[],
  { conditionalAccess = true }: { conditionalAccess?: boolean } = {},
): Promise<void> {
  if (groupIds.length === 0) return;
  const repo = repoOf(db);
  const grants = await repo.memberGrantsOfGroups(principal.tenantId, groupIds);
  assertHolds(
    principal,
    permissionsOf(grants),
    'You cannot change the members of a group that grants more than you hold',
  );
  if (!conditionalAccess || can(principal, 'settings.manage')) return;
  const binding = (await repo.policiesNaming(principal.tenantId, 'groupIds', groupIds)).filter((p) => p.state === 'on');
  if (binding.length === 0) return;
  throw new AppError(
    'forbidden',
    `You cannot change the members of a group that conditional access names (${binding.map((p) => `“${p.name}”`).join(', ')}): it involves permissions your role does not have (settings.manage).`,
    { missing: ['settings.manage'], policies: binding.map((p) => p.name) },
  );
}

/**
 * The caller holds `users.manage` and `userId` is a person of their organization (else
 * `not_found`, exactly as for no one: another organization's ids tell nothing). What they may do
 * to that person is {@link assertMayManagePerson}'s question.
 */
export async function assertUserManagerOf(db: Db, principal: Principal, userId: string): Promise<void> {
  if (!can(principal, 'users.manage')) throw errors.forbidden('Your role does not allow you to manage users.');
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', principal.tenantId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw errors.notFound('User');
}

/** The caller may act on the account of `userId` (a person of their tenant; oneself always). */
export async function assertMayManagePerson(db: Db | RbacRepo, principal: Principal, userId: string): Promise<void> {
  if (userId === principal.userId) return;
  const grants = await repoOf(db).grantsOf(principal.tenantId, userId);
  assertHolds(principal, permissionsOf(grants), 'You cannot manage the account of someone who holds more than you');
}
