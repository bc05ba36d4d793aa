/**
 * @module ui/preview
 * A small RGBA copy of the shared screen for the agent window, where the helper's
 * laser pointer is drawn. Every captured frame is sampled (nearest neighbour, about
 * 0.1 ms for 320×180) but the window is told at most twice a second.
 */
import type { ScreenFrame } from '../platform/types.js';
import type { UiPreview } from './model.js';

/** Width of the preview in pixels. */
export const PREVIEW_WIDTH = 320;
const NOTIFY_INTERVAL_MS = 500;

/** Keeps the latest preview and a version number that changes with it. */
export class PreviewMaker {
  #preview: UiPreview | null = null;
  #version = 0;
  #lastNotified = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #onUpdate: () => void;

  constructor(onUpdate: () => void) {
    this.#onUpdate = onUpdate;
  }

  /** 0 while there is no preview. */
  get version(): number {
    return this.#preview ? this.#version : 0;
  }

  current(): UiPreview | null {
    return this.#preview;
  }

  /** Samples `frame` into the preview (synchronously: the frame's buffer is reused afterwards). */
  update(frame: ScreenFrame): void {
    if (frame.width <= 0 || frame.height <= 0) return;
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
    this.#version++;
    this.#schedule();
  }

  /** Drops the preview (the session ended). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#preview) return;
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
