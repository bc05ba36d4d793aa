/**
 * @module devices/revocation
 * What the agent keeps once an administrator revoked this device's enrollment (`revokeDevice`):
 * the private key is worthless then, so `device.json` goes, and `revocation.json` (mode 0600)
 * says when that was seen, on which server, for which device and organization, and what the
 * server said, so that `remote-help-agent status` and the window can tell the user. Enrolling
 * again removes it; `run` does not enroll again by itself while it is there (an install
 * configuration's token would undo the administrator's decision).
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentError } from '../errors.js';
import type { DeviceIdentity } from './identity.js';
import { removeDevice } from './identity.js';
import { makeFolders } from '../config/paths.js';

export const REVOCATION_FILE = 'revocation.json';

const RevocationFile = z.object({
  version: z.literal(1),
  /** The server's origin. */
  server: z.string(),
  deviceId: z.string(),
  /** The organization the device was enrolled in. */
  tenantName: z.string(),
  /** What the server said (its own words, English). */
  message: z.string(),
  /** When this agent learnt of it (ISO 8601). */
  seenAt: z.string(),
});
/** The record of a revoked enrollment. */
export type Revocation = z.infer<typeof RevocationFile>;

/** What the agent says of a revocation the server told without words (a bare 4403 close, a reply with no message). */
export const REVOKED_FALLBACK = 'An administrator removed this device from your organization.';

/** The `device_revoked` error for an HTTP refusal that is the server's `device_revoked` (403), else null. */
export function revokedReplyError(status: number, body: unknown): AgentError | null {
  if (status !== 403 || typeof body !== 'object' || body === null) return null;
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (error !== 'device_revoked') return null;
  return AgentError.deviceRevoked(typeof message === 'string' ? message : REVOKED_FALLBACK);
}

/**
 * Forgets a revoked enrollment: the record is written first (atomically), then `device.json`
 * is removed if it still holds this device, so a crash in between leaves a device file that the
 * server refuses again, never a silent loss. Returns the record.
 */
export async function forgetRevokedDevice(
  dir: string,
  device: DeviceIdentity,
  message: string,
  now: Date = new Date(),
): Promise<Revocation> {
  const record: Revocation = {
    version: 1,
    server: device.server,
    deviceId: device.id,
    tenantName: device.file.tenantName,
    message: message.slice(0, 1000),
    seenAt: now.toISOString(),
  };
  await makeFolders(dir, 0o700);
  const target = join(dir, REVOCATION_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(record, null, 2), { mode: 0o600 });
  await rename(temp, target);
  await removeDevice(dir, device.id);
  return record;
}

/** The record of a revoked enrollment, or null (none, or not readable: it is only a notice). */
export async function loadRevocation(dir: string): Promise<Revocation | null> {
  try {
    const parsed = RevocationFile.safeParse(JSON.parse(await readFile(join(dir, REVOCATION_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Removes the record (after a new enrollment). */
export async function clearRevocation(dir: string): Promise<void> {
  await rm(join(dir, REVOCATION_FILE), { force: true });
}
