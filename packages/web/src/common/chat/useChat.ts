/**
 * @module useChat
 * React glue for {@link ChatStore}: one store per session id on this signaling client, and
 * its current snapshot.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Role } from '@remote-help/protocol';
import type { SignalingClient } from '../SignalingClient';
import { ChatStore } from './chatStore';
import type { ChatSnapshot } from './chatStore';

const EMPTY: ChatSnapshot = {
  enabled: true,
  loaded: false,
  messages: [],
  outgoing: [],
  unread: 0,
  peerTyping: false,
  lastIncoming: null,
};

/** The chat of `sessionId` (null: no session, no store). */
export function useChat(
  client: SignalingClient,
  sessionId: string | null,
  role: Role,
): { store: ChatStore | null; chat: ChatSnapshot } {
  const [store, setStore] = useState<ChatStore | null>(null);
  useEffect(() => {
    if (!sessionId) return;
    const created = new ChatStore(client, sessionId, role);
    setStore(created);
    return () => {
      created.dispose();
      setStore(null);
    };
  }, [client, sessionId, role]);
  const chat = useSyncExternalStore(
    (notify) => (store ? store.on('change', notify) : () => undefined),
    () => store?.current ?? EMPTY,
  );
  return { store, chat };
}
