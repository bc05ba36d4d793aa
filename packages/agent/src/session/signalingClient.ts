/**
 * @module session/signalingClient
 * The agent's connection to the server WebSocket `/api/v1/ws`, authenticated with
 * `Authorization: Bearer`. Every frame is validated against the protocol's
 * `ServerMessage`; invalid frames are counted and dropped. The connection comes back
 * by itself (growing back-off with jitter, a fresh token after a 4401) and re-attaches
 * the sessions it followed. A connection that shows no traffic (the server pings every
 * `heartbeatMs`) for three heartbeats is treated as dead. `refresh` moves to a fresh
 * connection at once, make-before-break, when the caller knows the network path changed
 * (a peer connection's heartbeat died): signals wait for the new connection meanwhile.
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
import { trace } from '../trace.js';

/** Close code the server uses for an upgrade without valid credentials. */
export const WS_UNAUTHENTICATED = 4401;

/** Connection status, for the UI and tests. */
export type SignalingStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** An error frame from the server. */
export interface ServerErrorFrame {
  error: ErrorCode;
  message: string;
  replyTo?: string | undefined;
  /** Details (a refused chat message's `clientId`, a rate limit's `retryAfterSeconds`). */
  data?: Record<string, unknown> | undefined;
}

/** A chat frame of a session: a message, a page of the thread, or the other side typing. */
export type ChatFrame = Extract<ServerMessage, { type: 'chat.message' | 'chat.history' | 'chat.typing' }>;
/** A chat frame this side sends. */
export type ChatRequest = Extract<ClientMessage, { type: 'chat.send' | 'chat.resume' | 'chat.typing' }>;

/** Events of `SignalingClient`. */
export interface SignalingEvents {
  status: [status: SignalingStatus];
  /** `hello` arrived: ICE servers and heartbeat are known. */
  ready: [iceServers: IceServer[]];
  session: [session: SessionView];
  signal: [sessionId: string, from: Role, payload: SignalPayload];
  serverError: [error: ServerErrorFrame];
  /** The server confirmed an attach (after every reconnect too). */
  attached: [sessionId: string];
  chat: [frame: ChatFrame];
  /** A session's ICE servers for this participant (the answer to {@link SignalingClient.requestIceServers}). */
  ice: [frame: Extract<ServerMessage, { type: 'ice.servers' }>];
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

/** Signals kept while a refresh is under way. */
const REFRESH_QUEUE_LIMIT = 200;
/** A refresh whose connection has not said `hello` by then is abandoned. */
const REFRESH_TIMEOUT_MS = 5000;
/** After a refresh, the old connection still delivers frames this long (its last signals). */
const OLD_SOCKET_LINGER_MS = 1500;
/** Signals wait at most this long for their session's `attached` after a (re)connect. */
const ATTACH_WAIT_MS = 2000;

/** A self-healing signaling connection for one signed-in agent. */
export class SignalingClient extends EventEmitter<SignalingEvents> {
  readonly #url: string;
  readonly #tokens: AccessTokenProvider;
  readonly #backoff: { initial: number; max: number };
  readonly #staleOverride: number | undefined;
  readonly #attached = new Set<string>();
  /** Sessions the server confirmed (`attached`) on the current connection. */
  #confirmed = new Set<string>();
  #ws: WebSocket | null = null;
  /** The connection a `refresh` is opening; signals wait in `#queue` until it says hello. */
  #spare: WebSocket | null = null;
  /** A refresh is under way (from the call on, before its socket exists): signals wait. */
  #refreshing = false;
  #spareTimer: NodeJS.Timeout | undefined;
  #queue: ClientMessage[] = [];
  /** Sessions re-attached on this connection whose `attached` has not come yet. */
  #attaching = new Set<string>();
  #attachTimer: NodeJS.Timeout | undefined;
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

  /** Whether the server confirmed `sessionId`'s attach on the current connection (session frames are accepted). */
  attachedTo(sessionId: string): boolean {
    return this.#status === 'open' && this.#confirmed.has(sessionId);
  }

