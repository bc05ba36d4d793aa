/**
 * @module platform/linux/pixelReader
 * Reads rectangles of the root window into a frame buffer, through MIT-SHM
 * (`ShmGetImage` into a shared segment: no pixels on the socket) when the server is
 * local and allows it, else through core `GetImage` (pixels in the socket reply).
 *
 * Several rectangles are read in one round trip (their requests go out together): twenty
 * small changes spread over the screen cost what they cover, not their bounding box.
 * The shared path reads the segment's file straight into the frame: one `read` when a read is
 * whole rows of it, else one `readv` with a buffer per row at its place in the frame (the
 * kernel's copy is the only one; until 2026-12-05 rows were read into room kept behind the
 * frame, as large as the screen, and moved into place: 0.42–0.59 against 0.39–0.47 ms of CPU
 * for a bounding box of twenty rectangles at 1280×720).
 *
 * The server's first write into a new segment is slow: on Xvfb at 1280×720, the first frame
 * came 38–44 ms after the capture started, against 14–16 ms once the server had written the
 * segment through once (a probe of `X11ScreenSource`, quiet machine, four runs each). `warm`
 * does that write before the sharer allows (`prepare`), from a pixmap of the reader's own,
 * filled black: no screen pixel is read before the capture starts.
 */
import { readSync, readvSync, writeSync } from 'node:fs';
import { AgentError } from '../../errors.js';
import type { PixelFormat, Rect } from '../types.js';
import {
  requireExtension,
  xcall,
  Z_PIXMAP,
  type SegmentFile,
  type SegmentFiles,
  type ShmSegment,
  type XDisplay,
} from './x11.js';

const ALL_PLANES = 0xffffffff;
const BYTES_PER_PIXEL = 4;

/** One rectangle to read: `source` in root coordinates, written at byte `destOffset` of the frame. */
export interface ReadPart {
  source: Rect;
  destOffset: number;
}

/** Reads root-window pixels (one read at a time). */
export interface PixelReader {
  readonly path: 'shm' | 'core';
  readonly format: PixelFormat;
  /** The most bytes one read may cover (the display's size). */
  readonly maxBytes: number;
  /** A zeroed frame buffer of `bytes` for this reader's reads, its pages touched. */
  allocFrame(bytes: number): Uint8Array;
  /**
   * Reads every part into `dest` (`destStride` bytes per row). Their pixels together must
   * not exceed `maxBytes`.
   */
  read(parts: readonly ReadPart[], dest: Uint8Array, destStride: number): Promise<void>;
  /** Writes zeros over its own buffers, so that their pages are in memory before the first read. */
  touch?(): void;
  /**
   * Has the X server write a whole read's worth into the shared segment once, from a pixmap of
   * its own filled black (never the screen), so that the server's mapping of the segment and
   * its read path are warm before the first real read (see the module description).
   */
  warm?(): Promise<void>;
  close(): void;
}

/**
 * Checks that the root window is 24/32-bit TrueColor in 32 bits per pixel, little
 * endian (BGRX in memory) — what every current X server uses — and returns a reader.
 * `maxBytes` is the largest read (display width × height × 4). `files` is the provider
 * the connection was opened with (`connectX11(…, files)`): without it, or when the server
 * refuses shared memory, reads go through core `GetImage`.
 */
export async function createPixelReader(
  display: XDisplay,
  maxBytes: number,
  files: SegmentFiles | null,
): Promise<PixelReader> {
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
  if (files && display.isLocalSocket) {
    const opened = await openShmSegment(display, files, maxBytes);
    if (opened) return shmReader(root, opened.segment, opened.file, maxBytes, display, screen.root_depth);
  }
  return coreReader(display, root, maxBytes);
}

async function openShmSegment(
  display: XDisplay,
  files: SegmentFiles,
  size: number,
): Promise<{ segment: ShmSegment; file: SegmentFile } | null> {
  const shm = await requireExtension(display.client, 'shm');
  if (!shm) return null;
  const usable = await xcall<boolean>((cb) => shm.usable(cb)).catch(() => false);
  if (!usable) return null;
  const creating = xcall<ShmSegment>((cb) => shm.createSegment(size, cb));
  // `createSegment` makes the file synchronously, before attaching it: taken now, no other segment's.
  const file = files.last;
  const segment = await creating.catch(() => null);
  if (!segment) return null;
  if (file?.size !== size) {
    segment.detach();
    return null;
  }
  return { segment, file };
}

/** The bytes a read of `parts` covers; throws a RangeError beyond `maxBytes`. */
function checkSize(parts: readonly ReadPart[], maxBytes: number): number {
  let bytes = 0;
  for (const { source } of parts) bytes += source.width * source.height * BYTES_PER_PIXEL;
  if (bytes > maxBytes) throw new RangeError(`a read of ${bytes} bytes exceeds the reader's ${maxBytes}`);
  return bytes;
}

