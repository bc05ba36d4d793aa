/**
 * @module platform/linux/scratchKeyTyper
 * Types any text on X11, whatever the keyboard layout has: each character's keysym
 * (see `textKeysyms`) is put on a spare ("scratch") keycode with ChangeKeyboardMapping,
 * and that keycode is pressed and released through XTEST. Everything goes over the
 * agent's own pure-JS X connection, so no Xlib call can abort the process.
 *
 * The pitfall of this technique is an application reading a keycode with another
 * mapping than the one it was pressed with: the mapping changed again before it read it,
 * or (seen with Chromium under Xvfb) it still had the keycode's previous keysym cached.
 * So the scratch keycodes form a large pool used round robin, a keysym already on a
 * scratch keycode is pressed there again, text is typed in runs that need each keycode
 * for one keysym only, a keycode that held another keysym is remapped only `settleMs`
 * after its last press, a run's keys are pressed `settleMs` after its remaps (keysyms
 * already on a scratch keycode need neither), and the layout's own mapping of the
 * scratch keycodes is put back once typing has been idle for `restoreAfterMs` (and on
 * close). Each `type` ends with a round trip, so
 * its key events are on the server before the next input.
 *
 * A text takes several turns of the event loop (remaps, round trips, settle waits), and
 * consent may end meanwhile (Stop control, pause, the session's end): `type` asks its
 * `allowed` before each key it presses (and before each remap), and stops for good at the
 * first no. Each key is released right after its press, in the same turn: no key is ever
 * left held, and no modifier is used (both levels of a scratch keycode carry the keysym).
 */
import { keysymsForText } from './textKeysyms.js';
import type { XDisplay, XTestExt } from './x11.js';

export interface ScratchKeyTyperOptions {
  /** Most scratch keycodes used (default 48). */
  poolSize?: number;
  /** Wait before and after giving a keycode another keysym (default 100 ms). */
  settleMs?: number;
  /** Idle time after which the scratch keycodes get their own mapping back (default 2000 ms). */
  restoreAfterMs?: number;
}

interface Scratch {
  keycode: number;
  /** Its row in the layout, put back on restore. */
  original: number[];
  keysym: number;
  lastPressed: number;
}

/**
 * The keycodes of `rows` (row i is keycode `minKeycode + i`) that have no keysym at all,
 * highest first, at most `count`; when there are none, the highest keycodes are borrowed.
 */
export function chooseScratchKeycodes(
  rows: readonly (readonly number[])[],
  minKeycode: number,
  count: number,
): number[] {
  const empty: number[] = [];
  for (let i = rows.length - 1; i >= 0 && empty.length < count; i--) {
    if ((rows[i] ?? []).every((keysym) => keysym === 0)) empty.push(minKeycode + i);
  }
  if (empty.length > 0) return empty;
  const last = minKeycode + rows.length - 1;
  return Array.from({ length: Math.min(count, 4, rows.length) }, (_, i) => last - i);
}

