/**
 * @module platform/libnutInjector
 * `InputInjector` on top of a libnut binding (`@nut-tree-fork/libnut-darwin`; the
 * `-linux` and `-win32` ones share its API). The platform adapter loads the binding and
 * may add a key guard; this class maps codes, offsets coordinates to the display,
 * and remembers what it pressed so `releaseAll` can let go.
 */
import { AgentError } from '../errors.js';
import { keyNameFor, type KeyName } from '../input/keymap.js';
import { displayToGlobal } from '../input/pointer.js';
import type { DisplayInfo, InputInjector, PointerButton } from './types.js';

/** The part of the libnut API the injector uses (names checked in libnut-linux 2.7.5's exports). */
export interface LibnutModule {
  setMouseDelay(ms: number): void;
  setKeyboardDelay(ms: number): void;
  moveMouse(x: number, y: number): void;
  mouseToggle(down: 'down' | 'up', button: 'left' | 'middle' | 'right'): void;
  /**
   * One wheel click per unit; positive `y` is up and positive `x` is left (on X11 buttons 4 and 6, checked
   * with libnut-linux 2.7.5 and xev; CoreGraphics' wheel 2 is positive to the left too: not yet tried on a Mac).
   */
  scrollMouse(x: number, y: number): void;
  keyToggle(key: string, down: 'down' | 'up'): void;
  typeString(text: string): void;
  getMousePos(): { x: number; y: number };
}

export interface LibnutInjectorOptions {
  /** Returns false for key names the local keyboard cannot produce; those are refused with `key_unavailable`. */
  keyGuard?: (name: KeyName) => boolean;
  /**
   * Types text instead of libnut's `typeString` (which on X11 only knows the characters
   * the layout has, and on macOS cuts astral characters). The injector waits for nothing:
   * the promise goes back to the caller, which holds later input until it settles.
   */
  typeText?: (text: string) => Promise<void>;
  /** Runs after `close()` released everything (e.g. to drop the guard's X connection). */
  onClose?: () => Promise<void>;
}

const BUTTON_NAMES = { 0: 'left', 1: 'middle', 2: 'right' } as const;
/** libnut copies typed text into a 1000-byte buffer; 200 code points stay below it even at 4 bytes each. */
const TYPE_CHUNK = 200;

/** Injects input through libnut on one display. */
export class LibnutInjector implements InputInjector {
  #display: DisplayInfo;
  readonly #nut: LibnutModule;
  readonly #keyGuard: (name: KeyName) => boolean;
  readonly #onClose: (() => Promise<void>) | undefined;
  readonly #typeText: ((text: string) => Promise<void>) | undefined;
  readonly #keys = new Map<string, KeyName>();
  readonly #buttons = new Set<PointerButton>();

  constructor(nut: LibnutModule, display: DisplayInfo, options: LibnutInjectorOptions = {}) {
    this.#nut = nut;
    this.#display = display;
    this.#keyGuard = options.keyGuard ?? (() => true);
    this.#onClose = options.onClose;
    this.#typeText = options.typeText;
    nut.setMouseDelay(0);
    nut.setKeyboardDelay(0);
  }

  get display(): DisplayInfo {
    return this.#display;
  }

  follow(display: DisplayInfo): void {
    if (display.id !== this.#display.id) throw new Error(`follow: ${display.id} is another display`);
    this.#display = display;
  }

  pointerMove(x: number, y: number): void {
    const { x: px, y: py } = displayToGlobal(this.#display.bounds, x, y);
    this.#nut.moveMouse(px, py);
  }

  pointerButton(button: PointerButton, down: boolean): void {
    this.#nut.mouseToggle(down ? 'down' : 'up', BUTTON_NAMES[button]);
    if (down) this.#buttons.add(button);
    else this.#buttons.delete(button);
  }

  wheel(dx: number, dy: number): void {
    const x = Math.trunc(dx);
    const y = Math.trunc(dy);
    // DOM: positive dy scrolls down and positive dx right; libnut: positive y up and positive x left.
    if (x !== 0 || y !== 0) this.#nut.scrollMouse(x === 0 ? 0 : -x, y === 0 ? 0 : -y);
  }

  key(code: string, down: boolean): void {
    const name = keyNameFor(code);
    if (!this.#keyGuard(name)) {
      throw new AgentError('key_unavailable', `The local keyboard layout has no key for ${code}`, { code });
    }
    this.#nut.keyToggle(name, down ? 'down' : 'up');
    if (down) this.#keys.set(code, name);
    else this.#keys.delete(code);
  }

  typeText(text: string): void | Promise<void> {
    if (this.#typeText) return this.#typeText(text);
    const points = Array.from(text);
    for (let i = 0; i < points.length; i += TYPE_CHUNK) {
      this.#nut.typeString(points.slice(i, i + TYPE_CHUNK).join(''));
    }
  }

  releaseAll(): void {
    for (const name of this.#keys.values()) {
      try {
        this.#nut.keyToggle(name, 'up');
      } catch {
        // keep releasing the others
      }
    }
    this.#keys.clear();
    for (const button of this.#buttons) {
      try {
        this.#nut.mouseToggle('up', BUTTON_NAMES[button]);
      } catch {
        // keep releasing the others
      }
    }
    this.#buttons.clear();
  }

  heldKeys(): ReadonlySet<string> {
    return new Set(this.#keys.keys());
  }

  async close(): Promise<void> {
    this.releaseAll();
    await this.#onClose?.();
  }

  async abandon(): Promise<void> {
    this.#keys.clear();
    this.#buttons.clear();
    await this.#onClose?.();
  }

  /** Buttons currently held. */
  heldButtons(): ReadonlySet<PointerButton> {
    return new Set(this.#buttons);
  }
}
