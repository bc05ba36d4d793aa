/**
 * @module users/directory
 * Administration of the embedded directory's people (`users.manage`): list (search, one
 * group's members, status, paging), create with an initial or generated password (the
 * sign-in name must be in a verified domain of the organization), edit the profile,
 * disable and enable, reset the password, and the user groups a person belongs to. Every
 * change is audited with before → after (never a password or its hash). Disabling ends the
 * person's sign-in sessions and every live Remote Help session they are in; resetting a
 * password ends their sign-in sessions. The agent's access tokens stop working at once too,
 * since every request re-reads `disabled`.
 */
import { randomInt } from 'node:crypto';
import type {
  CreateUserRequest,
  DirectoryUserPage,
  DirectoryUserView,
  ListUsersQuery,
  UpdateUserRequest,
} from '@remote-help/protocol';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { AuditEntry, AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import type { Db } from '../db/client.js';
import { AppError, errors } from '../errors.js';
import { endSignInsOf } from '../identity/accountSecurity.js';
import { IdentityLinks } from '../identity/federation/links.js';
import { assertPasswordAllowed } from '../identity/passwordPolicy.js';
import { hashPassword } from '../identity/passwords.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import { newId } from '../ids.js';
import type { AccessPolicy } from '../rbac/policy.js';
import { assertMayChangeMembership, assertMayManagePerson } from '../rbac/delegation.js';
import type { RbacRepo } from '../rbac/repo.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import { photoUrlOf } from './photoService.js';
import { emailDomain } from './presenter.js';
import { PUBLIC_USER_COLUMNS } from './repo.js';
import type { PublicUserRow, UsersRepo } from './repo.js';

type CreateUser = z.output<typeof CreateUserRequest>;
type UpdateUser = z.output<typeof UpdateUserRequest>;
type ListUsers = z.output<typeof ListUsersQuery>;

export interface DirectoryDeps {
  db: Db;
  users: UsersRepo;
  rbac: RbacRepo;
  access: AccessPolicy;
  audit: AuditLog;
  clock: Clock;
  /** Ends every live Remote Help session the person helps in or shares (they were disabled); returns how many. */
  endSessionsOf: (tenantId: string, userId: string, by: Principal) => Promise<number>;
  /** Told once someone's sign-ins were ended and it committed: their open sockets are rechecked. */
  signInsEnded?: (userId: string) => void;
}

/** Letters and digits that cannot be mistaken for each other when read aloud or copied by hand. */
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A password to hand over once: 4 groups of 5 (about 114 bits), e.g. `Kq7mZ-3xTbw-...`. */
export function generatePassword(): string {
  const group = () => Array.from({ length: 5 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
  return [group(), group(), group(), group()].join('-');
}

/** `%`, `_` and `\` taken literally in a LIKE pattern (with `ESCAPE '\'`). */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export class Directory {
  /** A person's organization sign-in links: listing and unlinking (`identity/federation/links`). */
  readonly identities: IdentityLinks;

  constructor(private readonly d: DirectoryDeps) {
    this.identities = new IdentityLinks({ db: d.db, audit: d.audit });
  }

  private require(principal: Principal): void {
    if (!can(principal, 'users.manage')) throw errors.forbidden('Your role does not allow you to manage users.');
  }

  /** People as the directory shows them, read through `db` (a transaction that just changed them, or the database). */
  private async present(
    tenantId: string,
    rows: readonly PublicUserRow[],
    db: Db = this.d.db,
  ): Promise<DirectoryUserView[]> {
    const ids = rows.map((r) => r.id);
    const access = this.d.access.on(db);
    const memberships = ids.length
      ? await db
          .selectFrom('rbac_group_members as m')
          .innerJoin('rbac_groups as g', 'g.id', 'm.group_id')
          .select(['m.member_id', 'm.group_id'])
          .where('m.tenant_id', '=', tenantId)
          .where('g.kind', '=', 'user')
          .where('m.member_id', 'in', ids)
          .orderBy('m.group_id')
          .execute()
      : [];
    return Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        email: r.email,
        displayName: r.display_name,
        jobTitle: r.job_title,
        company: r.company,
        disabled: r.disabled === 1,
        photoUrl: r.photo_mime ? photoUrlOf(r.id, r.updated_at) : null,
        groups: memberships.filter((m) => m.member_id === r.id).map((m) => m.group_id),
        permissions: await access.effectivePermissions(tenantId, r.id),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      })),
    );
  }

  private async row(tenantId: string, id: string, db: Db = this.d.db): Promise<PublicUserRow> {
    const row = await db
      .selectFrom('users')
      .select(PUBLIC_USER_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw errors.notFound('User');
    return row;
  }

  /** A page of the tenant's people by display name, and how many match in all. */
  async list(principal: Principal, query: ListUsers): Promise<DirectoryUserPage> {
    this.require(principal);
    const tenantId = principal.tenantId;
    const search = query.search ? `%${likeLiteral(query.search.toLowerCase())}%` : null;
    const filtered = this.d.db
      .selectFrom('users')
      .where('tenant_id', '=', tenantId)
      .$if(search !== null, (q) =>
        q.where((eb) =>
          eb.or([
            eb(sql`lower(display_name)`, 'like', sql`${search} escape '\\'`),
            eb(sql`lower(email)`, 'like', sql`${search} escape '\\'`),
          ]),
        ),
      )
      .$if(query.status !== 'all', (q) => q.where('disabled', '=', query.status === 'disabled' ? 1 : 0))
      .$if(query.groupId !== undefined, (q) =>
        q.where('id', 'in', (eb) =>
          eb
            .selectFrom('rbac_group_members')
            .select('member_id')
            .where('tenant_id', '=', tenantId)
            .where('group_id', '=', query.groupId ?? ''),
        ),
      );
    const [rows, count] = await Promise.all([
      filtered
        .select(PUBLIC_USER_COLUMNS)
        .orderBy(sql`lower(display_name)`)
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
      filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { users: await this.present(tenantId, rows), total: Number(count.n) };
  }

  async get(principal: Principal, id: string): Promise<DirectoryUserView> {
    this.require(principal);
    return this.view(principal.tenantId, id);
  }

  private async view(tenantId: string, id: string, db: Db = this.d.db): Promise<DirectoryUserView> {
    const [view] = await this.present(tenantId, [await this.row(tenantId, id, db)], db);
    if (!view) throw errors.notFound('User');
    return view;
  }

  /** The groups must be user groups of the tenant. */
  private async assertUserGroups(tenantId: string, groupIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(groupIds)];
    const found = await this.d.rbac.findGroups(tenantId, unique);
    const ok = new Set(found.filter((g) => g.kind === 'user' && !g.rule).map((g) => g.id));
    const bad = unique.filter((g) => !ok.has(g));
    if (bad.length) throw new AppError('validation_failed', 'Unknown user groups.', { unknown: bad });
    return unique;
  }

  /**
   * Runs `work` in one transaction and audits it there, with `before` and what `after` makes of
   * its result: the change and its record commit together or not at all (`AuditLog.together`).
   */
  private changed<T>(
    principal: Principal,
    action: AuditEntry['action'],
    id: string,
    before: unknown,
    work: (db: Db) => Promise<T>,
    after: (result: T) => unknown = (result) => result,
  ): Promise<T> {
    return this.d.audit.together(work, (result) =>
      byPerson(principal, action, { type: 'user', id }, { before, after: after(result) }),
    );
  }

  /** The sign-in name must be in one of the tenant's verified domains (as a UPN in Entra ID). */
  private async assertVerifiedDomain(tenantId: string, email: string): Promise<void> {
    const domains = await this.d.users.verifiedDomains(tenantId);
    if (domains.includes(emailDomain(email))) return;
    throw new AppError(
      'validation_failed',
      domains.length
        ? `The email must end with one of your organization’s verified domains: ${domains.join(', ')}.`
        : 'Your organization has no verified domain yet, so no one can be added.',
      { field: 'email', verifiedDomains: domains },
    );
  }

  async create(
    principal: Principal,
    body: CreateUser,
  ): Promise<{ user: DirectoryUserView; generatedPassword: string | null }> {
    this.require(principal);
    await this.assertVerifiedDomain(principal.tenantId, body.email);
    if (body.password !== undefined) assertPasswordAllowed(body.password);
    const groups = await this.assertUserGroups(principal.tenantId, body.groups);
    await assertMayChangeMembership(this.d.db, principal, groups);
    const generatedPassword = body.password === undefined ? generatePassword() : null;
    const taken = await this.d.db.selectFrom('users').select('id').where('email', '=', body.email).executeTakeFirst();
    // Emails are unique across the installation; say so without naming the other organization.
    if (taken) throw new AppError('conflict', 'A user with this email already exists.');
    const now = iso(this.d.clock.now());
    const id = newId();
    // Hashed before the transaction opens: it takes a while, and holds nothing meanwhile.
    const passwordHash = await hashPassword(body.password ?? generatedPassword ?? '');
    const view = await this.changed(principal, 'user.created', id, null, async (db) => {
      await db
        .insertInto('users')
        .values({
          id,
          tenant_id: principal.tenantId,
          email: body.email,
          display_name: body.displayName,
          job_title: body.jobTitle,
          company: body.company,
          photo_mime: null,
          photo: null,
          password_hash: passwordHash,
          roles: '[]',
          disabled: 0,
          created_at: now,
          updated_at: now,
        })
        .execute()
        .catch((error: unknown) => {
          if (/UNIQUE|duplicate key/i.test((error as Error).message))
            throw new AppError('conflict', 'A user with this email already exists.');
          throw error;
        });
      if (groups.length) await this.d.rbac.on(db).setGroupsOf(principal.tenantId, id, groups);
      return this.view(principal.tenantId, id, db);
    });
    return { user: view, generatedPassword };
  }

  async update(principal: Principal, id: string, body: UpdateUser): Promise<DirectoryUserView> {
    this.require(principal);
    const before = await this.get(principal, id);
    if (body.disabled === true && id === principal.userId) {
      throw new AppError('validation_failed', 'You cannot disable your own account.');
    }
    await assertMayManagePerson(this.d.db, principal, id);
    const groups = body.groups ? await this.assertUserGroups(principal.tenantId, body.groups) : undefined;
    if (groups) {
      // Only the groups joined or left: staying in a group one could not join changes nothing.
      const current = new Set(await this.d.rbac.staticGroupsOf(principal.tenantId, id));
      const wanted = new Set(groups);
      const changing = [...groups.filter((g) => !current.has(g)), ...[...current].filter((g) => !wanted.has(g))];
      await assertMayChangeMembership(this.d.db, principal, changing);
    }
    const changes: Record<string, unknown> = { updated_at: iso(this.d.clock.now()) };
    if (body.displayName !== undefined) changes.display_name = body.displayName;
    if (body.jobTitle !== undefined) changes.job_title = body.jobTitle;
    if (body.company !== undefined) changes.company = body.company;
    if (body.disabled !== undefined) changes.disabled = body.disabled ? 1 : 0;
    const disabling = body.disabled === true && !before.disabled;
    const after = await this.changed(
      principal,
      body.disabled === undefined ? 'user.updated' : body.disabled ? 'user.disabled' : 'user.enabled',
      id,
      before,
      async (db) => {
        await db
          .updateTable('users')
          .set(changes)
          .where('tenant_id', '=', principal.tenantId)
          .where('id', '=', id)
          .execute();
        // User-group memberships only: a user is never in a device group.
        if (groups) await this.d.rbac.on(db).setGroupsOf(principal.tenantId, id, groups);
        // Disabled and signed out in one step: no sign-in outlives the recorded change.
        if (disabling) await endSignInsOf(db, id);
        return this.view(principal.tenantId, id, db);
      },
    );
    // Sessions end through the session service (each with its own record and announcement).
    if (disabling) {
      this.d.signInsEnded?.(id);
      await this.d.endSessionsOf(principal.tenantId, id, principal);
    }
    return after;
  }

  /**
   * Sets `password`, or a generated one that is answered once. `requireChange`: the person must
   * choose their own at the next sign-in (the sign-in asks for it after the password and MFA).
   */
  async resetPassword(
    principal: Principal,
    id: string,
    password: string | undefined,
    requireChange = false,
  ): Promise<{ generatedPassword: string | null }> {
    this.require(principal);
    await this.row(principal.tenantId, id);
    await assertMayManagePerson(this.d.db, principal, id);
    if (password !== undefined) assertPasswordAllowed(password);
    const generatedPassword = password === undefined ? generatePassword() : null;
    const passwordHash = await hashPassword(password ?? generatedPassword ?? '');
    await this.changed(
      principal,
      'user.password_reset',
      id,
      null,
      async (db) => {
        await db
          .updateTable('users')
          .set({
            password_hash: passwordHash,
            must_change_password: requireChange ? 1 : 0,
            updated_at: iso(this.d.clock.now()),
          })
          .where('tenant_id', '=', principal.tenantId)
          .where('id', '=', id)
          .execute();
        // Browser sessions, and the embedded provider's sessions and tokens (the Remote Help app's too).
        if (id !== principal.userId) await endSignInsOf(db, id);
      },
      () => ({ generated: generatedPassword !== null, requireChange }),
    );
    if (id !== principal.userId) this.d.signInsEnded?.(id);
    return { generatedPassword };
  }
}
