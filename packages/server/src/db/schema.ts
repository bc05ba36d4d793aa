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
  /** 1: chat in sessions is off (0007). */
  disable_chat: Generated<number>;
  /** Days of session history and reports kept (0007). */
  report_retention_days: Generated<number>;
  /** The lowest agent version the organization accepts, null: none (0018). */
  agent_min_version: Generated<string | null>;
  /** 1: agents may update themselves (0018). */
  agent_auto_update: Generated<number>;
  created_at: string;
}

export interface TenantDomainsTable {
  tenant_id: string;
  domain: string;
  /** `dns` (TXT record checked) or `asserted` (an administrator's word, e.g. the demo seed; `admin` before 0015). */
  method: string;
  verified_at: string | null;
  created_at: string;
  /** The TXT record value that proves the domain (`dns`), 0011. */
  txt_value: Generated<string | null>;
  /** When the TXT record was last looked up, 0011. */
  checked_at: Generated<string | null>;
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
  /**
   * Legacy JSON array of built-in role ids. Since 0006 nothing authorizes from it: roles come
   * from assignments (`rbac_*`). Kept as the record 0006 migrated from; written only by the seed.
   */
  roles: string;
  disabled: number;
  created_at: string;
  updated_at: string;
  /** 1: the next sign-in must set a new password (an administrator asked for it), 0011. */
  must_change_password: Generated<number>;
  /** The language chosen in the language picker (a shipped BCP 47 tag), or null to follow the browser, 0016. */
  locale: string | null;
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
  /** How the sign-in was made (RFC 8176 methods, JSON array). */
  amr: Generated<string>;
  /** When the person entered their credentials (ISO), or null for a sign-in from before 0012. */
  auth_time: string | null;
}

/** A conditional access policy; `body` is its assignments, conditions, grant and session controls (JSON). */
export interface CaPoliciesTable {
  id: string;
  tenant_id: string;
  name: string;
  state: string;
  body: string;
  created_at: string;
  updated_at: string;
}

/** A named location: IP ranges (JSON array of CIDR strings), trusted or not. */
export interface NamedLocationsTable {
  id: string;
  tenant_id: string;
  name: string;
  ranges: string;
  trusted: number;
  created_at: string;
  updated_at: string;
}

/** One conditional access evaluation: a sign-in or a session action, each policy's result (JSON) and the decision. */
export interface SigninLogTable {
  id: string;
  tenant_id: string;
  at: string;
  event: string;
  user_id: string | null;
  user_name: string | null;
  email: string | null;
  app: string;
  client_app: string;
  platform: string;
  ip: string | null;
  device_id: string | null;
  device_state: string;
  amr: string;
  decision: string;
  unmet: string;
  policies: string;
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
  /** `SharerStatus`: what the sharer's device does with the picture while active. */
  sharer_status: string;
  /** Set when the sharer joins: 1 when they joined from a device enrolled in the tenant, else 0 (0007). */
  sharer_enrolled: number | null;
  /** The device's `ComplianceState` when the sharer joined (null: not enrolled or not yet joined). */
  sharer_compliance: string | null;
  /** JSON array of `FailingRule` when the sharer joined. */
  sharer_failing_rules: string | null;
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
  /** Place in the organization's hash chain (audit/chain, ADR 0035); null only for a row written around the service. */
  seq: number | null;
  /** Hash of the chain's event before this one (`GENESIS_HASH` for the first). */
  prev_hash: string | null;
  /** SHA-256 of this event (`eventHash`). */
  hash: string | null;
}

export interface OidcPayloadsTable {
  id: string;
  model: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** The person the record belongs to (its `accountId`), for ending a person's sign-ins. */
  account_id: string | null;
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
  /** The id the token is named by in the list and on revoke (0008; the primary key is its hash). */
  public_id: string;
  /** The token's last four characters, to tell tokens apart (0008; null for older tokens). */
  hint: string | null;
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
  /** `ComplianceState` of the last evaluation (0007). */
  compliance: Generated<string>;
  /** JSON array of `FailingRule` of the last evaluation. */
  failing_rules: Generated<string>;
  compliance_evaluated_at: string | null;
  /** The first person who joined a Remote Help session from the device (0008), null until then. */
  primary_user_id: string | null;
}

/** A compliance policy (0007): rules and assignment as JSON (protocol `ComplianceRule[]`, `PolicyAssignment`). */
export interface CompliancePoliciesTable {
  id: string;
  tenant_id: string;
  name: string;
  rules: string;
  assignment: string;
  created_at: string;
  updated_at: string;
}

/** A device proof (`jti`) already used, kept until it could no longer be valid (replay defence). */
export interface DeviceProofsTable {
  device_id: string;
  jti: string;
  /** ISO time after which the row may be swept. */
  expires_at: string;
}

/** One back-off key (`ratelimit/store`). Times are epoch milliseconds. */
export interface RateLimitsTable {
  key: string;
  /** Attempt units counted in the current window (reserved before checking; a success gives them back). */
  attempts: number;
  last_at: number;
  window_ends_at: number;
}

