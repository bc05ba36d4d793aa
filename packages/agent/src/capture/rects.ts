/**
 * @module capture/rects
 * Small rectangle helpers for damage tracking.
 */
import type { DisplayInfo, Rect } from '../platform/types.js';

/** The overlap of `a` and `b`, or null when they do not overlap. */
export function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  if (right <= x || bottom <= y) return null;
  return { x, y, width: right - x, height: bottom - y };
}

/** Whether `a` and `b` are the same rectangle. */
export function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/** Whether two descriptions are of the same display at the same place and size. */
export function sameDisplay(a: DisplayInfo, b: DisplayInfo): boolean {
  return a.id === b.id && sameRect(a.bounds, b.bounds);
}

/** The smallest rectangle containing every rectangle of `rects` (which must not be empty). */
export function boundingBox(rects: readonly Rect[]): Rect {
  let x = Infinity;
  let y = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const r of rects) {
    x = Math.min(x, r.x);
    y = Math.min(y, r.y);
    right = Math.max(right, r.x + r.width);
    bottom = Math.max(bottom, r.y + r.height);
  }
  return { x, y, width: right - x, height: bottom - y };
}

/** `rects` moved by (-origin.x, -origin.y) and clipped to `size`, dropping empty ones. */
export function toLocal(rects: readonly Rect[], origin: Rect): Rect[] {
  const out: Rect[] = [];
  const local = { x: 0, y: 0, width: origin.width, height: origin.height };
  for (const r of rects) {
    const clipped = intersect({ x: r.x - origin.x, y: r.y - origin.y, width: r.width, height: r.height }, local);
    if (clipped) out.push(clipped);
  }
  return out;
}

/**
 * At most `max` rectangles: beyond that, the bounding box alone. The default is high: the
 * tile sender cuts rectangles along its grid itself, and a bounding box of twenty small
 * changes spread over the screen would send the whole screen.
 */
export function simplify(rects: readonly Rect[], max = 1024): Rect[] {
  if (rects.length <= max) return [...rects];
  return [boundingBox(rects)];
}
