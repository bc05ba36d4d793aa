/**
 * @module app/reopeningDesktop
 * The desktop services (pointer, cursor image, stop hotkey, laser) for the agent's whole life.
 * When the platform's services lose their display (`onLost`: the X server died), they are
 * dropped and opened again as soon as a display answers, and what was in use carries over: the
 * pointer and cursor-image watchers go on with the new services, the stop hotkey is grabbed
 * again, and the laser opens its overlay again on its next show. Without this, a session that
 * got its picture back after the display returned showed no pointer to the helper and drew no
 * laser until the agent restarted. Input has its own connection per injector: the session makes a
 * new one once capture is back (`ActiveMedia.recoverDisplay`; displayLoss test).
 */
import type { CursorShape, DesktopServices, Point } from '../platform/types.js';

export interface ReopeningDesktopOptions {
  /** Opens the platform's services (`PlatformAdapter.openDesktop`). */
  open: () => Promise<DesktopServices>;
  /** Wait between attempts while no display answers. */
  retryMs?: number;
  log?: (line: string) => void;
}

type PointerListener = (point: Point | null) => void;
type ShapeListener = (shape: CursorShape | null) => void;

/** Fans one subscription on the current services out to any number of listeners, across reopenings. */
class Fanout<T> {
  readonly listeners = new Set<(value: T) => void>();
  #unsubscribe: (() => void) | null = null;

  constructor(private readonly subscribe: (d: DesktopServices, each: (value: T) => void) => (() => void) | null) {}

  /** Subscribes on `desktop` if anyone listens; false when it cannot report at all. */
  attach(desktop: DesktopServices): boolean {
    if (this.listeners.size === 0 || this.#unsubscribe) return true;
    this.#unsubscribe = this.subscribe(desktop, (value) => {
      for (const listener of this.listeners) listener(value);
    });
    return this.#unsubscribe !== null;
  }

  /** The services went away: their subscription with them (nothing is asked of them). */
  detach(): void {
    this.#unsubscribe = null;
  }

  remove(listener: (value: T) => void): void {
    if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }
}

export class ReopeningDesktop implements DesktopServices {
  readonly #o: ReopeningDesktopOptions;
  #current: DesktopServices | null;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #pointer = new Fanout<Point | null>((d, each) => d.watchPointer?.(each) ?? null);
  readonly #shape = new Fanout<CursorShape | null>((d, each) => d.watchCursorShape?.(each) ?? null);
  /** The stop hotkey while it is wanted, with the current services' grab of it. */
  #hotkey: { onPress: () => void; ungrab: Promise<(() => Promise<void>) | null> } | null = null;
  /** Times the services were opened after a loss or a failed first opening (tests, diagnostics). */
  reopened = 0;

  private constructor(first: DesktopServices | null, options: ReopeningDesktopOptions) {
    this.#o = options;
    this.#current = first;
    if (first) this.#follow(first);
    else this.#schedule();
  }

  /**
   * Opens the services. When no display answers yet (an agent started before the desktop
   * session), they start lost and are opened once one does; `onUnavailable` hears why, once.
   */
  static async open(
    options: ReopeningDesktopOptions & { onUnavailable?: (error: unknown) => void },
  ): Promise<ReopeningDesktop> {
    const first = await options.open().catch((error: unknown) => {
      options.onUnavailable?.(error);
      return null;
    });
    return new ReopeningDesktop(first, options);
  }

  pointerPosition(): Promise<Point | null> {
    return this.#current ? this.#current.pointerPosition() : Promise.resolve(null);
  }

  watchPointer(onMove: PointerListener): (() => void) | null {
    return this.#watch(this.#pointer, onMove);
  }

  watchCursorShape(onShape: ShapeListener): (() => void) | null {
    return this.#watch(this.#shape, onShape);
  }

  async grabStopHotkey(onPress: () => void): Promise<(() => Promise<void>) | null> {
    const current = this.#current;
    // With no display now, the grab is made when one answers (#reopen), as after a loss.
    const ungrab = current ? current.grabStopHotkey(onPress).catch(() => null) : Promise.resolve(null);
    const held = { onPress, ungrab };
    this.#hotkey = held;
    if (current && (await ungrab) === null) {
      if (this.#hotkey === held) this.#hotkey = null;
      return null;
    }
    return async () => {
      if (this.#hotkey === held) this.#hotkey = null;
      // Whichever services hold the grab now (they may be newer than the first).
      await (
        await held.ungrab
      )?.();
    };
  }

  async showLaser(point: Point | null): Promise<void> {
    await this.#current?.showLaser?.(point);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const current = this.#current;
    this.#current = null;
    await current?.close();
  }

  #watch<T>(fanout: Fanout<T>, listener: (value: T) => void): (() => void) | null {
    fanout.listeners.add(listener);
    if (this.#current && !fanout.attach(this.#current)) {
      fanout.listeners.delete(listener);
      return null; // the platform cannot report it: the caller asks instead
    }
    return () => fanout.remove(listener);
  }

  #follow(desktop: DesktopServices): void {
    desktop.onLost?.(() => {
      if (this.#current !== desktop) return;
      this.#current = null;
      this.#pointer.detach();
      this.#shape.detach();
      void desktop.close().catch(() => undefined);
      this.#o.log?.('The display is gone: pointer, hotkey and laser wait for it to come back');
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#retry = setTimeout(() => void this.#reopen(), this.#o.retryMs ?? 2000);
    this.#retry.unref();
  }

  async #reopen(): Promise<void> {
    let desktop: DesktopServices;
    try {
      desktop = await this.#o.open();
    } catch {
      this.#schedule(); // no display yet
      return;
    }
    if (this.#closed) {
      await desktop.close().catch(() => undefined);
      return;
    }
    this.#current = desktop;
    this.reopened++;
    this.#follow(desktop);
    this.#pointer.attach(desktop);
    this.#shape.attach(desktop);
    const hotkey = this.#hotkey;
    if (hotkey) hotkey.ungrab = desktop.grabStopHotkey(hotkey.onPress).catch(() => null);
    this.#o.log?.('A display answers: pointer, hotkey and laser follow it');
  }
}
