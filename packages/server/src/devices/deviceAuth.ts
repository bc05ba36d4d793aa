/**
 * @module devices/deviceAuth
 * A device proves itself with the Ed25519 key it made at enrollment: each request carries
 * a short-lived JWT (`sub` device id, `htm` method, `htu` URL, `iat`, `jti`) signed with
 * it, much like DPoP. Replays within the token's minute are refused.
 */
import { decodeJwt, importJWK, jwtVerify } from 'jose';
import { DevicePublicKey } from '@remote-help/protocol';
import { AppError } from '../errors.js';
import type { Clock } from '../time.js';
import type { DeviceRow, DevicesRepo } from './repo.js';

export const DEVICE_AUTH_SCHEME = 'Device';
const MAX_AGE_SECONDS = 60;

/** Remembers `jti`s for as long as a proof can be valid, so each proof works once. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly clock: Clock) {}

  /** True the first time a `jti` is offered, false on a replay. */
  remember(jti: string): boolean {
    const now = this.clock.now();
    if (this.seen.size > 50_000) for (const [k, exp] of this.seen) if (exp <= now) this.seen.delete(k);
    const expiry = this.seen.get(jti);
    if (expiry !== undefined && expiry > now) return false;
    this.seen.set(jti, now + 2 * MAX_AGE_SECONDS * 1000);
    return true;
  }
}

const unauthorized = (why: string) => new AppError('authentication_required', `Device authentication failed: ${why}.`);

export interface DeviceProofRequest {
  header: string | undefined;
  method: string;
  /** The absolute URL the device called (public URL + path, no query). */
  url: string;
}

/** Verifies a device proof and returns the device, or throws `authentication_required`. */
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
  if (typeof subject !== 'string' || subject.length > 64) throw unauthorized('no device named');
  const device = await repo.findForAuth(subject);
  if (!device || device.revoked_at) throw unauthorized('unknown or revoked device');
  const jwk = DevicePublicKey.parse(JSON.parse(device.public_key));
  const key = await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA');
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      subject,
      maxTokenAge: `${MAX_AGE_SECONDS}s`,
      clockTolerance: 5,
      currentDate: new Date(clock.now()),
      requiredClaims: ['iat', 'jti', 'htm', 'htu'],
    }));
  } catch {
    throw unauthorized('bad signature or expired proof');
  }
  if (payload.htm !== request.method || payload.htu !== request.url)
    throw unauthorized('proof made for another request');
  if (typeof payload.jti !== 'string' || payload.jti.length > 128 || !replay.remember(`${subject}:${payload.jti}`)) {
    throw unauthorized('proof already used');
  }
  return device;
}
