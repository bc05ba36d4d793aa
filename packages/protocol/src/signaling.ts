/**
 * @module signaling
 * Messages on the authenticated WebSocket `/api/v1/ws`. One connection per client;
 * it carries session updates to participants and relays WebRTC signaling between
 * the two participants of a session, and nobody else.
 */
import { z } from 'zod';
import { ChatAfterSeq, ChatClientId, ChatMessage, ChatText } from './chat.js';
import { ErrorCode } from './errors.js';
import { Id } from './people.js';
import { Role, SessionView } from './sessions.js';

/** Largest text frame the server accepts, in bytes. Larger frames get `payload_too_large`. */
export const MAX_WS_FRAME_BYTES = 64 * 1024;

/** An SDP offer or answer. */
export const SdpPayload = z.strictObject({
  kind: z.literal('sdp'),
  description: z.strictObject({ type: z.enum(['offer', 'answer']), sdp: z.string().min(1).max(60_000) }),
});
/** One ICE candidate (null candidate = end of candidates). */
export const IcePayload = z.strictObject({
  kind: z.literal('ice'),
  candidate: z
    .strictObject({
      candidate: z.string().max(1024),
      sdpMid: z.string().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
      usernameFragment: z.string().max(256).nullable().optional(),
    })
    .nullable(),
});
/**
 * Ask the other side to restart negotiation: with a fresh connection (e.g. after a
 * reload), or, with `ice: true`, by an ICE restart of the current one (its network path
 * died and the offer that restarts it may have been lost).
 */
export const RestartPayload = z.strictObject({ kind: z.literal('restart'), ice: z.boolean().optional() });
export const SignalPayload = z.discriminatedUnion('kind', [SdpPayload, IcePayload, RestartPayload]);
export type SignalPayload = z.infer<typeof SignalPayload>;

/**
 * The session id of an SDP (`o=<user> <sess-id> …`). A new id means the other side built a
 * fresh peer connection, so the receiving side must start a fresh one too; the same id is
 * the same connection offering again (an ICE restart, or a track added as it runs).
 */
export function sdpSessionId(sdp: string): string | null {
  const match = /^o=\S+ (\S+) /m.exec(sdp);
  return match?.[1] ?? null;
}

