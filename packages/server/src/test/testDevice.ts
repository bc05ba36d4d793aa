/**
 * @module devices/testDevice
 * Test support: a device enrolled on a running test server with a real Ed25519 key, whose
 * proofs are made with jose exactly as the agent makes them, and its launch connection
 * (`/api/v1/devices/ws`) whose pushes are parsed with the protocol schema the agent uses.
 */
import { randomUUID } from 'node:crypto';
import type { Inventory } from '@remote-help/protocol';
import { DeviceServerMessage } from '@remote-help/protocol';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import WebSocket from 'ws';
import type { Client } from './harness.js';

export const TEST_INVENTORY: Inventory = {
  hostname: 'lena-mbp',
  os: 'macos',
  osVersion: '14.5',
  model: 'MacBookPro18,3',
  serial: 'C02XK0AAJGH5',
  isVirtualMachine: false,
  diskEncrypted: true,
  firewallEnabled: true,
  screenCount: 2,
  agentVersion: '0.1.0',
};

/** An enrolled device: its id and a maker of proofs for `method path` (fresh `jti` unless given). */
export interface TestDevice {
  id: string;
  proof(method: string, path: string, jti?: string): Promise<string>;
  /** A signed inventory check-in with `authorization` (or a fresh proof). */
  checkIn(inventory: Inventory, authorization?: string): Promise<Response>;
  /**
   * The agent's user, signed in with `bearer`, answers remote launch `sessionId` on this device
   * (its proof in `x-device-proof`); `base`: another node's URL (the device signs for its own).
   */
  answerLaunch(sessionId: string, bearer: string, answer?: 'accept' | 'dismiss', base?: string): Promise<Response>;
}

/** Enrolls a new device with a token made by `admin`. */
export async function enrollDevice(base: string, admin: Client, inventory = TEST_INVENTORY): Promise<TestDevice> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(publicKey);
  const token = (await admin.post('/api/v1/enrollment-tokens', {})).body.token as string;
  const r = await fetch(`${base}/api/v1/devices/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, inventory }),
  });
  if (r.status !== 201) throw new Error(`enrollment failed: ${r.status} ${await r.text()}`);
  const { deviceId } = (await r.json()) as { deviceId: string };
  const proof = (method: string, path: string, jti: string = randomUUID()) =>
    new SignJWT({ htm: method, htu: `${base}${path}` })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(deviceId)
      .setIssuedAt()
      .setJti(jti)
      .sign(privateKey);
  return {
    id: deviceId,
    proof,
    async checkIn(inv, authorization) {
      return fetch(`${base}/api/v1/devices/checkin`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: authorization ?? `Device ${await proof('POST', '/api/v1/devices/checkin')}`,
        },
        body: JSON.stringify({ inventory: inv }),
      });
    },
    async answerLaunch(sessionId, bearer, answer = 'accept', at = base) {
      const path = `/api/v1/sessions/${sessionId}/${answer}-launch`;
      return fetch(`${at}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          'x-device-proof': `Device ${await proof('POST', path)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ deviceId }),
      });
    },
  };
}

/** The device's launch connection; every push is parsed as the agent parses it. */
export class DeviceSocket {
  readonly received: DeviceServerMessage[] = [];
  private waiters: { match: (m: DeviceServerMessage) => boolean; resolve: (m: DeviceServerMessage) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = DeviceServerMessage.parse(JSON.parse(String(data)));
      this.received.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    });
  }

  /** Connects with a fresh proof and waits for `hello`. */
  static async open(base: string, device: TestDevice): Promise<DeviceSocket> {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/devices/ws`, {
      headers: { authorization: `Device ${await device.proof('GET', '/api/v1/devices/ws')}` },
    });
    const socket = new DeviceSocket(ws);
    await socket.next((m) => m.type === 'hello');
    return socket;
  }

  /** The first push (already received or future) that matches. */
  next<T extends DeviceServerMessage>(match: (m: DeviceServerMessage) => m is T, timeoutMs?: number): Promise<T>;
  next(match: (m: DeviceServerMessage) => boolean, timeoutMs?: number): Promise<DeviceServerMessage>;
  next(match: (m: DeviceServerMessage) => boolean, timeoutMs = 5000): Promise<DeviceServerMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching device push; got ${JSON.stringify(this.received.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Resolves once everything the server sent before now has arrived (a ping's pong comes after it). */
  async settle(): Promise<void> {
    const pongs = this.received.filter((m) => m.type === 'pong').length;
    this.ws.send(JSON.stringify({ type: 'ping' }));
    await this.next(() => this.received.filter((m) => m.type === 'pong').length > pongs);
  }

  close(): void {
    this.ws.close();
  }
}
