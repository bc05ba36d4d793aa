/**
 * The simulated people of `npm run bench:load`: a helper and a sharer per session, over the
 * server's real HTTP API and WebSocket, signed in with the cookie their sign-in session gives
 * them. One {@link Pair} walks a session through what the apps do: create (helper), redeem the
 * code (sharer), attach both sockets, ask for view and allow it, relay signaling both ways,
 * chat, end. Used by the client processes (`worker.ts`) and by the smoke test in the server's
 * suite, so the bench cannot silently stop matching the protocol.
 */
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Credentials } from './messages.js';

/** Wall-clock milliseconds with sub-millisecond resolution, the same in every process of the machine. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** An error that names the step and what the server answered, counted by its `kind`. */
export class StepError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** HTTP through keep-alive agents, one per source address, used round robin. */
export class HttpPool {
  private readonly agents: http.Agent[];
  private next = 0;

  constructor(addresses: readonly string[], socketsPerAddress = 8) {
    this.agents = addresses.map(
      (localAddress) =>
        new http.Agent({ keepAlive: true, maxSockets: socketsPerAddress, localAddress } as http.AgentOptions),
    );
  }

  /** A JSON request with the caller's cookie and CSRF token; resolves with status and parsed body. */
  request(
    base: string,
    cookieName: string,
    who: Credentials,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs = 30_000,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const agent = this.agents[this.next++ % this.agents.length];
    const url = new URL(path, base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent,
          timeout: timeoutMs,
          headers: {
            cookie: `${cookieName}=${who.token}`,
            'x-csrf-token': who.csrf,
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
            } catch {
              reject(
                new StepError(`http ${res.statusCode ?? 0}`, `${method} ${path}: not JSON: ${text.slice(0, 120)}`),
              );
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new StepError('http timeout', `${method} ${path} timed out`)));
      req.on('error', (error) =>
        reject(error instanceof StepError ? error : new StepError(errorKind(error), String(error))),
      );
      req.end(payload);
    });
  }

  close(): void {
    for (const agent of this.agents) agent.destroy();
  }
}

const errorKind = (error: unknown): string => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
};

/**
 * Slots of the ping wheel: a beat is served in this many ticks (4 ms at the 2 s beat, about
 * 20 pings per tick per process at 5,000 sockets, like the arrivals of independent browsers).
 */
export const PING_SLOTS = 500;

interface ServerFrame {
  type: string;
  heartbeatMs?: number;
  sessionId?: string;
  session?: { id?: string; state?: string };
  from?: string;
  payload?: { kind?: string; candidate?: { usernameFragment?: string | null } | null };
  message?: { clientId?: string };
  error?: string;
}

/** One WebSocket of a simulated person: waits for frames by predicate, without keeping a log. */
export class PersonSocket {
  /** Whether sockets send the web app's application-level pings. */
  static clientPings = false;
  /**
   * The pinging sockets in {@link PING_SLOTS} slots (`--ping-slots`), one slot served per tick: each socket pings
   * once a beat at its own phase, as independent browsers do. (All of a process's sockets used to
   * ping in one burst a second: up to 10,000 frames at once, which the server then read in a few
   * long turns of its loop, and every relayed signal behind them waited; no browser population
   * pings in step like that. Until 2026-12-03 the wheel had 64 slots, 31 ms apart: still
   * bursts of 150 pings per process at once.) Slots are served by elapsed time, so a tick that
   * comes late serves every slot that came due and no socket pings later than its beat.
   */
  private static slots: Set<PersonSocket>[] = Array.from({ length: PING_SLOTS }, () => new Set());

  /** Sets the wheel's number of slots; before any socket is open. */
  static setPingSlots(n: number): void {
    if (PersonSocket.slots.some((slot) => slot.size > 0)) throw new Error('the ping wheel is in use');
    PersonSocket.slots = Array.from({ length: n }, () => new Set());
    PersonSocket.slotAt = 0;
  }
  private static slotAt = 0;
  private static pinger: NodeJS.Timeout | undefined;
  private static beatMs = 0;