/** A group of users or of devices; a device group with a `rule` (JSON `DeviceGroupRule`) is dynamic. */
export interface RbacGroupsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  kind: string;
  rule: string | null;
  created_at: string;
  updated_at: string;
}

/** A static member (user id or device id, by the group's kind). */
export interface RbacGroupMembersTable {
  group_id: string;
  tenant_id: string;
  member_id: string;
}

/** A custom role; built-in roles are in code and never stored. `permissions` is a JSON array. */
export interface RbacRolesTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  permissions: string;
  created_at: string;
  updated_at: string;
}

/** Role + member groups + scope (all, or groups) − excluded groups. */
export interface RbacAssignmentsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  role_id: string;
  scope_all: number;
  created_at: string;
  updated_at: string;
}

/** The groups of an assignment: `member`, `scope` or `excluded`. */
export interface RbacAssignmentGroupsTable {
  assignment_id: string;
  group_id: string;
  tenant_id: string;
  relation: string;
}

/** An organization's external OpenID Connect provider (0010); JSON text in scopes, claims, domains, group_mappings. */
export interface IdentityProvidersTable {
  id: string;
  tenant_id: string;
  name: string;
  issuer: string;
  client_id: string;
  /** AES-256-GCM under the server secret `federation_key` (`iv.tag.ciphertext`, base64url); null: none. */
  client_secret_enc: string | null;
  scopes: string;
  claims: string;
  domains: string;
  group_mappings: string;
  match_groups_by_name: number;
  /** 1: the provider's `amr` `mfa` counts for conditional access (migration 0022). */
  count_provider_mfa: number;
  enabled: number;
  created_at: string;
  updated_at: string;
}

/** Which of our users a provider's subject is (0010). */
export interface UserIdentitiesTable {
  provider_id: string;
  subject: string;
  tenant_id: string;
  user_id: string;
  created_at: string;
}

/** A pending federated sign-in by its `state` (0010); deleted when its callback comes. */
export interface FederationFlowsTable {
  state: string;
  data: string;
  expires_at: number;
}

/** A person's TOTP authenticator (0011); `confirmed_at` null while enrollment waits for a first code. */
export interface UserMfaTable {
  user_id: string;
  tenant_id: string;
  /** The confirmed shared secret, sealed with AES-256-GCM under a server key; null: none yet. */
  secret_enc: string | null;
  confirmed_at: string | null;
  /** A secret being set up, until its first code confirms it (then it replaces `secret_enc`). */
  pending_secret_enc: string | null;
  pending_at: string | null;
  /** The newest 30-second step whose code was accepted: codes of that step and older are refused. */
  last_step: number | null;
  created_at: string;
}

/** A single-use recovery code (0011), stored as an HMAC only. */
export interface UserRecoveryCodesTable {
  code_hash: string;
  user_id: string;
  tenant_id: string;
  used_at: string | null;
  created_at: string;
}

/** One chat message of a session's thread (0014); see `chat/repo`. */
export interface ChatMessagesTable {
  tenant_id: string;
  session_id: string;
  /** 1, 2, 3, … per session. */
  seq: number;
  sender_id: string;
  /** `helper` or `sharer`. */
  sender_role: string;
  /** The sender's own id for the message (unique per session and sender). */
  client_id: string;
  text: string;
  sent_at: string;
}

/** A passkey (WebAuthn credential) of a person of the embedded provider (0013). */
export interface UserPasskeysTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** The credential id the authenticator gave, base64url; unique across tenants. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  /** The newest signature counter seen (0 for authenticators that keep none); 32-bit unsigned, so `bigint`. */
  counter: number | string;
  /** JSON array of transports the authenticator named (`internal`, `usb`, `hybrid`, …). */
  transports: string;
  /** `singleDevice` or `multiDevice` (synced). */
  device_type: string;
  backed_up: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** A WebAuthn challenge handed out and not used yet (0013); deleted as it is used. */
export interface WebauthnChallengesTable {
  challenge: string;
  /** `register`, `second_factor` or `passwordless`. */
  purpose: string;
  /** The sign-in interaction whose page showed it (sign-in challenges). */
  interaction_uid: string | null;
  tenant_id: string | null;
  user_id: string | null;
  /** Epoch milliseconds. */
  expires_at: number;
}

export interface Database {
  compliance_policies: CompliancePoliciesTable;
  ca_policies: CaPoliciesTable;
  named_locations: NamedLocationsTable;
  signin_log: SigninLogTable;
  rate_limits: RateLimitsTable;
  device_proofs: DeviceProofsTable;
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
  rbac_groups: RbacGroupsTable;
  rbac_group_members: RbacGroupMembersTable;
  rbac_roles: RbacRolesTable;
  rbac_assignments: RbacAssignmentsTable;
  rbac_assignment_groups: RbacAssignmentGroupsTable;
  identity_providers: IdentityProvidersTable;
  user_identities: UserIdentitiesTable;
  federation_flows: FederationFlowsTable;
  user_mfa: UserMfaTable;
  user_recovery_codes: UserRecoveryCodesTable;
  user_passkeys: UserPasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  chat_messages: ChatMessagesTable;
}
