/**
 * @module devices/launchEvents
 * What the device is told when a remote-launch offer closes before its user accepted it.
 */
import type { DeviceServerMessage, EndReason, LaunchCancelReason } from '@remote-help/protocol';

const REASONS: Partial<Record<EndReason, LaunchCancelReason>> = {
  helper_left: 'cancelled',
  code_expired: 'expired',
  declined: 'dismissed',
  connection_lost: 'connection_lost',
};

/** The `launch_cancelled` push for session `sessionId` that ended with `endReason`. */
export const launchCancelled = (sessionId: string, endReason: EndReason | null): DeviceServerMessage => ({
  type: 'launch_cancelled',
  sessionId,
  reason: (endReason && REASONS[endReason]) ?? 'ended',
});
