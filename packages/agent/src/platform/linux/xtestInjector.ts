/**
 * @module platform/linux/xtestInjector
 * The helper's mouse and keyboard on X11, as XTEST fake input on the agent's own pure-JS X
 * connection: pointer motion, buttons, the wheel (buttons 4–7), keys (the keycode the
 * server's current mapping gives each name, see `keysymGuard`) and text (scratch
 * keycodes, see `scratchKeyTyper`). Every event goes out in order on one connection and
 * none waits for a round trip; each batch of them is followed by one request that has a
 * reply (its answer is not awaited). The X server writes what RECORD recorded (the
 * sharer's pointer tracker, `pointerTracker`) only when it writes something to a client:
 * on a desktop where no window listens for motion, a move with nothing behind it stayed
 * in the server until the next reply anyone got. Nothing here can end the process: no Xlib, whose I/O error
 * handler exits when its X server goes away. When this connection ends (the X server
 * went away) the injector refuses input with `input_unavailable`; a new one, on a new
 * connection, injects into whatever X server answers next.
 */
import { AgentError } from '../../errors.js';
import { keyNameFor } from '../../input/keymap.js';
import { displayToGlobal } from '../../input/pointer.js';
import type { DisplayInfo, InputInjector, PointerButton } from '../types.js';
import { createKeysymGuard, type KeysymGuard } from './keysymGuard.js';
import { ScratchKeyTyper } from './scratchKeyTyper.js';
import {
  closeX11,
  connectX11,
  onConnectionLost,
  requireExtension,
  xcall,
  type XDisplay,
  type XTestExt,
} from './x11.js';

/** X core buttons: 1 left, 2 middle, 3 right. */
const BUTTONS: Record<PointerButton, number> = { 0: 1, 1: 2, 2: 3 };
/** Wheel clicks are buttons: 4 up, 5 down, 6 left, 7 right (the XFree86 convention every toolkit reads). */
const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;

/** See the module description. */
export class XTestInjector implements InputInjector {
  #display: DisplayInfo;
  readonly #x: XDisplay;
  readonly #xtest: XTestExt;
  readonly #keyboard: KeysymGuard;
  readonly #typer: ScratchKeyTyper;
  readonly #root: number;
  /** Held keys: the code the helper pressed → the keycode it went down on (released there whatever the mapping is now). */
  readonly #keys = new Map<string, number>();
  readonly #buttons = new Set<PointerButton>();
  #lost = false;
  #closed = false;
  #flushQueued = false;

  private constructor(
    x: XDisplay,
    xtest: XTestExt,
    keyboard: KeysymGuard,
    typer: ScratchKeyTyper,
    display: DisplayInfo,
  ) {
    this.#x = x;
    this.#xtest = xtest;
    this.#keyboard = keyboard;
    this.#typer = typer;
    this.#display = display;
    this.#root = x.screen[0]?.root ?? 0;
    onConnectionLost(x.client, () => {
      this.#lost = true;
    });
  }

  /** Connects to X display `displayName` and prepares input on `display` (one of its outputs). */
  static async open(displayName: string | undefined, display: DisplayInfo): Promise<XTestInjector> {
    const x = await connectX11(displayName);
    try {
      const xtest = await requireExtension(x.client, 'xtest');
      if (!xtest) throw new AgentError('input_unavailable', 'The X server has no XTEST extension');
      const rows = await xcall<number[][]>((cb) =>
        x.client.GetKeyboardMapping(x.min_keycode, x.max_keycode - x.min_keycode + 1, cb),
      );
      const typer = ScratchKeyTyper.create(x, xtest, rows);
      const keyboard = createKeysymGuard(x, rows, typer.keycodes);
      return new XTestInjector(x, xtest, keyboard, typer, display);
    } catch (error) {
      await closeX11(x);
      throw error;
    }
  }

  get display(): DisplayInfo {
    return this.#display;
  }