function shmReader(
  root: number,
  segment: ShmSegment,
  file: SegmentFile,
  maxBytes: number,
  display: XDisplay,
  depth: number,
): PixelReader {
  const fdOf = (): number => {
    if (file.fd === null) throw new AgentError('capture_failed', 'The shared-memory segment is closed');
    return file.fd;
  };
  return {
    path: 'shm',
    format: 'bgra',
    maxBytes,
    allocFrame: (bytes) => new Uint8Array(bytes).fill(0), // written: its pages are in memory now
    async read(parts, dest, destStride) {
      const total = checkSize(parts, maxBytes);
      let at = 0;
      await Promise.all(
        parts.map(({ source }) => {
          const offset = at;
          at += source.width * source.height * BYTES_PER_PIXEL;
          return xcall((cb) =>
            segment.getImage(root, source.x, source.y, source.width, source.height, ALL_PLANES, Z_PIXMAP, offset, cb),
          );
        }),
      );
      const only = parts.length === 1 ? parts[0] : undefined;
      if (only && only.source.width * BYTES_PER_PIXEL === destStride) {
        // Whole rows: the file is the frame's layout already.
        readFully(fdOf(), dest, only.destOffset, total, 0);
        return;
      }
      readRows(fdOf(), parts, dest, destStride);
    },
    async warm() {
      const width = display.screen[0]?.pixel_width ?? 0;
      const height = width > 0 ? Math.floor(maxBytes / BYTES_PER_PIXEL / width) : 0;
      if (width <= 0 || height <= 0) return;
      const { client } = display;
      const pixmap = client.AllocID();
      const gc = client.AllocID();
      client.CreatePixmap(pixmap, root, depth, width, height);
      client.CreateGC(gc, pixmap, { foreground: 0 });
      try {
        // A new pixmap's content is undefined (the server's memory): filled first, so only zeros are ever read.
        client.PolyFillRectangle(pixmap, gc, [0, 0, width, height]);
        await xcall((cb) => segment.getImage(pixmap, 0, 0, width, height, ALL_PLANES, Z_PIXMAP, 0, cb));
      } finally {
        client.FreeGC(gc);
        client.FreePixmap(pixmap);
        client.ReleaseID(gc);
        client.ReleaseID(pixmap);
      }
    },
    touch() {
      // The segment's pages, allocated now rather than by the server's first full-screen write.
      if (file.fd !== null) writeSync(file.fd, new Uint8Array(maxBytes), 0, maxBytes, 0);
    },
    close() {
      segment.detach();
    },
  };
}

/** Most buffers one `readv` takes (Linux's IOV_MAX). */
const MAX_IOVECS = 1024;

/** Reads `length` bytes of `fd` at `position` into `into` at `offset`, however many reads it takes. */
function readFully(fd: number, into: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, offset + done, length - done, position + done);
    if (n <= 0) throw new AgentError('capture_failed', 'The shared-memory segment ended early');
    done += n;
  }
}

/**
 * Reads the segment (the parts one after another, rows of their own width) straight into each
 * row's place in `dest`: one `readv` per {@link MAX_IOVECS} rows, the kernel's one copy. A
 * short `readv` (none seen on a shared-memory file) is finished row by row.
 */
function readRows(fd: number, parts: readonly ReadPart[], dest: Uint8Array, destStride: number): void {
  let rows: Uint8Array[] = [];
  let bytes = 0;
  let position = 0;
  const flush = () => {
    const n = readvSync(fd, rows, position);
    if (n < bytes) {
      let at = position;
      for (const row of rows) {
        const have = Math.min(row.length, Math.max(0, position + n - at));
        if (have < row.length) readFully(fd, row, have, row.length - have, at + have);
        at += row.length;
      }
    }
    position += bytes;
    rows = [];
    bytes = 0;
  };
  for (const { source, destOffset } of parts) {
    const rowBytes = source.width * BYTES_PER_PIXEL;
    for (let r = 0, at = destOffset; r < source.height; r++, at += destStride) {
      rows.push(dest.subarray(at, at + rowBytes));
      bytes += rowBytes;
      if (rows.length === MAX_IOVECS) flush();
    }
  }
  if (rows.length > 0) flush();
}

function coreReader(display: XDisplay, root: number, maxBytes: number): PixelReader {
  const client = display.client;
  return {
    path: 'core',
    format: 'bgra',
    maxBytes,
    allocFrame: (bytes) => new Uint8Array(bytes).fill(0),
    async read(parts, dest, destStride) {
      checkSize(parts, maxBytes);
      const images = await Promise.all(
        parts.map(({ source }) =>
          xcall<{ depth: number; data: Buffer }>((cb) =>
            client.GetImage(Z_PIXMAP, root, source.x, source.y, source.width, source.height, ALL_PLANES, cb),
          ),
        ),
      );
      parts.forEach(({ source, destOffset }, i) => {
        const image = images[i] as { data: Buffer };
        copyRows(image.data, source.width * BYTES_PER_PIXEL, source.height, dest, destOffset, destStride);
      });
    },
    close() {},
  };
}

/** Copies `rows` rows of `rowBytes` from the start of `src` into `dest`. */
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
