/**
 * @module useSender
 * Runs a {@link SenderPeer} while the session is `active`, the screen is captured and
 * the signaling `hello` (with the ICE servers) has arrived.
 */
import { useEffect, useState } from 'react';
import type { SignalingClient } from '../common/SignalingClient';
import { toRtcConfiguration } from '../common/rtc';
import { SenderPeer } from './SenderPeer';

/** Props of {@link useSender}. */
export interface SenderInput {
  signaling: SignalingClient;
  sessionId: string | null;
  active: boolean;
  ready: boolean;
  stream: MediaStream | null;
}

/** See the module description. Returns the connection state. */
export function useSender({ signaling, sessionId, active, ready, stream }: SenderInput): RTCPeerConnectionState {
  const [connectionState, setConnectionState] = useState<RTCPeerConnectionState>('new');

  useEffect(() => {
    if (!sessionId || !active || !ready || !stream) return;
    const peer = new SenderPeer(
      stream,
      (payload) => signaling.sendSignal(sessionId, payload),
      () => toRtcConfiguration(signaling.iceServers),
    );
    const offs = [
      peer.on('state', setConnectionState),
      signaling.on('signal', (message) => {
        if (message.sessionId === sessionId && message.from === 'helper') peer.handle(message.payload);
      }),
    ];
    peer.start();
    return () => {
      for (const off of offs) off();
      peer.close();
      setConnectionState('new');
    };
  }, [signaling, sessionId, active, ready, stream]);

  return connectionState;
}
