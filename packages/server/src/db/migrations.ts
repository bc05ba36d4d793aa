/**
 * @module db/migrations
 * Schema migrations, in order. Written with Kysely's schema builder so that the same
 * steps run on SQLite (embedded default) and PostgreSQL (scale-out).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { sql } from 'kysely';
import type { ChainedFields } from '../audit/chain.js';
import { GENESIS_HASH, eventHash } from '../audit/chain.js';
import { blobType, isPostgres } from './dialect.js';

const m0001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('remote_help_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('allow_unenrolled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('code_ttl_seconds', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('tenant_domains')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('verified_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('tenant_domains_pk', ['tenant_id', 'domain'])
      .execute();
    // A domain can be verified by one organization only.
    await sql`CREATE UNIQUE INDEX tenant_domains_verified_uq ON tenant_domains (domain) WHERE verified_at IS NOT NULL`.execute(
      db,
    );

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('job_title', 'text')
      .addColumn('company', 'text')
      .addColumn('photo_mime', 'text')
      .addColumn('photo', blobType(db))
      .addColumn('password_hash', 'text')
      .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_tenant_idx').on('users').columns(['tenant_id', 'id']).execute();

    await db.schema
      .createTable('auth_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('help_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('helper_id', 'text', (c) => c.notNull())
      .addColumn('sharer_id', 'text')
      .addColumn('code_hash', 'text', (c) => c.unique())
      .addColumn('spent_code_hash', 'text')
      .addColumn('code_expires_at', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('mode', 'text')
      .addColumn('pending_mode', 'text')
      .addColumn('sharer_client', 'text')
      .addColumn('end_reason', 'text')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('joined_at', 'text')
      .addColumn('started_at', 'text')
      .addColumn('ended_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('help_sessions_tenant_idx')
      .on('help_sessions')
      .columns(['tenant_id', 'created_at'])
      .execute();
    await db.schema.createIndex('help_sessions_spent_idx').on('help_sessions').column('spent_code_hash').execute();
    await db.schema
      .createIndex('help_sessions_state_idx')
      .on('help_sessions')
      .columns(['state', 'code_expires_at'])
      .execute();

    await db.schema
      .createTable('audit_events')
      // An auto-numbered key: SQLite's INTEGER PRIMARY KEY AUTOINCREMENT, PostgreSQL's serial.
      .addColumn('id', isPostgres(db) ? 'serial' : 'integer', (c) =>
        isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('tenant_id', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('data', 'text')
      .execute();
    await db.schema.createIndex('audit_events_tenant_idx').on('audit_events').columns(['tenant_id', 'at']).execute();

    await db.schema
      .createTable('oidc_payloads')
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('user_code', 'text')
      .addColumn('uid', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('consumed_at', 'text')
      .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
      .execute();
    await db.schema.createIndex('oidc_payloads_grant_idx').on('oidc_payloads').column('grant_id').execute();
    await db.schema.createIndex('oidc_payloads_uid_idx').on('oidc_payloads').column('uid').execute();

    await db.schema
      .createTable('server_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

const m0002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('enrollment_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('max_uses', 'integer', (c) => c.notNull())
      .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('inventory', 'text', (c) => c.notNull())
      .addColumn('enrolled_at', 'text', (c) => c.notNull())
      .addColumn('last_check_in_at', 'text')
      .addColumn('last_ip', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('devices_tenant_idx').on('devices').columns(['tenant_id', 'name']).execute();
    await db.schema.alterTable('help_sessions').addColumn('device_id', 'text').execute();
  },
};

/** Back-off counts (`ratelimit/store`): one row per key, kept until its window ends, so blocks survive a restart. */
const m0003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_at', 'bigint', (c) => c.notNull())
      .addColumn('window_ends_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limits_window_idx').on('rate_limits').column('window_ends_at').execute();
  },
};

