/**
 * @module controlNotice
 * What changed about full control between two pushes of the same active session, as
 * the helper must be told: the sharer declined a request made during the session, or
 * took control back. Pure, so every transition is tested.
 */
import type { SessionView } from '@remote-help/protocol';

/** A notice to show, `clear` to hide the current one, or `keep` to leave it as it is. */
export type ControlNotice = 'declined' | 'tookBack' | 'clear' | 'keep';

/** The notice for the change from `previous` to `next` (null `previous`: first view, e.g. after a reload). */
export function controlNotice(previous: SessionView | null, next: SessionView): ControlNotice {
  if (next.state !== 'active' || !previous || previous.id !== next.id) return 'clear';
  if (previous.state !== 'active') return 'clear';
  if (previous.mode === 'control' && next.mode === 'view') return 'tookBack';
  if (previous.pendingMode === 'control' && next.pendingMode === null) {
    return next.mode === 'view' ? 'declined' : 'clear';
  }
  if (previous.pendingMode === null && next.pendingMode !== null) return 'clear'; // a new request
  return 'keep';
}
