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
   * `clientId` sent again is answered with the stored message, never stored twice.
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

/** ICE server configuration handed to clients. */
export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
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
