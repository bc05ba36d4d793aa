/**
 * @module turn/sessionIce
 * The ICE servers one participant gets for one session (the `ice.servers` answer): the
 * static `ICE_SERVERS` entries, then the TURN URLs with a credential minted for this
 * session and this person, `<unix expiry>:<session id>:<user id>`. coturn reads the expiry
 * before the first `:`, and logs the whole username with each allocation, so relayed traffic
 * can be traced to one session and one participant. The connection's `hello` still carries
 * a per-user credential, for clients that do not ask per session.
 */
import type { IceServer } from '@remote-help/protocol';
import { iceServersFor, type TurnSettings } from './credentials.js';

/** What an `ice.servers` answer carries besides its session id. */
export interface SessionIceServers {
  iceServers: IceServer[];
  /** How long the TURN credential stays valid from now; null without TURN. */
  ttlSeconds: number | null;
}

/** Mints the session's ICE servers for `userId` (both ids already authorized by the caller). */
export function sessionIceServers(
  staticServers: readonly IceServer[],
  turn: TurnSettings | null,
  sessionId: string,
  userId: string,
  nowMs: number,
): SessionIceServers {
  return {
    iceServers: iceServersFor(staticServers, turn, [sessionId, userId], nowMs),
    ttlSeconds: turn ? turn.ttlSeconds : null,
  };
}
