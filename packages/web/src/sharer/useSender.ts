/**
 * @module useSender
 * Runs a {@link SenderPeer} while the session is `active`, the screen is captured and
 * the signaling `hello` has arrived, with the session's ICE servers (`sessionIce`: asked
 * for once, waited for at most 2 s, kept fresh for ICE restarts). Pause and resume apply to the
 * running peer and to any peer started later (a paused share stays paused across a
 * renegotiation).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SignalingClient } from '../common/SignalingClient';
import { toRtcConfiguration } from '../common/rtc';
import { useSessionIce } from '../common/sessionIce';
import { SenderPeer } from './SenderPeer';

/** Props of {@link useSender}. */
export interface SenderInput {
  signaling: SignalingClient;
  sessionId: string | null;
  active: boolean;
  ready: boolean;
  stream: MediaStream | null;
}

/** The sender's connection state and its pause control. */
export interface Sender {
  connectionState: RTCPeerConnectionState;
  /** The connection check to compare with the helper's (`connectionCheck`), once negotiated. */
  check: string | null;
  /** Stops sending pixels; resolves once no video leaves the device. */
  pause: () => Promise<void>;
  /** Sends the captured screen again on the same connection. */
  resume: () => Promise<void>;
}

/** See the module description. */
export function useSender({ signaling, sessionId, active, ready, stream }: SenderInput): Sender {
  const [connectionState, setConnectionState] = useState<RTCPeerConnectionState>('new');
  const [check, setCheck] = useState<string | null>(null);
  const peerRef = useRef<SenderPeer | null>(null);
  const pausedRef = useRef(false);
  const ice = useSessionIce(signaling, sessionId);

  useEffect(() => {
    // A new capture starts unpaused.
    pausedRef.current = false;
  }, [stream]);

  useEffect(() => {
    if (!sessionId || !active || !ready || !stream || !ice) return;
    const peer = new SenderPeer(
      stream,
      (payload) => signaling.sendSignal(sessionId, payload),
      () => toRtcConfiguration(ice.servers),
    );
    peerRef.current = peer;
    const offs = [
      peer.on('state', setConnectionState),
      peer.on('check', setCheck),
      signaling.on('signal', (message) => {
        if (message.sessionId === sessionId && message.from === 'helper') peer.handle(message.payload);
      }),
      // Network change: the path died, and the signaling socket probably with it (see SenderPeer).
      peer.on('path', (path) => {
        if (path === 'unknown') return;
        // The server ends a session whose path stays down for the reconnect grace.
        signaling.send({ type: 'path', sessionId, state: path });
        if (path === 'down') signaling.refresh();
        // The next ICE restart makes new TURN allocations: renew credentials past half their life.
        if (path === 'down' && ice.stale) ice.ask();
      }),
      signaling.on('attached', (attached) => attached.sessionId === sessionId && peer.signalingRestored()),
      ice.onChange(() => peer.reconfigure()),
    ];
    if (pausedRef.current) void peer.pause();
    let stopped = false;
    void ice.fresh().then(() => {
      if (!stopped) peer.start();
    });
    return () => {
      stopped = true;
      for (const off of offs) off();
      peer.close();
      if (peerRef.current === peer) peerRef.current = null;
      setConnectionState('new');
      setCheck(null);
    };
  }, [signaling, sessionId, active, ready, stream, ice]);

  const pause = useCallback(async () => {
    pausedRef.current = true;
    await peerRef.current?.pause();
  }, []);

  const resume = useCallback(async () => {
    pausedRef.current = false;
    await peerRef.current?.resume();
  }, []);

  return { connectionState, check, pause, resume };
}
