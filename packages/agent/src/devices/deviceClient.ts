/**
 * @module devices/deviceClient
 * Talks to the server as the device: enroll with a token, check in with the inventory,
 * and answer a remote launch on behalf of the signed-in user. A proof the server refuses
 * because the enrollment was revoked fails with `device_revoked`, whatever the call.
 */
import { EnrollResponse } from '@remote-help/protocol';
import type { Inventory, SessionView } from '@remote-help/protocol';
import { AgentError } from '../errors.js';
import type { DeviceIdentity } from './identity.js';
import { newDeviceKey, saveDevice, DeviceIdentity as Identity } from './identity.js';
import { clearRevocation, revokedReplyError } from './revocation.js';

type Fetch = typeof fetch;

async function call(fetchImpl: Fetch, url: string, init: RequestInit, reason: 'enrollment_failed' | 'network_error') {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    throw new AgentError('network_error', `Cannot reach ${new URL(url).origin}: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const revoked = revokedReplyError(response.status, body);
    if (revoked) throw revoked;
    const message = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
    throw new AgentError(reason, message, { status: response.status, code: body.error });
  }
  return body;
}

/** Enrolls this machine with `token` and saves its identity in `dir` (a revocation recorded there is forgotten). */
export async function enroll(
  server: string,
  token: string,
  inventory: Inventory,
  dir: string,
  fetchImpl: Fetch = fetch,
): Promise<DeviceIdentity> {
  const origin = new URL(server).origin;
  const { privateKey, publicJwk } = newDeviceKey();
  const body = await call(
    fetchImpl,
    `${origin}/api/v1/devices/enroll`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, publicKey: publicJwk, inventory }),
    },
    'enrollment_failed',
  );
  const result = EnrollResponse.parse(body);
  const file = {
    version: 1 as const,
    server: origin,
    deviceId: result.deviceId,
    tenantName: result.tenantName,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    enrolledAt: new Date().toISOString(),
  };
  await saveDevice(dir, file);
  await clearRevocation(dir);
  return Identity.fromFile(file);
}

/** Reports the inventory; the server records it as the device's last check-in. */
export async function checkIn(device: DeviceIdentity, inventory: Inventory, fetchImpl: Fetch = fetch): Promise<void> {
  const url = `${device.server}/api/v1/devices/checkin`;
  await call(
    fetchImpl,
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await device.proof('POST', url) },
      body: JSON.stringify({ inventory }),
    },
    'network_error',
  );
}

/** Accepts (joins as the sharer) or dismisses a remote launch, as the signed-in user on this device. */
export async function answerLaunch(
  device: DeviceIdentity,
  accessToken: string,
  sessionId: string,
  accept: boolean,
  fetchImpl: Fetch = fetch,
): Promise<SessionView | null> {
  const url = `${device.server}/api/v1/sessions/${encodeURIComponent(sessionId)}/${accept ? 'accept' : 'dismiss'}-launch`;
  const body = await call(
    fetchImpl,
    url,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${accessToken}`,
        'x-device-proof': await device.proof('POST', url),
      },
      body: JSON.stringify({ deviceId: device.id }),
    },
    'network_error',
  );
  return accept ? (body.session as SessionView) : null;
}
