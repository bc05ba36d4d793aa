/**
 * @module admin/devices/availability
 * What the device page may offer the viewer. "New remote assistance session", and if not, why:
 * the viewer's role (offer remote assistance and view screen), the device's enrollment, and the
 * scope of the viewer's role assignments. "Revoke enrollment": Manage devices, on a device still
 * enrolled. The server checks all of it again (and whether Remote Help is on for the
 * organization, which only its answer can tell).
 */
import type { DeviceView, Permission } from '@remote-help/protocol';

/** Why a session cannot be started from the device page, or null when it can. */
export type SessionBlock = 'noPermission' | 'revoked' | 'outOfScope' | null;

/** See the module description. */
export function sessionBlock(
  permissions: readonly Permission[],
  device: Pick<DeviceView, 'enrollmentStatus' | 'inScope'>,
): SessionBlock {
  if (!permissions.includes('remoteTasks.offerRemoteAssistance') || !permissions.includes('remoteHelp.viewScreen')) {
    return 'noPermission';
  }
  if (device.enrollmentStatus === 'revoked') return 'revoked';
  if (!device.inScope) return 'outOfScope';
  return null;
}

/** Whether the viewer may revoke the device's enrollment: Manage devices, and it is not revoked already. */
export function mayRevoke(permissions: readonly Permission[], device: Pick<DeviceView, 'enrollmentStatus'>): boolean {
  return permissions.includes('devices.manage') && device.enrollmentStatus === 'enrolled';
}

/** `12345678` → `1234 5678`, as the helper app shows a code. */
export const formatCode = (code: string): string => `${code.slice(0, 4)} ${code.slice(4)}`;
