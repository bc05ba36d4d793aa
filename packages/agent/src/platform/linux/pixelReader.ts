/**
 * @module platform/linux/pixelReader
 * Reads a rectangle of the root window into a frame buffer, through MIT-SHM
 * (`ShmGetImage` into a shared segment: no pixels on the socket) when the server is
 * local and allows it, else through core `GetImage` (pixels in the socket reply).
 */
import { AgentError } from '../../errors.js';
import type { PixelFormat, Rect } from '../types.js';
import { requireExtension, xcall, Z_PIXMAP, type ShmSegment, type XDisplay } from './x11.js';

const ALL_PLANES = 0xffffffff;
const BYTES_PER_PIXEL = 4;

/** Reads root-window pixels (one read at a time). */
export interface PixelReader {
  readonly path: 'shm' | 'core';
  readonly format: PixelFormat;
  /** Reads `source` (root coordinates) into `dest` at byte `destOffset`, `destStride` bytes per row. */
  read(source: Rect, dest: Uint8Array, destOffset: number, destStride: number): Promise<void>;
  /** Writes zeros over its own buffers, so that their pages are in memory before the first read. */
  touch?(): void;
  close(): void;
}

/**
 * Checks that the root window is 24/32-bit TrueColor in 32 bits per pixel, little
 * endian (BGRX in memory) — what every current X server uses — and returns a reader.
 * `maxBytes` is the largest read (display width × height × 4).
 */
export async function createPixelReader(display: XDisplay, maxBytes: number, preferShm = true): Promise<PixelReader> {
  const screen = display.screen[0];
  if (!screen) throw new AgentError('capture_failed', 'The X server reported no screen');
  const bpp = display.format[String(screen.root_depth)]?.bits_per_pixel;
  if ((screen.root_depth !== 24 && screen.root_depth !== 32) || bpp !== 32 || display.image_byte_order !== 0) {
    throw new AgentError('capture_failed', 'Unsupported X pixel format (need depth 24/32, 32 bpp, LSBFirst)', {
      depth: screen.root_depth,
      bitsPerPixel: bpp,
      byteOrder: display.image_byte_order,
    });
  }
  const root = screen.root;
  if (preferShm && display.isLocalSocket) {
    const segment = await openShmSegment(display, maxBytes);
    if (segment) return shmReader(root, segment);
  }
  return coreReader(display, root);
}

async function openShmSegment(display: XDisplay, size: number): Promise<ShmSegment | null> {
  const shm = await requireExtension(display.client, 'shm');
  if (!shm) return null;
  const usable = await xcall<boolean>((cb) => shm.usable(cb)).catch(() => false);
  if (!usable) return null;
  return xcall<ShmSegment>((cb) => shm.createSegment(size, cb)).catch(() => null);
}

function shmReader(root: number, segment: ShmSegment): PixelReader {
  return {
    path: 'shm',
    format: 'bgra',
    async read(source, dest, destOffset, destStride) {
      await xcall((cb) =>
        segment.getImage(root, source.x, source.y, source.width, source.height, ALL_PLANES, Z_PIXMAP, 0, cb),
      );
      copyRows(segment.buffer, source.width * BYTES_PER_PIXEL, source.height, dest, destOffset, destStride);
    },
    touch() {
      segment.buffer.fill(0);
    },
    close() {
      segment.detach();
    },
  };
}

function coreReader(display: XDisplay, root: number): PixelReader {
  const client = display.client;
  return {
    path: 'core',
    format: 'bgra',
    async read(source, dest, destOffset, destStride) {
      const image = await xcall<{ depth: number; data: Buffer }>((cb) =>
        client.GetImage(Z_PIXMAP, root, source.x, source.y, source.width, source.height, ALL_PLANES, cb),
      );
      copyRows(image.data, source.width * BYTES_PER_PIXEL, source.height, dest, destOffset, destStride);
    },
    close() {},
  };
}

function copyRows(
  src: Uint8Array,
  rowBytes: number,
  rows: number,
  dest: Uint8Array,
  destOffset: number,
  destStride: number,
): void {
  if (rowBytes === destStride) {
    dest.set(src.subarray(0, rowBytes * rows), destOffset);
    return;
  }
  for (let r = 0; r < rows; r++) {
    dest.set(src.subarray(r * rowBytes, (r + 1) * rowBytes), destOffset + r * destStride);
  }
}
