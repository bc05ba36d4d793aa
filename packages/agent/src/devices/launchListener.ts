/**
 * @module devices/launchListener
 * Keeps the device's own connection to the server (`/api/v1/devices/ws`) so a helper can
 * start a session for it. Reconnects with growing back-off (1 s … 60 s, with jitter);
 * each attempt signs a fresh proof. Once the server says the enrollment was revoked (a
 * `revoked` message, or the close code `DEVICE_WS_REVOKED`) it stops for good and emits
 * `revoked`: the device's key will never be accepted again.
 */
import { EventEmitter } from 'node:events';
import { DEVICE_WS_REVOKED, DeviceServerMessage } from '@remote-help/protocol';
import WebSocket from 'ws';
import type { DeviceIdentity } from './identity.js';
import { REVOKED_FALLBACK } from './revocation.js';

export type LaunchOffer = Extract<DeviceServerMessage, { type: 'launch' }>;

export interface LaunchListenerEvents {
  launch: [offer: LaunchOffer];
  cancelled: [sessionId: string];
  online: [];
  offline: [reason: string];
  /** An administrator revoked the enrollment (`message`: the server's words); emitted once, nothing follows. */
  revoked: [message: string];
}

export class LaunchListener extends EventEmitter<LaunchListenerEvents> {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private revoked = false;

  constructor(
    private readonly device: DeviceIdentity,
    private readonly backoff = { baseMs: 1000, maxMs: 60_000 },
  ) {
    super();
  }

  /** Connects (nothing once the enrollment was revoked). */
  start(): void {
    if (this.revoked) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'agent stopping');
  }

  /** Delay before reconnect attempt `n` (0-based): doubling, capped, ±20 % jitter. */
  static delay(n: number, baseMs: number, maxMs: number, random = Math.random): number {
    const raw = Math.min(maxMs, baseMs * 2 ** n);
    return Math.round(raw * (0.8 + 0.4 * random()));
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const url = `${this.device.server.replace(/^http/, 'ws')}/api/v1/devices/ws`;
    const proof = await this.device.proof('GET', `${this.device.server}/api/v1/devices/ws`);
    const socket = new WebSocket(url, { headers: { authorization: proof } });
    this.socket = socket;
    socket.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return;
      }
      const parsed = DeviceServerMessage.safeParse(json);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'hello') {
        this.attempt = 0;
        this.emit('online');
      } else if (message.type === 'launch') this.emit('launch', message);
      else if (message.type === 'launch_cancelled') this.emit('cancelled', message.sessionId);
      else if (message.type === 'revoked') this.markRevoked(message.message);
    });
    socket.on('error', () => undefined); // 'close' follows and schedules the retry
    socket.on('close', (code, reason) => {
      this.emit('offline', `${code} ${reason.toString()}`.trim());
      if (code === DEVICE_WS_REVOKED) this.markRevoked(REVOKED_FALLBACK);
      if (this.stopped) return;
      this.timer = setTimeout(
        () => void this.connect(),
        LaunchListener.delay(this.attempt++, this.backoff.baseMs, this.backoff.maxMs),
      );
      this.timer.unref();
    });
  }

  /** Stops for good and says so, once (the server's message and then its close both lead here). */
  private markRevoked(message: string): void {
    if (this.revoked) return;
    this.revoked = true;
    this.stopped = true;
    clearTimeout(this.timer);
    this.emit('revoked', message);
  }
}
