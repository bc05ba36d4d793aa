/**
 * @module SignalingClient
 * The WebSocket to `/api/v1/ws`: connects, reconnects with back-off (re-attaching its
 * sessions), sends an app-level ping once a beat (the `hello`'s `heartbeatMs`, 2 s; a socket
 * silent for 2.5 beats once the server has answered a ping is dead: a network change leaves
 * sockets that look open but lead nowhere), validates every incoming frame with the protocol
 * schema (invalid frames are ignored) and re-emits them as typed events. {@link SignalingClient.refresh}
 * moves to a fresh socket at once, make-before-break, when the caller knows the network
 * path changed.
 */
import { ServerMessage } from '@remote-help/protocol';
import type { ClientMessage, IceServer, SessionView, SignalPayload } from '@remote-help/protocol';
import { Emitter } from './Emitter';

/** `hello`: the first frame of every connection. */
export type HelloMessage = Extract<ServerMessage, { type: 'hello' }>;
/** `signal`: a WebRTC payload from the other participant. */
export type SignalMessage = Extract<ServerMessage, { type: 'signal' }>;
/**
 * `error`: something this client sent was refused (the connection stays open). `sessionId`
 * names the session the refused message was about, or is null when it was about none, so
 * that an error dies with its session.
 */
export type ErrorFrame = Extract<ServerMessage, { type: 'error' }> & { sessionId: string | null };
/** A chat frame of a session: a message, a page of the thread (`chat.history`), or the other side typing. */
export type ChatFrame = Extract<ServerMessage, { type: 'chat.message' | 'chat.history' | 'chat.typing' }>;
/** `ice.servers`: a session's ICE servers for this participant (see `sessionIce`). */
export type IceServersFrame = Extract<ServerMessage, { type: 'ice.servers' }>;

/** Connection status of the signaling socket. */
export type SignalingStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Events of {@link SignalingClient}. */
export interface SignalingEvents {
  status: SignalingStatus;
  hello: HelloMessage;
  attached: { sessionId: string };
  session: SessionView;
  signal: SignalMessage;
  chat: ChatFrame;
  error: ErrorFrame;
  ice: IceServersFrame;
}

