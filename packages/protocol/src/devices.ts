/**
 * @module devices
 * Devices and the native agent: enrollment, inventory check-ins, the device's own
 * connection for remote launch. A device proves itself with a key pair made at
 * enrollment: every request carries `Authorization: Device <JWT>` signed with it
 * (EdDSA; claims `sub` = device id, `htm`, `htu`, `iat`, `jti`), much like DPoP.
 */
import { z } from 'zod';
import { ComplianceState, FailingRule } from './compliance.js';
import { Id, PersonCard } from './people.js';
import { SessionView } from './sessions.js';

const Text = (max: number) => z.string().max(max).nullable();

/** Facts the agent reports about its device; compliance policies are rules over these. */
export const Inventory = z.strictObject({
  hostname: Text(255),
  os: z.enum(['macos', 'linux', 'windows']),
  osVersion: Text(64),
  model: Text(128),
  serial: Text(128),
  isVirtualMachine: z.boolean().nullable(),
  diskEncrypted: z.boolean().nullable(),
  firewallEnabled: z.boolean().nullable(),
  screenCount: z.number().int().min(0).max(16),
  agentVersion: z.string().max(32),
});
export type Inventory = z.infer<typeof Inventory>;

/** An Ed25519 public key as JWK. */
export const DevicePublicKey = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(40).max(60),
});
export type DevicePublicKey = z.infer<typeof DevicePublicKey>;

/** `POST /api/v1/enrollment-tokens` (admin, `devices.manage`). */
export const CreateEnrollmentTokenRequest = z.strictObject({
  /** Lifetime in hours (default 24, at most 30 days). */
  expiresInHours: z.number().int().min(1).max(720).default(24),
  /** How many devices may enroll with it (default 1). */
  maxUses: z.number().int().min(1).max(10_000).default(1),
});
/** The state of an enrollment token: usable, or why it no longer is. */
export const EnrollmentTokenState = z.enum(['active', 'expired', 'used_up', 'revoked']);
export type EnrollmentTokenState = z.infer<typeof EnrollmentTokenState>;

/** An enrollment token as administrators see it in the list (never the token itself). */
export const EnrollmentTokenView = z.object({
  id: Id,
  /** The token's last four characters, to tell tokens apart (null for tokens made before they were kept). */
  hint: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.object({ id: Id, displayName: z.string() }).nullable(),
  expiresAt: z.string(),
  uses: z.number().int(),
  maxUses: z.number().int(),
  revokedAt: z.string().nullable(),
  state: EnrollmentTokenState,
});
export type EnrollmentTokenView = z.infer<typeof EnrollmentTokenView>;

/** `POST /api/v1/enrollment-tokens` → 201: the token (shown this once) and how it appears in the list. */
export const EnrollmentTokenResponse = z.object({
  token: z.string(),
  expiresAt: z.string(),
  maxUses: z.number(),
  view: EnrollmentTokenView,
});
export type EnrollmentTokenResponse = z.infer<typeof EnrollmentTokenResponse>;

/** Largest page of `GET /api/v1/enrollment-tokens`. */
export const ENROLLMENT_TOKEN_PAGE_MAX = 200;

