/**
 * @module testing/xpainter
 * A second X client for tests: maps override-redirect windows filled with a colour,
 * which is a real screen change as far as DAMAGE and GetImage are concerned.
 */
import { closeX11, connectX11, type XDisplay } from '../platform/linux/x11.js';

export interface Painter {
  /** Maps a window at (x, y) filled with `rgb` (0xRRGGBB); returns its id. */
  fill(x: number, y: number, width: number, height: number, rgb: number): Promise<number>;
  /** Repaints part of window `id` with `rgb`. */
  paint(id: number, x: number, y: number, width: number, height: number, rgb: number): Promise<void>;
  destroy(id: number): Promise<void>;
  close(): Promise<void>;
}

export async function openPainter(display: string): Promise<Painter> {
  const x: XDisplay = await connectX11(display);
  const client = x.client;
  const root = x.screen[0]?.root ?? 0;
  const gc = client.AllocID();
  client.CreateGC(gc, root, { foreground: 0 });
  return {
    async fill(wx, wy, width, height, rgb) {
      const id = client.AllocID();
      client.CreateWindow(id, root, wx, wy, width, height, 0, 0, 0, 0, {
        backgroundPixel: rgb,
        overrideRedirect: true,
      });
      client.MapWindow(id);
      await client.sync();
      return id;
    },
    async paint(id, px, py, width, height, rgb) {
      client.ChangeGC(gc, { foreground: rgb });
      client.PolyFillRectangle(id, gc, [px, py, width, height]);
      await client.sync();
    },
    async destroy(id) {
      client.DestroyWindow(id);
      await client.sync();
    },
    close: () => closeX11(x),
  };
}