/**
 * Used device proofs (finding 9): a proof's `jti` is stored until the proof could no longer
 * be valid, so a restart does not make it usable again; the primary key makes "first use
 * wins" atomic. And at most one waiting remote launch per device (finding 11): older
 * duplicates are ended first so the unique index can be built on an existing database.
 */
const m0004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('device_proofs')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('jti', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_proofs_pk', ['device_id', 'jti'])
      .execute();
    await db.schema.createIndex('device_proofs_expiry_idx').on('device_proofs').column('expires_at').execute();
    await sql`UPDATE help_sessions SET state = 'ended', end_reason = 'code_expired', code_hash = NULL,
        ended_at = updated_at, version = version + 1
      WHERE device_id IS NOT NULL AND state = 'waiting' AND EXISTS (
        SELECT 1 FROM help_sessions newer WHERE newer.device_id = help_sessions.device_id
          AND newer.state = 'waiting' AND (newer.created_at > help_sessions.created_at
            OR (newer.created_at = help_sessions.created_at AND newer.id > help_sessions.id)))`.execute(db);
    await sql`CREATE UNIQUE INDEX help_sessions_one_waiting_launch ON help_sessions (device_id)
      WHERE state = 'waiting' AND device_id IS NOT NULL`.execute(db);
  },
};

/**
 * 0005: what the sharer's device does with the picture (pause, choosing again after a
 * reload, display gone), so the helper sees it and it survives the helper's reload.
 */
const m0005: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('help_sessions')
      .addColumn('sharer_status', 'text', (c) => c.notNull().defaultTo('pending'))
      .execute();
  },
};

/**
 * 0006: RBAC like Intune's. Groups of users or devices (a device group with a `rule` is
 * dynamic), static members, custom roles (built-in roles live in code: `rbac/permissions`),
 * assignments (role + member groups + scope groups + excluded groups, or scope "all"). The
 * legacy `users.roles` list is turned into groups and assignments with scope "all", so
 * what everyone may do is unchanged; the column stays as a frozen record (see ADR in
 * `rbac/permissions.ts`).
 */