/** Options of {@link SignalingClient} (all optional; the defaults fit the browser app). */
export interface SignalingOptions {
  /** Socket URL; defaults to `ws(s)://<this host>/api/v1/ws`. */
  url?: string;
  /** App-level ping interval in ms (default: the beat the server's `hello` announces; 1 000 before it). */
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
/** Bounds of the ping interval a `hello` may set (a bad beat must not flood nor starve the socket). */
const MIN_PING_INTERVAL_MS = 250;
const MAX_PING_INTERVAL_MS = 30_000;
/** How many sent message ids are remembered to tie a later error frame to its session. */
const SENT_IDS_KEPT = 256;
/** `WebSocket.OPEN`, spelled out so that the class also runs where `WebSocket` is not global. */
const OPEN = 1;
/** The server's close code for a socket whose sign-in is missing or ended. */
const WS_UNAUTHENTICATED = 4401;
/** A refresh whose new socket has not opened by then is abandoned (the old one stays). */
const REFRESH_TIMEOUT_MS = 5000;
/** After a refresh, the old socket still delivers frames for this long, until the new one is attached. */
const OLD_SOCKET_LINGER_MS = 1500;
/** Signals wait at most this long for their session's `attached` after a (re)connect. */
const ATTACH_WAIT_MS = 2000;

type Timer = ReturnType<typeof setTimeout>;

function defaultUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/api/v1/ws`;
}

/** One signaling connection per app; see the module description. */
export class SignalingClient extends Emitter<SignalingEvents> {
  private readonly url: string;
  private pingIntervalMs: number;
  /** Whether the caller fixed the ping interval (otherwise the server's `hello` sets it). */
  private readonly pingFixed: boolean;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly createSocket: (url: string) => WebSocket;
  private socket: WebSocket | null = null;
  /** The socket a {@link refresh} is opening; while it exists, messages are queued. */
  private spare: WebSocket | null = null;
  private refreshTimer: Timer | undefined;
  /** Sessions re-attached on this socket whose `attached` has not come yet (their signals wait). */
  private attaching = new Set<string>();
  private attachTimer: Timer | undefined;
  private wanted = false;
  private attempt = 0;
  private reconnectTimer: Timer | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  /** When the ping timer last ran: a tick far later than the interval means this page was stalled. */
  private lastTickAt = 0;
  private pongSeen = false;
  private readonly sessions = new Set<string>();
  private readonly queue: ClientMessage[] = [];
  private currentStatus: SignalingStatus = 'idle';
  private hello: HelloMessage | null = null;
  private nextMessageId = 1;
  /** Message id → the session it was about, for the latest {@link SENT_IDS_KEPT} session messages. */
  private readonly sentFor = new Map<string, string>();

  constructor(options: SignalingOptions = {}) {
    super();
    this.url = options.url ?? defaultUrl();
    this.pingIntervalMs = options.pingIntervalMs ?? 1000;
    this.pingFixed = options.pingIntervalMs !== undefined;
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
    clearTimeout(this.attachTimer);
    this.dropSpare();
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
    if (!this.isOpen()) return;
    this.attaching.add(sessionId);
    this.write({ type: 'attach', sessionId });
    clearTimeout(this.attachTimer);
    this.attachTimer = setTimeout(() => this.attachedAll(), ATTACH_WAIT_MS);
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
    if (this.isOpen() && !this.waitsForAttach(message)) {
      this.write(message);
      return;
    }
    if (this.queue.length >= QUEUE_LIMIT) this.queue.shift();
    this.queue.push(message);
  }

  /**
   * Moves to a fresh socket now, for when the network path may have changed (a peer
   * connection saw its path die): the old socket can look open for seconds after its
   * path died, and whatever is written to it is lost. Messages wait in the queue until
   * the new socket is open; then it takes over (attach, queue) and the old one closes
   * shortly after. Without an open socket, a pending reconnect happens at once.
   */
  refresh(): void {
    if (!this.wanted || this.spare) return;
    if (this.socket?.readyState !== OPEN) {
      if (this.socket === null) {
        clearTimeout(this.reconnectTimer);
        this.attempt = 0;
        this.open();
      }
      return;
    }
    let next: WebSocket;
    try {
      next = this.createSocket(this.url);
    } catch {
      return;
    }
    this.spare = next;
    next.onopen = () => this.promote(next);
    next.onclose = () => {
      if (this.spare === next) this.abandonRefresh();
    };
    next.onerror = null;
    this.refreshTimer = setTimeout(() => this.abandonRefresh(), REFRESH_TIMEOUT_MS);
  }

  private promote(next: WebSocket): void {
    if (this.spare !== next) return;
    clearTimeout(this.refreshTimer);
    this.spare = null;
    const old = this.socket;
    this.socket = next;
    next.onmessage = (event: MessageEvent) => this.handleFrame(event.data);
    next.onclose = (event) => this.handleClose(next, event.code);
    if (old) {
      // Frames already on their way to the old socket still count until the new one is attached.
      old.onclose = null;
      old.onopen = null;
      setTimeout(() => {
        old.onmessage = null;
        old.close(1000, 'moved to a new connection');
      }, OLD_SOCKET_LINGER_MS);
    }
    this.handleOpen();
  }

  private abandonRefresh(): void {
    const next = this.spare;
    if (!next) return;
    this.dropSpare();
    next.close();
    // The old socket carries on; what waited for the new one goes out on it.
    if (this.isOpen()) this.flushQueue();
    else if (this.socket === null && this.wanted) this.scheduleReconnect();
  }

  private dropSpare(): void {
    clearTimeout(this.refreshTimer);
    const next = this.spare;
    this.spare = null;
    if (next) this.detachHandlers(next);
  }

  private isOpen(): boolean {
    return this.spare === null && this.socket?.readyState === OPEN;
  }

  private write(message: ClientMessage): void {
    if (message.type !== 'ping' && message.id === undefined) {
      const id = `m${this.nextMessageId++}`;
      message = { ...message, id };
      this.sentFor.set(id, message.sessionId);
      if (this.sentFor.size > SENT_IDS_KEPT) this.sentFor.delete(this.sentFor.keys().next().value as string);
    }
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
    socket.onclose = (event) => this.handleClose(socket, event.code);
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
    // The server takes a connection's messages concurrently: a signal right behind its
    // session's attach can overtake it and be refused. Signals wait for `attached`.
    clearTimeout(this.attachTimer);
    this.attaching = new Set(this.sessions);
    for (const sessionId of this.sessions) this.write({ type: 'attach', sessionId });
    this.attachTimer = setTimeout(() => this.attachedAll(), ATTACH_WAIT_MS);
    this.flushQueue();
    this.startPing();
  }

  /** Whether `message` must wait because its session's re-attach is not confirmed yet. */
  private waitsForAttach(message: ClientMessage): boolean {
    return (
      (message.type === 'signal' || message.type === 'path' || message.type.startsWith('chat.')) &&
      'sessionId' in message &&
      this.attaching.has(message.sessionId)
    );
  }

  /** Sends what waited and may go now, in order; the rest keeps waiting. */
  private flushQueue(): void {
    if (!this.isOpen()) return;
    const waiting = this.queue.splice(0);
    for (const message of waiting) {
      if (this.waitsForAttach(message)) this.queue.push(message);
      else this.write(message);
    }
  }

  /** No confirmation came in time (or the attach was refused): stop holding signals back. */
  private attachedAll(): void {
    this.attaching.clear();
    this.flushQueue();
  }

  private handleClose(socket: WebSocket, code?: number): void {
    if (socket !== this.socket) return;
    this.detachHandlers(socket);
    this.socket = null;
    this.stopPing();
    if (this.spare) return; // a refresh is under way: its socket takes over, or it reconnects
    // The sign-in ended (or never was): every new socket would be refused the same way. The
    // error frame before the close says so, with a link to sign in again (`SessionNotices`).
    if (code === WS_UNAUTHENTICATED) this.wanted = false;
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

  /**
   * Pings at the server's beat: it closes a socket silent for a little over two beats, and
   * pings one itself only when the page stayed silent for more than a beat, so the page's
   * ping is what keeps an idle socket alive at one frame each way per beat.
   */
  private adoptBeat(heartbeatMs: number): void {
    if (this.pingFixed) return;
    const interval = Math.min(MAX_PING_INTERVAL_MS, Math.max(MIN_PING_INTERVAL_MS, heartbeatMs));
    if (interval === this.pingIntervalMs) return;
    this.pingIntervalMs = interval;
    if (this.pingTimer !== undefined) this.startPing();
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
    const now = Date.now();
    const silentFor = now - this.lastFrameAt;
    const heartbeat = this.hello?.heartbeatMs ?? 0;
    // After a stall of this page (a busy main thread, a throttled tab) the frames that arrived
    // meanwhile may still wait behind this timer: judge the socket on the next tick, not now.
    const stalled = this.lastTickAt !== 0 && now - this.lastTickAt > 2 * this.pingIntervalMs;
    this.lastTickAt = now;
    if (!stalled && this.pongSeen && silentFor > Math.max(2.5 * this.pingIntervalMs, 2 * heartbeat)) {
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
        this.adoptBeat(message.heartbeatMs);
        this.emit('hello', message);
        break;
      case 'attached':
        this.attaching.delete(message.sessionId);
        this.flushQueue();
        this.emit('attached', { sessionId: message.sessionId });
        break;
      case 'session':
        this.emit('session', message.session);
        break;
      case 'signal':
        this.emit('signal', message);
        break;
      case 'chat.message':
      case 'chat.history':
      case 'chat.typing':
        this.emit('chat', message);
        break;
      case 'ice.servers':
        this.emit('ice', message);
        break;
      case 'pong':
        this.pongSeen = true;
        break;
      case 'error':
        this.emit('error', {
          ...message,
          sessionId: (message.replyTo !== undefined && this.sentFor.get(message.replyTo)) || null,
        });
        break;
    }
  }
}
