/**
 * @module rtc/scroll
 * Finds a vertical scroll inside a changed rectangle: the rows of the screen now that are
 * rows of what the helper already shows (the sender's shadow), moved up or down by the
 * same distance. Row hashes vote for a distance; the longest run of rows that match at
 * that distance is checked pixel by pixel. The screen's pixels are compared without their
 * padding byte; the shadow holds 0xRRGGBB words, or a value with the top byte set where the
 * helper's pixels are not known (so they never match).
 */
import type { Rect } from '../platform/types.js';

/** Pixels as 32-bit words, `stride` words per row; `mask` is applied to each before comparing. */
export interface Pixels32 {
  words: Uint32Array;
  stride: number;
  mask: number;
}

/** A scroll found: the rows at `sy` (in the shadow) are now at `y`, `height` rows of `width` from `x`. */
export interface Scroll {
  x: number;
  sy: number;
  y: number;
  width: number;
  height: number;
}

/** Rows a scroll must move at least, and how far the source may reach beyond the changed rectangle. */
const MIN_RUN = 24;
const REACH = 128;

function rowHash(p: Pixels32, y: number, x: number, width: number): number {
  let h = 0x811c9dc5;
  const start = y * p.stride + x;
  for (let i = start; i < start + width; i++) h = Math.imul(h ^ ((p.words[i] as number) & p.mask), 0x01000193);
  return h >>> 0;
}

function uniformRow(p: Pixels32, y: number, x: number, width: number): boolean {
  const start = y * p.stride + x;
  const first = (p.words[start] as number) & p.mask;
  for (let i = start + 1; i < start + width; i++) if (((p.words[i] as number) & p.mask) !== first) return false;
  return true;
}

function sameRows(a: Pixels32, ay: number, b: Pixels32, by: number, x: number, width: number, rows: number): boolean {
  for (let r = 0; r < rows; r++) {
    const ai = (ay + r) * a.stride + x;
    const bi = (by + r) * b.stride + x;
    for (let i = 0; i < width; i++) {
      if (((a.words[ai + i] as number) & a.mask) !== ((b.words[bi + i] as number) & b.mask)) return false;
    }
  }
  return true;
}

/**
 * The scroll inside `area` of `now` relative to `shadow` (both `screenHeight` rows), or
 * null. Rows of one colour do not vote (they match everywhere) but may be part of the run.
 */
export function findScroll(now: Pixels32, shadow: Pixels32, area: Rect, screenHeight: number): Scroll | null {
  const { x, width } = area;
  if (width < 16 || area.height < MIN_RUN) return null;
  const top = Math.max(0, area.y - REACH);
  const bottom = Math.min(screenHeight, area.y + area.height + REACH);
  const shadowRows = new Map<number, number[]>();
  const shadowHash = new Uint32Array(bottom - top);
  for (let y = top; y < bottom; y++) {
    const h = rowHash(shadow, y, x, width);
    shadowHash[y - top] = h;
    const list = shadowRows.get(h);
    if (!list) shadowRows.set(h, [y]);
    else if (list.length < 4) list.push(y);
  }
  const nowHash = new Uint32Array(area.height);
  const votes = new Map<number, number>();
  let voters = 0;
  for (let y = area.y; y < area.y + area.height; y++) {
    const h = rowHash(now, y, x, width);
    nowHash[y - area.y] = h;
    if (uniformRow(now, y, x, width)) continue;
    voters++;
    for (const sy of shadowRows.get(h) ?? []) {
      if (sy !== y) votes.set(sy - y, (votes.get(sy - y) ?? 0) + 1);
    }
  }
  let dy = 0;
  let best = 0;
  for (const [d, n] of votes) {
    if (n > best) {
      best = n;
      dy = d;
    }
  }
  if (dy === 0 || best < Math.max(4, voters * 0.3)) return null;
  // The longest run of rows that match at distance dy.
  let runStart = -1;
  let longest: [number, number] | null = null;
  for (let y = area.y; y <= area.y + area.height; y++) {
    const sy = y + dy;
    const match = y < area.y + area.height && sy >= top && sy < bottom && nowHash[y - area.y] === shadowHash[sy - top];
    if (match && runStart < 0) runStart = y;
    if (!match && runStart >= 0) {
      if (!longest || y - runStart > longest[1] - longest[0]) longest = [runStart, y];
      runStart = -1;
    }
  }
  if (!longest || longest[1] - longest[0] < MIN_RUN) return null;
  const [y0, y1] = longest;
  if (!sameRows(now, y0, shadow, y0 + dy, x, width, y1 - y0)) return null; // a hash collision
  return { x, sy: y0 + dy, y: y0, width, height: y1 - y0 };
}
