import { describe, expect, it } from 'vitest';
import { clientToNormalized, pictureLayout, roundUnit, unitPoint } from './coordinates';
import type { Rect, StageGeometry } from './coordinates';

/** A stage whose client area starts at (100, 50) and is not scrolled. */
function geometry(picture: Rect, width: number, height: number, scroll = { x: 0, y: 0 }): StageGeometry {
  return { viewport: { left: 100, top: 50, width, height }, scroll, picture };
}

describe('pictureLayout', () => {
  it('fits a wide picture into a wider stage with bars left and right', () => {
    const picture = pictureLayout({ width: 1000, height: 500 }, { width: 800, height: 600 }, 'fit')!;
    expect(picture.left).toBeCloseTo(166.667, 3);
    expect(picture.width).toBeCloseTo(666.667, 3);
    expect(picture).toMatchObject({ top: 0, height: 500 });
  });

  it('fits a wide picture into a tall stage with bars above and below', () => {
    expect(pictureLayout({ width: 800, height: 800 }, { width: 1600, height: 900 }, 'fit')).toEqual({
      left: 0,
      top: 175,
      width: 800,
      height: 450,
    });
  });

  it('scales small pictures up in fit mode, like object-fit: contain', () => {
    expect(pictureLayout({ width: 1000, height: 500 }, { width: 200, height: 100 }, 'fit')).toEqual({
      left: 0,
      top: 0,
      width: 1000,
      height: 500,
    });
  });

  it('puts the picture at its own size at the top left in actual size', () => {
    expect(pictureLayout({ width: 640, height: 360 }, { width: 1920, height: 1080 }, 'actual')).toEqual({
      left: 0,
      top: 0,
      width: 1920,
      height: 1080,
    });
  });

  it('knows nothing before the video size is known', () => {
    expect(pictureLayout({ width: 640, height: 360 }, { width: 0, height: 0 }, 'fit')).toBeNull();
    expect(pictureLayout({ width: 0, height: 0 }, { width: 1920, height: 1080 }, 'fit')).toBeNull();
  });
});

describe('clientToNormalized', () => {
  it('maps through the side bars of fit mode', () => {
    // Stage 1000×500, 4:3 picture: 666.67 wide, starting 166.67 from the stage's left edge.
    const picture = pictureLayout({ width: 1000, height: 500 }, { width: 800, height: 600 }, 'fit')!;
    const g = geometry(picture, 1000, 500);
    expect(clientToNormalized({ x: 100 + 500, y: 50 + 250 }, g)).toEqual({ x: 0.5, y: 0.5 });
    const left = clientToNormalized({ x: 100 + picture.left, y: 50 }, g)!;
    expect(left.x).toBeCloseTo(0);
    expect(left.y).toBe(0);
    expect(clientToNormalized({ x: 100 + 100, y: 300 }, g)).toBeNull(); // left bar
    expect(clientToNormalized({ x: 100 + 900, y: 300 }, g)).toBeNull(); // right bar
  });

  it('maps through the top and bottom bars of fit mode', () => {
    const picture = pictureLayout({ width: 800, height: 800 }, { width: 1600, height: 900 }, 'fit')!;
    const g = geometry(picture, 800, 800);
    expect(clientToNormalized({ x: 100 + 200, y: 50 + 175 + 45 }, g)).toEqual({ x: 0.25, y: 0.1 });
    expect(clientToNormalized({ x: 300, y: 50 + 100 }, g)).toBeNull(); // top bar
    expect(clientToNormalized({ x: 300, y: 50 + 700 }, g)).toBeNull(); // bottom bar
    expect(clientToNormalized({ x: 300, y: 50 + 175 + 450 }, g)).toBeNull(); // just past the last row
  });

  it('follows the scroll position in actual size', () => {
    const picture = pictureLayout({ width: 640, height: 360 }, { width: 1920, height: 1080 }, 'actual')!;
    const g = geometry(picture, 640, 360, { x: 960, y: 540 });
    expect(clientToNormalized({ x: 100, y: 50 }, g)).toEqual({ x: 0.5, y: 0.5 });
    expect(clientToNormalized({ x: 100 + 480, y: 50 + 270 }, g)).toEqual({ x: 0.75, y: 0.75 });
  });

  it('ignores the part of the stage beside a small picture in actual size', () => {
    const picture = pictureLayout({ width: 1000, height: 800 }, { width: 640, height: 480 }, 'actual')!;
    const g = geometry(picture, 1000, 800);
    expect(clientToNormalized({ x: 100 + 320, y: 50 + 240 }, g)).toEqual({ x: 0.5, y: 0.5 });
    expect(clientToNormalized({ x: 100 + 700, y: 50 + 240 }, g)).toBeNull();
    expect(clientToNormalized({ x: 100 + 320, y: 50 + 600 }, g)).toBeNull();
  });

  it('ignores points outside the stage viewport, such as its scroll bars', () => {
    const picture = pictureLayout({ width: 640, height: 360 }, { width: 1920, height: 1080 }, 'actual')!;
    const g = geometry(picture, 640, 360);
    expect(clientToNormalized({ x: 100 + 645, y: 100 }, g)).toBeNull(); // vertical scroll bar
    expect(clientToNormalized({ x: 200, y: 50 + 365 }, g)).toBeNull(); // horizontal scroll bar
    expect(clientToNormalized({ x: 99, y: 100 }, g)).toBeNull();
  });

  it('clamps to the picture edges while a button is held', () => {
    const picture = pictureLayout({ width: 800, height: 800 }, { width: 1600, height: 900 }, 'fit')!;
    const g = geometry(picture, 800, 800);
    expect(clientToNormalized({ x: 0, y: 0 }, g, true)).toEqual({ x: 0, y: 0 });
    expect(clientToNormalized({ x: 5000, y: 50 + 400 }, g, true)).toEqual({ x: 1, y: 225 / 450 });
  });

  it('refuses an empty picture', () => {
    expect(clientToNormalized({ x: 0, y: 0 }, geometry({ left: 0, top: 0, width: 0, height: 0 }, 10, 10))).toBeNull();
  });
});

describe('unit points', () => {
  it('rounds to 5 decimals and clamps into [0, 1]', () => {
    expect(roundUnit(1 / 3)).toBe(0.33333);
    expect(unitPoint({ x: -0.2, y: 1.4 })).toEqual({ x: 0, y: 1 });
    expect(unitPoint({ x: 0.123456789, y: 0.5 })).toEqual({ x: 0.12346, y: 0.5 });
  });
});
