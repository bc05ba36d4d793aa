/**
 * Migration 0006 on a database made before it (a real SQLite file through 0005): the legacy
 * `users.roles` lists become groups and assignments with scope "all", so everyone keeps
 * exactly what they could do; garbage and unknown roles grant nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PERMISSIONS } from '@remote-help/protocol';
import { Migrator } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { migrate, openDatabase } from '../db/client.js';
import { migrationProvider } from '../db/migrations.js';
import { BUILT_IN_ROLES, permissionsFor, withImplied } from './permissions.js';
import { AccessPolicy } from './policy.js';
import { RbacRepo } from './repo.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-rbac-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('turns legacy roles into groups and scope-all assignments with the same permissions', async () => {
  const db = openDatabase({ kind: 'sqlite', file: join(dir, 'legacy.db') });
  try {
    const before = await new Migrator({ db, provider: migrationProvider }).migrateTo('0005_sharer_status');
    expect(before.error).toBeUndefined();
    const now = new Date().toISOString();
    for (const tenant of ['t1', 't2']) {
      await db
        .insertInto('tenants')
        .values({
          id: tenant,
          name: tenant,
          slug: tenant,
          remote_help_enabled: 1,
          allow_unenrolled: 1,
          code_ttl_seconds: null,
          created_at: now,
        })
        .execute();
    }
    const legacy: [string, string, string][] = [
      ['t1', 'admin', '["administrator"]'],
      ['t1', 'desk1', '["helpDeskOperator"]'],
      ['t1', 'desk2', '["helpDeskOperator","readOnlyOperator"]'],
      ['t1', 'nobody', '[]'],
      ['t1', 'garbage', 'not json'],
      ['t1', 'unknown', '["sharer", 7]'],
      ['t2', 'desk3', '["helpDeskOperator"]'],
    ];
    for (const [tenant, id, roles] of legacy) {
      await db
        .insertInto('users')
        .values({
          id,
          tenant_id: tenant,
          email: `${id}@${tenant}.example`,
          display_name: id,
          job_title: null,
          company: null,
          photo_mime: null,
          photo: null,
          password_hash: null,
          roles,
          disabled: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    expect(await migrate(db)).toContain('0006_rbac');

    const access = new AccessPolicy(new RbacRepo(db));
    for (const [tenant, id, roles] of legacy) {
      let parsed: unknown[] = [];
      try {
        parsed = JSON.parse(roles) as unknown[];
      } catch {
        /* garbage grants nothing */
      }
      expect({ id, permissions: await access.effectivePermissions(tenant, id) }).toEqual({
        id,
        permissions: permissionsFor(parsed),
      });
    }
    expect(await access.effectivePermissions('t1', 'admin')).toEqual([...PERMISSIONS].sort());
    expect(await access.effectivePermissions('t1', 'desk2')).toEqual(
      withImplied([...BUILT_IN_ROLES.helpDeskOperator, ...BUILT_IN_ROLES.readOnlyOperator]),
    );
    // One group and one assignment per tenant and role, scope "all"; tenants do not share them.
    const groups = await db
      .selectFrom('rbac_groups')
      .select(['tenant_id', 'name'])
      .orderBy('tenant_id')
      .orderBy('name')
      .execute();
    expect(groups).toEqual([
      { tenant_id: 't1', name: 'Administrators' },
      { tenant_id: 't1', name: 'Help desk' },
      { tenant_id: 't1', name: 'Read only operators' },
      { tenant_id: 't2', name: 'Help desk' },
    ]);
    const assignments = await db.selectFrom('rbac_assignments').select(['tenant_id', 'role_id', 'scope_all']).execute();
    expect(assignments.every((a) => a.scope_all === 1)).toBe(true);
    expect(assignments).toHaveLength(4);
    // Scope "all": the desk can help anyone of its tenant, and nobody of another.
    const desk = { userId: 'desk1', tenantId: 't1', permissions: [], ip: null, client: 'web' as const };
    expect(await access.mayHelp(desk, { userId: 'nobody' }, 'remoteHelp.takeFullControl')).toBe(true);
    expect(await access.mayHelp({ ...desk, tenantId: 't2' }, { userId: 'desk3' }, 'remoteHelp.viewScreen')).toBe(false);
  } finally {
    await db.destroy();
  }
});
