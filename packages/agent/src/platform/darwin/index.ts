/**
 * @module platform/darwin
 * The macOS adapter: capture through `node-screenshots`, input through
 * `@nut-tree-fork/libnut-darwin` (text through CoreGraphics' unicode-string API via
 * `koffi`, see `unicodeTyper`), permissions through `@nut-tree-fork/node-mac-permissions`.
 * All of them are loaded at runtime and are not dependencies of the package yet.
 *
 * UNTESTED: this adapter has never run on a Mac. It compiles against the same
 * interfaces as the Linux adapter, which is tested under Xvfb.
 */
import { AgentError } from '../../errors.js';
import { LibnutInjector, type LibnutModule } from '../libnutInjector.js';
import type { DisplayInfo, InputInjector, PlatformAdapter } from '../types.js';
import { DarwinScreenSource } from './darwinScreenSource.js';
import { importNative } from './nativeModules.js';
import { loadUnicodeTyper } from './unicodeTyper.js';
import {
  checkMacPermissions,
  MAC_PERMISSIONS_MODULE,
  requestMacPermissions,
  screenShareBlocker,
  type MacPermissions,
} from './permissions.js';

/** Why the screen cannot be shared now (Screen Recording not allowed), or null. */
const screenBlocker = async () => screenShareBlocker(await importNative<MacPermissions>(MAC_PERMISSIONS_MODULE));

/** Creates the macOS platform adapter. */
export function createDarwinPlatform(): PlatformAdapter {
  return {
    name: 'darwin',
    async openScreenSource() {
      const blocker = await screenBlocker();
      if (blocker) throw blocker;
      return DarwinScreenSource.open();
    },
    shareBlocker: screenBlocker,
    async createInputInjector(display: DisplayInfo): Promise<InputInjector> {
      const permissions = await checkMacPermissions();
      if (permissions.inputInjection !== 'granted') {
        throw new AgentError('permission_denied', 'Accessibility permission is required to control this Mac', {
          permission: 'accessibility',
        });
      }
      const nut = await importNative<LibnutModule>('@nut-tree-fork/libnut-darwin');
      // Text through the unicode-string API (whole code points); without koffi, libnut's typeString.
      const typer = await loadUnicodeTyper().catch(() => null);
      return new LibnutInjector(nut, display, {
        typeText: typer ? (text) => Promise.resolve(typer.type(text)) : undefined,
      });
    },
    async openDesktop() {
      // UNTESTED. No global hotkey on macOS yet (it needs a CGEventTap and Accessibility permission).
      const nut = await importNative<LibnutModule>('@nut-tree-fork/libnut-darwin');
      return {
        pointerPosition: () => Promise.resolve(nut.getMousePos()),
        grabStopHotkey: () => Promise.resolve(null),
        close: () => Promise.resolve(),
      };
    },
    checkPermissions: checkMacPermissions,
    requestPermissions: requestMacPermissions,
  };
}
