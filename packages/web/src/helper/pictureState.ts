/**
 * @module pictureState
 * What the helper's picture of the sharer's screen is right now, from the session (is
 * the sharer online, what their device does with the picture) and the WebRTC connection
 * that carries it. Only `live` may be shown as live; every other state marks the picture
 * stale (or, when paused, hides it) and says why.
 *
 * A reloading sharer's page says `choosing` as it goes (`pagehide`), and its socket closes
 * with it: for {@link RELOAD_ALLOWANCE_MS} an offline sharer who said `choosing` reads as
 * choosing (the new page is on its way); after that, as offline (they closed the tab, or
 * the reload is stuck), until they come back.
 */
import type { SessionView } from '@remote-help/protocol';

/** See the module description. */
export type PictureState =
  /** Not connected yet in this session (the first negotiation). */
  | 'connecting'
  /** Connected, the sharer shares, and is online. */
  | 'live'
  /** The connection was up and is not now (ICE restart or a new negotiation under way). */
  | 'reconnecting'
  /** The sharer has no live connection to the server (a reload, a dead network); the server waits for them. */
  | 'offline'
  /** The sharer's page was reloaded (or the browser stopped the share) and they pick what to share again. */
  | 'choosing'
  /** The sharer paused: no pixels leave their device and no input is taken. */
  | 'paused'
  /** The sharer's device cannot capture (the display went away, the screen is locked). */
  | 'unavailable';

/** How long an offline sharer who said `choosing` (their page went away) still reads as reloading. */
export const RELOAD_ALLOWANCE_MS = 2000;

/**
 * See the module description. The most telling reason wins: offline (but see
 * {@link RELOAD_ALLOWANCE_MS}), then the sharer's status, then the connection.
 * `offlineForMs` is how long the sharer has been offline.
 */
export function pictureState(
  session: Pick<SessionView, 'peerOnline' | 'sharerStatus'>,
  connectionState: RTCPeerConnectionState,
  everConnected: boolean,
  offlineForMs = Number.POSITIVE_INFINITY,
): PictureState {
  const status = session.sharerStatus;
  if (!session.peerOnline) return status === 'choosing' && offlineForMs < RELOAD_ALLOWANCE_MS ? 'choosing' : 'offline';
  if (status === 'paused' || status === 'unavailable' || status === 'choosing') return status;
  // `pending`: the sharer allowed but has not reported yet (an older agent may never do): the connection decides.
  if (connectionState === 'connected') return 'live';
  return everConnected ? 'reconnecting' : 'connecting';
}
