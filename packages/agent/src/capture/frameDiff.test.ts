import { describe, expect, it } from 'vitest';
import { diffFrames } from './frameDiff.js';
import { boundingBox, intersect, simplify, toLocal } from './rects.js';

function frame(width: number, height: number, fill = 0): Uint8Array {
  return new Uint8Array(width * height * 4).fill(fill);
}

function paint(data: Uint8Array, width: number, x: number, y: number, w: number, h: number, value: number): void {
  for (let row = y; row < y + h; row++) data.fill(value, (row * width + x) * 4, (row * width + x + w) * 4);
}

describe('diffFrames', () => {
  it('finds nothing in identical frames', () => {
    expect(diffFrames(frame(200, 100), frame(200, 100), 200, 100, 800)).toEqual([]);
  });

  it('reports the tile containing a single changed pixel', () => {
    const a = frame(200, 100);
    const b = frame(200, 100);
    paint(b, 200, 70, 10, 1, 1, 9);
    expect(diffFrames(a, b, 200, 100, 800)).toEqual([{ x: 64, y: 0, width: 64, height: 64 }]);
  });

  it('merges changed tiles into rectangles that cover the change and clips at the edges', () => {
    const a = frame(200, 150);
    const b = frame(200, 150);
    paint(b, 200, 10, 10, 185, 130, 5);
    const rects = diffFrames(a, b, 200, 150, 800);
    expect(rects).toEqual([{ x: 0, y: 0, width: 200, height: 150 }]);
  });

  it('keeps separate changes separate', () => {
    const a = frame(256, 256);
    const b = frame(256, 256);
    paint(b, 256, 0, 0, 10, 10, 1);
    paint(b, 256, 200, 200, 10, 10, 1);
    expect(diffFrames(a, b, 256, 256, 1024)).toEqual([
      { x: 0, y: 0, width: 64, height: 64 },
      { x: 192, y: 192, width: 64, height: 64 },
    ]);
  });

  it('respects a stride larger than the row', () => {
    const stride = 100 * 4 + 32;
    const a = new Uint8Array(stride * 10);
    const b = new Uint8Array(stride * 10);
    b.fill(7, stride * 10 - 32); // padding only: not a change
    expect(diffFrames(a, b, 100, 10, stride)).toEqual([]);
    b[stride * 5 + 4 * 99] = 1;
    expect(diffFrames(a, b, 100, 10, stride)).toEqual([{ x: 64, y: 0, width: 36, height: 10 }]);
  });
});

describe('rects', () => {
  it('intersects, bounds, localizes and simplifies', () => {
    expect(intersect({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 })).toEqual({
      x: 5,
      y: 5,
      width: 5,
      height: 5,
    });
    expect(intersect({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 5, height: 5 })).toBeNull();
    expect(
      boundingBox([
        { x: 1, y: 2, width: 3, height: 4 },
        { x: 10, y: 0, width: 1, height: 1 },
      ]),
    ).toEqual({ x: 1, y: 0, width: 10, height: 6 });
    expect(toLocal([{ x: 1900, y: 10, width: 100, height: 10 }], { x: 1920, y: 0, width: 1280, height: 720 })).toEqual([
      { x: 0, y: 10, width: 80, height: 10 },
    ]);
    expect(toLocal([{ x: 0, y: 0, width: 10, height: 10 }], { x: 1920, y: 0, width: 1280, height: 720 })).toEqual([]);
    const many = Array.from({ length: 20 }, (_, i) => ({ x: i, y: 0, width: 1, height: 1 }));
    expect(simplify(many)).toEqual(many);
    expect(simplify(many, 16)).toEqual([{ x: 0, y: 0, width: 20, height: 1 }]);
  });
});
