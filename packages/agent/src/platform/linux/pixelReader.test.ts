/**
 * Integration: the pixel reader on a real X server (Xvfb), both paths. Several rectangles
 * read in one call land at their own places, whether the frame came from `allocFrame`, is a
 * buffer the reader did not make or a view into the middle of one, or the read is whole rows;
 * pixels outside the parts are left alone. The shared path's warm-up has the server write into
 * the segment from a black pixmap, never the screen.
 */
import { readSync, writeSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPainter, type Painter } from '../../testing/xpainter.js';
import { hasCommand, startXvfb, type Xvfb } from '../../testing/xvfb.js';
import { createPixelReader, type PixelReader, type ReadPart } from './pixelReader.js';
import { closeX11, connectX11, SegmentFiles, type XDisplay } from './x11.js';

const haveXvfb = hasCommand('Xvfb');
const WIDTH = 320;
const HEIGHT = 200;
const STRIDE = WIDTH * 4;
const SENTINEL = 0x5a;

/** The 0xRRGGBB colour of a BGRX pixel of `frame`. */
function rgbAt(frame: Uint8Array, x: number, y: number): number {
  const i = y * STRIDE + x * 4;
  return ((frame[i + 2] ?? 0) << 16) | ((frame[i + 1] ?? 0) << 8) | (frame[i] ?? 0);
}

const part = (x: number, y: number, width: number, height: number): ReadPart => ({
  source: { x, y, width, height },
  destOffset: y * STRIDE + x * 4,
});

