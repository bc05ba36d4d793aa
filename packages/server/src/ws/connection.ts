/**
 * @module ws/connection
 * One authenticated WebSocket: typed sends, token buckets against floods (per socket and
 * per user), and a bound on what may wait in
 * the socket's send buffer (a consumer that cannot keep up is closed, not buffered for).
 * Knows nothing of sessions.
 */
import type { ErrorCode, ServerMessage } from '@remote-help/protocol';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Principal } from '../identity/principal.js';
import { newId } from '../ids.js';

/**
 * Most bytes that may wait unsent on one socket before it counts as a slow consumer.
 *
 * Invariant: every frame the server builds is far smaller than this, so only frames piling up
 * unread trip it, never one frame on an idle socket. `sendText` does not tell the two apart (such a
 * frame is a bug where it was built, and buffering megabytes for one reader is no answer either):
 * a frame over the bound on its own closes even a reader that keeps up (1013, "reconnect"), the
 * client reconnects and asks for the same thing, and is closed again, forever, with every other
 * session on that socket. Anything whose size people control is therefore cut where it is built: the
 * largest frames are a `chat.history` page (at most `CHAT_PAGE_MAX_BYTES`, 64 KiB, of messages),
 * a `chat.message` (one message, under 48 KB) and a relayed `signal` (parsed from a client frame
 * of at most `MAX_WS_FRAME_BYTES`, 64 KiB). A new frame must stay as small: page it, never raise
 * this bound for it.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Close code for a consumer that does not read what it is sent (1013: try again later). */
export const SLOW_CONSUMER_CLOSE = 1013;

/** A short text message as a whole server frame (see {@link Connection.sendFrame}), built once. */
export interface PrebuiltFrame {
  text: string;
  /** FIN + text opcode, unmasked, the length (< 126), the UTF-8 text. */
  bytes: Buffer;
}

export function textFrame(text: string): PrebuiltFrame {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new RangeError('a prebuilt frame holds at most 125 bytes');
  return { text, bytes: Buffer.concat([Buffer.from([0x81, payload.length]), payload]) };
}

/** A token bucket: `capacity` at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private lastRefill = Date.now();

  constructor(private readonly rate: { capacity: number; perSecond: number }) {
    this.tokens = rate.capacity;
  }

  /** Takes one token; false when empty. */
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.rate.capacity, this.tokens + ((now - this.lastRefill) / 1000) * this.rate.perSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class Connection {
  readonly id = newId();
  /** Cleanups to run when the socket closes, by key (e.g. one per attached session). */
  readonly attachments = new Map<string, () => void>();
  private readonly bucket: TokenBucket;
  /** When the client last showed it is alive (pong or any frame); the heartbeat may move it forward. */
  lastPongAt = Date.now();
  /** When the heartbeat last pinged this socket (0: never). */
  lastPingAt = 0;
  /** Client mistakes logged so far (the log is bounded per connection). */
  mistakesLogged = 0;
  /**
   * The TCP socket under `socket`, for {@link sendFrame} (null: frames go through `ws`). Set
   * by the gateway from the upgrade request (`IncomingMessage#socket`).
   */
  tcp: Socket | null = null;
  /** Whether the credential this socket was opened with still signs its person in (`ResolvedSession.recheck`). */
  recheck: (() => Promise<boolean>) | null = null;
  /** `tcp` is corked until the current code has run (see `#coalesce`). */
  #corked = false;

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    /** Source address as the server sees it (after trusted proxies). */
    readonly address: string,
    rate = { capacity: 200, perSecond: 50 },
    /** Shared by every connection of the same user, so more sockets do not mean more throughput. */
    private readonly userBucket?: TokenBucket,
  ) {
    this.bucket = new TokenBucket(rate);
  }

  get userId(): string {
    return this.principal.userId;
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(message: ServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  /**
   * Sends an already serialised frame (fan-out serialises once for many connections). Closes the
   * socket as a slow consumer when the frame would take what waits past {@link MAX_BUFFERED_BYTES}
   * (`text.length` counts UTF-16 units, at most the frame's UTF-8 bytes): see there why no
   * frame may come near that bound on its own.
   */
  sendText(text: string): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount + text.length > MAX_BUFFERED_BYTES) {
      this.socket.close(SLOW_CONSUMER_CLOSE, 'too slow: reconnect');
      // The close frame waits behind what the client does not read: do not wait for its answer long.
      setTimeout(() => this.socket.terminate(), 2000).unref();
      return;
    }
    this.#coalesce();
    this.socket.send(text);
  }

  /**
   * Frames sent in the same run of code (a reply and the push it caused, an attach's burst, a
   * fan-out reaching this socket twice) leave in one write: the TCP socket is corked at the first
   * and uncorked once that code has run (`process.nextTick`), so they cost one system call.
   */
  #coalesce(): void {
    const tcp = this.tcp;
    if (this.#corked || !tcp) return;
    this.#corked = true;
    tcp.cork();
    process.nextTick(() => {
      this.#corked = false;
      tcp.uncork();
    });
  }

  /**
   * Writes a prebuilt server frame ({@link textFrame}) straight to the TCP socket, as one write:
   * the answer to the web app's once-a-beat ping. Through `ws` the same frame is a header and a
   * payload written corked, two chunks queued on the
   * socket's writable state and a `writev`; at 20,000 sockets those pongs were most of an
   * idle node's work, and each one's queue entries outlived the write and were promoted
   * (`npm run bench:load`, docs/bench.md). `ws` writes every frame whole and synchronously,
   * so a frame written here never lands inside another; none goes out once `ws` has begun
   * closing. Falls back to `ws` when there is no TCP socket.
   */
  sendFrame(frame: PrebuiltFrame): void {
    const tcp = this.tcp;
    // Without a TCP socket, or past the buffered-bytes bound (which `sendText` acts on), through ws.
    if (!tcp || this.socket.bufferedAmount + frame.bytes.length > MAX_BUFFERED_BYTES) return this.sendText(frame.text);
    if (!this.open || !tcp.writable) return;
    this.#coalesce();
    tcp.write(frame.bytes);
  }

  sendError(error: ErrorCode, message: string, replyTo?: string, data?: Record<string, unknown>): void {
    this.send({ type: 'error', ok: false, error, message, ...(replyTo ? { replyTo } : {}), ...(data ? { data } : {}) });
  }

  /** Takes one token from this connection's and the user's bucket; false when the client sends too fast. */
  take(): boolean {
    return this.bucket.take() && (this.userBucket?.take() ?? true);
  }

  closeAll(): void {
    for (const cleanup of this.attachments.values()) cleanup();
    this.attachments.clear();
  }
}