/** See the module description. */
export class ScratchKeyTyper {
  readonly #display: XDisplay;
  readonly #xtest: XTestExt;
  readonly #pool: Scratch[];
  readonly #keysymsPerKeycode: number;
  readonly #settleMs: number;
  readonly #restoreAfterMs: number;
  #next = 0;
  #dirty = false;
  #restoreTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    display: XDisplay,
    xtest: XTestExt,
    pool: Scratch[],
    width: number,
    options: ScratchKeyTyperOptions,
  ) {
    this.#display = display;
    this.#xtest = xtest;
    this.#pool = pool;
    this.#keysymsPerKeycode = width;
    this.#settleMs = options.settleMs ?? 100;
    this.#restoreAfterMs = options.restoreAfterMs ?? 2000;
  }

  /** A typer on `display` using keycodes of `rows` (its keyboard mapping from `min_keycode`). */
  static create(
    display: XDisplay,
    xtest: XTestExt,
    rows: readonly (readonly number[])[],
    options: ScratchKeyTyperOptions = {},
  ): ScratchKeyTyper {
    const width = rows[0]?.length ?? 2;
    const keycodes = chooseScratchKeycodes(rows, display.min_keycode, options.poolSize ?? 48);
    const pool = keycodes.map((keycode) => ({
      keycode,
      original: [...(rows[keycode - display.min_keycode] ?? [])],
      keysym: -1,
      lastPressed: 0,
    }));
    return new ScratchKeyTyper(display, xtest, pool, width, options);
  }

  /** The keycodes this typer may remap (the keysym guard must not count on them). */
  get keycodes(): ReadonlySet<number> {
    return new Set(this.#pool.map((s) => s.keycode));
  }

  /**
   * Types `text`, asking `allowed` before each key: at the first `false` (or once this typer
   * is closed) the rest is not typed. Resolves once the server has every key event typed.
   * Throws before typing anything for untypable text.
   */
  type(text: string, allowed: () => boolean = () => true): Promise<void> {
    // Thrown here, not as a rejection: bad input is refused before anything is typed.
    const keysyms = keysymsForText(text);
    if (this.#closed || this.#pool.length === 0) return Promise.resolve();
    return this.#type(keysyms, () => !this.#closed && allowed());
  }

  async #type(keysyms: number[], allowed: () => boolean): Promise<void> {
    clearTimeout(this.#restoreTimer);
    const client = this.#display.client;
    typing: for (let i = 0; i < keysyms.length;) {
      const { end, slots, remaps } = this.#plan(keysyms, i);
      if (remaps.length > 0 && !(await this.#remap(remaps, allowed))) break;
      for (const scratch of slots) {
        // Asked again for each key: consent may have ended during the waits above.
        if (!allowed()) break typing;
        this.#xtest.FakeInput(this.#xtest.KeyPress, scratch.keycode, 0, 0, 0, 0);
        this.#xtest.FakeInput(this.#xtest.KeyRelease, scratch.keycode, 0, 0, 0, 0);
        scratch.lastPressed = Date.now();
      }
      i = end;
    }
    if (this.#closed) return;
    await client.sync();
    this.#scheduleRestore();
  }

  /**
   * The longest run of `keysyms` from `start` that needs no scratch keycode twice with
   * different keysyms: the keycode of each, and the remaps it needs.
   */
  #plan(keysyms: number[], start: number): { end: number; slots: Scratch[]; remaps: [Scratch, number][] } {
    const planned = new Map<Scratch, number>();
    const used = new Set<Scratch>();
    const slots: Scratch[] = [];
    let end = start;
    for (; end < keysyms.length; end++) {
      const keysym = keysyms[end] as number;
      let scratch = this.#pool.find((s) => (planned.get(s) ?? s.keysym) === keysym);
      if (!scratch) {
        for (let tried = 0; tried < this.#pool.length && !scratch; tried++) {
          const candidate = this.#pool[this.#next] as Scratch;
          this.#next = (this.#next + 1) % this.#pool.length;
          if (!used.has(candidate)) scratch = candidate;
        }
        if (!scratch) break; // every keycode is taken in this run
        planned.set(scratch, keysym);
      }
      used.add(scratch);
      slots.push(scratch);
    }
    return { end, slots, remaps: [...planned] };
  }

  /**
   * Gives each keycode its new keysym; returns once clients can read them, or false (with
   * nothing changed) when typing may not go on after the wait for the previous keys.
   */
  async #remap(remaps: [Scratch, number][], allowed: () => boolean): Promise<boolean> {
    const client = this.#display.client;
    const replaced = remaps.filter(([scratch]) => scratch.keysym !== -1);
    // Their last key events must have been read with the keysym they had.
    const settled = Math.max(0, ...replaced.map(([scratch]) => scratch.lastPressed + this.#settleMs));
    if (settled > Date.now()) {
      await client.sync();
      await delay(settled - Date.now());
    }
    if (!allowed()) return false;
    for (const [scratch, keysym] of remaps) {
      scratch.keysym = keysym;
      // Both levels, so a Shift the helper holds does not change the character.
      client.ChangeKeyboardMapping(scratch.keycode, 2, [keysym, keysym]);
    }
    this.#dirty = true;
    // The server sends MappingNotify to every client before it handles the key events
    // that follow, but a client may refresh its cached mapping later than it reads them
    // (Chromium does): pressed at once, a key would type what the keycode had before
    // (or nothing). So clients get time to catch up.
    await client.sync();
    await delay(this.#settleMs);
    return true;
  }

  /** Puts the layout's own mapping back on the scratch keycodes now. */
  async restore(): Promise<void> {
    clearTimeout(this.#restoreTimer);
    if (!this.#dirty) return;
    this.#dirty = false;
    for (const scratch of this.#pool) {
      if (scratch.keysym === -1) continue;
      scratch.keysym = -1;
      const row = scratch.original.length > 0 ? scratch.original : new Array<number>(this.#keysymsPerKeycode).fill(0);
      this.#display.client.ChangeKeyboardMapping(scratch.keycode, row.length, row);
    }
    await this.#display.client.sync();
  }

  /** Restores the mapping and stops. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.restore().catch(() => undefined);
  }

  #scheduleRestore(): void {
    if (this.#closed) return;
    this.#restoreTimer = setTimeout(() => void this.restore().catch(() => undefined), this.#restoreAfterMs);
    this.#restoreTimer.unref();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
