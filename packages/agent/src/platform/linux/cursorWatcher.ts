/**
 * @module platform/linux/cursorWatcher
 * What the sharer's pointer looks like, through XFIXES: a `CursorNotify` event each time
 * the displayed cursor changes (a caret over text, a hand over a link, each frame of an
 * animated one), then `GetCursorImage` for its pixels, premultiplied ARGB turned into
 * straight RGBA. Nothing is asked while the cursor stays the same, and an image seen before
 * (by its serial) costs no round trip. A cursor whose image cannot be read is reported as
 * null (the X server refuses `GetCursorImage` with BadAccess for a cursor whose client freed
 * it, e.g. a root cursor set by `xsetroot`, which exits): the helper then draws its own arrow.
 */
import type { CursorShape } from '../types.js';
import { requireExtension, xcall, type FixesExt, type XDisplay, type XEvent } from './x11.js';

/** Images kept by serial (a desktop shows a few dozen cursors; animated ones a frame each). */
const MAX_KEPT = 64;

/** Straight-alpha RGBA from XFIXES' premultiplied ARGB32 words (little-endian: B, G, R, A in memory). */
export function unpremultiplyArgb(argb: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(argb.length);
  for (let i = 0; i < argb.length; i += 4) {
    const a = argb[i + 3] as number;
    if (a === 0) continue;
    rgba[i] = Math.min(255, Math.round(((argb[i + 2] as number) * 255) / a));
    rgba[i + 1] = Math.min(255, Math.round(((argb[i + 1] as number) * 255) / a));
    rgba[i + 2] = Math.min(255, Math.round(((argb[i] as number) * 255) / a));
    rgba[i + 3] = a;
  }
  return rgba;
}

/** Follows the cursor image on one X connection (shared with the desktop's other services). */
export class X11CursorWatcher {
  readonly #x: XDisplay;
  readonly #fixes: FixesExt;
  readonly #root: number;
  readonly #listeners = new Set<(shape: CursorShape | null) => void>();
  /** Images by serial; null: that cursor's image cannot be read. */
  readonly #kept = new Map<number, CursorShape | null>();
  /** The image told last (undefined: none yet). */
  #current: CursorShape | null | undefined = undefined;
  /** The serial of the newest change event, for an image that cannot be read. */
  #latestSerial = 0;
  #fetching = false;
  /** A change came in while an image was being fetched: fetch again after it. */
  #again = false;
  readonly #onEvent = (event: XEvent): void => {
    if (event.name !== 'CursorNotify') return;
    const serial = event['cursorSerial'] as number;
    this.#latestSerial = serial;
    const kept = this.#kept.get(serial);
    if (kept !== undefined) this.#tell(kept);
    else void this.#fetch();
  };

  private constructor(x: XDisplay, fixes: FixesExt) {
    this.#x = x;
    this.#fixes = fixes;
    this.#root = x.screen[0]?.root ?? 0;
  }

  /** A watcher on `x`, or null when the server has no XFIXES. */
  static async open(x: XDisplay): Promise<X11CursorWatcher | null> {
    const fixes = await requireExtension(x.client, 'fixes');
    return fixes ? new X11CursorWatcher(x, fixes) : null;
  }

  /** Calls `onShape` with the current image (once known) and each new one; returns what stops it. */
  watch(onShape: (shape: CursorShape | null) => void): () => void {
    this.#listeners.add(onShape);
    if (this.#listeners.size === 1) {
      this.#x.client.on('event', this.#onEvent);
      this.#fixes.SelectCursorInput(this.#root, this.#fixes.CursorNotifyMask.DisplayCursor);
      void this.#fetch();
    } else if (this.#current !== undefined) {
      onShape(this.#current);
    }
    return () => {
      if (!this.#listeners.delete(onShape) || this.#listeners.size > 0) return;
      this.#x.client.removeListener('event', this.#onEvent);
      try {
        this.#fixes.SelectCursorInput(this.#root, 0);
      } catch {
        // The connection is gone: there is nothing to stop.
      }
    };
  }

  async #fetch(): Promise<void> {
    if (this.#fetching) {
      this.#again = true;
      return;
    }
    this.#fetching = true;
    try {
      do {
        this.#again = false;
        const serial = this.#latestSerial;
        const shape = await this.#read().catch(() => null);
        if (this.#kept.size >= MAX_KEPT) this.#kept.clear();
        // An image that cannot be read is not asked for again while the same cursor shows.
        if (shape) this.#kept.set(shape.serial, shape);
        else if (serial) this.#kept.set(serial, null);
        this.#tell(shape);
      } while (this.#again && this.#listeners.size > 0);
    } finally {
      this.#fetching = false;
    }
  }

  /** The cursor shown now; null when it has no pixels. Rejects when the server refuses. */
  async #read(): Promise<CursorShape | null> {
    type Reply = Parameters<Parameters<FixesExt['GetCursorImage']>[0]>[1];
    const reply = await xcall<Reply>((cb) => this.#fixes.GetCursorImage(cb));
    if (!reply || reply.width === 0 || reply.height === 0) return null;
    return {
      serial: reply.cursorSerial,
      width: reply.width,
      height: reply.height,
      hotX: Math.min(reply.xhot, reply.width - 1),
      hotY: Math.min(reply.yhot, reply.height - 1),
      rgba: unpremultiplyArgb(reply.cursorImage),
    };
  }

  #tell(shape: CursorShape | null): void {
    if (this.#current !== undefined && (this.#current?.serial ?? null) === (shape?.serial ?? null)) return;
    this.#current = shape;
    for (const listener of [...this.#listeners]) listener(shape);
  }
}
