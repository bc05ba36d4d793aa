/**
 * @module SignalingClient
 * The WebSocket to `/api/v1/ws`: connects, reconnects with back-off (re-attaching its
 * sessions), sends an app-level ping every 10 s, validates every incoming frame with
 * the protocol schema (invalid frames are ignored) and re-emits them as typed events.
 */
import { ServerMessage } from '@remote-help/protocol';
import type { ClientMessage, IceServer, SessionView, SignalPayload } from '@remote-help/protocol';
import { Emitter } from './Emitter';

/** `hello`: the first frame of every connection. */
export type HelloMessage = Extract<ServerMessage, { type: 'hello' }>;
/** `signal`: a WebRTC payload from the other participant. */
export type SignalMessage = Extract<ServerMessage, { type: 'signal' }>;
/** `error`: something this client sent was refused (the connection stays open). */
export type ErrorFrame = Extract<ServerMessage, { type: 'error' }>;

/** Connection status of the signaling socket. */
export type SignalingStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Events of {@link SignalingClient}. */
export interface SignalingEvents {
  status: SignalingStatus;
  hello: HelloMessage;
  attached: { sessionId: string };
  session: SessionView;
  signal: SignalMessage;
  error: ErrorFrame;
}

/** Options of {@link SignalingClient} (all optional; the defaults fit the browser app). */
export interface SignalingOptions {
  /** Socket URL; defaults to `ws(s)://<this host>/api/v1/ws`. */
  url?: string;
  /** App-level ping interval in ms (default 10 000). */
  pingIntervalMs?: number;
  /** First reconnect delay in ms (default 500); doubles up to `maxBackoffMs`. */
  minBackoffMs?: number;
  /** Longest reconnect delay in ms (default 15 000). */
  maxBackoffMs?: number;
  /** Opens the socket; defaults to `new WebSocket(url)` (tests pass a fake). */
  createSocket?: (url: string) => WebSocket;
}

/** Most messages kept while the socket is down (the oldest are dropped first). */
const QUEUE_LIMIT = 200;
/** `WebSocket.OPEN`, spelled out so that the class also runs where `WebSocket` is not global. */
const OPEN = 1;

type Timer = ReturnType<typeof setTimeout>;

function defaultUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/api/v1/ws`;
}

/** One signaling connection per app; see the module description. */
export class SignalingClient extends Emitter<SignalingEvents> {
  private readonly url: string;
  private readonly pingIntervalMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly createSocket: (url: string) => WebSocket;
  private socket: WebSocket | null = null;
  private wanted = false;
  private attempt = 0;
  private reconnectTimer: Timer | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private pongSeen = false;
  private readonly sessions = new Set<string>();
  private readonly queue: ClientMessage[] = [];
  private currentStatus: SignalingStatus = 'idle';
  private hello: HelloMessage | null = null;

  constructor(options: SignalingOptions = {}) {
    super();
    this.url = options.url ?? defaultUrl();
    this.pingIntervalMs = options.pingIntervalMs ?? 10_000;
    this.minBackoffMs = options.minBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 15_000;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
  }

  /** The current connection status. */
  get status(): SignalingStatus {
    return this.currentStatus;
  }

  /** ICE servers from the latest `hello`, or null before the first one. */
  get iceServers(): IceServer[] | null {
    return this.hello?.iceServers ?? null;
  }

  /** Opens the socket (idempotent). Reconnects automatically until {@link close}. */
  connect(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.open();
  }

  /** Closes the socket and stops reconnecting. {@link connect} may be called again later. */
  close(): void {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    this.stopPing();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      this.detachHandlers(socket);
      socket.close(1000, 'client closed');
    }
    this.queue.length = 0;
    this.setStatus('closed');
  }

  /** Starts receiving updates for a session; re-sent after every reconnect. */
  attach(sessionId: string): void {
    if (this.sessions.has(sessionId)) return;
    this.sessions.add(sessionId);
    if (this.isOpen()) this.write({ type: 'attach', sessionId });
  }

  /** Stops receiving updates for a session. */
  detach(sessionId: string): void {
    if (!this.sessions.delete(sessionId)) return;
    if (this.isOpen()) this.write({ type: 'detach', sessionId });
  }

  /** Relays a WebRTC payload to the other participant (queued while reconnecting). */
  sendSignal(sessionId: string, payload: SignalPayload): void {
    this.send({ type: 'signal', sessionId, payload });
  }

  /** Sends any client message; queued (bounded) while the socket is not open. */
  send(message: ClientMessage): void {
    if (this.isOpen()) {
      this.write(message);
      return;
    }
    if (this.queue.length >= QUEUE_LIMIT) this.queue.shift();
    this.queue.push(message);
  }

  private isOpen(): boolean {
    return this.socket?.readyState === OPEN;
  }

  private write(message: ClientMessage): void {
    this.socket?.send(JSON.stringify(message));
  }

  private setStatus(status: SignalingStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.emit('status', status);
  }

  private open(): void {
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let socket: WebSocket;
    try {
      socket = this.createSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.handleOpen();
    socket.onmessage = (event: MessageEvent) => this.handleFrame(event.data);
    socket.onclose = () => this.handleClose(socket);
    // An error is always followed by a close event, which does the work.
    socket.onerror = null;
  }

  private detachHandlers(socket: WebSocket): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
  }

  private handleOpen(): void {
    this.lastFrameAt = Date.now();
    this.pongSeen = false;
    this.setStatus('open');
    for (const sessionId of this.sessions) this.write({ type: 'attach', sessionId });
    const pending = this.queue.splice(0);
    for (const message of pending) this.write(message);
    this.startPing();
  }

  private handleClose(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.detachHandlers(socket);
    this.socket = null;
    this.stopPing();
    if (this.wanted) this.scheduleReconnect();
    else this.setStatus('closed');
  }

  private scheduleReconnect(): void {
    this.setStatus('reconnecting');
    const base = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt += 1;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.wanted) this.open();
    }, delay);
  }

  private startPing(): void {
    this.stopPing();
    this.pingTimer = setInterval(() => this.ping(), this.pingIntervalMs);
  }

  private stopPing(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  /** Sends a ping; once the server has shown it answers pings, a silent socket is treated as dead. */
  private ping(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    const silentFor = Date.now() - this.lastFrameAt;
    const heartbeat = this.hello?.heartbeatMs ?? 0;
    if (this.pongSeen && silentFor > Math.max(3 * this.pingIntervalMs, 2 * heartbeat)) {
      socket.close(4000, 'heartbeat timeout');
      this.handleClose(socket);
      return;
    }
    this.write({ type: 'ping' });
  }

  private handleFrame(data: unknown): void {
    this.lastFrameAt = Date.now();
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = ServerMessage.safeParse(json);
    if (!parsed.success) return;
    this.dispatch(parsed.data);
  }

  private dispatch(message: ServerMessage): void {
    switch (message.type) {
      case 'hello':
        this.hello = message;
        this.attempt = 0;
        this.emit('hello', message);
        break;
      case 'attached':
        this.emit('attached', { sessionId: message.sessionId });
        break;
      case 'session':
        this.emit('session', message.session);
        break;
      case 'signal':
        this.emit('signal', message);
        break;
      case 'pong':
        this.pongSeen = true;
        break;
      case 'error':
        this.emit('error', message);
        break;
    }
  }
}
