/**
 * @module liveSession
 * The session this tab is in, published by the helper and sharer apps for the parts of the page
 * outside them (the top bar asks before *Sign out* ends it). One tab shows one session, so this
 * is a small module-level store read with `useSyncExternalStore`.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { Role, SessionState, SessionView } from '@remote-help/protocol';

/** What the rest of the page knows about the session of this tab. */
export interface LiveSession {
  id: string;
  state: SessionState;
  role: Role;
  /** The other participant's name, when they have joined. */
  peerName: string | null;
}

let current: LiveSession | null = null;
const listeners = new Set<() => void>();

/** Replaces the published session (null: none). */
export function setLiveSession(next: LiveSession | null): void {
  current = next;
  for (const listener of listeners) listener();
}

/** The published session, or null. */
export function getLiveSession(): LiveSession | null {
  return current;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The published session; re-renders when it changes. */
export function useLiveSession(): LiveSession | null {
  return useSyncExternalStore(subscribe, getLiveSession, () => null);
}

/** Publishes `session` while it has not ended (and nothing once the app unmounts). */
export function usePublishSession(session: SessionView | null): void {
  const open = session !== null && session.state !== 'ended';
  const id = open ? session.id : null;
  const state = open ? session.state : null;
  const role = open ? session.role : null;
  const peer = session?.role === 'helper' ? session.sharer : session?.helper;
  const peerName = open ? (peer?.displayName ?? null) : null;
  useEffect(() => {
    if (!id || !state || !role) return;
    setLiveSession({ id, state, role, peerName });
    return () => setLiveSession(null);
  }, [id, state, role, peerName]);
}

/**
 * Whether signing out must be confirmed: someone is on the other side (joined, asked, or
 * sharing), so leaving ends the help session for both. A code nobody has entered yet is simply
 * withdrawn.
 */
export function signOutEndsHelp(session: LiveSession | null): boolean {
  return (
    session !== null && (session.state === 'joined' || session.state === 'requested' || session.state === 'active')
  );
}