const m0006: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('rbac_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('rule', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('rbac_groups_name_uq')
      .on('rbac_groups')
      .columns(['tenant_id', 'name'])
      .unique()
      .execute();
    await db.schema
      .createTable('rbac_group_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('rbac_groups.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('rbac_group_members_pk', ['group_id', 'member_id'])
      .execute();
    await db.schema
      .createIndex('rbac_group_members_member_idx')
      .on('rbac_group_members')
      .columns(['tenant_id', 'member_id'])
      .execute();
    await db.schema
      .createTable('rbac_roles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('rbac_roles_name_uq')
      .on('rbac_roles')
      .columns(['tenant_id', 'name'])
      .unique()
      .execute();
    await db.schema
      .createTable('rbac_assignments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('role_id', 'text', (c) => c.notNull())
      .addColumn('scope_all', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('rbac_assignments_name_uq')
      .on('rbac_assignments')
      .columns(['tenant_id', 'name'])
      .unique()
      .execute();
    await db.schema
      .createTable('rbac_assignment_groups')
      .addColumn('assignment_id', 'text', (c) => c.notNull().references('rbac_assignments.id').onDelete('cascade'))
      .addColumn('group_id', 'text', (c) => c.notNull().references('rbac_groups.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      /** `member`, `scope` or `excluded`. */
      .addColumn('relation', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('rbac_assignment_groups_pk', ['assignment_id', 'relation', 'group_id'])
      .execute();
    await db.schema
      .createIndex('rbac_assignment_groups_group_idx')
      .on('rbac_assignment_groups')
      .columns(['group_id', 'relation'])
      .execute();
    await legacyRolesToAssignments(db);
  },
};

/** Per tenant and legacy role: a group of the users who had it, and an assignment with scope "all". */
async function legacyRolesToAssignments(db: Kysely<unknown>): Promise<void> {
  const legacy = [
    { role: 'administrator', group: 'Administrators', assignment: 'Administrators' },
    { role: 'helpDeskOperator', group: 'Help desk', assignment: 'Help desk' },
    { role: 'readOnlyOperator', group: 'Read only operators', assignment: 'Read only operators' },
  ];
  const { rows } = await sql<{ id: string; tenant_id: string; roles: string }>`
    SELECT id, tenant_id, roles FROM users ORDER BY tenant_id, id`.execute(db);
  const now = new Date().toISOString();
  const made = new Map<string, string>();
  for (const user of rows) {
    let roles: unknown;
    try {
      roles = JSON.parse(user.roles);
    } catch {
      roles = [];
    }
    if (!Array.isArray(roles)) continue;
    for (const l of legacy) {
      if (!roles.includes(l.role)) continue;
      const key = `${user.tenant_id}:${l.role}`;
      let groupId = made.get(key);
      if (!groupId) {
        groupId = randomBytes(16).toString('base64url');
        const assignmentId = randomBytes(16).toString('base64url');
        await sql`INSERT INTO rbac_groups (id, tenant_id, name, description, kind, rule, created_at, updated_at)
          VALUES (${groupId}, ${user.tenant_id}, ${l.group}, ${'Made from the legacy role list'}, 'user', NULL, ${now}, ${now})`.execute(
          db,
        );
        await sql`INSERT INTO rbac_assignments (id, tenant_id, name, description, role_id, scope_all, created_at, updated_at)
          VALUES (${assignmentId}, ${user.tenant_id}, ${l.assignment}, ${''}, ${l.role}, 1, ${now}, ${now})`.execute(
          db,
        );
        await sql`INSERT INTO rbac_assignment_groups (assignment_id, group_id, tenant_id, relation)
          VALUES (${assignmentId}, ${groupId}, ${user.tenant_id}, 'member')`.execute(db);
        made.set(key, groupId);
      }
      await sql`INSERT INTO rbac_group_members (group_id, tenant_id, member_id)
        VALUES (${groupId}, ${user.tenant_id}, ${user.id})`.execute(db);
    }
  }
}

/**
 * 0007: tenant settings (chat off, report retention), compliance policies and each device's
 * last evaluation, and on a session what was known of the sharer's device when they joined.
 * `allow_unenrolled` was never read before this step, so every existing organization
 * behaved as if it were on: it is set on here, and only new organizations start with it off.
 */
const m0007: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('tenants')
      .addColumn('disable_chat', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('tenants')
      .addColumn('report_retention_days', 'integer', (c) => c.notNull().defaultTo(30))
      .execute();
    await sql`UPDATE tenants SET allow_unenrolled = 1`.execute(db);
    await db.schema
      .createTable('compliance_policies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('assignment', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('compliance_policies_tenant_idx')
      .on('compliance_policies')
      .columns(['tenant_id', 'name'])
      .execute();
    await db.schema
      .alterTable('devices')
      .addColumn('compliance', 'text', (c) => c.notNull().defaultTo('not_evaluated'))
      .execute();
    await db.schema
      .alterTable('devices')
      .addColumn('failing_rules', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('devices').addColumn('compliance_evaluated_at', 'text').execute();
    await db.schema.alterTable('help_sessions').addColumn('sharer_enrolled', 'integer').execute();
    await db.schema.alterTable('help_sessions').addColumn('sharer_compliance', 'text').execute();
    await db.schema.alterTable('help_sessions').addColumn('sharer_failing_rules', 'text').execute();
  },
};

/**
 * 0008: the admin center's devices pages. A device's primary user (the first person who joined
 * a session from it), and for enrollment tokens an id to name them by in the list and on
 * revoke (their primary key is the token's hash, which is not shown) and the token's last
 * four characters to tell them apart.
 */
const m0008: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('devices')
      .addColumn('primary_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
      .execute();
    await db.schema.alterTable('enrollment_tokens').addColumn('public_id', 'text').execute();
    await db.schema.alterTable('enrollment_tokens').addColumn('hint', 'text').execute();
    // Existing tokens get a random id each (made here, not by the engine: same on both).
    const { rows: tokens } = await sql<{ id: string }>`SELECT id FROM enrollment_tokens`.execute(db);
    for (const token of tokens) {
      await sql`UPDATE enrollment_tokens SET public_id = ${randomBytes(16).toString('hex')} WHERE id = ${token.id}`.execute(
        db,
      );
    }
    await db.schema
      .createIndex('enrollment_tokens_public_id_idx')
      .on('enrollment_tokens')
      .column('public_id')
      .unique()
      .execute();
    await db.schema
      .createIndex('enrollment_tokens_tenant_idx')
      .on('enrollment_tokens')
      .columns(['tenant_id', 'created_at'])
      .execute();
  },
};

/**
 * 0009: reports. The sessions report reads the highest mode each session reached from its
 * audit trail (events by target); without this index every row of a page would scan the
 * tenant's whole log.
 */
const m0009: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('audit_events_target_idx')
      .on('audit_events')
      .columns(['tenant_id', 'target_type', 'target_id'])
      .execute();
  },
};

/**
 * 0010: federation. Per tenant, any number of external OpenID Connect providers (the client
 * secret encrypted with a server secret), the link between a provider's subject and our user,
 * and the relying party's pending sign-ins (state → PKCE verifier, nonce; deleted when used, so
 * a replayed state finds nothing).
 */
const m0010: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('identity_providers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('client_secret_enc', 'text')
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('claims', 'text', (c) => c.notNull())
      .addColumn('domains', 'text', (c) => c.notNull())
      .addColumn('group_mappings', 'text', (c) => c.notNull())
      .addColumn('match_groups_by_name', 'integer', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('identity_providers_tenant_idx').on('identity_providers').column('tenant_id').execute();
    await db.schema
      .createTable('user_identities')
      .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_identities_pk', ['provider_id', 'subject'])
      .execute();
    await db.schema
      .createTable('federation_flows')
      .addColumn('state', 'text', (c) => c.primaryKey())
      .addColumn('data', 'text', (c) => c.notNull())
      // Milliseconds: past PostgreSQL's 32-bit integer (the same column type as ever on SQLite).
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

/**
 * 0011: the embedded provider's second factor and password rules, and domains verified by DNS.
 * `user_mfa` holds one TOTP authenticator per person (secret sealed with a server key; a new
 * one waits in `pending_*` until its first code confirms it; `last_step`: the newest 30-second
 * step accepted, so no code counts twice); recovery codes are stored as HMACs only. `must_change_password`: an administrator asked for a new password
 * at the next sign-in. A domain waiting for DNS verification keeps its TXT value.
 */
const m0011: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('user_mfa')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('secret_enc', 'text')
      .addColumn('confirmed_at', 'text')
      .addColumn('pending_secret_enc', 'text')
      .addColumn('pending_at', 'text')
      .addColumn('last_step', 'integer')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('user_recovery_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('user_recovery_codes_user_idx').on('user_recovery_codes').column('user_id').execute();
    await db.schema
      .alterTable('users')
      .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('tenant_domains').addColumn('txt_value', 'text').execute();
    await db.schema.alterTable('tenant_domains').addColumn('checked_at', 'text').execute();
  },
};

/**
 * 0012: conditional access. `ca_policies` keeps each policy's assignments, conditions, grant and
 * session controls as one JSON document (`body`, the protocol's `CaPolicyInput` less name and
 * state); `named_locations` the IP ranges administrators named; `signin_log` one row per
 * evaluation (sign-in or session action) with every policy's result. A browser sign-in keeps
 * how it was made (`amr`, JSON) and when (`auth_time`), for policies that ask for MFA or a
 * recent sign-in.
 */
const m0012: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('ca_policies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ca_policies_tenant_idx').on('ca_policies').column('tenant_id').execute();
    await db.schema
      .createTable('named_locations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('ranges', 'text', (c) => c.notNull())
      .addColumn('trusted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('named_locations_tenant_idx').on('named_locations').column('tenant_id').execute();
    await db.schema
      .createTable('signin_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('user_name', 'text')
      .addColumn('email', 'text')
      .addColumn('app', 'text', (c) => c.notNull())
      .addColumn('client_app', 'text', (c) => c.notNull())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('device_id', 'text')
      .addColumn('device_state', 'text', (c) => c.notNull())
      .addColumn('amr', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('unmet', 'text', (c) => c.notNull())
      .addColumn('policies', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('signin_log_tenant_at_idx').on('signin_log').columns(['tenant_id', 'at']).execute();
    await db.schema
      .alterTable('auth_sessions')
      .addColumn('amr', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('auth_sessions').addColumn('auth_time', 'text').execute();
  },
};

/**
 * 0013: passkeys (WebAuthn) of the embedded provider's accounts. `user_passkeys`: one row per
 * credential (its id as the authenticator gives it, base64url and unique across tenants; the COSE
 * public key; the signature counter, moved forward by compare-and-set; transports; a name the
 * person chose). `webauthn_challenges`: each challenge handed out, until it is used (deleted as
 * it is read, so it counts once) or expires; bound to a person (registration, second factor)
 * and to the sign-in interaction it was shown in.
 */
const m0013: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('user_passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('credential_id', 'text', (c) => c.notNull().unique())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('counter', 'bigint', (c) => c.notNull())
      .addColumn('transports', 'text', (c) => c.notNull())
      .addColumn('device_type', 'text', (c) => c.notNull())
      .addColumn('backed_up', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .execute();
    await db.schema
      .createIndex('user_passkeys_user_idx')
      .on('user_passkeys')
      .columns(['tenant_id', 'user_id'])
      .execute();
    await db.schema
      .createTable('webauthn_challenges')
      .addColumn('challenge', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('interaction_uid', 'text')
      .addColumn('tenant_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webauthn_challenges_interaction_idx')
      .on('webauthn_challenges')
      .columns(['interaction_uid', 'purpose'])
      .execute();
  },
};

/**
 * 0014: chat. One row per message of a session's thread: `seq` numbers the thread 1, 2, 3, …
 * (the primary key keeps it gap-free and unique), `client_id` is the sender's own id for the
 * message (unique per session and sender, so a send repeated after a reconnect is the same
 * row), `text` exactly as typed. The foreign key to `help_sessions` is what makes report
 * retention delete a thread with its session (`reports/retention`).
 */
const m0014: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('chat_messages')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull().references('help_sessions.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('sender_id', 'text', (c) => c.notNull())
      .addColumn('sender_role', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('chat_messages_pk', ['session_id', 'seq'])
      .addUniqueConstraint('chat_messages_client_id', ['session_id', 'sender_id', 'client_id'])
      .execute();
  },
};

/**
 * 0015: how a domain was verified says `dns` (its TXT record checked) or `asserted` (an
 * administrator's word, the demo's domains), not `admin`.
 */
const m0015: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`UPDATE tenant_domains SET method = 'asserted' WHERE method <> 'dns'`.execute(db);
  },
};

/**
 * 0016: each person's language, chosen in the web app's language picker: a shipped BCP 47 tag
 * (`SHIPPED_LANGUAGES`), or null to follow the browser.
 */
const m0016: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('locale', 'text').execute();
  },
};

/**
 * 0017: PostgreSQL only (nothing to do on SQLite). `rh_try_jsonb(text)`: the text as jsonb, or null
 * when it is not valid JSON, the PostgreSQL side of SQLite's `json_valid` + `json_extract` that
 * reports and device filters use through `db/dialect`'s `jsonText`.
 */
const m0017: Migration = {
  async up(db: Kysely<unknown>) {
    if (!isPostgres(db)) return;
    await sql`CREATE FUNCTION rh_try_jsonb(doc text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN
        RETURN doc::jsonb;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END $$`.execute(db);
  },
};

/**
 * 0018: each organization's agent update policy (ADR 0022): the minimum agent version (null: none)
 * and whether agents may update themselves (on unless an administrator turns it off).
 */
const m0018: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tenants').addColumn('agent_min_version', 'text').execute();
    await db.schema
      .alterTable('tenants')
      .addColumn('agent_auto_update', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  },
};

/**
 * Indexes for the per-tenant reads of the set-up path that scanned the tenant's whole history:
 * each redeem counts the tenant's live codes (the tenant back-off's weight), which read every
 * session the tenant ever had through `help_sessions_tenant_idx`, and a helper's start screen
 * lists their live sessions the same way. With 9,800 sessions in one tenant (load bench) a redeem
 * read 9,800 rows; an organization with a year of history would read all of it on every code.
 * The live codes get a partial index (only rows with a live code), the helper's list and the
 * spent-code lookup indexes of their own.
 */
const m0019: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('help_sessions_live_code_idx')
      .on('help_sessions')
      .columns(['tenant_id', 'code_expires_at'])
      .where(sql.ref('code_hash'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('help_sessions_helper_idx')
      .on('help_sessions')
      .columns(['tenant_id', 'helper_id', 'created_at'])
      .execute();
    // A code that is not live is looked up among spent ones (to say "already used"); SQLite took
    // the tenant index for its `order by created_at` and read the tenant's history on every wrong
    // code, a guessing attack included.
    await db.schema
      .createIndex('help_sessions_spent_code_idx')
      .on('help_sessions')
      .columns(['tenant_id', 'spent_code_hash', 'created_at'])
      .execute();
    // It supersedes the index on the spent code alone, which nothing reads any more and every
    // write of a session kept up to date.
    await db.schema.dropIndex('help_sessions_spent_idx').execute();
  },
};

/**
 * The audit log's pages are newest first by id within a tenant: with only (tenant_id, at) SQLite
 * sorted the tenant's whole log for every page (500,000 events: 0.8 s of a blocked loop per page,
 * which any Read Only Operator could repeat). This index reads a page straight off its end. And a
 * person's sign-in links (admin center, and the check that refuses a second subject) are found by
 * person, not by the (provider, subject) key.
 */
const m0020: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('audit_events_tenant_id_idx').on('audit_events').columns(['tenant_id', 'id']).execute();
    await db.schema
      .createIndex('user_identities_user_idx')
      .on('user_identities')
      .columns(['tenant_id', 'user_id'])
      .execute();
  },
};

/**
 * 0021: the person an embedded-provider record belongs to (`accountId` of a session, grant, token
 * or code) as a column of its own, indexed. Sign out everywhere (and disabling someone, a
 * password change) found a person's records with a `LIKE` over every record's JSON: 65 ms of a
 * blocked loop at 200,000 grants, repeatable by anyone signing themselves out everywhere. Records
 * already stored get the column from their JSON here, a page at a time.
 */
const m0021: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('oidc_payloads').addColumn('account_id', 'text').execute();
    await db.schema.createIndex('oidc_payloads_account_idx').on('oidc_payloads').column('account_id').execute();
    const payloads = db as unknown as Kysely<{
      oidc_payloads: { model: string; id: string; payload: string; account_id: string | null };
    }>;
    let after = { model: '', id: '' };
    for (;;) {
      const page = await payloads
        .selectFrom('oidc_payloads')
        .select(['model', 'id', 'payload'])
        .where((eb) =>
          eb.or([eb('model', '>', after.model), eb.and([eb('model', '=', after.model), eb('id', '>', after.id)])]),
        )
        .orderBy('model')
        .orderBy('id')
        .limit(500)
        .execute();
      for (const row of page) {
        let accountId: unknown;
        try {
          accountId = (JSON.parse(row.payload) as { accountId?: unknown }).accountId;
        } catch {
          accountId = undefined;
        }
        if (typeof accountId !== 'string') continue;
        await payloads
          .updateTable('oidc_payloads')
          .set({ account_id: accountId })
          .where('model', '=', row.model)
          .where('id', '=', row.id)
          .execute();
      }
      const last = page[page.length - 1];
      if (!last) break;
      after = { model: last.model, id: last.id };
    }
  },
};

/**
 * 0022: whether an organization's provider's `amr` `mfa` counts for conditional access (on for the
 * providers that exist: they counted it until now).
 */
const m0022: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('identity_providers')
      .addColumn('count_provider_mfa', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  },
};

