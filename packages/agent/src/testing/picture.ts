/**
 * @module testing/picture
 * A `Painter` for tests: the helper's picture kept as 0xRRGGBB per pixel, so tests can
 * compare it with the screen pixel for pixel.
 */
import type { Painter } from '@remote-help/protocol';

export class Picture implements Painter {
  width = 0;
  height = 0;
  pixels = new Uint32Array(0);

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.pixels = new Uint32Array(width * height);
  }

  fill(x: number, y: number, w: number, h: number, r: number, g: number, b: number): void {
    for (let row = y; row < y + h; row++) {
      this.pixels.fill((r << 16) | (g << 8) | b, row * this.width + x, row * this.width + x + w);
    }
  }

  copy(sx: number, sy: number, x: number, y: number, w: number, h: number): void {
    const source = new Uint32Array(w * h);
    for (let row = 0; row < h; row++) {
      source.set(this.pixels.subarray((sy + row) * this.width + sx, (sy + row) * this.width + sx + w), row * w);
    }
    for (let row = 0; row < h; row++)
      this.pixels.set(source.subarray(row * w, row * w + w), (y + row) * this.width + x);
  }

  put(rgba: Uint8ClampedArray, x: number, y: number, w: number, h: number): void {
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        const p = (row * w + col) * 4;
        this.pixels[(y + row) * this.width + x + col] =
          ((rgba[p] as number) << 16) | ((rgba[p + 1] as number) << 8) | (rgba[p + 2] as number);
      }
    }
  }

  at(x: number, y: number): number {
    return this.pixels[y * this.width + x] as number;
  }
}
