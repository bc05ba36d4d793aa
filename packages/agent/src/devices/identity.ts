/**
 * @module devices/identity
 * The device's own credential: an Ed25519 key pair made at enrollment. The private key
 * never leaves the machine; it lives in `device.json` (mode 0600, in the 0700 config
 * directory) and signs one short-lived proof per request (`Authorization: Device <JWT>`).
 */
import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DevicePublicKey } from '@remote-help/protocol';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { AgentError } from '../errors.js';

export const DEVICE_FILE = 'device.json';

const DeviceFile = z.object({
  version: z.literal(1),
  server: z.string(),
  deviceId: z.string(),
  tenantName: z.string(),
  privateKeyPem: z.string(),
  enrolledAt: z.string(),
});
export type DeviceFile = z.infer<typeof DeviceFile>;

/** A fresh key pair and its public half as the JWK the server expects. */
export function newDeviceKey(): { privateKey: KeyObject; publicJwk: DevicePublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) } };
}

/** An enrolled device: who it is, where it enrolled, and how it proves itself. */
export class DeviceIdentity {
  private constructor(
    readonly file: DeviceFile,
    private readonly key: KeyObject,
  ) {}

  static fromFile(file: DeviceFile): DeviceIdentity {
    return new DeviceIdentity(file, createPrivateKey(file.privateKeyPem));
  }

  get id(): string {
    return this.file.deviceId;
  }

  get server(): string {
    return this.file.server;
  }

  /** A proof for one request: method and absolute URL (no query), valid a minute, usable once. */
  async proof(method: string, url: string): Promise<string> {
    const jwt = await new SignJWT({ htm: method, htu: url.split('?')[0] })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'remote-help-device+jwt' })
      .setSubject(this.file.deviceId)
      .setIssuedAt()
      .setJti(randomUUID())
      .sign(this.key);
    return `Device ${jwt}`;
  }
}

/** Saves the device file atomically with owner-only permissions. */
export async function saveDevice(dir: string, file: DeviceFile): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const target = join(dir, DEVICE_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(file, null, 2), { mode: 0o600 });
  await rename(temp, target);
}

/** The enrolled device, or null when this machine has not enrolled. */
export async function loadDevice(dir: string): Promise<DeviceIdentity | null> {
  let text: string;
  try {
    text = await readFile(join(dir, DEVICE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AgentError('device_file_invalid', `${join(dir, DEVICE_FILE)} is not valid JSON; enroll again.`);
  }
  const parsed = DeviceFile.safeParse(json);
  if (!parsed.success)
    throw new AgentError('device_file_invalid', `${join(dir, DEVICE_FILE)} is damaged; enroll again.`);
  return DeviceIdentity.fromFile(parsed.data);
}

/**
 * Removes the device file when it still holds `deviceId`: an enrollment made meanwhile (by
 * `enroll` in another process) stays, and so does a file that is not a device file. One
 * `unlink`, so the file is there whole or not at all. True when it was removed.
 */
export async function removeDevice(dir: string, deviceId: string): Promise<boolean> {
  const target = join(dir, DEVICE_FILE);
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: not this device's, left as it is
  }
  const parsed = DeviceFile.safeParse(json);
  if (!parsed.success || parsed.data.deviceId !== deviceId) return false;
  try {
    await unlink(target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