  follow(display: DisplayInfo): void {
    if (display.id !== this.#display.id) throw new Error(`follow: ${display.id} is another display`);
    this.#display = display;
  }

  pointerMove(x: number, y: number): void {
    this.#usable();
    const { x: px, y: py } = displayToGlobal(this.#display.bounds, x, y);
    // Detail 0: absolute root coordinates.
    this.#fake(this.#xtest.MotionNotify, 0, px, py);
  }

  pointerButton(button: PointerButton, down: boolean): void {
    this.#usable();
    this.#press(BUTTONS[button], down);
    if (down) this.#buttons.add(button);
    else this.#buttons.delete(button);
  }

  wheel(dx: number, dy: number): void {
    this.#usable();
    // DOM: positive dy scrolls down, positive dx scrolls right.
    this.#clicks(Math.trunc(dy), WHEEL.down, WHEEL.up);
    this.#clicks(Math.trunc(dx), WHEEL.right, WHEEL.left);
  }

  key(code: string, down: boolean): void {
    const name = keyNameFor(code);
    this.#usable();
    if (!down) {
      const held = this.#keys.get(code);
      this.#keys.delete(code);
      const keycode = held ?? this.#keyboard.keycodeFor(name);
      if (keycode !== undefined) this.#key(keycode, false);
      return;
    }
    const keycode = this.#keyboard.keycodeFor(name);
    if (keycode === undefined) {
      throw new AgentError('key_unavailable', `The local keyboard layout has no key for ${code}`, { code });
    }
    this.#key(keycode, true);
    this.#keys.set(code, keycode);
  }

  /**
   * Types `text` over several round trips; `allowed` is asked before each key (see
   * `InputDispatcher`): typing stops at its first no, and when this injector is closed or
   * its connection lost.
   */
  typeText(text: string, allowed: () => boolean = () => true): Promise<void> {
    this.#usable();
    return this.#typer.type(text, () => !this.#closed && !this.#lost && allowed());
  }

  releaseAll(): void {
    const keys = [...this.#keys.values()];
    const buttons = [...this.#buttons];
    this.#keys.clear();
    this.#buttons.clear();
    if (this.#lost || this.#closed) return;
    for (const keycode of keys) this.#key(keycode, false);
    for (const button of buttons) this.#press(BUTTONS[button], false);
  }

  heldKeys(): ReadonlySet<string> {
    return new Set(this.#keys.keys());
  }

  /** Buttons currently held. */
  heldButtons(): ReadonlySet<PointerButton> {
    return new Set(this.#buttons);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.releaseAll();
    this.#closed = true;
    this.#keyboard.dispose();
    if (!this.#lost) await this.#typer.close();
    await closeX11(this.#x);
  }

  /** The display went away: nothing more is sent (held keys died with the X server), the connection is closed. */
  async abandon(): Promise<void> {
    this.#keys.clear();
    this.#buttons.clear();
    this.#lost = true;
    await this.close();
  }

  /** Whether this injector's X connection has ended. */
  get lost(): boolean {
    return this.#lost;
  }

  #usable(): void {
    if (this.#closed) throw new AgentError('input_unavailable', 'Input injection was closed');
    if (this.#lost) throw new AgentError('input_unavailable', 'The X display went away');
  }

  #key(keycode: number, down: boolean): void {
    this.#fake(down ? this.#xtest.KeyPress : this.#xtest.KeyRelease, keycode);
  }

  #press(button: number, down: boolean): void {
    this.#fake(down ? this.#xtest.ButtonPress : this.#xtest.ButtonRelease, button);
  }

  #fake(type: number, detail: number, x = 0, y = 0): void {
    this.#xtest.FakeInput(type, detail, 0, type === this.#xtest.MotionNotify ? this.#root : 0, x, y);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      // A reply to this connection makes the server write everything it holds, RECORD's data included.
      if (!this.#lost && !this.#closed) this.#x.client.sync().catch(() => undefined);
    });
  }

  /** `count` wheel clicks (the dispatcher bounds them): positive on `positive`, negative on `negative`. */
  #clicks(count: number, positive: number, negative: number): void {
    const button = count > 0 ? positive : negative;
    for (let i = 0; i < Math.abs(count); i++) {
      this.#press(button, true);
      this.#press(button, false);
    }
  }
}
