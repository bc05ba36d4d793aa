import { describe, expect, it } from 'vitest';
import type { ScreenFrame } from '../platform/types.js';
import { createRgbaImage, updateRgba } from './frameConvert.js';

function bgraFrame(width: number, height: number, b: number, g: number, r: number, stride = width * 4): ScreenFrame {
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([b, g, r, 0], y * stride + x * 4);
  return { width, height, data, stride, format: 'bgra', timestamp: 0 };
}

describe('frameConvert', () => {
  it('makes an exact-size buffer with even dimensions', () => {
    const image = createRgbaImage({ width: 1281, height: 721 });
    expect([image.width, image.height]).toEqual([1280, 720]);
    expect(image.data.buffer.byteLength).toBe(1280 * 720 * 4);
  });

  it('converts BGRX to RGBA with opaque alpha', () => {
    const frame = bgraFrame(4, 2, 10, 20, 30);
    const image = createRgbaImage(frame);
    updateRgba(image, frame);
    expect([...image.data.subarray(0, 8)]).toEqual([30, 20, 10, 255, 30, 20, 10, 255]);
  });

  it('converts through the byte path when the source is not 4-byte aligned', () => {
    const base = bgraFrame(2, 2, 1, 2, 3);
    const shifted = new Uint8Array(base.data.length + 1);
    shifted.set(base.data, 1);
    const frame = { ...base, data: shifted.subarray(1) };
    const image = createRgbaImage(frame);
    updateRgba(image, frame);
    expect([...image.data.subarray(0, 4)]).toEqual([3, 2, 1, 255]);
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
