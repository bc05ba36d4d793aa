/**
 * @module capture/videoAreas
 * Finds the part of the screen that changes like a video, for the hybrid pixel path
 * (ADR 0024): that area goes to the video encoder, everything else stays on exact tiles.
 *
 * - Every captured frame's changed rectangles mark the 64-pixel grid cells they touch. A
 *   cell is *in motion* once it changed in `hotFrames` frames in a row, each within
 *   `maxGapMs` of the one before (a video at 10 frames/s or more, for about a quarter of a
 *   second at 30).
 * - The largest group of cells in motion (touching side by side), at least `minCells` of
 *   them, is the candidate; its bounding box on the grid is the area. It becomes the video
 *   area only if it *looks photographic* (`photographic`: neighbouring pixels differ by small
 *   steps, as in gradients, skin and sky, or nearly all differ, as in noise and texture). A
 *   terminal scrolling, a busy dashboard of flat rectangles or a window of text being typed
 *   changes just as often, but its neighbouring pixels are equal or jump (flat colours, sharp
 *   edges): it stays on tiles, which carry it exactly and cheaper.
 * - The area ends once none of its cells changed for `coolMs` (the video paused or
 *   closed): the caller then sends its exact pixels as tiles. A candidate that reaches
 *   outside the current area (the video window moved or grew) replaces it.
 */
import type { Rect, ScreenFrame } from '../platform/types.js';
import { TILE_SIZE } from '@remote-help/protocol';

/** Tuning of a {@link VideoAreas}. */
export interface VideoAreaOptions {
  /** Frames in a row a cell must change in (default 8). */
  hotFrames?: number;
  /** Longest pause between two changes of a cell still "in a row", ms (default 120). */
  maxGapMs?: number;
  /** Fewest cells in motion that make an area (default 6: 192 × 128 pixels). */
  minCells?: number;
  /** An area whose cells stayed still this long ends, ms (default 400). */
  coolMs?: number;
  /** Whether the pixels of `r` look like a photograph or a video (default: {@link photographic}). */
  looksLikeVideo?: (frame: ScreenFrame, r: Rect) => boolean;
  /** How often a candidate that did not look like video is looked at again, ms (default 500). */
  recheckMs?: number;
}

/** See the module description. */
export class VideoAreas {
  readonly #hotFrames: number;
  readonly #maxGapMs: number;
  readonly #minCells: number;
  readonly #coolMs: number;
  readonly #recheckMs: number;
  readonly #looksLikeVideo: (frame: ScreenFrame, r: Rect) => boolean;
  #cols = 0;
  #rows = 0;
  #width = 0;
  #height = 0;
  /** Per cell: changes in a row, and when it last changed (-Infinity: never). */
  #streak = new Uint16Array(0);
  #last = new Float64Array(0);
  #area: Rect | null = null;
  /** When a cell of the area last changed. */
  #areaMovedAt = 0;
  /** The last candidate that did not look like video, and when it was looked at. */
  #refused: { area: Rect; at: number } | null = null;

  constructor(options: VideoAreaOptions = {}) {
    this.#hotFrames = options.hotFrames ?? 8;
    this.#maxGapMs = options.maxGapMs ?? 120;
    this.#minCells = options.minCells ?? 6;
    this.#coolMs = options.coolMs ?? 400;
    this.#recheckMs = options.recheckMs ?? 500;
    this.#looksLikeVideo = options.looksLikeVideo ?? photographic;
  }

  /** The current video area (on the grid), or null. */
  get area(): Rect | null {
    return this.#area;
  }

