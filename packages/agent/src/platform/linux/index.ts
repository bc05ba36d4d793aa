/**
 * @module platform/linux
 * The Linux adapter: X11 capture (`x11` package: DAMAGE, MIT-SHM, RandR/Xinerama)
 * and XTEST input through `@nut-tree-fork/libnut-linux`. Wayland sessions work only
 * through XWayland (and then see XWayland windows only).
 */
import { createRequire } from 'node:module';
import { AgentError } from '../../errors.js';
import { LibnutInjector, type LibnutModule } from '../libnutInjector.js';
import type { DisplayInfo, InputInjector, PlatformAdapter } from '../types.js';
import { openLinuxDesktop } from './desktop.js';
import { createKeysymGuard } from './keysymGuard.js';
import { closeX11, connectX11, requireExtension } from './x11.js';
import { X11ScreenSource, type X11ScreenSourceOptions } from './x11ScreenSource.js';

export { X11ScreenSource } from './x11ScreenSource.js';

export type LinuxPlatformOptions = X11ScreenSourceOptions;

interface LibnutLinux extends LibnutModule {
  setXDisplayName(name: string): void;
}

const require = createRequire(import.meta.url);
let libnutDisplay: string | undefined;

/**
 * Loads libnut-linux bound to `display`. libnut keeps one X connection per process,
 * opened on first use, so every injector of a process must use the same display.
 */
function loadLibnut(display: string): LibnutLinux {
  let nut: LibnutLinux;
  try {
    // The `@nut-tree-fork/libnut` wrapper does not load on Linux; the binding does.
    nut = require('@nut-tree-fork/libnut-linux') as LibnutLinux;
  } catch (error) {
    throw AgentError.nativeModuleMissing('@nut-tree-fork/libnut-linux', error);
  }
  if (libnutDisplay !== undefined && libnutDisplay !== display) {
    throw new AgentError('input_unavailable', `Input is already bound to X display ${libnutDisplay}`, { display });
  }
  if (libnutDisplay === undefined) {
    nut.setXDisplayName(display);
    libnutDisplay = display;
  }
  return nut;
}

/** Creates the Linux/X11 platform adapter. */
export function createLinuxPlatform(options: LinuxPlatformOptions = {}): PlatformAdapter {
  const displayName = options.display ?? process.env['DISPLAY'];
  return {
    name: 'linux',
    openScreenSource: () => X11ScreenSource.open({ ...options, display: displayName }),
    openDesktop: () => openLinuxDesktop(displayName),
    async createInputInjector(display: DisplayInfo): Promise<InputInjector> {
      // Connect first: libnut segfaults when it cannot open the display.
      const x = await connectX11(displayName);
      try {
        if (!(await requireExtension(x.client, 'xtest'))) {
          throw new AgentError('input_unavailable', 'The X server has no XTEST extension');
        }
        const guard = await createKeysymGuard(x);
        const nut = loadLibnut(displayName ?? '');
        return new LibnutInjector(nut, display, {
          keyGuard: (name) => guard.allows(name),
          onClose: async () => {
            guard.dispose();
            await closeX11(x);
          },
        });
      } catch (error) {
        await closeX11(x);
        throw error;
      }
    },
    checkPermissions: () => Promise.resolve({ screenCapture: 'granted', inputInjection: 'granted' }),
    requestPermissions: () => Promise.resolve(),
  };
}
