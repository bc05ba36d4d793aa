/**
 * @module input/pointer
 * Pointer positions travel as normalized video coordinates (0 = left/top edge,
 * 1 = right/bottom edge of the shared display), so the helper's view size and the
 * encoder's scaling never matter. This turns them into display-local pixels.
 */

/** A point in normalized [0, 1] video coordinates. */
export interface NormalizedPoint {
  x: number;
  y: number;
}

/** Size of the display in pixels. */
export interface PixelSize {
  width: number;
  height: number;
}

/**
 * Scales `point` to the pixel under it on a `size` display: `floor(x * width)`,
 * clamped to `[0, width - 1]` (likewise for y). Values outside [0, 1] and
 * non-finite values are clamped to the nearest edge (NaN goes to 0).
 */
export function normalizedToDisplay(point: NormalizedPoint, size: PixelSize): { x: number; y: number } {
  return { x: scaleAxis(point.x, size.width), y: scaleAxis(point.y, size.height) };
}

function scaleAxis(value: number, extent: number): number {
  if (!(extent >= 1)) return 0;
  const max = Math.floor(extent) - 1;
  if (Number.isNaN(value) || value <= 0) return 0;
  if (value >= 1) return max;
  return Math.min(max, Math.floor(value * extent));
}

/** A display-local pixel (rounded, clamped to the display) in the platform's global space: `bounds`' origin added. */
export function displayToGlobal(
  bounds: { x: number; y: number; width: number; height: number },
  x: number,
  y: number,
): { x: number; y: number } {
  return {
    x: bounds.x + Math.max(0, Math.min(bounds.width - 1, Math.round(x))),
    y: bounds.y + Math.max(0, Math.min(bounds.height - 1, Math.round(y))),
  };
}
