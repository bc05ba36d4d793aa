/**
 * @module sessions/sweeper
 * After a restart nobody is present on this node, and a session that was `joined`,
 * `requested` or `active` would otherwise stay so forever. At start, each of its sides
 * gets `graceMs` to reattach (clients reconnect on close code 1001 with back-off); a
 * side that does not come back is gone and the session ends with `connection_lost`,
 * exactly as if its connection had dropped. Sessions whose people return continue.
 *
 * With several nodes the people may be on (or come back to) another node: the grace's end
 * asks the shared presence (`Presence.isPresent` through its directory) before it gives up.
 */
import type { Presence } from './presence.js';
import type { SessionsRepo } from './repo.js';

/** Starts the grace for every live session's people; returns how many sessions are watched. */
export async function sweepAfterRestart(repo: SessionsRepo, presence: Presence, graceMs: number): Promise<number> {
  const live = await repo.liveWithParticipants();
  for (const row of live) {
    presence.expect(row.id, 'helper', graceMs);
    if (row.sharer_id) presence.expect(row.id, 'sharer', graceMs);
  }
  return live.length;
}