describe.skipIf(!haveXvfb)('pixel reader under Xvfb', () => {
  let xvfb: Xvfb;
  let painter: Painter;

  beforeAll(async () => {
    xvfb = await startXvfb(`${WIDTH}x${HEIGHT}x24`);
    painter = await openPainter(xvfb.display);
    await painter.fill(0, 0, WIDTH, HEIGHT, 0x101010);
    await painter.fill(10, 20, 30, 40, 0xd01020); // top left
    await painter.fill(250, 150, 50, 30, 0x20d010); // bottom right
  });

  afterAll(async () => {
    await painter?.close();
    await xvfb?.stop();
  });

  async function withReader(path: 'shm' | 'core', use: (reader: PixelReader) => Promise<void>): Promise<void> {
    const files = path === 'shm' ? new SegmentFiles() : null;
    const display: XDisplay = await connectX11(xvfb.display, undefined, files ?? undefined);
    try {
      const reader = await createPixelReader(display, WIDTH * HEIGHT * 4, files);
      expect(reader.path).toBe(path);
      try {
        await use(reader);
      } finally {
        reader.close();
      }
    } finally {
      await closeX11(display);
    }
  }

  const frames: [string, (reader: PixelReader) => Uint8Array][] = [
    ['a frame of its own', (reader) => reader.allocFrame(WIDTH * HEIGHT * 4)],
    ['a buffer it did not make', () => new Uint8Array(WIDTH * HEIGHT * 4)],
    ['a view into the middle of a larger buffer', () => new Uint8Array(WIDTH * HEIGHT * 4 + 64).subarray(24, -40)],
  ];

  it('shm: warms the segment up with zeros from a pixmap of its own, never with screen pixels', async () => {
    const files = new SegmentFiles();
    const display: XDisplay = await connectX11(xvfb.display, undefined, files);
    try {
      const reader = await createPixelReader(display, WIDTH * HEIGHT * 4, files);
      try {
        const fd = files.last?.fd;
        expect(reader.path).toBe('shm');
        expect(typeof fd).toBe('number');
        writeSync(fd as number, new Uint8Array(WIDTH * HEIGHT * 4).fill(SENTINEL), 0, WIDTH * HEIGHT * 4, 0);
        await reader.warm?.();
        const segment = new Uint8Array(WIDTH * HEIGHT * 4);
        readSync(fd as number, segment, 0, segment.length, 0);
        // Written over all of it by the server (no sentinel left), and not from the screen (no 0x10 grey, no red).
        expect(segment.every((b) => b === 0)).toBe(true);
        // The reads that follow read the screen.
        const frame = reader.allocFrame(WIDTH * HEIGHT * 4);
        await reader.read([part(0, 0, WIDTH, HEIGHT)], frame, STRIDE);
        expect(rgbAt(frame, 10, 20)).toBe(0xd01020);
        expect(rgbAt(frame, 100, 100)).toBe(0x101010);
      } finally {
        reader.close();
      }
    } finally {
      await closeX11(display);
    }
  });

  for (const path of ['shm', 'core'] as const) {
    it.each(frames)(
      `${path}: reads two rectangles far apart into %s, at their places, and nothing else`,
      async (_, make) => {
        await withReader(path, async (reader) => {
          const frame = make(reader).fill(SENTINEL);
          await reader.read([part(5, 15, 40, 50), part(240, 140, 70, 50)], frame, STRIDE);
          expect(rgbAt(frame, 10, 20)).toBe(0xd01020);
          expect(rgbAt(frame, 39, 59)).toBe(0xd01020);
          expect(rgbAt(frame, 5, 15)).toBe(0x101010);
          expect(rgbAt(frame, 44, 64)).toBe(0x101010);
          expect(rgbAt(frame, 250, 150)).toBe(0x20d010);
          expect(rgbAt(frame, 299, 179)).toBe(0x20d010);
          expect(rgbAt(frame, 309, 189)).toBe(0x101010);
          // Outside both parts: untouched.
          expect(frame[(100 * STRIDE + 100 * 4) as number]).toBe(SENTINEL);
          expect(frame[(15 * STRIDE + 45 * 4) as number]).toBe(SENTINEL);
          expect(frame[(14 * STRIDE + 5 * 4) as number]).toBe(SENTINEL);
          expect(frame[(190 * STRIDE + 240 * 4) as number]).toBe(SENTINEL);
        });
      },
    );

    it(`${path}: reads more rows in one call than one readv takes (1,024)`, async () => {
      await withReader(path, async (reader) => {
        const frame = reader.allocFrame(WIDTH * HEIGHT * 4).fill(SENTINEL);
        // Six columns one pixel wide, the whole height: 1,200 rows.
        const columns = [10, 11, 39, 40, 250, 299].map((x) => part(x, 0, 1, HEIGHT));
        await reader.read(columns, frame, STRIDE);
        for (const x of [10, 11, 39]) {
          expect(rgbAt(frame, x, 19)).toBe(0x101010);
          expect(rgbAt(frame, x, 20)).toBe(0xd01020);
          expect(rgbAt(frame, x, 59)).toBe(0xd01020);
          expect(rgbAt(frame, x, 199)).toBe(0x101010);
        }
        expect(rgbAt(frame, 40, 30)).toBe(0x101010);
        expect(rgbAt(frame, 250, 150)).toBe(0x20d010);
        expect(rgbAt(frame, 299, 179)).toBe(0x20d010);
        expect(rgbAt(frame, 299, 180)).toBe(0x101010);
        expect(frame[(30 * STRIDE + 12 * 4) as number]).toBe(SENTINEL);
      });
    });

    it(`${path}: reads whole rows straight into the frame`, async () => {
      await withReader(path, async (reader) => {
        const frame = reader.allocFrame(WIDTH * HEIGHT * 4).fill(SENTINEL);
        await reader.read([part(0, 30, WIDTH, 20)], frame, STRIDE);
        expect(rgbAt(frame, 10, 30)).toBe(0xd01020);
        expect(rgbAt(frame, 0, 30)).toBe(0x101010);
        expect(rgbAt(frame, 319, 49)).toBe(0x101010);
        expect(frame[(29 * STRIDE) as number]).toBe(SENTINEL);
        expect(frame[(50 * STRIDE) as number]).toBe(SENTINEL);
      });
    });

    it(`${path}: refuses a read larger than the display, leaving the frame as it was`, async () => {
      await withReader(path, async (reader) => {
        const frame = reader.allocFrame(WIDTH * HEIGHT * 4).fill(SENTINEL);
        await expect(reader.read([part(0, 0, WIDTH, HEIGHT), part(0, 0, 10, 10)], frame, STRIDE)).rejects.toThrow(
          RangeError,
        );
        expect(frame.every((b) => b === SENTINEL)).toBe(true);
      });
    });
  }
});
