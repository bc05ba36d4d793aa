/**
 * @module coordinates
 * Where the sharer's picture is inside the remote view, and how a point of the helper's
 * page maps to normalized video coordinates (0 = left/top edge, 1 = right/bottom edge of
 * the shared display), the unit of every `input` and `control` position.
 *
 * The stage is the scroll container the `<video>` (or the agent's tile `<canvas>`) sits
 * in. In fit mode the element fills the stage with `object-fit: contain`, so the picture is
 * scaled down and centered with bars on two sides; in actual-size mode it has its intrinsic size at the top-left
 * of the stage's scrollable content. Picture rectangles here are in the stage's *content*
 * coordinates (they scroll with the content), so overlays positioned with them stay on
 * the picture in both modes.
 */

/** A width and a height in CSS pixels. */
export interface Size {
  width: number;
  height: number;
}

/** A rectangle in CSS pixels. */
export interface Rect extends Size {
  left: number;
  top: number;
}

/** A point; in normalized coordinates each axis is in [0, 1] over the picture. */
export interface Point {
  x: number;
  y: number;
}

/** How the picture is sized: `fit` (contain, centered) or `actual` (1 video pixel per CSS pixel). */
export type SizeMode = 'fit' | 'actual';

/** What is needed to map a page point to the picture, measured when the event happens. */
export interface StageGeometry {
  /**
   * The stage's client area (its inner box without borders and scroll bars) in viewport
   * coordinates: `getBoundingClientRect()` moved by `clientLeft/Top`, sized `clientWidth × clientHeight`.
   */
  viewport: Rect;
  /** `scrollLeft` / `scrollTop` of the stage. */
  scroll: Point;
  /** The picture in the stage's content coordinates ({@link pictureLayout}). */
  picture: Rect;
}

/**
 * The picture's rectangle in the stage's content coordinates, or null while the video
 * size is unknown. `stage` is the client size of the stage (without scroll bars).
 */
export function pictureLayout(stage: Size, video: Size, mode: SizeMode): Rect | null {
  if (!(video.width > 0 && video.height > 0)) return null;
  if (mode === 'actual') return { left: 0, top: 0, width: video.width, height: video.height };
  if (!(stage.width > 0 && stage.height > 0)) return null;
  const scale = Math.min(stage.width / video.width, stage.height / video.height);
  const width = video.width * scale;
  const height = video.height * scale;
  return { left: (stage.width - width) / 2, top: (stage.height - height) / 2, width, height };
}

function inside(value: number, start: number, length: number): boolean {
  return value >= start && value < start + length;
}

const clampUnit = (value: number): number => Math.min(1, Math.max(0, value));

/**
 * Maps a point in viewport coordinates (`clientX`, `clientY`) to normalized picture
 * coordinates. Returns null when the point is outside the picture (the bars of fit mode,
 * the empty stage beside a small picture, or a part of the picture scrolled out of view
 * or under a scroll bar), unless `clamp` is set: then a point anywhere is moved to the
 * nearest picture edge (used while a button is held, so a drag can reach the edges).
 */
export function clientToNormalized(client: Point, geometry: StageGeometry, clamp = false): Point | null {
  const { viewport, scroll, picture } = geometry;
  if (!(picture.width > 0 && picture.height > 0)) return null;
  const x = (client.x - viewport.left + scroll.x - picture.left) / picture.width;
  const y = (client.y - viewport.top + scroll.y - picture.top) / picture.height;
  if (clamp) return { x: clampUnit(x), y: clampUnit(y) };
  const visible = inside(client.x, viewport.left, viewport.width) && inside(client.y, viewport.top, viewport.height);
  if (!visible || x < 0 || x >= 1 || y < 0 || y >= 1) return null;
  return { x, y };
}

/** Rounds a normalized coordinate to 5 decimals (1/100 000 of the display: sub-pixel on any screen). */
export function roundUnit(value: number): number {
  return Math.round(value * 100_000) / 100_000;
}

/** A normalized point forced into [0, 1] and rounded, as `laser` and `cursor` positions require. */
export function unitPoint(point: Point): Point {
  return { x: roundUnit(clampUnit(point.x)), y: roundUnit(clampUnit(point.y)) };
}
