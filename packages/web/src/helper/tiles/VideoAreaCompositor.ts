/**
 * @module VideoAreaCompositor
 * The hybrid pixel path on the helper's side (ADR 0024): the agent sends the part of its
 * screen that plays like a video on the connection's video track, cropped to that *video
 * area*, and the rest as tiles. The tile receiver says which cells of the area still show
 * the video (`show`); each new video frame is drawn onto the tile canvas there, so the
 * canvas stays the one picture that layout, pointer, laser and input already work with.
 * Cells the tiles have taken back (the exact pixels sent once the motion stopped) are
 * never drawn over. A frame whose size is not the area's (an older area's, still in the
 * decoder) is skipped. Frames come from `requestVideoFrameCallback` where the browser has
 * it, else from animation frames whenever the video's time moved.
 */
import type { ScreenRect } from '@remote-help/protocol';

/** The part of `HTMLVideoElement` used (requestVideoFrameCallback is not in every DOM typing). */
type FrameVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (callback: () => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

/** See the module description. */
export class VideoAreaCompositor {
  private area: ScreenRect | null = null;
  private cells: readonly ScreenRect[] = [];
  /** The callback waited for: a video frame's (`byFrame`) or an animation frame's. */
  private pending: { video: FrameVideo | null; handle: number; byFrame: boolean } | null = null;
  private lastTime = -1;
  private drawn = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** The `<video>` playing the connection's stream (read each time: it may mount later). */
    private readonly video: () => HTMLVideoElement | null,
  ) {}

  /** The video area and its cells that show the video now (from the tile receiver). */
  show(area: ScreenRect | null, cells: readonly ScreenRect[]): void {
    this.area = area;
    this.cells = cells;
    this.canvas.dataset.videoCells = String(cells.length);
    if (cells.length > 0) this.wait();
    else this.cancel();
  }

  /** Video frames drawn so far. */
  get frames(): number {
    return this.drawn;
  }

  dispose(): void {
    this.cancel();
    this.area = null;
    this.cells = [];
  }

  private wait(): void {
    if (this.pending) return;
    const video = this.video() as FrameVideo | null;
    if (video?.requestVideoFrameCallback) {
      this.pending = { video, handle: video.requestVideoFrameCallback(() => this.next(true)), byFrame: true };
    } else {
      this.pending = { video, handle: requestAnimationFrame(() => this.next()), byFrame: false };
    }
  }

  private next(newFrame = false): void {
    const video = this.pending?.video;
    this.pending = null;
    if (this.cells.length === 0) return;
    if (video && (newFrame || (video.currentTime !== this.lastTime && video.readyState >= 2))) {
      this.lastTime = video.currentTime;
      this.draw(video);
    }
    this.wait();
  }

  private draw(video: HTMLVideoElement): void {
    const area = this.area;
    if (!area || Math.abs(video.videoWidth - area.width) > 1 || Math.abs(video.videoHeight - area.height) > 1) return;
    const context = this.canvas.getContext('2d');
    if (!context) return;
    for (const cell of this.cells) {
      const sx = cell.x - area.x;
      const sy = cell.y - area.y;
      // The track may be a pixel short of an odd-sized area (I420 is even-sized).
      const width = Math.min(cell.width, video.videoWidth - sx);
      const height = Math.min(cell.height, video.videoHeight - sy);
      if (width > 0 && height > 0) context.drawImage(video, sx, sy, width, height, cell.x, cell.y, width, height);
    }
    this.drawn++;
    this.canvas.dataset.videoFrames = String(this.drawn);
  }

  private cancel(): void {
    const pending = this.pending;
    this.pending = null;
    if (!pending) return;
    if (pending.byFrame) pending.video?.cancelVideoFrameCallback?.(pending.handle);
    else cancelAnimationFrame(pending.handle);
  }
}
