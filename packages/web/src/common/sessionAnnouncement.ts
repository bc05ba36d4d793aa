/**
 * @module sessionAnnouncement
 * Which change of a session a screen reader should hear about, from two successive views of it:
 * the sharer joined, the picture started, full control was granted or stopped, the session
 * ended. Pure, so that each transition is tested without a page (`SessionAnnouncer` speaks them).
 */
import type { SessionView } from '@remote-help/protocol';

/** A session change worth announcing. */
export type SessionChange = 'joined' | 'viewing' | 'controlGranted' | 'controlStopped' | 'ended';

/**
 * The change from `previous` to `next`, or null when there is nothing to say (no change, or a
 * change that is not about the session: a different session is a fresh start, not a change).
 */
export function sessionChange(previous: SessionView | null, next: SessionView | null): SessionChange | null {
  if (!next) return null;
  const same = previous?.id === next.id;
  if (next.state === 'ended') return same && previous.state !== 'ended' ? 'ended' : null;
  if (same && previous.state === next.state && previous.mode === next.mode) return null;
  if (next.state === 'joined' && (!same || previous.state === 'waiting')) return 'joined';
  if (next.state !== 'active') return null;
  const before = same && previous.state === 'active' ? previous.mode : null;
  if (next.mode === 'control' && before !== 'control') return 'controlGranted';
  if (next.mode === 'view' && before === 'control') return 'controlStopped';
  if (next.mode === 'view' && before === null) return 'viewing';
  return null;
}
