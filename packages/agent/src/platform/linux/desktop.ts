/**
 * @module platform/linux/desktop
 * X11 desktop services on their own connection: the pointer position (followed through
 * RECORD motion events, so a still pointer costs no request: `pointerTracker.ts`), the
 * global "stop control" hotkey Ctrl+Alt+Shift+S (`GrabKey` on the root window, once per
 * Caps Lock / Num Lock combination so the hotkey works whatever their state), and the
 * helper's laser pointer drawn over every window (`laserOverlay.ts`), and the cursor's image
 * (XFIXES: `cursorWatcher.ts`).
 */
import type { DesktopServices, Point } from '../types.js';
import { X11CursorWatcher } from './cursorWatcher.js';
import { X11LaserOverlay } from './laserOverlay.js';
import { X11PointerTracker } from './pointerTracker.js';
import { closeX11, connectX11, onConnectionLost, xcall, type XDisplay, type XEvent } from './x11.js';

const SHIFT = 1;
const LOCK = 2;
const CONTROL = 4;
const MOD1 = 8; // Alt
const MOD2 = 16; // Num Lock on common layouts
const GRAB_MODE_ASYNC = 1;
const KEYSYM_S = 0x73;
/** Ctrl+Alt+Shift, with and without Caps Lock and Num Lock. */
const HOTKEY_MODIFIERS = [0, LOCK, MOD2, LOCK | MOD2].map((extra) => CONTROL | MOD1 | SHIFT | extra);

/** Finds the keycode that produces `keysym` (unshifted or shifted), or null. */
export async function keycodeFor(x: XDisplay, keysym: number): Promise<number | null> {
  const count = x.max_keycode - x.min_keycode + 1;
  const rows = await xcall<number[][]>((cb) => x.client.GetKeyboardMapping(x.min_keycode, count, cb));
  const index = rows.findIndex((row) => row[0] === keysym || row[1] === keysym);
  return index < 0 ? null : x.min_keycode + index;
}

/** Opens the desktop services on `display` (default `$DISPLAY`). */
export async function openLinuxDesktop(display?: string): Promise<DesktopServices> {
  const x = await connectX11(display);
  const root = x.screen[0]?.root ?? 0;
  const pointer = await X11PointerTracker.open(x, { display });
  const cursor = await X11CursorWatcher.open(x);
  // Opened on the first laser shown: hiding one that never was must not talk to X (the
  // session's teardown hides it, possibly after the X server died).
  let laser: Promise<X11LaserOverlay | null> | undefined;
  let overlay: X11LaserOverlay | null = null;
  // Once the X server is gone nothing more is asked of it: node-x11 would queue each request
  // on the dead socket for good and never answer it (a laser message a frame while the helper
  // points: megabytes an hour). The services then answer "unknown" and do nothing.
  let lost = false;
  const lostListeners: (() => void)[] = [];
  onConnectionLost(x.client, () => {
    lost = true;
    pointer.close();
    for (const listener of lostListeners.splice(0)) listener();
  });
  return {
    async showLaser(point: Point | null): Promise<void> {
      if (lost || (!laser && point === null)) return;
      laser ??= X11LaserOverlay.open(x).then((opened) => (overlay = opened));
      await (await laser)?.show(point);
    },

    pointerPosition(): Promise<Point | null> {
      return lost ? Promise.resolve(null) : pointer.position();
    },

    watchPointer(onMove) {
      return pointer.watch(onMove);
    },

    watchCursorShape(onShape) {
      return lost ? null : (cursor?.watch(onShape) ?? null);
    },

    onLost(listener) {
      if (lost) listener();
      else lostListeners.push(listener);
    },

    async grabStopHotkey(onPress) {
      if (lost) return null;
      const keycode = await keycodeFor(x, KEYSYM_S);
      if (keycode === null) return null;
      let failed = false;
      const onError = (): void => {
        failed = true; // BadAccess: another client holds the combination
      };
      x.client.on('error', onError);
      for (const modifiers of HOTKEY_MODIFIERS) {
        x.client.GrabKey(root, 0, modifiers, keycode, GRAB_MODE_ASYNC, GRAB_MODE_ASYNC);
      }
      await x.client.sync();
      x.client.removeListener('error', onError);
      const ungrab = async (): Promise<void> => {
        x.client.removeListener('event', onEvent);
        if (lost) return; // the grab went with the server
        for (const modifiers of HOTKEY_MODIFIERS) x.client.UngrabKey(root, keycode, modifiers);
        await x.client.sync().catch(() => undefined);
      };
      const onEvent = (event: XEvent): void => {
        if (event.name === 'KeyPress' && event['keycode'] === keycode) onPress();
      };
      x.client.on('event', onEvent);
      if (failed) {
        await ungrab();
        return null;
      }
      return ungrab;
    },

    async close(): Promise<void> {
      // Never waits for the overlay: on a dead X connection its replies never come.
      overlay?.close();
      pointer.close();
      await closeX11(x);
    },
  };
}
