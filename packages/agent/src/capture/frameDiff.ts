/**
 * @module capture/frameDiff
 * Change detection by comparing two frames, for backends without damage events
 * (X servers without DAMAGE, macOS through node-screenshots). Rows are compared
 * with memcmp first; only changed rows are compared tile by tile.
 */
import type { Rect } from '../platform/types.js';

/** Width and height of a comparison tile, in pixels. */
export const DIFF_TILE = 64;
const BYTES_PER_PIXEL = 4;

/**
 * The tiles that differ between `prev` and `next` (same size and stride), merged
 * into rectangles: runs of changed tiles in one tile row, joined with the same run
 * in the rows below. Empty when the frames are identical.
 */
export function diffFrames(
  prev: Uint8Array,
  next: Uint8Array,
  width: number,
  height: number,
  stride: number,
  tile = DIFF_TILE,
): Rect[] {
  const a = asBuffer(prev);
  const b = asBuffer(next);
  const rowBytes = width * BYTES_PER_PIXEL;
  if (stride === rowBytes && a.compare(b, 0, rowBytes * height, 0, rowBytes * height) === 0) return [];

  const cols = Math.ceil(width / tile);
  const rects: Rect[] = [];
  let open: Rect[] = [];
  for (let ty = 0; ty * tile < height; ty++) {
    const y0 = ty * tile;
    const y1 = Math.min(height, y0 + tile);
    const dirty = new Uint8Array(cols);
    let any = false;
    for (let y = y0; y < y1; y++) {
      const row = y * stride;
      if (a.compare(b, row, row + rowBytes, row, row + rowBytes) === 0) continue;
      for (let tx = 0; tx < cols; tx++) {
        if (dirty[tx]) continue;
        const start = row + tx * tile * BYTES_PER_PIXEL;
        const end = Math.min(row + rowBytes, start + tile * BYTES_PER_PIXEL);
        if (a.compare(b, start, end, start, end) !== 0) {
          dirty[tx] = 1;
          any = true;
        }
      }
    }
    const runs = any ? tileRuns(dirty, tile, width, y0, y1 - y0) : [];
    const next: Rect[] = [];
    for (const run of runs) {
      const above = open.find((r) => r.x === run.x && r.width === run.width && r.y + r.height === run.y);
      if (above) {
        above.height += run.height;
        next.push(above);
      } else {
        rects.push(run);
        next.push(run);
      }
    }
    open = next;
  }
  return rects;
}

function tileRuns(dirty: Uint8Array, tile: number, width: number, y: number, height: number): Rect[] {
  const runs: Rect[] = [];
  let start = -1;
  for (let tx = 0; tx <= dirty.length; tx++) {
    if (tx < dirty.length && dirty[tx]) {
      if (start < 0) start = tx;
    } else if (start >= 0) {
      const x = start * tile;
      runs.push({ x, y, width: Math.min(width, tx * tile) - x, height });
      start = -1;
    }
  }
  return runs;
}

function asBuffer(view: Uint8Array): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