/** Client → server. `id` (optional) is echoed in an error frame's `replyTo`. */
export const ClientMessage = z.discriminatedUnion('type', [
  /** Start receiving updates for a session you take part in, and count as present in it. */
  z.strictObject({ type: z.literal('attach'), id: z.string().max(64).optional(), sessionId: Id }),
  /** Stop receiving updates for a session. */
  z.strictObject({ type: z.literal('detach'), id: z.string().max(64).optional(), sessionId: Id }),
  /** Relay a WebRTC signaling payload to the other participant. */
  z.strictObject({
    type: z.literal('signal'),
    id: z.string().max(64).optional(),
    sessionId: Id,
    payload: SignalPayload,
  }),
  /** Application-level keep-alive for clients that cannot see protocol pings. */
  z.strictObject({ type: z.literal('ping'), id: z.string().max(64).optional() }),
  /**
   * The state of this side's media path in an active session (its heartbeat, see
   * `pathHealth`): `down` when it died, `up` when it is back. A path that stays down on a
   * side for the reconnect grace ends the session (`connection_lost`), while both sockets
   * may still be up.
   */
  z.strictObject({
    type: z.literal('path'),
    id: z.string().max(64).optional(),
    sessionId: Id,
    state: z.enum(['up', 'down']),
  }),
  /**
   * Send a chat message (`chat.ts`) in a session you are attached to. Answered by
   * `chat.message` to both sides (the sender's copy is its acknowledgement); the same
   * `clientId` sent again is answered with the stored message, never stored twice. Refused
   * with `rate_limited` (2 a second, bursts of 20) and, once the thread holds
   * `CHAT_THREAD_MAX_MESSAGES` or `CHAT_THREAD_MAX_CHARACTERS`, with `chat_full`.
   */
  z.strictObject({
    type: z.literal('chat.send'),
    id: z.string().max(64).optional(),
    sessionId: Id,
    clientId: ChatClientId,
    text: ChatText,
  }),
  /** What this side has not seen of the thread: the messages after `afterSeq`, as `chat.history`. */
  z.strictObject({
    type: z.literal('chat.resume'),
    id: z.string().max(64).optional(),
    sessionId: Id,
    afterSeq: ChatAfterSeq,
  }),
  /** This side is typing (or stopped): shown to the other side, never stored. */
  z.strictObject({
    type: z.literal('chat.typing'),
    id: z.string().max(64).optional(),
    sessionId: Id,
    typing: z.boolean(),
  }),
  /**
   * The ICE servers for a session you are attached to (answered by `ice.servers`): TURN
   * credentials minted for this session and this participant, valid for `ttlSeconds`. Ask
   * when attached and again before an ICE restart once half of that has passed
   * (`sessionIce`).
   */
  z.strictObject({ type: z.literal('ice.servers'), id: z.string().max(64).optional(), sessionId: Id }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${IPV4_PART}(?:\\.${IPV4_PART}){3}$`);

/**
 * Whether `host` is a DNS host name: letters, digits and inner hyphens, labels of at most 63
 * and at most 253 characters in all, one label (`coturn`) allowed, the last one not all digits
 * (`1.2.3.999` is a broken address, not a name). No trailing dot, no IDN (use its `xn--` form).
 */
export function isHostName(host: string): boolean {
  const labels = host.split('.');
  return host.length <= 253 && labels.every((label) => DNS_LABEL.test(label)) && !/^[0-9]+$/.test(labels.at(-1) ?? '');
}

/** Longest URL of an ICE server accepted (a host name alone may have 253 characters). */
export const ICE_URL_MAX = 300;
/** Most URLs one ICE server entry may list. */
export const MAX_ICE_URLS = 10;

const ICE_URL = /^(stuns?|turns?):(\[[^\]]*\]|[^:?[\]]*)(?::([^?]*))?(?:\?(.*))?$/s;
const ICE_URL_EXAMPLE = 'e.g. stun:stun.example.org:3478 or turns:turn.example.org:443?transport=tcp';

/**
 * Why `url` is not an ICE server URL that every WebRTC client accepts, or null when it is:
 * `stun:` or `stuns:` host[:port] (RFC 7064), `turn:` or `turns:` host[:port] with an optional
 * `?transport=udp` or `?transport=tcp` (RFC 7065); the host a name ({@link isHostName}), an IPv4
 * address or an IPv6 address in brackets, the port 1–65535 in decimal. Browsers refuse anything
 * else when a peer connection is made, so a server handing it out breaks every session silently.
 */
export function iceUrlProblem(url: string): string | null {
  if (url.length > ICE_URL_MAX) return `an ICE server URL has at most ${ICE_URL_MAX} characters`;
  const shown = JSON.stringify(url);
  const m = ICE_URL.exec(url);
  if (!m) return `${shown} does not start with stun:, stuns:, turn: or turns:; ${ICE_URL_EXAMPLE}`;
  const [, scheme = '', host = '', port, query] = m;
  if (host.startsWith('//')) return `${shown}: write ${scheme}:host[:port], without //; ${ICE_URL_EXAMPLE}`;
  const bracketed = /^\[(.*)\]$/s.exec(host)?.[1];
  if (bracketed === undefined ? !(IPV4.test(host) || isHostName(host)) : !isIPv6(bracketed))
    return `${shown}: the host must be a host name, an IPv4 address or an IPv6 address in brackets; ${ICE_URL_EXAMPLE}`;
  if (port !== undefined && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
    return `${shown}: the port must be a number from 1 to 65535`;
  if (query !== undefined && (scheme.startsWith('stun') || !/^transport=(udp|tcp)$/.test(query)))
    return scheme.startsWith('stun')
      ? `${shown}: a ${scheme}: URL takes no query`
      : `${shown}: the only query a ${scheme}: URL takes is ?transport=udp or ?transport=tcp`;
  return null;
}

/** An IPv6 address as the URL host parser reads it (the same in browsers and Node), without a zone. */
function isIPv6(address: string): boolean {
  if (!address.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(address)) return false;
  try {
    new URL(`http://[${address}]/`);
    return true;
  } catch {
    return false;
  }
}

/** One ICE server URL (see {@link iceUrlProblem}). */
export const IceServerUrl = z.string().superRefine((url, ctx) => {
  const problem = iceUrlProblem(url);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * ICE server configuration handed to clients: one URL or a list of them, and for `turn:`/`turns:`
 * the username and credential every WebRTC client requires there (it refuses the entry without).
 */
export const IceServer = z
  .object({
    urls: z.union([IceServerUrl, z.array(IceServerUrl).min(1).max(MAX_ICE_URLS)]),
    username: z.string().max(512).optional(),
    credential: z.string().max(512).optional(),
  })
  .superRefine((server, ctx) => {
    const turn = [server.urls].flat().some((url) => url.startsWith('turn'));
    if (turn && !(server.username && server.credential))
      ctx.addIssue({
        code: 'custom',
        path: [server.username ? 'credential' : 'username'],
        message: 'a turn: or turns: URL needs a username and a credential',
      });
  });
export type IceServer = z.infer<typeof IceServer>;

/** Most ICE servers one answer carries (`ICE_SERVERS` entries plus the TURN entry). */
export const MAX_ICE_SERVERS = 11;

/** Server → client. */
export const ServerMessage = z.discriminatedUnion('type', [
  /** First frame after connecting. */
  z.object({ type: z.literal('hello'), userId: Id, iceServers: z.array(IceServer), heartbeatMs: z.number() }),
  /** Confirms `attach`; followed by the current state. */
  z.object({ type: z.literal('attached'), sessionId: Id }),
  /** The session changed (or the current state after attach). */
  z.object({ type: z.literal('session'), session: SessionView }),
  /** A signaling payload from the other participant. */
  z.object({ type: z.literal('signal'), sessionId: Id, from: Role, payload: SignalPayload }),
  z.object({ type: z.literal('pong'), id: z.string().optional() }),
  /** A chat message of the session (to both sides; to the sender it is the acknowledgement). */
  z.object({ type: z.literal('chat.message'), sessionId: Id, message: ChatMessage }),
  /**
   * Answer to `chat.resume`: the messages after its `afterSeq`, in order (at most a page:
   * `more` says ask again from the last one). `enabled: false`: the organization turned chat
   * off, the thread is not shown and sends are refused (`chat_disabled`).
   */
  z.object({
    type: z.literal('chat.history'),
    sessionId: Id,
    afterSeq: z.number(),
    messages: z.array(ChatMessage),
    more: z.boolean(),
    enabled: z.boolean(),
  }),
  /** The other side is typing (or stopped). */
  z.object({ type: z.literal('chat.typing'), sessionId: Id, from: Role, typing: z.boolean() }),
  /**
   * Answer to `ice.servers`: the ICE servers for this session and participant. A TURN entry's
   * username is `<unix expiry>:<session id>:<user id>` and its credential an HMAC of it
   * (TURN REST API); `ttlSeconds` is how long they stay valid from now, null when nothing in
   * them expires (no TURN configured).
   */
  z.object({
    type: z.literal('ice.servers'),
    sessionId: Id,
    iceServers: z.array(IceServer).max(MAX_ICE_SERVERS),
    ttlSeconds: z.number().int().positive().nullable(),
  }),
  /** Something a client sent was refused; the connection stays open. */
  z.object({
    type: z.literal('error'),
    ok: z.literal(false),
    error: ErrorCode,
    message: z.string(),
    replyTo: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
