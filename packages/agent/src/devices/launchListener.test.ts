/**
 * The launch connection against a real WebSocket server on loopback: a revoked enrollment (the
 * `revoked` message and the close `DEVICE_WS_REVOKED`, or the close alone) stops it for good with
 * one `revoked` event, while a connection that merely drops (1006, 1011) is tried again.
 */
import type { AddressInfo } from 'node:net';
import { DEVICE_WS_REVOKED } from '@remote-help/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { DeviceIdentity, newDeviceKey } from './identity.js';
import { LaunchListener } from './launchListener.js';

/** What the server does with each connection. */
type Behaviour = 'revoke' | 'close_4403' | 'close_1011' | 'drop';

const BACKOFF = { baseMs: 20, maxMs: 40 };
/** Long enough for several reconnects at `BACKOFF`, were any scheduled. */
const QUIET_MS = 400;

describe('LaunchListener against a WebSocket server', () => {
  let wss: WebSocketServer;
  let behaviour: Behaviour;
  let connections: number;
  let proofs: string[];
  let listener: LaunchListener;

  beforeEach(async () => {
    connections = 0;
    proofs = [];
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/devices/ws' });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket: WebSocket, request) => {
      connections++;
      proofs.push(String(request.headers.authorization));
      socket.send(JSON.stringify({ type: 'hello', deviceId: 'device-1', heartbeatMs: 30_000 }));
      if (behaviour === 'revoke') {
        socket.send(JSON.stringify({ type: 'revoked', message: 'An administrator removed this device.' }));
        socket.close(DEVICE_WS_REVOKED, 'device enrollment revoked');
      } else if (behaviour === 'close_4403') socket.close(DEVICE_WS_REVOKED, 'device enrollment revoked');
      else if (behaviour === 'close_1011') socket.close(1011, 'server error');
      else socket.terminate();
    });
    const port = (wss.address() as AddressInfo).port;
    const device = DeviceIdentity.fromFile({
      version: 1,
      server: `http://127.0.0.1:${port}`,
      deviceId: 'device-1',
      tenantName: 'Contoso',
      privateKeyPem: newDeviceKey().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      enrolledAt: new Date().toISOString(),
    });
    listener = new LaunchListener(device, BACKOFF);
  });

  afterEach(async () => {
    listener.stop();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  /** Collects the listener's events. */
  const record = () => {
    const events: string[] = [];
    listener.on('online', () => events.push('online'));
    listener.on('offline', (reason) => events.push(`offline ${reason}`));
    listener.on('revoked', (message) => events.push(`revoked ${message}`));
    return events;
  };

  it('stops for good on a revoked message and its close: one event with the server’s words, no reconnect', async () => {
    behaviour = 'revoke';
    const events = record();
    const revoked = new Promise<string>((resolve) => listener.once('revoked', resolve));
    listener.start();
    expect(await revoked).toBe('An administrator removed this device.');
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(connections).toBe(1);
    expect(events.filter((e) => e.startsWith('revoked'))).toEqual(['revoked An administrator removed this device.']);
    expect(events.at(-1)).toMatch(/^offline 4403/);

    // Nothing brings it back: the device's key will not be accepted again.
    listener.start();
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(connections).toBe(1);
  });

  it('stops for good on the close code alone', async () => {
    behaviour = 'close_4403';
    const revoked = new Promise<string>((resolve) => listener.once('revoked', resolve));
    listener.start();
    expect(await revoked).toMatch(/administrator removed this device/);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(connections).toBe(1);
  });

  it.each([
    ['close_1011', 1011],
    ['drop', 1006],
  ] as const)(
    'tries again after %s (close %d), each time with a fresh proof, and never says revoked',
    async (b, code) => {
      behaviour = b;
      const events = record();
      listener.start();
      await expect.poll(() => connections, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
      expect(events.some((e) => e.startsWith('revoked'))).toBe(false);
      expect(events.filter((e) => e.startsWith('offline')).every((e) => e.startsWith(`offline ${code}`))).toBe(true);
      expect(new Set(proofs).size).toBe(proofs.length);
    },
  );
});
