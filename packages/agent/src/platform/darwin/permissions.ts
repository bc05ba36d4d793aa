/**
 * @module platform/darwin/permissions
 * Screen Recording and Accessibility (input) permissions through
 * `@nut-tree-fork/node-mac-permissions`. UNTESTED on a real Mac.
 */
import type { PermissionReport } from '../types.js';
import { importNative } from './nativeModules.js';

type AuthStatus = 'not determined' | 'denied' | 'authorized' | 'restricted' | 'limited' | 'provisional';

interface MacPermissions {
  getAuthStatus(type: 'screen' | 'accessibility'): AuthStatus;
  askForScreenCaptureAccess(): unknown;
  askForAccessibilityAccess(): unknown;
}

const MODULE = '@nut-tree-fork/node-mac-permissions';

function toReport(status: AuthStatus): PermissionReport['screenCapture'] {
  if (status === 'authorized') return 'granted';
  if (status === 'not determined') return 'not_determined';
  return 'denied';
}

/** What macOS currently allows this process. */
export async function checkMacPermissions(): Promise<PermissionReport> {
  const permissions = await importNative<MacPermissions>(MODULE);
  return {
    screenCapture: toReport(permissions.getAuthStatus('screen')),
    inputInjection: toReport(permissions.getAuthStatus('accessibility')),
  };
}

/** Opens the system prompts (or System Settings) for whatever is missing. */
export async function requestMacPermissions(): Promise<void> {
  const permissions = await importNative<MacPermissions>(MODULE);
  if (permissions.getAuthStatus('screen') !== 'authorized') permissions.askForScreenCaptureAccess();
  if (permissions.getAuthStatus('accessibility') !== 'authorized') permissions.askForAccessibilityAccess();
}