/**
 * 0023: one live WebAuthn challenge per sign-in page and purpose, by a unique index. `issue`
 * deleted the page's earlier challenge and then inserted the new one, two statements: pages shown
 * again at the same moment (a burst of answers on PostgreSQL's pool) each inserted theirs, and the
 * extra rows stayed until they expired. Sign-in challenges in flight are dropped here (a page open
 * during the upgrade asks for a passkey again); the index is partial, for rows of a page only.
 */
const m0023: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`DELETE FROM webauthn_challenges WHERE interaction_uid IS NOT NULL`.execute(db);
    await db.schema
      .createIndex('webauthn_challenges_page_uq')
      .on('webauthn_challenges')
      .columns(['interaction_uid', 'purpose'])
      .unique()
      .where(sql.ref('interaction_uid'), 'is not', null)
      .execute();
  },
};

/**
 * 0024: the audit log becomes a hash chain per organization (ADR 0035, `audit/chain`). The events
 * written so far are chained here in the order they were written (`id`), one organization at a
 * time; from now on each event is chained as it is written. A number is used once per chain.
 */
const m0024: Migration = {
  async up(db: Kysely<unknown>) {
    for (const column of ['seq', 'prev_hash', 'hash'] as const)
      await db.schema
        .alterTable('audit_events')
        .addColumn(column, column === 'seq' ? 'integer' : 'text')
        .execute();
    // Typed here: the schema's own table type is today's, which a migration must not follow.
    const rows = db as unknown as Kysely<{
      audit_events: Omit<ChainedFields, 'seq' | 'prev_hash'> & {
        id: number;
        seq: number | null;
        prev_hash: string | null;
        hash: string | null;
      };
    }>;
    const heads = new Map<string | null, { seq: number; hash: string }>();
    for (let after = 0; ;) {
      const page = await rows
        .selectFrom('audit_events')
        .selectAll()
        .where('id', '>', after)
        .orderBy('id')
        .limit(1000)
        .execute();
      for (const row of page) {
        const head = heads.get(row.tenant_id) ?? { seq: 0, hash: GENESIS_HASH };
        const fields = { ...row, seq: head.seq + 1, prev_hash: head.hash };
        const hash = eventHash(fields);
        await rows
          .updateTable('audit_events')
          .set({ seq: fields.seq, prev_hash: fields.prev_hash, hash })
          .where('id', '=', row.id)
          .execute();
        heads.set(row.tenant_id, { seq: fields.seq, hash });
      }
      const last = page.at(-1);
      if (page.length < 1000 || !last) break;
      after = last.id;
    }
    await db.schema
      .createIndex('audit_events_chain_uq')
      .on('audit_events')
      .columns(['tenant_id', 'seq'])
      .unique()
      .execute();
  },
};

/** All migrations by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_devices': m0002,
  '0003_rate_limits': m0003,
  '0004_device_proofs': m0004,
  '0005_sharer_status': m0005,
  '0006_rbac': m0006,
  '0007_settings_compliance': m0007,
  '0008_device_admin': m0008,
  '0009_reports': m0009,
  '0010_federation': m0010,
  '0011_identity_security': m0011,
  '0012_conditional_access': m0012,
  '0013_passkeys': m0013,
  '0015_domain_proof': m0015,
  '0014_chat': m0014,
  '0016_user_locale': m0016,
  '0017_postgres_json': m0017,
  '0018_agent_updates': m0018,
  '0019_session_read_indexes': m0019,
  '0020_audit_page_index': m0020,
  '0021_oidc_account_index': m0021,
  '0022_provider_mfa': m0022,
  '0023_one_challenge_per_page': m0023,
  '0024_audit_chain': m0024,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };
