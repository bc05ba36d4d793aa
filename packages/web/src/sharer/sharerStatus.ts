/**
 * @module sharerStatus
 * What the sharer's page tells the helper about the picture (`POST …/sharer-status`),
 * decided from what the page holds: no capture in an active session means the sharer is
 * choosing what to share (after a reload, or after the browser's own "Stop sharing");
 * a capture is `sharing` or, when the sharer paused, `paused`.
 */
import type { SessionState, SharerStatusRequest } from '@remote-help/protocol';

/** A status the sharer's web app posts. */
export type PostedSharerStatus = SharerStatusRequest['status'];

/** The status the page should report, or null when there is nothing to report (not active). */
export function desiredSharerStatus(
  state: SessionState | null,
  capturing: boolean,
  paused: boolean,
): PostedSharerStatus | null {
  if (state !== 'active') return null;
  if (!capturing) return 'choosing';
  return paused ? 'paused' : 'sharing';
}
