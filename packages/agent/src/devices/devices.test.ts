import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inventory } from '@remote-help/protocol';
import { decodeJwt, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { DEVICE_FILE, DeviceIdentity, loadDevice, newDeviceKey, saveDevice } from './identity.js';
import { collectInventory, parseOsRelease } from './inventory.js';
import { LaunchListener } from './launchListener.js';
import { clearRevocation, forgetRevokedDevice, loadRevocation, REVOCATION_FILE } from './revocation.js';

describe('device identity', () => {
  it('signs one-time proofs the server can verify with the public key', async () => {
    const { privateKey, publicJwk } = newDeviceKey();
    const device = DeviceIdentity.fromFile({
      version: 1,
      server: 'https://help.example.com',
      deviceId: 'dev1',
      tenantName: 'Contoso',
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      enrolledAt: new Date().toISOString(),
    });
    const header = await device.proof('POST', 'https://help.example.com/api/v1/devices/checkin?x=1');
    expect(header.startsWith('Device ')).toBe(true);
    const jwt = header.slice('Device '.length);
    const key = await importJWK({ ...publicJwk, alg: 'EdDSA' }, 'EdDSA');
    const { payload } = await jwtVerify(jwt, key, { subject: 'dev1' });
    expect(payload).toMatchObject({ htm: 'POST', htu: 'https://help.example.com/api/v1/devices/checkin' });
    const other = await device.proof('POST', 'https://help.example.com/api/v1/devices/checkin');
    expect(decodeJwt(other.slice(7)).jti).not.toBe(payload.jti);
    const stranger = newDeviceKey().publicJwk;
    await expect(jwtVerify(jwt, await importJWK({ ...stranger, alg: 'EdDSA' }, 'EdDSA'))).rejects.toThrow();
  });

  it('keeps the private key in an owner-only file and reads it back', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rh-dev-')), 'cfg');
    expect(await loadDevice(dir)).toBeNull();
    const { privateKey } = newDeviceKey();
    await saveDevice(dir, {
      version: 1,
      server: 'http://127.0.0.1:1',
      deviceId: 'd',
      tenantName: 'T',
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      enrolledAt: 'now',
    });
    expect(statSync(join(dir, DEVICE_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect((await loadDevice(dir))?.id).toBe('d');
  });

  it('refuses a damaged device file with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-dev-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, DEVICE_FILE), '{"version":1}');
    await expect(loadDevice(dir)).rejects.toSatisfy((e) => isAgentError(e, 'device_file_invalid'));
    writeFileSync(join(dir, DEVICE_FILE), 'not json');
    await expect(loadDevice(dir)).rejects.toSatisfy((e) => isAgentError(e, 'device_file_invalid'));
  });
});

describe('a revoked enrollment', () => {
  const deviceFile = (deviceId: string) => ({
    version: 1 as const,
    server: 'https://help.example.com',
    deviceId,
    tenantName: 'Contoso',
    privateKeyPem: newDeviceKey().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    enrolledAt: '2026-12-01T00:00:00.000Z',
  });

  it('is recorded (owner-only) and the device file removed, then the record is cleared', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-dev-'));
    const file = deviceFile('d1');
    await saveDevice(dir, file);
    const record = await forgetRevokedDevice(
      dir,
      DeviceIdentity.fromFile(file),
      'Removed.',
      new Date('2026-12-06T10:00:00Z'),
    );
    expect(record).toEqual({
      version: 1,
      server: 'https://help.example.com',
      deviceId: 'd1',
      tenantName: 'Contoso',
      message: 'Removed.',
      seenAt: '2026-12-06T10:00:00.000Z',
    });
    expect(existsSync(join(dir, DEVICE_FILE))).toBe(false);
    expect(statSync(join(dir, REVOCATION_FILE)).mode & 0o777).toBe(0o600);
    expect(await loadRevocation(dir)).toEqual(record);
    await clearRevocation(dir);
    expect(await loadRevocation(dir)).toBeNull();
  });

  it('leaves a device file that holds another enrollment (enrolled again meanwhile)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-dev-'));
    await saveDevice(dir, deviceFile('new'));
    await forgetRevokedDevice(dir, DeviceIdentity.fromFile(deviceFile('old')), 'Removed.');
    expect((await loadDevice(dir))?.id).toBe('new');
  });

  it('reads a damaged record as none: it is only a notice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-dev-'));
    writeFileSync(join(dir, REVOCATION_FILE), '{"version":1');
    expect(await loadRevocation(dir)).toBeNull();
  });
});

describe('inventory', () => {
  it('parses os-release', () => {
    expect(
      parseOsRelease('NAME="Debian GNU/Linux"\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n# c\n'),
    ).toEqual({
      NAME: 'Debian GNU/Linux',
      VERSION_ID: '12',
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
    });
  });

  it('collects this machine’s facts into a valid inventory', async () => {
    const inventory = await collectInventory(1, 'linux');
    expect(Inventory.safeParse(inventory).success).toBe(true);
    expect(inventory).toMatchObject({ os: 'linux', screenCount: 1, firewallEnabled: null });
    expect(inventory.hostname).toBeTruthy();
  });
});

describe('launch listener back-off', () => {
  it('doubles up to the cap, with bounded jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 10].map((n) => LaunchListener.delay(n, 1000, 60_000, mid))).toEqual([
      1000, 2000, 4000, 8000, 60_000,
    ]);
    expect(LaunchListener.delay(0, 1000, 60_000, () => 0)).toBe(800);
    expect(LaunchListener.delay(0, 1000, 60_000, () => 1)).toBe(1200);
  });
});
