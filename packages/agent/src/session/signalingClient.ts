/**
 * @module session/signalingClient
 * The agent's connection to the server WebSocket `/api/v1/ws`, authenticated with
 * `Authorization: Bearer`. Every frame is validated against the protocol's
 * `ServerMessage`; invalid frames are counted and dropped. The connection comes back
 * by itself (growing back-off with jitter, a fresh token after a 4401) and re-attaches
 * the sessions it followed. A connection that shows no traffic (the server pings every
 * `heartbeatMs`) for three heartbeats is treated as dead.
 */
import { EventEmitter } from 'node:events';
import {
  ClientMessage,
  ServerMessage,
  type ErrorCode,
  type IceServer,
  type Role,
  type SessionView,
  type SignalPayload,
} from '@remote-help/protocol';
import WebSocket from 'ws';
import type { AccessTokenProvider } from '../auth/credentials.js';
import { AgentError, isAgentError } from '../errors.js';

/** Close code the server uses for an upgrade without valid credentials. */
export const WS_UNAUTHENTICATED = 4401;

/** Connection status, for the UI and tests. */
export type SignalingStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** An error frame from the server. */
export interface ServerErrorFrame {
  error: ErrorCode;
  message: string;
  replyTo?: string | undefined;
}

/** Events of `SignalingClient`. */
export interface SignalingEvents {
  status: [status: SignalingStatus];
  /** `hello` arrived: ICE servers and heartbeat are known. */
  ready: [iceServers: IceServer[]];
  session: [session: SessionView];
  signal: [sessionId: string, from: Role, payload: SignalPayload];
  serverError: [error: ServerErrorFrame];
  /** The client gave up (the sign-in is gone); it will not reconnect. */
  fatal: [error: AgentError];
}

/** Where to connect and how to authenticate. */
export interface SignalingClientOptions {
  server: string;
  tokens: AccessTokenProvider;
  /** First and largest reconnect delay (default 100 ms and 10 s). */
  backoffMs?: { initial: number; max: number };
  /** Dead after this long without traffic (default: 3 heartbeats, at least 3 s). */
  staleAfterMs?: number;
}

/** A self-healing signaling connection for one signed-in agent. */
export class SignalingClient extends EventEmitter<SignalingEvents> {
  readonly #url: string;
  readonly #tokens: AccessTokenProvider;
  readonly #backoff: { initial: number; max: number };
  readonly #staleOverride: number | undefined;
  readonly #attached = new Set<string>();
  #ws: WebSocket | null = null;
  #status: SignalingStatus = 'idle';
  #attempt = 0;
  #unauthorizedInRow = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #lastTrafficAt = 0;
  #staleAfterMs = 3000;
  #iceServers: IceServer[] = [];
  #invalidFrames = 0;
  #connects = 0;

