/**
 * @module db/migrations
 * Schema migrations, in order. Written with Kysely's schema builder so that the same
 * steps run on SQLite (embedded default) and PostgreSQL (scale-out).
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { sql } from 'kysely';

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
      .addColumn('photo', 'blob')
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
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
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

/** All migrations by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = { '0001_initial': m0001, '0002_devices': m0002 };

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };
