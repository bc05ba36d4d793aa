import { describe, expect, it } from 'vitest';
import type { ScreenFrame } from '../platform/types.js';
import { createRgbaImage, updateRgba } from './frameConvert.js';

function bgraFrame(width: number, height: number, b: number, g: number, r: number, stride = width * 4): ScreenFrame {
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([b, g, r, 0], y * stride + x * 4);
  return { width, height, data, stride, format: 'bgra', timestamp: 0 };
}

/** The red, green and blue bytes of RGBX pixels (the fourth byte is padding). */
const rgbOnly = (data: Uint8Array): number[] => [...data].filter((_, i) => i % 4 !== 3);

describe('frameConvert', () => {
  it('makes an exact-size buffer with even dimensions', () => {
    const image = createRgbaImage({ width: 1281, height: 721 });
    expect([image.width, image.height]).toEqual([1280, 720]);
    expect(image.data.buffer.byteLength).toBe(1280 * 720 * 4);
  });

  it('converts BGRX to RGB(X)', () => {
    const frame = bgraFrame(4, 2, 10, 20, 30);
    const image = createRgbaImage(frame);
    updateRgba(image, frame);
    expect(rgbOnly(image.data.subarray(0, 8))).toEqual([30, 20, 10, 30, 20, 10]);
  });

  it('converts random pixels in random rectangles exactly as a pixel-by-pixel reference', () => {
    let seed = 88172645;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const width = 37;
    const height = 23;
    const stride = 41 * 4;
    const image = createRgbaImage({ width, height });
    const reference = new Uint8Array(image.data.length);
    for (let round = 0; round < 50; round++) {
      const frame: ScreenFrame = {
        width,
        height,
        data: Uint8Array.from({ length: stride * height }, () => random() & 0xff),
        stride,
        format: 'bgra',
        timestamp: 0,
      };
      const x = random() % width;
      const y = random() % height;
      const rect = { x, y, width: 1 + (random() % (width - x)), height: 1 + (random() % (height - y)) };
      updateRgba(image, frame, round === 0 ? undefined : [rect]);
      const area = round === 0 ? { x: 0, y: 0, width: image.width, height: image.height } : rect;
      for (let py = area.y; py < Math.min(image.height, area.y + area.height); py++) {
        for (let px = area.x; px < Math.min(image.width, area.x + area.width); px++) {
          const from = py * stride + px * 4;
          reference.set([frame.data[from + 2]!, frame.data[from + 1]!, frame.data[from]!], (py * image.width + px) * 4);
        }
      }
      expect(rgbOnly(image.data)).toEqual(rgbOnly(reference));
    }
  });

  it('converts a source that does not start on a 4-byte boundary', () => {
    const base = bgraFrame(2, 2, 1, 2, 3);
    const shifted = new Uint8Array(base.data.length + 1);
    shifted.set(base.data, 1);
    const frame = { ...base, data: shifted.subarray(1) };
    const image = createRgbaImage(frame);
    updateRgba(image, frame);
    expect(rgbOnly(image.data.subarray(0, 4))).toEqual([3, 2, 1]);
  });

  it('updates only the changed rectangles, honouring the stride', () => {
    const image = createRgbaImage({ width: 4, height: 4 });
    updateRgba(image, bgraFrame(4, 4, 0, 0, 0, 32));
    const next = bgraFrame(4, 4, 0, 0, 200, 32);
    updateRgba(image, next, [{ x: 1, y: 1, width: 2, height: 1 }]);
    const red = (x: number, y: number) => image.data[(y * 4 + x) * 4];
    expect([red(0, 1), red(1, 1), red(2, 1), red(3, 1), red(1, 0), red(1, 2)]).toEqual([0, 200, 200, 0, 0, 0]);
  });

  it('copies RGBA frames as they are', () => {
    const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const frame: ScreenFrame = { width: 2, height: 2, data, stride: 8, format: 'rgba', timestamp: 0 };
    const image = createRgbaImage(frame);
    updateRgba(image, frame);
    expect([...image.data]).toEqual([...data]);
  });
});
