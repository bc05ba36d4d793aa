/**
 * @module CanvasPainter
 * Paints tiles straight onto a `<canvas>` as they arrive: no React state, no frame
 * queue. The 2D context is opaque (`alpha: false`) and asks for a low-latency
 * (`desynchronized`) surface where the browser offers one. A resize sets the canvas'
 * own width and height (its intrinsic size), draws it black (which allocates its memory)
 * and dispatches a `resize` event on it, the way a `<video>` does when its frame size
 * changes. The video area's cells (the hybrid path) go to a {@link VideoAreaCompositor},
 * when there is one.
 */
import type { Painter, ScreenRect } from '@remote-help/protocol';
import type { VideoAreaCompositor } from './VideoAreaCompositor';

/** See the module description. */
export class CanvasPainter implements Painter {
  private readonly context: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly compositor?: VideoAreaCompositor,
  ) {
    const context = canvas.getContext('2d', { alpha: false, desynchronized: true });
    if (!context) throw new Error('CanvasPainter: no 2D context');
    this.context = context;
  }

  resize(width: number, height: number): void {
    this.canvas.width = width;
    this.canvas.height = height;
    // A canvas gets its memory at its first drawing (11–21 ms for 1280×720 on a 2-core machine): here, not in the
    // first tile's message. Black is what an opaque canvas shows anyway; a screen message may size it before Allow.
    this.context.fillStyle = '#000';
    this.context.fillRect(0, 0, width, height);
    this.canvas.dispatchEvent(new Event('resize'));
  }

  fill(x: number, y: number, width: number, height: number, r: number, g: number, b: number): void {
    this.context.fillStyle = `rgb(${r} ${g} ${b})`;
    this.context.fillRect(x, y, width, height);
  }

  copy(sx: number, sy: number, x: number, y: number, width: number, height: number): void {
    // drawImage from the canvas onto itself reads a snapshot of the source: overlapping areas are safe.
    this.context.drawImage(this.canvas, sx, sy, width, height, x, y, width, height);
  }

  put(rgba: Uint8ClampedArray, x: number, y: number, width: number, height: number): void {
    this.context.putImageData(new ImageData(overArrayBuffer(rgba), width, height), x, y);
  }

  video(area: ScreenRect | null, cells: readonly ScreenRect[]): void {
    this.compositor?.show(area, cells);
  }
}

/** `ImageData` only takes pixels over an `ArrayBuffer`; decoded tiles always are, so this never copies in practice. */
function overArrayBuffer(rgba: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  return rgba.buffer instanceof ArrayBuffer ? (rgba as Uint8ClampedArray<ArrayBuffer>) : new Uint8ClampedArray(rgba);
}