  detach(sessionId: string): void {
    this.#confirmed.delete(sessionId);
    if (!this.#attached.delete(sessionId)) return;
    this.#send({ type: 'detach', sessionId });
  }

  /** Relays a WebRTC payload to the other participant; false when not connected (the payload is lost). */
  sendSignal(sessionId: string, payload: SignalPayload): boolean {
    return this.#send({ type: 'signal', sessionId, payload });
  }

  /** Sends a chat frame (it waits for its session's re-attach); false when not connected (it is lost: resend on `attached`). */
  sendChat(message: ChatRequest): boolean {
    return this.#send(message);
  }

  /** Asks for a session's ICE servers (answered by an `ice` event); false when not connected. */
  requestIceServers(sessionId: string): boolean {
    return this.#send({ type: 'ice.servers', sessionId });
  }

  /** Tells the server this side's media path went down or came back (see `sessions/mediaWatch` on the server). */
  sendPath(sessionId: string, state: 'up' | 'down'): boolean {
    return this.#send({ type: 'path', sessionId, state });
  }

  /**
   * Moves to a fresh connection now (the network path may have changed: the old socket
   * can look open for seconds after its path died, and what is written to it is lost).
   * Signals wait until the new connection has said hello and re-attached; the old one
   * closes shortly after. While reconnecting anyway, the next attempt starts at once.
   */
  refresh(): void {
    trace('net', () => `signaling refresh (status ${this.#status}${this.#refreshing ? ', already refreshing' : ''})`);
    if (this.#status === 'closed' || this.#refreshing) return;
    if (this.#status !== 'open' || !this.#ws) {
      if (this.#ws === null && this.#status === 'reconnecting') {
        clearTimeout(this.#retryTimer);
        this.#attempt = 0;
        this.#open(false);
      }
      return;
    }
    // From now on signals wait (the old socket may lead nowhere), even while the token is read.
    this.#refreshing = true;
    this.#spareTimer = setTimeout(() => this.#abandonRefresh(), REFRESH_TIMEOUT_MS);
    this.#spareTimer.unref();
    this.#tokens.accessToken({ forceRefresh: false }).then(
      (token) => {
        if (this.#refreshing && !this.#spare && this.#status !== 'closed') this.#dial(token, true);
      },
      () => this.#abandonRefresh(),
    );
  }

  /** Closes for good. */
  close(): void {
    this.#setStatus('closed');
    const spare = this.#spare;
    this.#dropSpare();
    spare?.terminate();
    this.#queue = [];
    clearTimeout(this.#attachTimer);
    clearTimeout(this.#retryTimer);
    clearInterval(this.#watchdog);
    this.#ws?.close(1000, 'agent closing');
    this.#ws = null;
  }

  #send(message: ClientMessage): boolean {
    // Signals, path reports and chat name a session: they wait for its re-attach (and for a refresh).
    const scoped = message.type === 'signal' || message.type === 'path' || message.type.startsWith('chat.');
    const holdBack = this.#refreshing || (scoped && 'sessionId' in message && this.#attaching.has(message.sessionId));
    if (holdBack && scoped && this.#status === 'open') {
      trace('net', () => `signaling holds ${describe(message)}`);
      if (this.#queue.length >= REFRESH_QUEUE_LIMIT) this.#queue.shift();
      this.#queue.push(message);
      return true;
    }
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.#status !== 'open') {
      trace('net', () => `signaling dropped ${describe(message)} (status ${this.#status})`);
      return false;
    }
    ws.send(JSON.stringify(ClientMessage.parse(message)));
    trace('net', () => `signaling sent ${describe(message)}`);
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

  #dial(token: string, spare = false): void {
    if (this.#status === 'closed') return;
    trace('net', () => `signaling dial${spare ? ' (spare)' : ''}`);
    const ws = new WebSocket(this.#url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: 10_000,
      maxPayload: 1024 * 1024,
    });
    if (spare) {
      this.#spare = ws;
      ws.on('message', (data, isBinary) => {
        if (this.#spare === ws && !isBinary) this.#promote(ws, String(data));
      });
      ws.on('error', () => undefined);
      ws.on('close', (code) => {
        trace('net', () => `signaling spare closed (${code})`);
        if (this.#spare === ws) this.#abandonRefresh();
      });
      return;
    }
    this.#ws = ws;
    this.#lastTrafficAt = Date.now();
    this.#follow(ws);
  }

  /** Listens to the current connection `ws` (frames, liveness, close and retry). */
  #follow(ws: WebSocket): void {
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
      trace('net', () => `signaling ${this.#ws === ws ? 'current' : 'old'} socket closed (${code})`);
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
      if (Date.now() - this.#lastTrafficAt <= this.#staleAfterMs) return;
      trace('net', () => `signaling socket silent for ${Date.now() - this.#lastTrafficAt} ms: terminated`);
      ws.terminate();
    }, 500);
    this.#watchdog.unref();
  }

  /** The refresh's connection said hello: it becomes the connection; the old one lingers, then closes. */
  #promote(ws: WebSocket, text: string): void {
    trace('net', () => 'signaling moved to the spare socket');
    clearTimeout(this.#spareTimer);
    clearTimeout(this.#retryTimer);
    this.#spare = null;
    this.#refreshing = false;
    ws.removeAllListeners('message');
    ws.removeAllListeners('close');
    ws.removeAllListeners('error');
    const old = this.#ws;
    this.#ws = ws;
    this.#lastTrafficAt = Date.now();
    this.#follow(ws);
    if (old) setTimeout(() => old.close(1000, 'moved to a new connection'), OLD_SOCKET_LINGER_MS).unref();
    this.#onFrame(text);
  }

  #abandonRefresh(): void {
    if (!this.#refreshing) return;
    trace('net', () => 'signaling refresh abandoned');
    const spare = this.#spare;
    this.#dropSpare();
    spare?.terminate();
    this.#flush();
  }

  /** Sends what waited and may go now, in order; the rest keeps waiting. */
  #flush(): void {
    for (const message of this.#queue.splice(0)) this.#send(message);
  }

  #dropSpare(): void {
    this.#refreshing = false;
    clearTimeout(this.#spareTimer);
    const spare = this.#spare;
    this.#spare = null;
    spare?.removeAllListeners('message');
    spare?.removeAllListeners('close');
    if (spare) spare.on('error', () => undefined);
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
        // The server takes a connection's messages concurrently: a signal right behind its
        // session's attach could overtake it and be refused, so signals wait for `attached`.
        this.#attaching = new Set(this.#attached);
        this.#confirmed = new Set();
        for (const sessionId of this.#attached) this.#send({ type: 'attach', sessionId });
        clearTimeout(this.#attachTimer);
        this.#attachTimer = setTimeout(() => {
          this.#attaching.clear();
          this.#flush();
        }, ATTACH_WAIT_MS);
        this.#attachTimer.unref();
        this.#flush();
        this.emit('ready', message.iceServers);
        return;
      case 'session':
        this.emit('session', message.session);
        return;
      case 'signal':
        trace('net', () => `signaling received signal ${describePayload(message.payload)}`);
        this.emit('signal', message.sessionId, message.from, message.payload);
        return;
      case 'error':
        trace('net', () => `signaling server error ${message.error}`);
        this.emit('serverError', {
          error: message.error,
          message: message.message,
          replyTo: message.replyTo,
          data: message.data,
        });
        return;
      case 'attached':
        this.#attaching.delete(message.sessionId);
        if (this.#attached.has(message.sessionId)) this.#confirmed.add(message.sessionId);
        this.#flush();
        this.emit('attached', message.sessionId);
        return;
      case 'chat.message':
      case 'chat.history':
      case 'chat.typing':
        this.emit('chat', message);
        return;
      case 'ice.servers':
        this.emit('ice', message);
        return;
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
    trace('net', () => `signaling retry in ${Math.round(delay)} ms`);
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
    trace('net', () => `signaling ${status}`);
    this.emit('status', status);
  }
}

/** A message's kind for the trace (never its contents). */
function describe(message: ClientMessage): string {
  return message.type === 'signal' ? `signal ${describePayload(message.payload)}` : message.type;
}

function describePayload(payload: SignalPayload): string {
  if (payload.kind === 'sdp') return `sdp ${payload.description.type}`;
  if (payload.kind === 'ice')
    return payload.candidate ? `ice ${payload.candidate.candidate.split(' ')[4] ?? ''}` : 'ice end';
  return `restart${payload.ice ? ' ice' : ''}`;
}
