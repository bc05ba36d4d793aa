/**
 * @module sessionOrder
 * Sessions only move forward (waiting → joined → requested → active → ended). A REST
 * reply can arrive after a newer state was pushed over the socket; it must not win.
 * The server's `version` grows with every change (mode changes inside `active` too);
 * equal versions differ only in presence, where the later view is right.
 */
import type { SessionState, SessionView } from '@remote-help/protocol';

const RANK: Record<SessionState, number> = { waiting: 0, joined: 1, requested: 2, active: 3, ended: 4 };

/** Keeps the newer of two views of the same session; a different session always wins. */
export function newerSession(current: SessionView | null, incoming: SessionView): SessionView {
  if (!current || current.id !== incoming.id) return incoming;
  if (incoming.version !== current.version) return incoming.version > current.version ? incoming : current;
  return RANK[incoming.state] >= RANK[current.state] ? incoming : current;
}
