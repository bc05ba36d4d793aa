/**
 * @module rtc/frameConvert
 * Keeps an RGBA copy of the screen for the encoder, updating only what changed.
 * `rgbaToI420` checks the byte length of the *underlying ArrayBuffer*, not of the
 * view, so the copy lives in an ArrayBuffer of exactly width × height × 4 bytes.
 * Odd sizes are cropped to even ones (I420 subsamples chroma 2×2).
 */
import type { Rect, ScreenFrame } from '../platform/types.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The encoder-side RGBA copy of a frame, of even size. */
export interface RgbaImage {
  width: number;
  height: number;
  /** Exactly `width * height * 4` bytes, in its own ArrayBuffer. */
  data: Uint8Array;
}

/** The RGBA image size for a frame (even dimensions). */
export function evenSize(frame: { width: number; height: number }): { width: number; height: number } {
  return { width: frame.width & ~1, height: frame.height & ~1 };
}

/** A new exact-size RGBA image for `frame`. */
export function createRgbaImage(frame: { width: number; height: number }): RgbaImage {
  const { width, height } = evenSize(frame);
  return { width, height, data: new Uint8Array(new ArrayBuffer(width * height * 4)) };
}

/**
 * Copies `rects` of `frame` (all of it when `rects` is absent) into `image`,
 * converting BGRA to RGBA on the way. `image` must have the frame's even size.
 */
export function updateRgba(image: RgbaImage, frame: ScreenFrame, rects?: readonly Rect[]): void {
  const regions = rects ?? [{ x: 0, y: 0, width: image.width, height: image.height }];
  const aligned = LITTLE_ENDIAN && frame.data.byteOffset % 4 === 0 && frame.stride % 4 === 0;
  const src32 = aligned ? new Uint32Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength >> 2) : null;
  const dst32 = new Uint32Array(image.data.buffer);
  for (const r of regions) {
    const x0 = Math.max(0, r.x);
    const y0 = Math.max(0, r.y);
    const x1 = Math.min(image.width, r.x + r.width);
    const y1 = Math.min(image.height, r.y + r.height);
    if (x1 <= x0 || y1 <= y0) continue;
    for (let y = y0; y < y1; y++) {
      const src = y * frame.stride + x0 * 4;
      const dst = (y * image.width + x0) * 4;
      const n = x1 - x0;
      if (frame.format === 'rgba') image.data.set(frame.data.subarray(src, src + n * 4), dst);
      else if (src32) swapRow32(src32, src >> 2, dst32, dst >> 2, n);
      else swapRow8(frame.data, src, image.data, dst, n);
    }
  }
}

function swapRow32(src: Uint32Array, s: number, dst: Uint32Array, d: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = src[s + i] as number;
    // memory B G R X (little endian 0xXXRRGGBB) → R G B A (0xAABBGGRR)
    dst[d + i] = ((v >>> 16) & 0xff) | (v & 0xff00) | ((v & 0xff) << 16) | 0xff000000;
  }
}

function swapRow8(src: Uint8Array, s: number, dst: Uint8Array, d: number, n: number): void {
  for (let i = 0; i < n * 4; i += 4) {
    dst[d + i] = src[s + i + 2] as number;
    dst[d + i + 1] = src[s + i + 1] as number;
    dst[d + i + 2] = src[s + i] as number;
    dst[d + i + 3] = 255;
  }
}
