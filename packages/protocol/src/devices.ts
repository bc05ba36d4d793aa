/**
 * @module devices
 * Devices and the native agent: enrollment, inventory check-ins, the device's own
 * connection for remote launch. A device proves itself with a key pair made at
 * enrollment: every request carries `Authorization: Device <JWT>` signed with it
 * (EdDSA; claims `sub` = device id, `htm`, `htu`, `iat`, `jti`), much like DPoP.
 */
import { z } from 'zod';
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
export const EnrollmentTokenResponse = z.object({ token: z.string(), expiresAt: z.string(), maxUses: z.number() });
export type EnrollmentTokenResponse = z.infer<typeof EnrollmentTokenResponse>;

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

/** A device as helpers and admins see it. */
export const DeviceView = z.object({
  id: Id,
  name: z.string(),
  inventory: Inventory,
  enrolledAt: z.string(),
  lastCheckInAt: z.string().nullable(),
  /** Whether the agent currently holds its launch connection. */
  online: z.boolean(),
});
export type DeviceView = z.infer<typeof DeviceView>;

/** Server → device on `/api/v1/devices/ws`. */
export const DeviceServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), deviceId: Id, heartbeatMs: z.number() }),
  /** A helper started a session for this device: ask the local user. */
  z.object({ type: z.literal('launch'), sessionId: Id, helper: PersonCard, expiresAt: z.string() }),
  /** The helper gave up, or another user answered. */
  z.object({ type: z.literal('launch_cancelled'), sessionId: Id }),
  z.object({ type: z.literal('pong') }),
  z.object({ type: z.literal('error'), ok: z.literal(false), error: z.string(), message: z.string() }),
]);
export type DeviceServerMessage = z.infer<typeof DeviceServerMessage>;

/** Device → server. */
export const DeviceClientMessage = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('ping') })]);
export type DeviceClientMessage = z.infer<typeof DeviceClientMessage>;

/** `POST /api/v1/sessions/:id/accept-launch` (the agent, as the signed-in sharer). */
export const AcceptLaunchRequest = z.strictObject({ deviceId: Id });

/** `POST /api/v1/devices/:id/sessions` (helper) → 201 `{ session }`: remote launch, no code. */
export const LaunchResponse = z.object({ session: SessionView });