  /** Starts (or re-times) the pings at `beatMs`, the beat the server's `hello` announces. */
  private static pingAt(beatMs: number): void {
    if (beatMs === PersonSocket.beatMs) return;
    PersonSocket.beatMs = beatMs;
    clearInterval(PersonSocket.pinger);
    const ping = JSON.stringify({ type: 'ping' });
    const slots = PersonSocket.slots.length;
    const slotMs = beatMs / slots;
    const started = performance.now();
    let served = 0;
    PersonSocket.pinger = setInterval(
      () => {
        const due = Math.floor((performance.now() - started) / slotMs);
        for (; served < due; served++) {
          const slot = PersonSocket.slots[PersonSocket.slotAt]!;
          PersonSocket.slotAt = (PersonSocket.slotAt + 1) % slots;
          for (const socket of slot) if (socket.ws.readyState === WebSocket.OPEN) socket.ws.send(ping);
        }
      },
      Math.max(1, slotMs),
    );
    PersonSocket.pinger.unref();
  }

  /** The ping wheel's slot this socket pings in, once its hello came. */
  private pingSlot: Set<PersonSocket> | undefined;
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  /** Set when the socket closed; `expected` when we closed it. */
  closed: { code: number; expected: boolean } | null = null;
  private closing = false;
  onUnexpectedClose: (() => void) | null = null;