  constructor(options: SignalingClientOptions) {
    super();
    const url = new URL('/api/v1/ws', options.server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#url = url.href;
    this.#tokens = options.tokens;
    this.#backoff = options.backoffMs ?? { initial: 100, max: 10_000 };
    this.#staleOverride = options.staleAfterMs;
  }

  get status(): SignalingStatus {
    return this.#status;
  }

  /** ICE servers from the last `hello`. */
  get iceServers(): IceServer[] {
    return this.#iceServers;
  }

  /** Counters for diagnostics and tests. */
  stats(): { connects: number; invalidFrames: number } {
    return { connects: this.#connects, invalidFrames: this.#invalidFrames };
  }

  /** Starts connecting (idempotent). */
  connect(): void {
    if (this.#status !== 'idle') return;
    this.#open(false);
  }

  /** Follows a session: attached now if connected, and again after every reconnect. */
  attach(sessionId: string): void {
    this.#attached.add(sessionId);
    this.#send({ type: 'attach', sessionId });
  }

  detach(sessionId: string): void {
    if (!this.#attached.delete(sessionId)) return;
    this.#send({ type: 'detach', sessionId });
  }

  /** Relays a WebRTC payload to the other participant; false when not connected (the payload is lost). */
  sendSignal(sessionId: string, payload: SignalPayload): boolean {
    return this.#send({ type: 'signal', sessionId, payload });
  }

  /** Closes for good. */
  close(): void {
    this.#setStatus('closed');
    clearTimeout(this.#retryTimer);
    clearInterval(this.#watchdog);
    this.#ws?.close(1000, 'agent closing');
    this.#ws = null;
  }

  #send(message: ClientMessage): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.#status !== 'open') return false;
    ws.send(JSON.stringify(ClientMessage.parse(message)));
    return true;
  }

  #open(forceRefresh: boolean): void {
    if (this.#status === 'closed') return;
    this.#setStatus(this.#attempt === 0 ? 'connecting' : 'reconnecting');
    this.#tokens.accessToken({ forceRefresh }).then(
      (token) => this.#dial(token),
      (error: unknown) => {
        if (isAgentError(error, 'signin_required')) return this.#giveUp(error);
        this.#scheduleRetry(false);
      },
    );
  }

  #dial(token: string): void {
    if (this.#status === 'closed') return;
    const ws = new WebSocket(this.#url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: 10_000,
      maxPayload: 1024 * 1024,
    });
    this.#ws = ws;
    this.#lastTrafficAt = Date.now();
    const touch = (): void => {
      this.#lastTrafficAt = Date.now();
    };
    ws.on('ping', touch);
    ws.on('message', (data, isBinary) => {
      touch();
      if (!isBinary) this.#onFrame(String(data));
    });
    ws.on('error', () => undefined); // 'close' follows and decides
    ws.on('close', (code) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      clearInterval(this.#watchdog);
      if (this.#status === 'closed') return;
      const unauthorized = code === WS_UNAUTHENTICATED;
      this.#unauthorizedInRow = unauthorized ? this.#unauthorizedInRow + 1 : 0;
      if (this.#unauthorizedInRow > 2) {
        return this.#giveUp(new AgentError('signin_required', 'The server no longer accepts this sign-in.'));
      }
      this.#scheduleRetry(unauthorized);
    });
    clearInterval(this.#watchdog);
    this.#watchdog = setInterval(() => {
      if (Date.now() - this.#lastTrafficAt > this.#staleAfterMs) ws.terminate();
    }, 500);
    this.#watchdog.unref();
  }

  #onFrame(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.#invalidFrames++;
      return;
    }
    const parsed = ServerMessage.safeParse(json);
    if (!parsed.success) {
      this.#invalidFrames++;
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'hello':
        this.#iceServers = message.iceServers;
        this.#staleAfterMs = this.#staleOverride ?? Math.max(3000, message.heartbeatMs * 3);
        this.#attempt = 0;
        this.#unauthorizedInRow = 0;
        this.#connects++;
        this.#setStatus('open');
        for (const sessionId of this.#attached) this.#send({ type: 'attach', sessionId });
        this.emit('ready', message.iceServers);
        return;
      case 'session':
        this.emit('session', message.session);
        return;
      case 'signal':
        this.emit('signal', message.sessionId, message.from, message.payload);
        return;
      case 'error':
        this.emit('serverError', { error: message.error, message: message.message, replyTo: message.replyTo });
        return;
      case 'attached':
      case 'pong':
        return;
    }
  }

  #scheduleRetry(forceRefresh: boolean): void {
    if (this.#status === 'closed') return;
    this.#setStatus('reconnecting');
    const base = Math.min(this.#backoff.max, this.#backoff.initial * 2 ** this.#attempt);
    this.#attempt++;
    const delay = base * (0.8 + Math.random() * 0.4);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#open(forceRefresh), delay);
  }

  #giveUp(error: AgentError): void {
    this.close();
    this.emit('fatal', error);
  }

  #setStatus(status: SignalingStatus): void {
    if (this.#status === status || this.#status === 'closed') return;
    this.#status = status;
    this.emit('status', status);
  }
}