  /** Takes a captured frame; returns the video area after it. */
  update(frame: ScreenFrame, now: number): Rect | null {
    if (frame.width !== this.#width || frame.height !== this.#height) this.#reset(frame.width, frame.height);
    const changed = frame.changed ?? [{ x: 0, y: 0, width: frame.width, height: frame.height }];
    const touched = this.#touch(changed, now);
    const area = this.#area;
    if (area && touched.some((cell) => this.#inArea(cell, area))) this.#areaMovedAt = now;
    const candidate = this.#candidate(now);
    if (candidate && (!area || !contains(area, candidate)) && this.#accept(frame, candidate, now)) {
      this.#area = candidate;
      this.#areaMovedAt = now;
    }
    return this.tick(now);
  }

  /** Ends the area if it stayed still for `coolMs` (call it also when no frame comes); returns the area. */
  tick(now: number): Rect | null {
    if (this.#area && now - this.#areaMovedAt >= this.#coolMs) this.#area = null;
    return this.#area;
  }

  /** Forgets everything (a new display, a new connection). */
  reset(): void {
    this.#reset(this.#width, this.#height);
  }

  #reset(width: number, height: number): void {
    this.#width = width;
    this.#height = height;
    this.#cols = Math.ceil(width / TILE_SIZE);
    this.#rows = Math.ceil(height / TILE_SIZE);
    this.#streak = new Uint16Array(this.#cols * this.#rows);
    this.#last = new Float64Array(this.#cols * this.#rows).fill(-Infinity);
    this.#area = null;
    this.#refused = null;
  }

  /** Marks the cells the rectangles touch as changed now; returns their indexes. */
  #touch(changed: readonly Rect[], now: number): number[] {
    const seen = new Set<number>();
    for (const r of changed) {
      const c0 = Math.max(0, Math.floor(r.x / TILE_SIZE));
      const c1 = Math.min(this.#cols - 1, Math.floor((r.x + r.width - 1) / TILE_SIZE));
      const r0 = Math.max(0, Math.floor(r.y / TILE_SIZE));
      const r1 = Math.min(this.#rows - 1, Math.floor((r.y + r.height - 1) / TILE_SIZE));
      for (let row = r0; row <= r1; row++) for (let col = c0; col <= c1; col++) seen.add(row * this.#cols + col);
    }
    for (const cell of seen) {
      const gap = now - (this.#last[cell] as number);
      this.#streak[cell] = gap <= this.#maxGapMs ? Math.min(0xffff, (this.#streak[cell] as number) + 1) : 1;
      this.#last[cell] = now;
    }
    return [...seen];
  }

  #hot(cell: number, now: number): boolean {
    return (this.#streak[cell] as number) >= this.#hotFrames && now - (this.#last[cell] as number) <= this.#maxGapMs;
  }

  /** The bounding box (on the grid) of the largest group of cells in motion, if it is large enough. */
  #candidate(now: number): Rect | null {
    const cols = this.#cols;
    const seen = new Uint8Array(cols * this.#rows);
    let best: { cells: number; c0: number; c1: number; r0: number; r1: number } | null = null;
    for (let start = 0; start < seen.length; start++) {
      if (seen[start] || !this.#hot(start, now)) continue;
      const group = { cells: 0, c0: cols, c1: -1, r0: this.#rows, r1: -1 };
      const stack = [start];
      seen[start] = 1;
      while (stack.length > 0) {
        const cell = stack.pop() as number;
        const c = cell % cols;
        const r = (cell - c) / cols;
        group.cells++;
        group.c0 = Math.min(group.c0, c);
        group.c1 = Math.max(group.c1, c);
        group.r0 = Math.min(group.r0, r);
        group.r1 = Math.max(group.r1, r);
        const next = [c > 0 ? cell - 1 : -1, c < cols - 1 ? cell + 1 : -1, cell - cols, cell + cols];
        for (const n of next) {
          if (n < 0 || n >= seen.length || seen[n] || !this.#hot(n, now)) continue;
          seen[n] = 1;
          stack.push(n);
        }
      }
      if (!best || group.cells > best.cells) best = group;
    }
    if (!best || best.cells < this.#minCells) return null;
    const x = best.c0 * TILE_SIZE;
    const y = best.r0 * TILE_SIZE;
    return {
      x,
      y,
      width: Math.min(this.#width, (best.c1 + 1) * TILE_SIZE) - x,
      height: Math.min(this.#height, (best.r1 + 1) * TILE_SIZE) - y,
    };
  }

  /**
   * Whether the candidate looks like video. One inside a candidate refused less than
   * `recheckMs` ago is refused again unseen: on a busy screen of flat rectangles the
   * candidate's box changes with nearly every frame, and looking at each cost a quarter of
   * its pixels ten times a second.
   */
  #accept(frame: ScreenFrame, candidate: Rect, now: number): boolean {
    const refused = this.#refused;
    if (refused && contains(refused.area, candidate) && now - refused.at < this.#recheckMs) return false;
    if (this.#looksLikeVideo(frame, candidate)) {
      this.#refused = null;
      return true;
    }
    this.#refused = { area: candidate, at: now };
    return false;
  }

  #inArea(cell: number, area: Rect): boolean {
    const x = (cell % this.#cols) * TILE_SIZE;
    const y = Math.floor(cell / this.#cols) * TILE_SIZE;
    return x >= area.x && x < area.x + area.width && y >= area.y && y < area.y + area.height;
  }
}

/** Neighbouring pixels that differ by a small step (every channel within {@link SMALL_STEP}) in a photographic area, at least. */
export const PHOTOGRAPHIC_SMALL_STEPS = 0.08;
/** Neighbouring pixels that are equal in a photographic area, at most (noise and texture). */
export const PHOTOGRAPHIC_EQUAL = 0.5;
const SMALL_STEP = 24;

/**
 * Whether `r` of the frame looks like a photograph or a video, from pairs of horizontal
 * neighbours sampled at every other pixel of every other row: at least
 * {@link PHOTOGRAPHIC_SMALL_STEPS} of them differ by a small step (gradients, natural
 * images; FFmpeg's `testsrc` 11–13 %), or at most {@link PHOTOGRAPHIC_EQUAL} are equal
 * (noise, texture). Measured on user interface and smoothed text: 2–3 % small steps and
 * 94 % equal; on flat rectangles and two-colour text, none.
 */
export function photographic(frame: ScreenFrame, r: Rect): boolean {
  const { data, stride } = frame;
  let pairs = 0;
  let small = 0;
  let equal = 0;
  const right = Math.min(r.x + r.width, frame.width) - 1;
  for (let y = r.y; y < r.y + r.height; y += 2) {
    let p = y * stride + r.x * 4;
    for (let x = r.x; x < right; x += 2, p += 8) {
      const d = Math.max(
        Math.abs((data[p] as number) - (data[p + 4] as number)),
        Math.abs((data[p + 1] as number) - (data[p + 5] as number)),
        Math.abs((data[p + 2] as number) - (data[p + 6] as number)),
      );
      pairs++;
      if (d === 0) equal++;
      else if (d <= SMALL_STEP) small++;
    }
  }
  return pairs > 0 && (small >= pairs * PHOTOGRAPHIC_SMALL_STEPS || equal <= pairs * PHOTOGRAPHIC_EQUAL);
}

function contains(outer: Rect, inner: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}