  private constructor(
    readonly ws: WebSocket,
    /** From the start of `open`: TCP connected, and the server's 101 answer received, ms. */
    readonly timing: { connect: number; upgrade: number },
  ) {
    ws.on('message', (data) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === 'hello' && PersonSocket.clientPings && typeof frame.heartbeatMs === 'number') {
        PersonSocket.pingAt(Math.min(30_000, Math.max(250, frame.heartbeatMs)));
        this.pingSlot = PersonSocket.slots[Math.floor(Math.random() * PersonSocket.slots.length)]!;
        this.pingSlot.add(this);
      }
      if (this.waiters.length) {
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(frame)) return true;
          w.resolve(frame);
          return false;
        });
      }
    });
    ws.on('close', (code) => {
      this.pingSlot?.delete(this);
      this.closed = { code, expected: this.closing };
      if (!this.closing) this.onUnexpectedClose?.();
    });
  }

  /** Opens `/api/v1/ws` from `localAddress` with the person's cookie; resolves after the server's hello. */
  static open(base: string, cookieName: string, who: Credentials, localAddress: string, timeoutMs = 30_000) {
    const t0 = nowMs();
    const timing = { connect: NaN, upgrade: NaN };
    const watchedConnect = ((options: net.NetConnectOpts) => {
      const tcp = net.connect(options);
      tcp.once('connect', () => (timing.connect = nowMs() - t0));
      return tcp;
    }) as typeof net.createConnection;
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/ws`, {
      headers: { cookie: `${cookieName}=${who.token}` },
      localAddress,
      handshakeTimeout: timeoutMs,
      perMessageDeflate: false,
      // ws's own net.connect, watched: the TCP handshake is the kernel's (the listen backlog
      // completes it before the server process accepts), the 101 answer is the server's.
      createConnection: watchedConnect,
    });
    ws.once('upgrade', () => (timing.upgrade = nowMs() - t0));
    const socket = new PersonSocket(ws, timing);
    return new Promise<PersonSocket>((resolve, reject) => {
      const fail = (error: unknown) => {
        ws.terminate();
        reject(error instanceof StepError ? error : new StepError(`ws ${errorKind(error)}`, String(error)));
      };
      ws.once('error', fail);
      ws.once('unexpected-response', (_req, res) =>
        fail(new StepError(`ws http ${res.statusCode}`, 'upgrade refused')),
      );
      socket
        .next((f) => f.type === 'hello' || f.type === 'error', timeoutMs)
        .then((f) => {
          if (f.type === 'error') return fail(new StepError(`ws ${f.error}`, 'refused after upgrade'));
          ws.removeListener('error', fail);
          ws.on('error', () => undefined);
          resolve(socket);
        }, fail);
    });
  }

  send(message: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  next(match: (f: ServerFrame) => boolean, timeoutMs = 30_000): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new StepError('frame timeout', 'timed out waiting for a frame'));
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (f: ServerFrame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.closing = true;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }
}

export interface PairConfig {
  cookieName: string;
  http: HttpPool;
  helper: Credentials;
  sharer: Credentials;
  helperNode: string;
  sharerNode: string;
  helperAddress: string;
  sharerAddress: string;
}

const stateIs = (id: string, state: string) => (f: ServerFrame) =>
  f.type === 'session' && f.session?.id === id && f.session.state === state;

const refused = (f: ServerFrame) => f.type === 'error';

/**
 * The steps of one set-up, in order, as {@link Pair.setUp} times them: each from the end of the
 * one before (`active` is the wait for both `session` pushes after `respond` answered). Two are
 * parts of `sockets`, not steps of their own: `connect` (TCP connected) and `upgrade` (the
 * server's 101 answer), from the start of `sockets`, for the slower of the two sockets; a
 * queue in the server's listen backlog shows as a fast `connect` and a slow `upgrade`.
 */
export const SETUP_STEPS = [
  'create',
  'redeem',
  'sockets',
  'connect',
  'upgrade',
  'attach',
  'request',
  'respond',
  'active',
  'offer',
  'answer',
] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/** A session between one simulated helper and one simulated sharer. */
export class Pair {
  id = '';
  helperWs: PersonSocket | null = null;
  sharerWs: PersonSocket | null = null;
  live = false;
  private seq = 0;

  constructor(private readonly c: PairConfig) {}

  private async call(as: 'helper' | 'sharer', method: 'GET' | 'POST', path: string, body: unknown, want: number) {
    const node = as === 'helper' ? this.c.helperNode : this.c.sharerNode;
    const who = as === 'helper' ? this.c.helper : this.c.sharer;
    const res = await this.c.http.request(node, this.c.cookieName, who, method, path, body);
    if (res.status !== want) {
      const code = typeof res.body.error === 'string' ? res.body.error : `status ${res.status}`;
      throw new StepError(
        `${path.replace(/[0-9A-Za-z_-]{16,}/, ':id')} ${code}`,
        JSON.stringify(res.body).slice(0, 300),
      );
    }
    return res.body;
  }

  /**
   * create → redeem → both attached → view requested and allowed → both see `active`; then one
   * offer and answer. `steps`, when given, gets each step's duration in ms (see {@link SETUP_STEPS}).
   */
  async setUp(steps?: Record<string, number>): Promise<void> {
    let mark = nowMs();
    const step = (name: SetupStep) => {
      const now = nowMs();
      if (steps) steps[name] = now - mark;
      mark = now;
    };
    const created = await this.call('helper', 'POST', '/api/v1/sessions', {}, 201);
    this.id = (created.session as { id: string }).id;
    const code = created.code as string;
    step('create');
    await this.call('sharer', 'POST', '/api/v1/sessions/redeem', { code, client: 'web' }, 200);
    step('redeem');
    const [h, s] = await Promise.all([
      PersonSocket.open(this.c.helperNode, this.c.cookieName, this.c.helper, this.c.helperAddress),
      PersonSocket.open(this.c.sharerNode, this.c.cookieName, this.c.sharer, this.c.sharerAddress),
    ]);
    this.helperWs = h;
    this.sharerWs = s;
    if (steps) {
      steps.connect = Math.max(h.timing.connect, s.timing.connect);
      steps.upgrade = Math.max(h.timing.upgrade, s.timing.upgrade);
    }
    step('sockets');
    const attached = (ws: PersonSocket) => {
      const done = ws.next((f) => (f.type === 'attached' && f.sessionId === this.id) || refused(f));
      ws.send({ type: 'attach', sessionId: this.id });
      return done.then((f) => {
        if (f.type === 'error') throw new StepError(`attach ${f.error}`, JSON.stringify(f).slice(0, 300));
      });
    };
    await Promise.all([attached(h), attached(s)]);
    step('attach');
    const active = Promise.all([h.next(stateIs(this.id, 'active')), s.next(stateIs(this.id, 'active'))]);
    await this.call('helper', 'POST', `/api/v1/sessions/${this.id}/request`, { mode: 'view' }, 200);
    step('request');
    await this.call('sharer', 'POST', `/api/v1/sessions/${this.id}/respond`, { allow: true }, 200);
    step('respond');
    await active;
    step('active');
    this.live = true;
    // The sharer offers, the helper answers (what SenderPeer and ReceiverPeer do first).
    const offered = h.next((f) => f.type === 'signal' && f.payload?.kind === 'sdp');
    s.send({
      type: 'signal',
      sessionId: this.id,
      payload: { kind: 'sdp', description: { type: 'offer', sdp: FAKE_SDP } },
    });
    await offered;
    step('offer');
    const answered = s.next((f) => f.type === 'signal' && f.payload?.kind === 'sdp');
    h.send({
      type: 'signal',
      sessionId: this.id,
      payload: { kind: 'sdp', description: { type: 'answer', sdp: FAKE_SDP } },
    });
    await answered;
    step('answer');
  }

  /**
   * Sends one ICE candidate from `from` to the other side with the send time in its
   * `usernameFragment` (a free string the protocol relays untouched); resolves with the
   * receiver's now − that time, in ms, or rejects after `timeoutMs`.
   */
  async relayOnce(from: 'helper' | 'sharer', timeoutMs = 10_000): Promise<number> {
    const [src, dst] = from === 'helper' ? [this.helperWs, this.sharerWs] : [this.sharerWs, this.helperWs];
    if (!src || !dst) throw new StepError('not live', 'no sockets');
    const tag = `bench-${++this.seq}-${nowMs().toFixed(3)}`;
    const arrived = dst.next(
      (f) => f.type === 'signal' && f.payload?.kind === 'ice' && f.payload.candidate?.usernameFragment === tag,
      timeoutMs,
    );
    src.send({
      type: 'signal',
      sessionId: this.id,
      payload: {
        kind: 'ice',
        candidate: {
          candidate: `candidate:1 1 udp 2122260223 127.0.0.1 ${9000 + (this.seq % 1000)} typ host`,
          sdpMid: '0',
          sdpMLineIndex: 0,
          usernameFragment: tag,
        },
      },
    });
    const f = await arrived;
    const sent = Number(f.payload?.candidate?.usernameFragment?.split('-')[2]);
    return nowMs() - sent;
  }

  /** One chat line from `from`; resolves with send → the other side's `chat.message`, ms. */
  async chatOnce(from: 'helper' | 'sharer', timeoutMs = 10_000): Promise<number> {
    const [src, dst] = from === 'helper' ? [this.helperWs, this.sharerWs] : [this.sharerWs, this.helperWs];
    if (!src || !dst) throw new StepError('not live', 'no sockets');
    const clientId = `bench_${++this.seq}_${Math.random().toString(36).slice(2, 10)}`;
    const started = nowMs();
    const arrived = dst.next(
      (f) => (f.type === 'chat.message' && f.message?.clientId === clientId) || refused(f),
      timeoutMs,
    );
    src.send({ type: 'chat.send', sessionId: this.id, clientId, text: `Line ${this.seq} from the ${from}.` });
    const f = await arrived;
    if (f.type === 'error') throw new StepError(`chat ${f.error}`, JSON.stringify(f).slice(0, 300));
    return nowMs() - started;
  }

  /** The helper leaves: both sides must be told `ended`; then both sockets close. */
  async end(): Promise<void> {
    const h = this.helperWs;
    const s = this.sharerWs;
    try {
      if (h && s && this.id) {
        const ended = Promise.all([h.next(stateIs(this.id, 'ended')), s.next(stateIs(this.id, 'ended'))]);
        // Awaited below; when the leave itself fails it never is, and its later timeout must not be an
        // unhandled rejection (that ended a client process, and the run, in the end phase once).
        ended.catch(() => undefined);
        await this.call('helper', 'POST', `/api/v1/sessions/${this.id}/leave`, {}, 200);
        await ended;
      }
    } finally {
      this.live = false;
      this.close();
    }
  }

  close(): void {
    this.helperWs?.close();
    this.sharerWs?.close();
  }
}

/** A small but well-formed SDP (the server relays it without reading it). */
const FAKE_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:bench',
  'a=ice-pwd:benchbenchbenchbenchbench',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  '',
].join('\r\n');

/** Percentile (nearest rank) of unsorted numbers; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `task` over `items` with at most `concurrency` at once; stops starting new ones after `deadline`. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  deadline: number,
  task: (item: T) => Promise<void>,
): Promise<{ timedOut: boolean }> {
  let next = 0;
  let timedOut = false;
  const lane = async () => {
    while (next < items.length) {
      if (Date.now() >= deadline) {
        timedOut = true;
        return;
      }
      const item = items[next++]!;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return { timedOut };
}
