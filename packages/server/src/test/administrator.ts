/**
 * @module test/administrator
 * Makes a person an Administrator of their organization straight in the database (a group of
 * their own assigned the built-in role, scope all), as a server operator makes the first one:
 * the demo's Fabrikam has no administrator, and tests of another organization's view need one.
 */
import type { Db } from '../db/client.js';

/** `userId` of `tenantId` becomes an Administrator; `id` names the group and the assignment. */
export async function makeAdministrator(db: Db, tenantId: string, userId: string, id: string): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('rbac_groups')
    .values({
      id,
      tenant_id: tenantId,
      name: 'Administrators',
      description: '',
      kind: 'user',
      rule: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db.insertInto('rbac_group_members').values({ group_id: id, tenant_id: tenantId, member_id: userId }).execute();
  await db
    .insertInto('rbac_assignments')
    .values({
      id,
      tenant_id: tenantId,
      name: 'Administrators',
      description: '',
      role_id: 'administrator',
      scope_all: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('rbac_assignment_groups')
    .values({ assignment_id: id, group_id: id, tenant_id: tenantId, relation: 'member' })
    .execute();
}
