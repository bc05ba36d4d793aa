/**
 * @module devices/deviceAuth
 * A device proves itself with the Ed25519 key it made at enrollment: each request carries
 * a short-lived JWT (`sub` device id, `htm` method, `htu` URL, `iat`, `jti`) signed with
 * it, much like DPoP. Each proof is accepted once: used `jti`s are kept in the database, or
 * in Redis when the service runs on several nodes (`devices/redisReplayCache`).
 */
import { decodeJwt, importJWK, jwtVerify } from 'jose';
import { DevicePublicKey, Id } from '@remote-help/protocol';
import { AppError } from '../errors.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import type { DeviceRow, DevicesRepo } from './repo.js';

export const DEVICE_AUTH_SCHEME = 'Device';
const MAX_AGE_SECONDS = 60;
const CLOCK_TOLERANCE_SECONDS = 5;
const SWEEP_EVERY_MS = 60_000;

/** How long a used `jti` must be remembered: twice the longest a proof is accepted (age + clock tolerance). */
export const REPLAY_WINDOW_MS = 2 * (MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000;

/** Used proof ids (`jti`), so each proof is accepted once, by any node. */
export interface ReplayCache {
  /** True the first time a device offers a `jti`, false on a replay. */
  remember(deviceId: string, jti: string): Promise<boolean>;
}

/**
 * Remembers used `jti`s per device in the database for as long as a proof can be valid, so
 * each proof works once, across restarts and for two racing requests alike. Expired entries
 * are swept at most once a minute, by whichever request comes along.
 */
export class SqlReplayCache implements ReplayCache {
  private nextSweep = 0;
  constructor(
    private readonly repo: Pick<DevicesRepo, 'rememberProof' | 'sweepProofs'>,
    private readonly clock: Clock,
  ) {}

  async remember(deviceId: string, jti: string): Promise<boolean> {
    const now = this.clock.now();
    if (now >= this.nextSweep) {
      this.nextSweep = now + SWEEP_EVERY_MS;
      await this.repo.sweepProofs(iso(now));
    }
    // No valid proof outlives its entry.
    return this.repo.rememberProof(deviceId, jti, iso(now + REPLAY_WINDOW_MS));
  }
}

/** A proof's `jti`: printable ASCII without spaces (the agent sends a UUID), at most 128 characters. */
const PROOF_ID = /^[\x21-\x7e]{1,128}$/;

const unauthorized = (why: string) => new AppError('authentication_required', `Device authentication failed: ${why}.`);

/** The device's enrollment was revoked by an administrator (`revokeDevice`). */
export const deviceRevoked = () =>
  new AppError(
    'device_revoked',
    'An administrator removed this device from your organization. Enroll it again with a new token to use it with Remote Help.',
  );

export interface DeviceProofRequest {
  header: string | undefined;
  method: string;
  /** The absolute URL the device called (public URL + path, no query). */
  url: string;
}

/**
 * Verifies a device proof and returns the device, or throws `authentication_required` (or
 * `device_revoked`: a valid proof of a device whose enrollment was revoked).
 */
export async function verifyDeviceProof(
  repo: DevicesRepo,
  replay: ReplayCache,
  clock: Clock,
  request: DeviceProofRequest,
): Promise<DeviceRow> {
  const header = request.header ?? '';
  if (!header.startsWith(`${DEVICE_AUTH_SCHEME} `)) throw unauthorized('missing proof');
  const token = header.slice(DEVICE_AUTH_SCHEME.length + 1).trim();
  if (token.length > 2048) throw unauthorized('proof too long');
  let subject: unknown;
  try {
    subject = decodeJwt(token).sub;
  } catch {
    throw unauthorized('malformed proof');
  }
  // An id as the server makes them, before it reaches a query (a NUL byte failed PostgreSQL's parse: a 500).
  const named = Id.safeParse(subject);
  if (!named.success) throw unauthorized('no device named');
  const deviceId = named.data;
  const device = await repo.findForAuth(deviceId);
  if (!device) throw unauthorized('unknown device');
  const jwk = DevicePublicKey.parse(JSON.parse(device.public_key));
  const key = await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA');
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      subject: deviceId,
      maxTokenAge: `${MAX_AGE_SECONDS}s`,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(clock.now()),
      requiredClaims: ['iat', 'jti', 'htm', 'htu'],
    }));
  } catch {
    throw unauthorized('bad signature or expired proof');
  }
  if (payload.htm !== request.method || payload.htu !== request.url)
    throw unauthorized('proof made for another request');
  // Said only to the holder of the device's key (the proof is verified above), so that the agent
  // stops and tells its user, rather than retrying a credential that will never work again.
  if (device.revoked_at) throw deviceRevoked();
  const jti = payload.jti;
  if (typeof jti !== 'string' || !PROOF_ID.test(jti) || !(await replay.remember(device.id, jti))) {
    throw unauthorized('proof already used');
  }
  return device;
}
