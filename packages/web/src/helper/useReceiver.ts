/**
 * @module useReceiver
 * Wires a {@link ReceiverPeer} to the signaling client for the helper's current session.
 * Listens for the sharer's signals for as long as the session exists: the native agent
 * connects while the sharer reads the request (ADR 0023), so the connection may be up
 * before `active`. Nothing of it is shown before then (`RemoteView` exists only while
 * active); a request that goes away unanswered resets the peer. Asks the sharer to renegotiate when the helper
 * (re)attaches to an active session without a connection (e.g. after a reload), and
 * closes the connection when the session ends. Exposes the data channels the sharer
 * opened (the native agent's `input`, `control` and `tiles`). Connections use the session's
 * ICE servers (`sessionIce`), kept fresh for the ICE restarts the sharer starts.
 */
import { useEffect, useRef, useState } from 'react';
import type { SessionState, SessionView } from '@remote-help/protocol';
import type { SignalingClient } from '../common/SignalingClient';
import { toRtcConfiguration } from '../common/rtc';
import type { RelayProblem } from '../common/rtc';
import { SignalingSessionIce } from '../common/sessionIce';
import { ReceiverPeer } from './ReceiverPeer';

/** The remote screen and the state of the connection that carries it. */
export interface ReceiverState {
  stream: MediaStream | null;
  /** The connection's state; `disconnected` while its network path is dead (see `ReceiverPeer`). */
  connectionState: RTCPeerConnectionState;
  /** True while a connection that was up has lost its path and is being restored (ICE restart). */
  reconnecting: boolean;
  /** True once the connection has been `connected` at least once in this session. */
  everConnected: boolean;
  /** The data channels the sharer opened on the current connection (the agent's `input`, `control`, `tiles`). */
  channels: ReadonlyMap<string, RTCDataChannel>;
  /**
   * The current channels opened before the session was active (set up while the sharer
   * read the request): what came on them before the view listened may be lost, so the
   * view asks for the whole picture once it listens (`useTileCanvas`).
   */
  openedBeforeActive: boolean;
  /** The relay (TURN) refused or did not answer this connection's gathering (see `ReceiverPeer`). */
  relay: RelayProblem | null;
  /** The connection check to compare with the sharer's (`connectionCheck`), once negotiated. */
  check: string | null;
}

const NO_CHANNELS: ReadonlyMap<string, RTCDataChannel> = new Map();

/** See the module description. */
export function useReceiver(signaling: SignalingClient, session: SessionView | null): ReceiverState {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [connectionState, setConnectionState] = useState<RTCPeerConnectionState>('new');
  const [everConnected, setEverConnected] = useState(false);
  const [channels, setChannels] = useState(NO_CHANNELS);
  const [openedBeforeActive, setOpenedBeforeActive] = useState(false);
  const [relay, setRelay] = useState<RelayProblem | null>(null);
  const [check, setCheck] = useState<string | null>(null);
  const sessionState = useRef<SessionState | null>(null);
  const peerRef = useRef<ReceiverPeer | null>(null);
  const sessionId = session?.id ?? null;
  const state = session?.state ?? null;
  const agentSharer = useRef(false);
  agentSharer.current = session?.sharerClient === 'agent';

  useEffect(() => {
    const previous = sessionState.current;
    sessionState.current = state;
    // Ended, or a request that went away unanswered: a later request starts on a clean peer.
    if (state === 'ended' || (previous === 'requested' && state !== 'active')) {
      peerRef.current?.reset();
      setEverConnected(false);
    }
  }, [state]);

  useEffect(() => {
    if (!sessionId) return;
    // Asked for now; the connection is made when the sharer's offer comes, well after the answer.
    const ice = new SignalingSessionIce(signaling, sessionId);
    const peer = new ReceiverPeer(
      (payload) => signaling.sendSignal(sessionId, payload),
      () => toRtcConfiguration(ice.servers),
    );
    peerRef.current = peer;
    const offs = [
      peer.on('stream', setStream),
      peer.on('channels', (next) => {
        setChannels(next);
        setOpenedBeforeActive(next.size > 0 && sessionState.current !== 'active');
      }),
      peer.on('relay', setRelay),
      peer.on('check', setCheck),
      peer.on('state', (next) => {
        setConnectionState(next);
        if (next === 'connected') setEverConnected(true);
      }),
      signaling.on('signal', (message) => {
        if (message.sessionId !== sessionId || message.from !== 'sharer') return;
        if (sessionState.current === 'ended') return;
        peer.handle(message.payload);
      }),
      signaling.on('attached', ({ sessionId: attached }) => {
        // The agent connects while the sharer reads the request too: a reloaded page asks it for a new offer then.
        const connects =
          sessionState.current === 'active' || (sessionState.current === 'requested' && agentSharer.current);
        if (attached !== sessionId || !connects) return;
        if (!peer.hasConnection) signaling.sendSignal(sessionId, { kind: 'restart' });
        else peer.signalingRestored();
      }),
      // A dead path may mean a network change, which kills the signaling socket too.
      peer.on('path', (path) => {
        if (path === 'unknown') return;
        // The server ends a session whose path stays down for the reconnect grace.
        signaling.send({ type: 'path', sessionId, state: path });
        if (path === 'down') signaling.refresh();
        // The sharer's ICE restart makes new TURN allocations here too: renew credentials past half their life.
        if (path === 'down' && ice.stale) ice.ask();
      }),
      ice.onChange(() => peer.reconfigure()),
    ];
    return () => {
      for (const off of offs) off();
      ice.close();
      peer.close();
      peerRef.current = null;
      setStream(null);
      setConnectionState('new');
      setEverConnected(false);
      setChannels(NO_CHANNELS);
      setOpenedBeforeActive(false);
      setRelay(null);
      setCheck(null);
    };
  }, [sessionId, signaling]);

  const reconnecting = everConnected && (connectionState === 'disconnected' || connectionState === 'failed');
  return { stream, connectionState, reconnecting, everConnected, channels, openedBeforeActive, relay, check };
}
