/**
 * @module platform/darwin/permissions
 * Screen Recording and Accessibility (input) permissions through
 * `@nut-tree-fork/node-mac-permissions`. UNTESTED on a real Mac.
 */
import { AgentError } from '../../errors.js';
import type { PermissionReport } from '../types.js';
import { importNative } from './nativeModules.js';

type AuthStatus = 'not determined' | 'denied' | 'authorized' | 'restricted' | 'limited' | 'provisional';

/** What the agent uses of `@nut-tree-fork/node-mac-permissions`. */
export interface MacPermissions {
  getAuthStatus(type: 'screen' | 'accessibility'): AuthStatus;
  askForScreenCaptureAccess(): unknown;
  askForAccessibilityAccess(): unknown;
}

export const MAC_PERMISSIONS_MODULE = '@nut-tree-fork/node-mac-permissions';

function toReport(status: AuthStatus): PermissionReport['screenCapture'] {
  if (status === 'authorized') return 'granted';
  if (status === 'not determined') return 'not_determined';
  return 'denied';
}

/** What macOS currently allows this process. */
export async function checkMacPermissions(): Promise<PermissionReport> {
  const permissions = await importNative<MacPermissions>(MAC_PERMISSIONS_MODULE);
  return {
    screenCapture: toReport(permissions.getAuthStatus('screen')),
    inputInjection: toReport(permissions.getAuthStatus('accessibility')),
  };
}

/** Opens the system prompts (or System Settings) for whatever is missing. */
export async function requestMacPermissions(): Promise<void> {
  const permissions = await importNative<MacPermissions>(MAC_PERMISSIONS_MODULE);
  if (permissions.getAuthStatus('screen') !== 'authorized') permissions.askForScreenCaptureAccess();
  if (permissions.getAuthStatus('accessibility') !== 'authorized') permissions.askForAccessibilityAccess();
}

/**
 * Why this Mac's screen cannot be shared now: Screen Recording is not allowed to the agent, or null.
 * Asked before a code is redeemed or a launch accepted (`PlatformAdapter.shareBlocker`), so that the
 * helper's session is not joined for a picture macOS would leave empty (the wallpaper and the menu bar
 * only, without the windows). When the person was never asked, macOS's own prompt is opened (once:
 * macOS does not show it again after an answer); after a refusal, only System Settings can change it.
 */
export function screenShareBlocker(permissions: MacPermissions): AgentError | null {
  const status = permissions.getAuthStatus('screen');
  if (status === 'authorized') return null;
  if (status === 'not determined') permissions.askForScreenCaptureAccess();
  return new AgentError(
    'permission_denied',
    'Screen Recording permission is required (System Settings → Privacy & Security → Screen Recording)',
    { permission: 'screen' },
  );
}
