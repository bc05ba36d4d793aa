import { describe, expect, it } from 'vitest';
import { AgentError } from '../../errors.js';
import type { MacPermissions } from './permissions.js';
import { screenShareBlocker } from './permissions.js';

/** macOS's answers, as node-mac-permissions reports them (the module itself runs on a Mac only). */
function mac(screen: ReturnType<MacPermissions['getAuthStatus']>) {
  const asked: string[] = [];
  const permissions: MacPermissions = {
    getAuthStatus: (type) => (type === 'screen' ? screen : 'authorized'),
    askForScreenCaptureAccess: () => asked.push('screen'),
    askForAccessibilityAccess: () => asked.push('accessibility'),
  };
  return { permissions, asked };
}

describe('sharing a Mac screen without Screen Recording', () => {
  it('lets a share start when macOS allows recording the screen, and asks nothing', () => {
    const { permissions, asked } = mac('authorized');
    expect(screenShareBlocker(permissions)).toBeNull();
    expect(asked).toEqual([]);
  });

  it('refuses before the code is used, and opens macOS’s prompt when the person was never asked', () => {
    const { permissions, asked } = mac('not determined');
    const blocker = screenShareBlocker(permissions);
    expect(blocker).toBeInstanceOf(AgentError);
    expect(blocker).toMatchObject({ reason: 'permission_denied', data: { permission: 'screen' } });
    expect(asked).toEqual(['screen']);
  });

  it('refuses after a refusal or a restriction without prompting again (only System Settings can change it)', () => {
    for (const status of ['denied', 'restricted'] as const) {
      const { permissions, asked } = mac(status);
      expect(screenShareBlocker(permissions)).toMatchObject({ reason: 'permission_denied' });
      expect(asked).toEqual([]);
    }
  });
});
