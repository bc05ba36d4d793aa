/**
 * @module db/schema
 * Table types for Kysely. Times are ISO 8601 strings (UTC) so that they sort and
 * compare as text on both SQLite and PostgreSQL. Every table holding tenant data
 * carries `tenant_id`.
 */
import type { Generated } from 'kysely';

export interface TenantsTable {
  id: string;
  name: string;
  slug: string;
  remote_help_enabled: number;
  allow_unenrolled: number;
  code_ttl_seconds: number | null;
  created_at: string;
}

export interface TenantDomainsTable {
  tenant_id: string;
  domain: string;
  /** `admin` (asserted by an administrator) or `dns` (TXT record checked). */
  method: string;
  verified_at: string | null;
  created_at: string;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  display_name: string;
  job_title: string | null;
  company: string | null;
  photo_mime: string | null;
  photo: Uint8Array | null;
  password_hash: string | null;
  /** JSON array of built-in role ids. */
  roles: string;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface AuthSessionsTable {
  /** SHA-256 of the cookie token; the token itself is never stored. */
  id: string;
  tenant_id: string;
  user_id: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface HelpSessionsTable {
  id: string;
  tenant_id: string;
  helper_id: string;
  sharer_id: string | null;
  /** Keyed hash of the live security code; null once redeemed or dead, so live codes stay unique. */
  code_hash: string | null;
  /** Keyed hash of a code that was used or expired, to give a precise error. */
  spent_code_hash: string | null;
  code_expires_at: string | null;
  state: string;
  mode: string | null;
  pending_mode: string | null;
  sharer_client: string | null;
  /** The device a remote launch targets, or the enrolled device an agent joined from. */
  device_id: string | null;
  end_reason: string | null;
  version: number;
  created_at: string;
  joined_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  updated_at: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  tenant_id: string | null;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  data: string | null;
}

export interface OidcPayloadsTable {
  id: string;
  model: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

export interface EnrollmentTokensTable {
  /** SHA-256 of the token. */
  id: string;
  tenant_id: string;
  created_by: string;
  max_uses: number;
  uses: number;
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
}

export interface DevicesTable {
  id: string;
  tenant_id: string;
  name: string;
  /** Ed25519 public key as JWK JSON. */
  public_key: string;
  /** The last inventory the agent reported, as JSON (protocol `Inventory`). */
  inventory: string;
  enrolled_at: string;
  last_check_in_at: string | null;
  last_ip: string | null;
  revoked_at: string | null;
}

export interface Database {
  enrollment_tokens: EnrollmentTokensTable;
  devices: DevicesTable;
  tenants: TenantsTable;
  tenant_domains: TenantDomainsTable;
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  help_sessions: HelpSessionsTable;
  audit_events: AuditEventsTable;
  oidc_payloads: OidcPayloadsTable;
  server_secrets: ServerSecretsTable;
}
