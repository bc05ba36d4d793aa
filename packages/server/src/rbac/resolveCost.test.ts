/**
 * What assignments cost on every request: `AuthSessions.resolve` (cookie → principal) joins
 * the user's grants into its one query. Measured on a SQLite file with a
 * tenant of 500 users, 60 groups and 20 assignments (each user in three groups), against
 * the session query alone. Prints the figures; asserts only that permissions are right, so
 * a loaded machine cannot fail it. Decides whether a cache is needed (it was not: see the
 * printed numbers and docs/adr/0009-rbac-scope-groups.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { migrate, openDatabase } from '../db/client.js';
import { AuthSessions } from '../identity/authSessions.js';
import { sha256 } from '../ids.js';
import { systemClock } from '../time.js';
import { RbacRepo } from './repo.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-rbac-cost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

it('resolving a cookie with assignments stays one indexed query', async () => {
  const db = openDatabase({ kind: 'sqlite', file: join(dir, 'cost.db') });
  try {
    await migrate(db);
    const now = new Date().toISOString();
    await db
      .insertInto('tenants')
      .values({
        id: 't',
        name: 't',
        slug: 't',
        remote_help_enabled: 1,
        allow_unenrolled: 1,
        code_ttl_seconds: null,
        created_at: now,
      })
      .execute();
    for (let g = 0; g < 60; g++) {
      await db
        .insertInto('rbac_groups')
        .values({
          id: `g${g}`,
          tenant_id: 't',
          name: `Group ${g}`,
          description: '',
          kind: 'user',
          rule: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    for (let a = 0; a < 20; a++) {
      await db
        .insertInto('rbac_assignments')
        .values({
          id: `a${a}`,
          tenant_id: 't',
          name: `Assignment ${a}`,
          description: '',
          role_id: a % 2 ? 'helpDeskOperator' : 'readOnlyOperator',
          scope_all: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
      for (const g of [a, a + 20, a + 40]) {
        await db
          .insertInto('rbac_assignment_groups')
          .values({ assignment_id: `a${a}`, group_id: `g${g}`, tenant_id: 't', relation: 'member' })
          .execute();
      }
    }
    const sessions = new AuthSessions(db, systemClock);
    const tokens: string[] = [];
    for (let u = 0; u < 500; u++) {
      await db
        .insertInto('users')
        .values({
          id: `u${u}`,
          tenant_id: 't',
          email: `u${u}@t.example`,
          display_name: `U ${u}`,
          job_title: null,
          company: null,
          photo_mime: null,
          photo: null,
          password_hash: null,
          roles: '[]',
          disabled: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await db
        .insertInto('rbac_group_members')
        .values([0, 1, 2].map((k) => ({ group_id: `g${(u + k * 7) % 60}`, tenant_id: 't', member_id: `u${u}` })))
        .execute();
      if (u < 50) tokens.push(await sessions.create({ id: `u${u}`, tenant_id: 't' }, null, null));
    }

    // The query `resolve` made before 0006 (it read `users.roles` in the same row).
    const sessionOnly = async (token: string) =>
      db
        .selectFrom('auth_sessions')
        .innerJoin('users', (join) =>
          join.onRef('users.id', '=', 'auth_sessions.user_id').onRef('users.tenant_id', '=', 'auth_sessions.tenant_id'),
        )
        .select([
          'auth_sessions.tenant_id',
          'auth_sessions.user_id',
          'auth_sessions.csrf_token',
          'auth_sessions.expires_at',
          'users.roles',
          'users.disabled',
        ])
        .where('auth_sessions.id', '=', sha256(token))
        .executeTakeFirst();
    const time = async (f: (token: string) => Promise<unknown>) => {
      const samples: number[] = [];
      for (let round = 0; round < 40; round++) {
        const start = performance.now();
        for (const token of tokens) await f(token);
        samples.push((performance.now() - start) / tokens.length);
      }
      return median(samples);
    };
    await time(sessionOnly); // warm-up
    const before = await time(sessionOnly);
    const after = await time((token) => sessions.resolve(token, null));
    const repo = new RbacRepo(db);
    let i = 0;
    const grantsOnly = await time(() => repo.grantsOf('t', `u${i++ % 50}`));
    console.log(
      `cookie resolve (median of 40 rounds × 50 users): before 0006 (one query) ${(before * 1000).toFixed(0)} µs, ` +
        `now ${(after * 1000).toFixed(0)} µs; the grants query of mayHelp alone ${(grantsOnly * 1000).toFixed(0)} µs`,
    );
    const resolved = await sessions.resolve(tokens[0] ?? '', null);
    expect(resolved?.principal.permissions).toContain('remoteHelp.viewScreen');
  } finally {
    await db.destroy();
  }
}, 60_000);
