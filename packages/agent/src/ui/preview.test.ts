import { describe, expect, it, vi } from 'vitest';
import type { ScreenFrame } from '../platform/types.js';
import { PREVIEW_WIDTH, PreviewMaker } from './preview.js';

/** A BGRX frame whose left half is red and right half blue. */
function halves(width: number, height: number): ScreenFrame {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (x < width / 2)
        data[i + 2] = 255; // R in BGRX
      else data[i] = 255; // B
    }
  }
  return { width, height, data, stride: width * 4, format: 'bgra', timestamp: 0 };
}

describe('PreviewMaker', () => {
  it('scales a frame to 320 pixels wide in RGBA, keeping the aspect ratio and colours', () => {
    const maker = new PreviewMaker(() => undefined);
    maker.update(halves(1280, 720));
    const preview = maker.current();
    expect(preview).toMatchObject({ width: PREVIEW_WIDTH, height: 180 });
    const px = (x: number, y: number) =>
      Array.from(preview?.rgba.slice((y * 320 + x) * 4, (y * 320 + x) * 4 + 4) ?? []);
    expect(px(10, 10)).toEqual([255, 0, 0, 255]);
    expect(px(300, 170)).toEqual([0, 0, 255, 255]);
    expect(maker.version).toBe(1);
  });

  it('samples when the window fetches the preview, not for every frame captured', () => {
    const maker = new PreviewMaker(() => undefined);
    const frame = halves(640, 360);
    for (let i = 0; i < 30; i++) maker.update(frame); // a busy second: 30 frames, one buffer updated in place
    frame.data.fill(0); // the screen went black after the last frame was handed over
    const rgbaAt = (x: number, y: number) =>
      Array.from(maker.current()!.rgba.slice((y * 320 + x) * 4, (y * 320 + x) * 4 + 4));
    expect(rgbaAt(10, 10)).toEqual([0, 0, 0, 255]);
    expect(maker.version).toBe(30);
    // Nothing new: the same sample, not taken again.
    frame.data.fill(255);
    expect(rgbaAt(10, 10)).toEqual([0, 0, 0, 255]);
    maker.update(frame);
    expect(rgbaAt(10, 10)).toEqual([255, 255, 255, 255]);
  });

  it('tells the window at most twice a second, and once more after the last change', async () => {
    vi.useFakeTimers();
    try {
      const onUpdate = vi.fn();
      const maker = new PreviewMaker(onUpdate);
      const frame = halves(64, 36);
      for (let i = 0; i < 10; i++) {
        maker.update(frame);
        await vi.advanceTimersByTimeAsync(100);
      }
      await vi.advanceTimersByTimeAsync(1000);
      expect(onUpdate.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(onUpdate.mock.calls.length).toBeLessThanOrEqual(3);
      maker.clear();
      expect(maker.current()).toBeNull();
      expect(maker.version).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
