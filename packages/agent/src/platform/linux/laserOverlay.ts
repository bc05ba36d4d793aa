/**
 * @module platform/linux/laserOverlay
 * The helper's laser pointer drawn on the sharer's own X desktop, over every window:
 * a small red disc in an override-redirect window (no window manager frame, never
 * focused) shaped round with the SHAPE extension. Its input shape is empty, so clicks and
 * hovers go to whatever is under it: the sharer can keep working, and the disc never
 * steals the pointer the helper is pointing at. Shown, moved (and raised) and hidden on
 * the desktop services' own X connection.
 */
import type { Point } from '../types.js';
import { xcall, type XDisplay } from './x11.js';

/** Diameter of the disc, in screen pixels. */
export const LASER_DIAMETER = 22;
/** Fluent's red (#D13438) as a 24-bit TrueColor pixel. */
export const LASER_RGB = 0xd13438;

/** The SHAPE extension, as far as the overlay uses it (`x11/lib/ext/shape.js`). */
interface ShapeExt {
  Kind: { Bounding: number; Input: number };
  Op: { Set: number };
  Rectangles(op: number, kind: number, window: number, x: number, y: number, rectangles: number[][]): void;
}

/** The client calls the overlay needs beyond those typed in `x11.ts`. */
interface OverlayClient {
  UnmapWindow(id: number): void;
  ConfigureWindow(id: number, values: { x?: number; y?: number; stackMode?: number }): void;
  require(name: 'shape', cb: (error: Error | null | undefined, ext: ShapeExt) => unknown): void;
}

/** `stackMode` Above. */
const ABOVE = 0;

/** One rectangle per row: the disc of {@link LASER_DIAMETER}. */
export function discRows(diameter = LASER_DIAMETER): number[][] {
  const r = diameter / 2;
  const rows: number[][] = [];
  for (let y = 0; y < diameter; y++) {
    const dy = y + 0.5 - r;
    const half = Math.sqrt(Math.max(0, r * r - dy * dy));
    const x0 = Math.round(r - half);
    const width = Math.round(r + half) - x0;
    if (width > 0) rows.push([x0, y, width, 1]);
  }
  return rows;
}

/** See the module description. */
export class X11LaserOverlay {
  #window: number | null = null;
  #shown = false;

  private constructor(
    private readonly x: XDisplay,
    private readonly shape: ShapeExt,
  ) {}

  /** The overlay on `x`, or null when the X server has no SHAPE extension (then the laser stays in the agent window only). */
  static async open(x: XDisplay): Promise<X11LaserOverlay | null> {
    const client = x.client as unknown as OverlayClient;
    const shape = await xcall<ShapeExt>((cb) => client.require('shape', cb)).catch(() => null);
    return shape ? new X11LaserOverlay(x, shape) : null;
  }

  /** Shows the disc centred on `point` (global pixels), or hides it (`null`). */
  async show(point: Point | null): Promise<void> {
    const client = this.x.client;
    const more = client as unknown as OverlayClient;
    if (point === null) {
      if (this.#window !== null && this.#shown) more.UnmapWindow(this.#window);
      this.#shown = false;
      await client.sync();
      return;
    }
    const left = Math.round(point.x - LASER_DIAMETER / 2);
    const top = Math.round(point.y - LASER_DIAMETER / 2);
    if (this.#window === null) this.#window = this.#create(left, top);
    else more.ConfigureWindow(this.#window, { x: left, y: top, stackMode: ABOVE });
    if (!this.#shown) {
      client.MapWindow(this.#window);
      // A window mapped later (a menu, a tooltip) may have covered it meanwhile.
      more.ConfigureWindow(this.#window, { stackMode: ABOVE });
      this.#shown = true;
    }
    await client.sync();
  }

  /** Removes the window (sent with the connection's next flush or close; nothing is awaited). */
  close(): void {
    if (this.#window === null) return;
    this.x.client.DestroyWindow(this.#window);
    this.#window = null;
    this.#shown = false;
  }

  #create(left: number, top: number): number {
    const client = this.x.client;
    const root = this.x.screen[0]?.root ?? 0;
    const id = client.AllocID();
    client.CreateWindow(id, root, left, top, LASER_DIAMETER, LASER_DIAMETER, 0, 0, 1, 0, {
      backgroundPixel: LASER_RGB,
      overrideRedirect: true,
    });
    const { Kind, Op } = this.shape;
    this.shape.Rectangles(Op.Set, Kind.Bounding, id, 0, 0, discRows());
    // No input region at all: every click and motion goes to the window below.
    this.shape.Rectangles(Op.Set, Kind.Input, id, 0, 0, []);
    return id;
  }
}
