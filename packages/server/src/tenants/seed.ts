/**
 * @module tenants/seed
 * Demo organizations, made on first start when the database is empty (and only then):
 * Contoso (verified domain contoso.example) and Fabrikam (no verified domain, to show
 * how an unverified person looks on the trust screen).
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit.js';
import type { Db } from '../db/client.js';
import { hashPassword } from '../identity/passwords.js';
import { newId } from '../ids.js';
import type { BuiltInRole } from '../rbac/permissions.js';
import { iso } from '../time.js';
import type { AvatarStyle } from './avatars.js';
import { avatarSvg } from './avatars.js';

interface DemoUser {
  email: string;
  name: string;
  jobTitle: string;
  roles: BuiltInRole[];
  avatar?: AvatarStyle;
}

interface DemoTenant {
  name: string;
  slug: string;
  company: string;
  verifiedDomain?: string;
  users: DemoUser[];
}

export const DEMO_TENANTS: DemoTenant[] = [
  {
    name: 'Contoso',
    slug: 'contoso',
    company: 'Contoso Ltd.',
    verifiedDomain: 'contoso.example',
    users: [
      {
        email: 'admin@contoso.example',
        name: 'Priya Raman',
        jobTitle: 'IT Administrator',
        roles: ['administrator'],
        avatar: { background: '#dbe8f7', skin: '#c68863', hair: '#1f1a17', shirt: '#0f6cbd', long: true },
      },
      {
        email: 'helper@contoso.example',
        name: 'Daniel Okafor',
        jobTitle: 'Help Desk Technician',
        roles: ['helpDeskOperator'],
        avatar: { background: '#e3f1e1', skin: '#8d5a3b', hair: '#151210', shirt: '#107c10' },
      },
      {
        email: 'sharer@contoso.example',
        name: 'Lena Fischer',
        jobTitle: 'Marketing Manager',
        roles: [],
        avatar: { background: '#f6e6d7', skin: '#f2c9a9', hair: '#b5651d', shirt: '#8764b8', long: true },
      },
    ],
  },
  {
    name: 'Fabrikam',
    slug: 'fabrikam',
    company: 'Fabrikam Inc.',
    users: [
      {
        email: 'helper@fabrikam.example',
        name: 'Marco Rossi',
        jobTitle: 'Support Engineer',
        roles: ['helpDeskOperator'],
        avatar: { background: '#f3e0e6', skin: '#e0ac86', hair: '#3b2a20', shirt: '#c239b3' },
      },
      { email: 'sharer@fabrikam.example', name: 'Aiko Tanaka', jobTitle: 'Accountant', roles: [] },
    ],
  },
];

export interface SeedResult {
  seeded: boolean;
  /** Set only when the password was generated here; it is printed once and never stored in clear. */
  generatedPassword: string | null;
  accounts: string[];
}

/** Seeds the demo data if no tenant exists yet. */
export async function seedDemo(db: Db, audit: AuditLog, demoPassword: string | null): Promise<SeedResult> {
  const existing = await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
  if (existing) return { seeded: false, generatedPassword: null, accounts: [] };
  const generatedPassword = demoPassword ? null : randomBytes(9).toString('base64url');
  const passwordHash = await hashPassword(demoPassword ?? generatedPassword ?? '');
  const now = iso(Date.now());
  const accounts: string[] = [];
  const seeded: string[] = [];
  await audit.together(
    async (trx) => {
      for (const t of DEMO_TENANTS) {
        const tenantId = newId();
        seeded.push(tenantId);
        await trx
          .insertInto('tenants')
          .values({
            id: tenantId,
            name: t.name,
            slug: t.slug,
            remote_help_enabled: 1,
            // On in the demo organizations, so the web sharer works out of the box; new organizations start off.
            allow_unenrolled: 1,
            code_ttl_seconds: null,
            created_at: now,
          })
          .execute();
        if (t.verifiedDomain) {
          await trx
            .insertInto('tenant_domains')
            .values({
              tenant_id: tenantId,
              domain: t.verifiedDomain,
              method: 'asserted',
              verified_at: now,
              created_at: now,
            })
            .execute();
        }
        const holders = new Map<BuiltInRole, string[]>();
        for (const u of t.users) {
          const userId = newId();
          for (const role of u.roles) holders.set(role, [...(holders.get(role) ?? []), userId]);
          await trx
            .insertInto('users')
            .values({
              id: userId,
              tenant_id: tenantId,
              email: u.email,
              display_name: u.name,
              job_title: u.jobTitle,
              company: t.company,
              photo_mime: u.avatar ? 'image/svg+xml' : null,
              photo: u.avatar ? Buffer.from(avatarSvg(u.avatar)) : null,
              password_hash: passwordHash,
              roles: JSON.stringify(u.roles),
              disabled: 0,
              created_at: now,
              updated_at: now,
            })
            .execute();
          accounts.push(u.email);
        }
        await seedAssignments(trx, tenantId, holders, now);
      }
    },
    () =>
      seeded.map((tenantId) => ({
        tenantId,
        actor: { type: 'system' as const, id: null },
        action: 'tenant.seeded' as const,
        data: { demo: true },
      })),
  );
  return { seeded: true, generatedPassword, accounts };
}

/** The groups and assignments migration 0006 makes from legacy roles: one group per role, scope "all". */
const ROLE_GROUPS: Record<BuiltInRole, string> = {
  administrator: 'Administrators',
  helpDeskOperator: 'Help desk',
  readOnlyOperator: 'Read only operators',
};

async function seedAssignments(db: Db, tenantId: string, holders: Map<BuiltInRole, string[]>, now: string) {
  for (const [role, userIds] of holders) {
    const groupId = newId();
    const assignmentId = newId();
    const name = ROLE_GROUPS[role];
    await db
      .insertInto('rbac_groups')
      .values({
        id: groupId,
        tenant_id: tenantId,
        name,
        description: '',
        kind: 'user',
        rule: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('rbac_group_members')
      .values(userIds.map((member_id) => ({ group_id: groupId, tenant_id: tenantId, member_id })))
      .execute();
    await db
      .insertInto('rbac_assignments')
      .values({
        id: assignmentId,
        tenant_id: tenantId,
        name,
        description: '',
        role_id: role,
        scope_all: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('rbac_assignment_groups')
      .values({ assignment_id: assignmentId, group_id: groupId, tenant_id: tenantId, relation: 'member' })
      .execute();
  }
}
