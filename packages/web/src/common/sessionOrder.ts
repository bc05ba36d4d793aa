/**
 * @module sessionOrder
 * Sessions only move forward (waiting → joined → requested → active → ended). A REST
 * reply can arrive after a newer state was pushed over the socket; it must not win.
 */
import type { SessionState, SessionView } from '@remote-help/protocol';

const RANK: Record<SessionState, number> = { waiting: 0, joined: 1, requested: 2, active: 3, ended: 4 };

/** Keeps the newer of two views of the same session; a different session always wins. */
export function newerSession(current: SessionView | null, incoming: SessionView): SessionView {
  if (!current || current.id !== incoming.id) return incoming;
  return RANK[incoming.state] >= RANK[current.state] ? incoming : current;
}
