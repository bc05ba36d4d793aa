import { describe, expect, it } from 'vitest';
import { normalizedToDisplay } from './pointer.js';

describe('normalizedToDisplay', () => {
  const hd = { width: 1920, height: 1080 };

  it('maps the corners to the corner pixels', () => {
    expect(normalizedToDisplay({ x: 0, y: 0 }, hd)).toEqual({ x: 0, y: 0 });
    expect(normalizedToDisplay({ x: 1, y: 0 }, hd)).toEqual({ x: 1919, y: 0 });
    expect(normalizedToDisplay({ x: 0, y: 1 }, hd)).toEqual({ x: 0, y: 1079 });
    expect(normalizedToDisplay({ x: 1, y: 1 }, hd)).toEqual({ x: 1919, y: 1079 });
  });

  it('maps the centre and in-between points to the pixel under them', () => {
    expect(normalizedToDisplay({ x: 0.5, y: 0.5 }, hd)).toEqual({ x: 960, y: 540 });
    expect(normalizedToDisplay({ x: 0.25, y: 0.75 }, { width: 1280, height: 720 })).toEqual({ x: 320, y: 540 });
    expect(normalizedToDisplay({ x: 0.9999, y: 0.9999 }, hd)).toEqual({ x: 1919, y: 1079 });
  });

  it('clamps points outside the video and non-finite values', () => {
    expect(normalizedToDisplay({ x: -0.2, y: 1.5 }, hd)).toEqual({ x: 0, y: 1079 });
    expect(normalizedToDisplay({ x: Number.NaN, y: Number.POSITIVE_INFINITY }, hd)).toEqual({ x: 0, y: 1079 });
    expect(normalizedToDisplay({ x: Number.NEGATIVE_INFINITY, y: -0 }, hd)).toEqual({ x: 0, y: 0 });
  });

  it('handles non-16:9 and odd sizes', () => {
    const portrait = { width: 1080, height: 1920 };
    expect(normalizedToDisplay({ x: 0.5, y: 0.5 }, portrait)).toEqual({ x: 540, y: 960 });
    expect(normalizedToDisplay({ x: 1, y: 1 }, { width: 1366, height: 768 })).toEqual({ x: 1365, y: 767 });
    expect(normalizedToDisplay({ x: 0.5, y: 0.5 }, { width: 1024, height: 768 })).toEqual({ x: 512, y: 384 });
    expect(normalizedToDisplay({ x: 0.999, y: 0.5 }, { width: 3, height: 1 })).toEqual({ x: 2, y: 0 });
    expect(normalizedToDisplay({ x: 0.5, y: 0.5 }, { width: 1, height: 1 })).toEqual({ x: 0, y: 0 });
  });

  it('never leaves the display, even for a degenerate size', () => {
    expect(normalizedToDisplay({ x: 0.7, y: 0.7 }, { width: 0, height: 0 })).toEqual({ x: 0, y: 0 });
  });
});
