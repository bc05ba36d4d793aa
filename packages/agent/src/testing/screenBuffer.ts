/**
 * @module testing/screenBuffer
 * A BGRX screen in memory for the tile tests, changed in place like the capture buffer.
 */
import type { Rect, ScreenFrame } from '../platform/types.js';

/** Colour of the pixel at (x, y) as 0xRRGGBB. */
export type PaintFn = (x: number, y: number) => number;

/** A `width × height` screen painted by `paint`; `repaint` changes a rectangle, `frame` reports a capture. */
export function screenBuffer(width: number, height: number, paint: PaintFn) {
  const stride = width * 4;
  const data = new Uint8Array(stride * height);
  const repaint = (fn: PaintFn, r: Rect = { x: 0, y: 0, width, height }) => {
    for (let y = r.y; y < r.y + r.height; y++) {
      for (let x = r.x; x < r.x + r.width; x++) {
        const c = fn(x, y);
        data.set([c & 0xff, (c >> 8) & 0xff, c >>> 16, 0], y * stride + x * 4);
      }
    }
  };
  repaint(paint);
  const frame = (changed?: Rect[]): ScreenFrame => ({
    width,
    height,
    data,
    stride,
    format: 'bgra',
    timestamp: 0,
    ...(changed ? { changed } : {}),
  });
  return { data, stride, frame, repaint };
}
