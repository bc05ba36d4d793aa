/**
 * @module testing/xpainter
 * A second X client for tests: maps override-redirect windows filled with a colour,
 * which is a real screen change as far as DAMAGE and GetImage are concerned.
 */
import { closeX11, connectX11, Z_PIXMAP, type XDisplay } from '../platform/linux/x11.js';

export interface Painter {
  /** Maps a window at (x, y) filled with `rgb` (0xRRGGBB); returns its id. */
  fill(x: number, y: number, width: number, height: number, rgb: number): Promise<number>;
  /** Repaints part of window `id` with `rgb`. */
  paint(id: number, x: number, y: number, width: number, height: number, rgb: number): Promise<void>;
  /**
   * Fills each of `rects` (x, y, width, height in window `id`, 0xRRGGBB), one drawing request each (a terminal's
   * flood of small draws). `grabServer`: inside a server grab, so that no other client's request (a capture's
   * read) runs between the draws, however loaded the machine.
   */
  flood(
    id: number,
    rects: readonly (readonly [number, number, number, number, number])[],
    options?: { grabServer?: boolean },
  ): Promise<void>;
  /** Puts `width × height` pixels of `bgrx` (4 bytes each, blue first: a 24-bit screen's format) at (x, y) of window `id`. */
  image(id: number, x: number, y: number, width: number, height: number, bgrx: Uint8Array): Promise<void>;
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
    async flood(id, rects, options = {}) {
      if (options.grabServer) client.GrabServer();
      let colour = -1;
      for (const [rx, ry, width, height, rgb] of rects) {
        if (rgb !== colour) client.ChangeGC(gc, { foreground: (colour = rgb) });
        client.PolyFillRectangle(id, gc, [rx, ry, width, height]);
      }
      if (options.grabServer) client.UngrabServer();
      await client.sync();
    },
    async image(id, px, py, width, height, bgrx) {
      // In strips: a core request holds at most 256 KiB.
      const rows = Math.max(1, Math.floor(200_000 / (width * 4)));
      for (let y = 0; y < height; y += rows) {
        const n = Math.min(rows, height - y);
        const strip = Buffer.from(bgrx.buffer, bgrx.byteOffset + y * width * 4, n * width * 4);
        client.PutImage(Z_PIXMAP, id, gc, width, n, px, py + y, 0, 24, strip);
      }
      await client.sync();
    },
    async destroy(id) {
      client.DestroyWindow(id);
      await client.sync();
    },
    close: () => closeX11(x),
  };
}
