/**
 * The people of a load run, written into the bench's own database before (or beside) the
 * server, the way the integration tests add people (`test/reportsWorld`): one organization
 * with Remote Help on and unenrolled sharers allowed (as the demo's), helpers in a group assigned
 * the built-in Help desk operator role, sharers with no role, every one with the same password
 * (argon2id, hashed once). Their browser sign-ins are minted by the server's own
 * `AuthSessions.create` (what the OIDC callback calls after the password check): signing 10,000
 * people in through the form would cost 10,000 argon2id verifications (≈ 20 CPU-minutes here)
 * and trip the sign-in back-off per address, which is not what the bench measures. The run
 * signs the first helper and sharer in through the real flow (`main.ts`) and uses those cookies.
 */
import { hashPassword } from '../../../packages/server/src/identity/passwords.js';
import { AuthSessions } from '../../../packages/server/src/identity/authSessions.js';
import type { Db } from '../../../packages/server/src/db/client.js';
import { newId, sha256 } from '../../../packages/server/src/ids.js';
import { systemClock } from '../../../packages/server/src/time.js';
import type { Credentials } from './messages.js';

export interface SeededPeople {
  tenantId: string;
  helpers: (Credentials & { email: string })[];
  sharers: (Credentials & { email: string })[];
}

const BATCH = 200;

/** Adds an organization `slug` with `helpers` helpers and `sharers` sharers, each signed in once. */
export async function seedPeople(
  db: Db,
  o: { slug: string; helpers: number; sharers: number; password: string },
): Promise<SeededPeople> {
  const now = new Date().toISOString();
  const tenantId = newId();
  await db
    .insertInto('tenants')
    .values({
      id: tenantId,
      name: `Load bench ${o.slug}`,
      slug: o.slug,
      remote_help_enabled: 1,
      allow_unenrolled: 1,
      code_ttl_seconds: null,
      created_at: now,
    })
    .execute();
  const passwordHash = await hashPassword(o.password);
  const make = (role: 'helper' | 'sharer', n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: newId(),
      tenant_id: tenantId,
      email: `${role}${i}@${o.slug}.example`,
      display_name: `${role === 'helper' ? 'Helper' : 'Sharer'} ${i}`,
      job_title: null,
      company: null,
      photo_mime: null,
      photo: null,
      password_hash: passwordHash,
      roles: '[]',
      disabled: 0,
      created_at: now,
      updated_at: now,
    }));
  const helpers = make('helper', o.helpers);
  const sharers = make('sharer', o.sharers);
  const all = [...helpers, ...sharers];
  for (let i = 0; i < all.length; i += BATCH) {
    await db
      .insertInto('users')
      .values(all.slice(i, i + BATCH) as never)
      .execute();
  }
  // Helpers: one group holding them all, assigned Help desk operator with scope "all" (as the seed does).
  const groupId = newId();
  const assignmentId = newId();
  await db
    .insertInto('rbac_groups')
    .values({
      id: groupId,
      tenant_id: tenantId,
      name: 'Help desk',
      description: '',
      kind: 'user',
      rule: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (let i = 0; i < helpers.length; i += BATCH) {
    await db
      .insertInto('rbac_group_members')
      .values(helpers.slice(i, i + BATCH).map((u) => ({ group_id: groupId, tenant_id: tenantId, member_id: u.id })))
      .execute();
  }
  await db
    .insertInto('rbac_assignments')
    .values({
      id: assignmentId,
      tenant_id: tenantId,
      name: 'Help desk',
      description: '',
      role_id: 'helpDeskOperator',
      scope_all: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('rbac_assignment_groups')
    .values({ assignment_id: assignmentId, group_id: groupId, tenant_id: tenantId, relation: 'member' })
    .execute();

  const sessions = new AuthSessions(db, systemClock);
  const signIn = async (users: typeof helpers) => {
    const out: SeededPeople['helpers'] = [];
    // A few at a time: PostgreSQL answers over a pool; SQLite runs them one by one anyway.
    for (let i = 0; i < users.length; i += 20) {
      const chunk = users.slice(i, i + 20);
      out.push(
        ...(await Promise.all(
          chunk.map(async (u) => {
            const token = await sessions.create(u, '127.0.0.1', 'remote-help load bench', { amr: ['pwd'] });
            const row = await db
              .selectFrom('auth_sessions')
              .select('csrf_token')
              .where('id', '=', sha256(token))
              .executeTakeFirstOrThrow();
            return { email: u.email, token, csrf: row.csrf_token };
          }),
        )),
      );
    }
    return out;
  };
  return { tenantId, helpers: await signIn(helpers), sharers: await signIn(sharers) };
}
