/**
 * @module useSignaling
 * React glue for {@link SignalingClient}: one client per mounted app, its status,
 * whether `hello` arrived, and the latest error frame.
 */
import { useCallback, useEffect, useState } from 'react';
import { SignalingClient } from './SignalingClient';
import type { ErrorFrame, SignalingStatus } from './SignalingClient';

/** What an app needs to know about its signaling connection. */
export interface SignalingState {
  client: SignalingClient;
  status: SignalingStatus;
  /** True once a `hello` (and so the ICE servers) has arrived. */
  ready: boolean;
  /** The latest error frame, until dismissed. */
  lastError: ErrorFrame | null;
  dismissError: () => void;
}

/** Creates a signaling client for the lifetime of the calling component and connects it. */
export function useSignaling(): SignalingState {
  const [client] = useState(() => new SignalingClient());
  const [status, setStatus] = useState<SignalingStatus>(client.status);
  const [ready, setReady] = useState(client.iceServers !== null);
  const [lastError, setLastError] = useState<ErrorFrame | null>(null);

  useEffect(() => {
    const offs = [
      client.on('status', setStatus),
      client.on('hello', () => setReady(true)),
      // A refused chat message (it names its `clientId`) is shown on that message in the chat panel, not here.
      client.on('error', (frame) => {
        if (typeof frame.data?.['clientId'] !== 'string') setLastError(frame);
      }),
    ];
    client.connect();
    return () => {
      for (const off of offs) off();
      client.close();
    };
  }, [client]);

  const dismissError = useCallback(() => setLastError(null), []);
  return { client, status, ready, lastError, dismissError };
}
