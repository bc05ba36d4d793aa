/**
 * @module platform/linux
 * The Linux adapter: X11 capture (`x11` package: DAMAGE, MIT-SHM, RandR/Xinerama)
 * and XTEST input: keys and pointer through `@nut-tree-fork/libnut-linux`, text (any
 * character, whatever the layout) through scratch keycodes on the `x11` connection. A Wayland session's X server
 * (XWayland) is not the desktop: the adapter says so (`shareBlocker`, and capture refuses to open) before anyone
 * allows a share that would show the helper black.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { AgentError } from '../../errors.js';
import { LibnutInjector, type LibnutModule } from '../libnutInjector.js';
import type { DisplayInfo, InputInjector, PlatformAdapter } from '../types.js';
import { openLinuxDesktop } from './desktop.js';
import { isXWayland, listX11Displays } from './displays.js';
import { createKeysymGuard } from './keysymGuard.js';
import { ScratchKeyTyper } from './scratchKeyTyper.js';
import { closeX11, connectX11, getRootMark, requireExtension, setRootMark, xcall, type XDisplay } from './x11.js';
import { X11ScreenSource, type X11ScreenSourceOptions } from './x11ScreenSource.js';

export { X11ScreenSource } from './x11ScreenSource.js';

export type LinuxPlatformOptions = X11ScreenSourceOptions;

interface LibnutLinux extends LibnutModule {
  setXDisplayName(name: string): void;
}

const require = createRequire(import.meta.url);
let libnutDisplay: string | undefined;
/**
 * libnut's X connection (Xlib, opened once per process) died with its X server: any
 * later call would end the process (Xlib's I/O error handler exits), so input stays
 * unavailable until the agent is restarted. The X server libnut is bound to carries a
 * root-window property with this process's token; a server without it is a new one.
 */
let libnutDisplayLost = false;
const LIBNUT_MARK = '_REMOTE_HELP_AGENT_INPUT';
const libnutToken = `${process.pid}-${randomBytes(8).toString('hex')}`;
let libnutMarked = false;

/** Throws `input_unavailable` when the X server libnut connected to is gone (even if another took its place). */
async function checkLibnutServer(x: XDisplay): Promise<void> {
  if (libnutMarked && (await getRootMark(x, LIBNUT_MARK)) !== libnutToken) libnutDisplayLost = true;
  if (libnutDisplayLost) {
    throw new AgentError('input_unavailable', 'The X server went away; restart Remote Help to use full control again');
  }
  if (!libnutMarked) {
    await setRootMark(x, LIBNUT_MARK, libnutToken);
    libnutMarked = true;
  }
}

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
        const xtest = await requireExtension(x.client, 'xtest');
        if (!xtest) throw new AgentError('input_unavailable', 'The X server has no XTEST extension');
        const rows = await xcall<number[][]>((cb) =>
          x.client.GetKeyboardMapping(x.min_keycode, x.max_keycode - x.min_keycode + 1, cb),
        );
        // Text goes through this X connection (any character); keys through libnut.
        const typer = ScratchKeyTyper.create(x, xtest, rows);
        const guard = await createKeysymGuard(x, typer.keycodes);
        await checkLibnutServer(x);
        const nut = loadLibnut(displayName ?? '');
        let closing = false;
        // This connection ends with the X server, and libnut's (same server) with it.
        x.client.on('end', () => {
          if (!closing) libnutDisplayLost = true;
        });
        return new LibnutInjector(nut, display, {
          keyGuard: (name) => guard.allows(name),
          typeText: (text) => typer.type(text),
          onClose: async () => {
            closing = true;
            guard.dispose();
            await typer.close();
            await closeX11(x);
          },
        });
      } catch (error) {
        await closeX11(x);
        throw error;
      }
    },
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
