import { describe, expect, it } from 'vitest';
import type { Rect } from '../platform/types.js';
import { screenBuffer } from '../testing/screenBuffer.js';
import { photographic, VideoAreas } from './videoAreas.js';

const noise = (seed: number) => (x: number, y: number) =>
  (Math.imul(x, 2654435761) + Math.imul(y, 40503) + seed * 977) & 0xffffff;
const video: Rect = { x: 100, y: 150, width: 640, height: 360 };
/** `video` snapped out to the 64-pixel grid. */
const onGrid: Rect = { x: 64, y: 128, width: 704, height: 384 };

function play(
  areas: VideoAreas,
  s: ReturnType<typeof screenBuffer>,
  r: Rect,
  frames: number,
  everyMs: number,
  t0: number,
  colour?: number,
) {
  let now = t0;
  const seen: (Rect | null)[] = [];
  for (let i = 0; i < frames; i++) {
    now += everyMs;
    s.repaint(colour === undefined ? noise(i + t0) : () => (colour + i * 0x010101) & 0xffffff, r);
    seen.push(areas.update(s.frame([r]), now));
  }
  return { now, seen };
}

describe('VideoAreas', () => {
  it('makes a photographic area changing 30 times a second the video area after 8 frames, on the grid, and ends it once still', () => {
    const s = screenBuffer(1280, 720, () => 0xffffff);
    const areas = new VideoAreas();
    const { now, seen } = play(areas, s, video, 12, 33, 0);
    expect(seen.slice(0, 7)).toEqual(Array(7).fill(null));
    expect(seen[7]).toEqual(onGrid);
    expect(seen.at(-1)).toEqual(onGrid);
    // Something else changes elsewhere: the area stays until its own cells were still for 400 ms.
    expect(areas.update(s.frame([{ x: 0, y: 0, width: 10, height: 10 }]), now + 200)).toEqual(onGrid);
    expect(areas.tick(now + 399)).toEqual(onGrid);
    expect(areas.tick(now + 400)).toBeNull();
  });

  it('leaves flat content on tiles however often it changes: a flashing panel, a scrolling terminal', () => {
    const s = screenBuffer(1280, 720, () => 0xffffff);
    const areas = new VideoAreas();
    expect(play(areas, s, video, 60, 33, 0, 0x102030).seen.every((a) => a === null)).toBe(true);
    // Two colours, every row different (text), redrawn every frame.
    const terminal = { x: 0, y: 0, width: 800, height: 600 };
    let now = 5000;
    for (let i = 0; i < 60; i++) {
      now += 20;
      s.repaint((x, y) => ((x * 7 + y * 13 + i) % 11 === 0 ? 0x000000 : 0xffffff), terminal);
      expect(areas.update(s.frame([terminal]), now)).toBeNull();
    }
  });

  it('looks at a refused candidate, or one inside it, again only after recheckMs', () => {
    const s = screenBuffer(1280, 720, () => 0xffffff);
    const looked: Rect[] = [];
    const areas = new VideoAreas({ looksLikeVideo: (_frame, r) => (looked.push(r), false), recheckMs: 500 });
    // A busy panel: hot after 8 frames, refused once.
    let { now } = play(areas, s, video, 10, 33, 0, 0x102030);
    expect(looked).toEqual([onGrid]);
    // A part of it keeps changing (the candidate shrinks inside the refused one): not looked at again.
    const inner = { x: 200, y: 200, width: 300, height: 200 };
    ({ now } = play(areas, s, inner, 10, 33, now, 0x304050));
    expect(looked).toHaveLength(1);
    // Past recheckMs the candidate is looked at again.
    ({ now } = play(areas, s, inner, 8, 33, now, 0x405060));
    expect(looked.length).toBeGreaterThan(1);
    expect(looked.at(-1)).toEqual({ x: 192, y: 192, width: 320, height: 256 });
  });

  it('needs frames in a row: a change every 200 ms, or a small animation, is not video', () => {
    const s = screenBuffer(1280, 720, () => 0xffffff);
    const areas = new VideoAreas();
    expect(play(areas, s, video, 20, 200, 0).seen.every((a) => a === null)).toBe(true);
    // 128 × 128: four cells, fewer than six.
    expect(
      play(areas, s, { x: 640, y: 0, width: 128, height: 128 }, 30, 33, 10_000).seen.every((a) => a === null),
    ).toBe(true);
  });

  it('follows a video that moves outside its area', () => {
    const s = screenBuffer(1280, 720, () => 0xffffff);
    const areas = new VideoAreas();
    const first = play(areas, s, { x: 0, y: 0, width: 320, height: 192 }, 10, 33, 0);
    expect(first.seen.at(-1)).toEqual({ x: 0, y: 0, width: 320, height: 192 });
    const second = play(areas, s, { x: 640, y: 384, width: 640, height: 336 }, 10, 33, first.now);
    expect(second.seen.at(-1)).toEqual({ x: 640, y: 384, width: 640, height: 336 });
  });

  it('photographic: small steps between neighbours (gradients) or few equal ones (noise); not flat colours or text', () => {
    const all = { x: 0, y: 0, width: 256, height: 128 };
    const s = screenBuffer(256, 128, noise(1));
    expect(photographic(s.frame(), all)).toBe(true);
    s.repaint((x, y) => ((x & 0xff) << 16) | (((y * 2) & 0xff) << 8) | 0x40); // a gradient
    expect(photographic(s.frame(), all)).toBe(true);
    // A busy dashboard: flat rectangles, a random colour each.
    s.repaint(() => 0xffffff);
    for (let i = 0; i < 40; i++) {
      const colour = noise(i)(i, i * 7);
      s.repaint(() => colour, { x: (i * 37) % 200, y: (i * 23) % 90, width: 50, height: 30 });
    }
    expect(photographic(s.frame(), all)).toBe(false);
    s.repaint((x, y) => ((x * 7 + y * 13) % 11 === 0 ? 0x000000 : 0xffffff)); // two-colour text
    expect(photographic(s.frame(), all)).toBe(false);
  });
});
