/**
 * @module ui/preview
 * A small RGBA copy of the shared screen for the agent window, where the helper's
 * laser pointer is drawn. The window is told of new frames at most twice a second and
 * fetches the preview then; the last frame is sampled (nearest neighbour) only when it is
 * fetched, not for every frame captured (30 a second on a busy screen, for two looks).
 * Sources update their frame buffer in place or hand out recent ones, so the sample is of
 * the screen as it is by then.
 */
import type { ScreenFrame } from '../platform/types.js';
import type { UiPreview } from './model.js';

/** Width of the preview in pixels. */
export const PREVIEW_WIDTH = 320;
const NOTIFY_INTERVAL_MS = 500;

/** Keeps the latest preview and a version number that changes with it. */
export class PreviewMaker {
  #preview: UiPreview | null = null;
  /** The last frame, and the version of it that `#preview` holds. */
  #frame: ScreenFrame | null = null;
  #sampled = 0;
  #version = 0;
  #lastNotified = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #onUpdate: () => void;

  constructor(onUpdate: () => void) {
    this.#onUpdate = onUpdate;
  }

  /** 0 while there is no preview. */
  get version(): number {
    return this.#frame ? this.#version : 0;
  }

  current(): UiPreview | null {
    const frame = this.#frame;
    if (frame && this.#sampled !== this.#version) {
      this.#sample(frame);
      this.#sampled = this.#version;
    }
    return this.#preview;
  }

  /** A new frame for the preview: sampled when the window asks (`current`). */
  update(frame: ScreenFrame): void {
    if (frame.width <= 0 || frame.height <= 0) return;
    this.#frame = frame;
    this.#version++;
    this.#schedule();
  }

  #sample(frame: ScreenFrame): void {
    const width = Math.min(PREVIEW_WIDTH, frame.width);
    const height = Math.max(1, Math.round((frame.height * width) / frame.width));
    let preview = this.#preview;
    if (!preview || preview.width !== width || preview.height !== height) {
      preview = { width, height, rgba: new Uint8Array(width * height * 4) };
      this.#preview = preview;
    }
    const { data, stride } = frame;
    const [r, b] = frame.format === 'bgra' ? [2, 0] : [0, 2];
    const out = preview.rgba;
    for (let y = 0; y < height; y++) {
      const row = Math.floor((y * frame.height) / height) * stride;
      for (let x = 0; x < width; x++) {
        const i = row + Math.floor((x * frame.width) / width) * 4;
        const o = (y * width + x) * 4;
        out[o] = data[i + r] ?? 0;
        out[o + 1] = data[i + 1] ?? 0;
        out[o + 2] = data[i + b] ?? 0;
        out[o + 3] = 255;
      }
    }
  }

  /** Drops the preview (the session ended). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#frame) return;
    this.#frame = null;
    this.#preview = null;
    this.#onUpdate();
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastNotified + NOTIFY_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#lastNotified = Date.now();
      this.#onUpdate();
    }, wait);
    this.#timer.unref();
  }
}
