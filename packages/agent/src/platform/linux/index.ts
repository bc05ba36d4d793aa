/**
 * @module platform/linux
 * The Linux adapter: X11 capture (`x11` package: DAMAGE, MIT-SHM, RandR/Xinerama)
 * and XTEST input on the same pure-JS X client (`xtestInjector`): pointer, buttons, wheel and keys, text (any
 * character, whatever the layout) through scratch keycodes. A Wayland session's X server
 * (XWayland) is not the desktop: the adapter says so (`shareBlocker`, and capture refuses to open) before anyone
 * allows a share that would show the helper black.
 */
import { AgentError } from '../../errors.js';
import type { DisplayInfo, InputInjector, PlatformAdapter } from '../types.js';
import { openLinuxDesktop } from './desktop.js';
import { isXWayland, listX11Displays } from './displays.js';
import { closeX11, connectX11 } from './x11.js';
import { X11ScreenSource, type X11ScreenSourceOptions } from './x11ScreenSource.js';
import { XTestInjector } from './xtestInjector.js';

export { X11ScreenSource } from './x11ScreenSource.js';

export type LinuxPlatformOptions = X11ScreenSourceOptions;

/** Creates the Linux/X11 platform adapter. */
export function createLinuxPlatform(options: LinuxPlatformOptions = {}): PlatformAdapter {
  const displayName = options.display ?? process.env['DISPLAY'];
  return {
    name: 'linux',
    openScreenSource: () => X11ScreenSource.open({ ...options, display: displayName }),
    openDesktop: () => openLinuxDesktop(displayName),
    // A connection of its own per injector: after the X server went away, the next one
    // injects into the server that took its place.
    createInputInjector: (display: DisplayInfo): Promise<InputInjector> => XTestInjector.open(displayName, display),
    checkPermissions: () => Promise.resolve({ screenCapture: 'granted', inputInjection: 'granted' }),
    async shareBlocker() {
      // No X server at all is not this question: capture reports it (display_unavailable) as before.
      const displays = await listDisplaysOn(displayName).catch(() => null);
      return displays && isXWayland(displays) ? AgentError.waylandSession() : null;
    },
    async countDisplays() {
      // XWayland's outputs are the monitors too: a Wayland desktop has its displays counted, not 0.
      return (await listDisplaysOn(displayName)).length;
    },
    requestPermissions: () => Promise.resolve(),
  };
}

/** The X server's outputs, on a connection of their own that is closed after. */
async function listDisplaysOn(displayName: string | undefined): Promise<DisplayInfo[]> {
  const x = await connectX11(displayName);
  try {
    return await listX11Displays(x);
  } finally {
    await closeX11(x);
  }
}