/** `GET /api/v1/enrollment-tokens` query: by state, newest first, paged. */
export const ListEnrollmentTokensQuery = z.strictObject({
  state: z.enum(['all', ...EnrollmentTokenState.options]).default('all'),
  limit: z.coerce.number().int().min(1).max(ENROLLMENT_TOKEN_PAGE_MAX).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListEnrollmentTokensQuery = z.input<typeof ListEnrollmentTokensQuery>;

/** `GET /api/v1/enrollment-tokens` → a page of tokens and how many match in all. */
export const EnrollmentTokenList = z.object({ tokens: z.array(EnrollmentTokenView), total: z.number().int() });
export type EnrollmentTokenList = z.infer<typeof EnrollmentTokenList>;

/** `POST /api/v1/devices/enroll` (no user; the enrollment token authorizes). */
export const EnrollRequest = z.strictObject({
  token: z.string().min(20).max(200),
  publicKey: DevicePublicKey,
  inventory: Inventory,
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;
export const EnrollResponse = z.object({ deviceId: Id, tenantName: z.string() });
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** `POST /api/v1/devices/checkin` (device-signed). */
export const CheckInRequest = z.strictObject({ inventory: Inventory });

/**
 * Whether the device's enrollment still stands: `enrolled`, or `revoked` (its credential was
 * withdrawn: it can no longer check in, hold its launch connection or prove itself).
 */
export const EnrollmentStatus = z.enum(['enrolled', 'revoked']);
export type EnrollmentStatus = z.infer<typeof EnrollmentStatus>;

/**
 * The device's primary user: the first person who joined a Remote Help session from it
 * (accepting a remote launch or entering a code in the agent there, signed in), as Intune
 * makes the person who enrolls a device its primary user. Null until someone has.
 */
export const PrimaryUser = z.object({ id: Id, displayName: z.string(), email: z.string() });
export type PrimaryUser = z.infer<typeof PrimaryUser>;

/** A device as helpers and admins see it. */
export const DeviceView = z.object({
  id: Id,
  name: z.string(),
  inventory: Inventory,
  enrolledAt: z.string(),
  lastCheckInAt: z.string().nullable(),
  enrollmentStatus: EnrollmentStatus,
  /** When an administrator revoked the enrollment (`revokeDevice`); null while it stands. */
  revokedAt: z.string().nullable(),
  primaryUser: PrimaryUser.nullable(),
  /** Whether the agent currently holds its launch connection. */
  online: z.boolean(),
  /**
   * Whether the device is in the caller's scope for Remote Help: some role assignment of theirs
   * grants View screen over it (scope groups minus exclusions). False for a caller who may not
   * help at all, and in the device's own check-in reply.
   */
  inScope: z.boolean(),
  /** Its compliance as last evaluated (on enrollment, check-in, a change of policies, a session join). */
  compliance: ComplianceState,
  /** The rules it fails (empty unless `noncompliant`). */
  failingRules: z.array(FailingRule),
});
export type DeviceView = z.infer<typeof DeviceView>;

/** Columns the device list sorts by. `os` sorts by OS, then by version (numerically: 14.10 after 14.9). */
export const DEVICE_SORT_KEYS = [
  'name',
  'primaryUser',
  'os',
  'enrollmentStatus',
  'compliance',
  'lastCheckIn',
  'online',
] as const;
export const DeviceSortKey = z.enum(DEVICE_SORT_KEYS);
export type DeviceSortKey = z.infer<typeof DeviceSortKey>;

/** Largest page of `GET /api/v1/devices`. */
export const DEVICE_PAGE_MAX = 200;

/**
 * `GET /api/v1/devices` query: search, filters, sort and paging. Every parameter is optional;
 * without any the answer is the first 50 enrolled devices by name.
 */
export const ListDevicesQuery = z.strictObject({
  /** Matches the device name, the primary user's name or email, or the serial number (case-insensitive, anywhere). */
  search: z.string().trim().max(128).optional(),
  os: Inventory.shape.os.optional(),
  enrollment: z.enum(['all', ...EnrollmentStatus.options]).default('enrolled'),
  compliance: ComplianceState.optional(),
  /** Whether the agent holds its launch connection now. */
  online: z.enum(['online', 'offline']).optional(),
  sort: DeviceSortKey.default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: z.coerce.number().int().min(1).max(DEVICE_PAGE_MAX).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListDevicesQuery = z.input<typeof ListDevicesQuery>;

/**
 * `POST /api/v1/devices/:id/sessions`: remote launch. Without `sessionId` a new session is made
 * for the device (no code). With it, the helper's own waiting code session is offered to the
 * device as well: its user can accept the offer or enter the code, whichever comes first.
 */
export const LaunchRequest = z.strictObject({ sessionId: Id.optional() }).nullish();

/** Why a remote-launch offer went away before the device's user accepted it. */
export const LaunchCancelReason = z.enum(['cancelled', 'expired', 'dismissed', 'connection_lost', 'ended']);
export type LaunchCancelReason = z.infer<typeof LaunchCancelReason>;

/** The close code of `/api/v1/devices/ws` once the device's enrollment was revoked: do not reconnect. */
export const DEVICE_WS_REVOKED = 4403;

/** Server → device on `/api/v1/devices/ws`. */
export const DeviceServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), deviceId: Id, heartbeatMs: z.number() }),
  /** A helper started a session for this device: ask the local user. */
  z.object({ type: z.literal('launch'), sessionId: Id, helper: PersonCard, expiresAt: z.string() }),
  /**
   * The offer is no longer open: the helper cancelled or left, it expired, it was dismissed
   * (on this or another connection of the device), or the helper's connection was lost.
   * The agent drops the prompt for `sessionId`. `reason` is informational (older servers omit it).
   */
  z.object({ type: z.literal('launch_cancelled'), sessionId: Id, reason: LaunchCancelReason.optional() }),
  z.object({ type: z.literal('pong') }),
  z.object({ type: z.literal('error'), ok: z.literal(false), error: z.string(), message: z.string() }),
  /**
   * An administrator revoked this device's enrollment: the server closes the connection next
   * ({@link DEVICE_WS_REVOKED}) and refuses the device's proofs from now on (`device_revoked`). The
   * agent stops reconnecting and forgets its enrollment; it can be enrolled again with a new token.
   */
  z.object({ type: z.literal('revoked'), message: z.string() }),
]);
export type DeviceServerMessage = z.infer<typeof DeviceServerMessage>;

/** Device → server. */
export const DeviceClientMessage = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('ping') })]);
export type DeviceClientMessage = z.infer<typeof DeviceClientMessage>;

/** `POST /api/v1/sessions/:id/accept-launch` (the agent, as the signed-in sharer). */
export const AcceptLaunchRequest = z.strictObject({ deviceId: Id });

/** `POST /api/v1/devices/:id/sessions` (helper) → 201 `{ session }`: remote launch, no code. */
export const LaunchResponse = z.object({ session: SessionView });
