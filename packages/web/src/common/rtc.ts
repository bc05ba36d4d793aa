/**
 * @module rtc
 * Small WebRTC helpers shared by the helper (answerer) and the sharer (offerer).
 */
import type { IceServer, SignalPayload } from '@remote-help/protocol';

/** The protocol's ICE servers as `RTCPeerConnection` configuration. */
export function toRtcConfiguration(iceServers: readonly IceServer[] | null): RTCConfiguration {
  return {
    iceServers: (iceServers ?? []).map((server) => {
      const entry: RTCIceServer = { urls: server.urls };
      if (server.username !== undefined) entry.username = server.username;
      if (server.credential !== undefined) entry.credential = server.credential;
      return entry;
    }),
  };
}

/**
 * Gives a live connection new ICE servers (fresh TURN credentials): used from its next
 * gathering on, that is by an ICE restart; the running path is untouched. A connection
 * that is closed, or refuses the change, keeps what it has.
 */
export function reconfigureIce(pc: RTCPeerConnection | null, configuration: RTCConfiguration): void {
  if (!pc || pc.signalingState === 'closed') return;
  try {
    pc.setConfiguration({ ...pc.getConfiguration(), iceServers: configuration.iceServers ?? [] });
  } catch {
    // InvalidModificationError or InvalidStateError: the next connection gets them instead.
  }
}

/** Biggest candidate string the protocol accepts. */
const MAX_CANDIDATE_LENGTH = 1024;

/** The `ice` payload for a local candidate (null = end of candidates), or null when it cannot be sent. */
export function icePayload(candidate: RTCIceCandidate | null): SignalPayload | null {
  if (!candidate) return { kind: 'ice', candidate: null };
  if (candidate.candidate.length > MAX_CANDIDATE_LENGTH) return null;
  return {
    kind: 'ice',
    candidate: {
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex,
      usernameFragment: candidate.usernameFragment,
    },
  };
}

/** A received `ice` payload's candidate, ready for `addIceCandidate` (null = end of candidates). */
export type RemoteCandidate = Extract<SignalPayload, { kind: 'ice' }>['candidate'];

/** Adds a remote candidate; a candidate the connection rejects is dropped (it belonged to an older negotiation). */
export async function addRemoteCandidate(pc: RTCPeerConnection, candidate: RemoteCandidate): Promise<void> {
  try {
    if (candidate) await pc.addIceCandidate(candidate);
    else await pc.addIceCandidate();
  } catch {
    // Stale or malformed candidates are harmless to drop.
  }
}

/** The first ICE username fragment of an SDP (`a=ice-ufrag:`): a new one on the same session is an ICE restart. */
export function iceUfrag(sdp: string): string | null {
  const match = /^a=ice-ufrag:(\S+)/m.exec(sdp);
  return match?.[1] ?? null;
}

/** Why the relay (TURN) could not serve a connection: it refused the credentials, or never answered. */
export type RelayProblem = 'refused' | 'unreachable';

/**
 * What an `icecandidateerror` says about the relay, or null when it is not about a TURN
 * server (a STUN server, a local socket) or not an error the helper can act on. TURN's
 * 401, 403, 437 and 441 refuse the credentials (a server whose `TURN_SECRET` is not the
 * relay's, an expired credential); 701 is the browser's "no answer" (a wrong `TURN_URLS`,
 * a blocked port).
 */
export function relayProblem(event: { url?: string | null; errorCode?: number }): RelayProblem | null {
  if (!/^turns?:/i.test(event.url ?? '')) return null;
  if ([401, 403, 437, 441].includes(event.errorCode ?? 0)) return 'refused';
  if (event.errorCode === 701) return 'unreachable';
  return null;
}
