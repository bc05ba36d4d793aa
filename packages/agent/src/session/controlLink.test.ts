import { afterEach, describe, expect, it, vi } from 'vitest';
import sharp from 'sharp';
import { AgentControlMessage, CURSOR_IMAGE_CACHE, MAX_CURSOR_SIDE } from '@remote-help/protocol';
import { ConsentGate } from '../input/consentGate.js';
import type { CursorShape, DisplayInfo } from '../platform/types.js';
import { ControlLink, SHAPE_INTERVAL_MS, cursorImage, cursorImageId } from './controlLink.js';

const DISPLAY: DisplayInfo = {
  id: 'd1',
  name: 'Screen',
  primary: true,
  bounds: { x: 0, y: 0, width: 1280, height: 720 },
};

/** A `width × height` cursor of one colour (straight RGBA; by default one of its serial's own), with its serial. */
function shape(
  serial: number,
  width = 16,
  height = 24,
  rgba = [serial & 0xff, (serial >> 8) & 0xff, 255, 255],
): CursorShape {
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < pixels.length; i += 4) pixels.set(rgba, i);
  return { serial, width, height, hotX: 1, hotY: 2, rgba: pixels };
}

function rig(options: { onLaser?: (point: { x: number; y: number } | null) => void } = {}) {
  const sent: AgentControlMessage[] = [];
  const gate = new ConsentGate({ releaseAll: () => undefined });
  let onShape: ((shape: CursorShape | null) => void) | null = null;
  let onMove: ((point: { x: number; y: number } | null) => void) | null = null;
  let unwatched = 0;
  const link = new ControlLink({
    send: (text) => {
      sent.push(AgentControlMessage.parse(JSON.parse(text)));
      return true;
    },
    gate,
    display: () => DISPLAY,
    displays: () => [DISPLAY],
    watchCursorShape: (listener) => {
      onShape = listener;
      return () => unwatched++;
    },
    watchPointer: (listener) => {
      onMove = listener;
      return () => undefined;
    },
    onLaser: options.onLaser ?? (() => undefined),
    onSelectDisplay: () => undefined,
  });
  const shapes = () => sent.filter((m) => m.type === 'cursorShape');
  /** The serial first shown with each image id, to read messages by. */
  const serialOf = new Map<number, number>();
  /**
   * What went for each shape, briefly: `image <serial>` (named with its id) or `image` (not named),
   * `ref <serial>`, `none`; the serial is the first one shown with that image.
   */
  const said = () =>
    sent.flatMap((m) => {
      if (m.type === 'cursorShapeRef') return [`ref ${serialOf.get(m.id)}`];
      if (m.type !== 'cursorShape') return [];
      return [m.image === null ? 'none' : m.id === undefined ? 'image' : `image ${serialOf.get(m.id)}`];
    });
  const show = (s: CursorShape | null) => {
    const image = s && cursorImage(s);
    if (s && image && !serialOf.has(cursorImageId(image))) serialOf.set(cursorImageId(image), s.serial);
    onShape?.(s);
  };
  return {
    link,
    gate,
    sent,
    shapes,
    said,
    show,
    move: (x: number, y: number) => onMove?.({ x, y }),
    unwatched: () => unwatched,
  };
}

afterEach(() => vi.useRealTimers());

describe('ControlLink: the pointer’s image', () => {
  it('sends each new image as a PNG that decodes to its pixels, and an image already sent not again', async () => {
    const { link, shapes, show } = rig();
    link.open();
    const caret = shape(7, 9, 18, [0, 0, 0, 255]);
    show(caret);
    expect(shapes()).toHaveLength(1);
    const image = shapes()[0]?.type === 'cursorShape' ? shapes()[0]?.image : null;
    expect(image).toMatchObject({ width: 9, height: 18, hotX: 1, hotY: 2 });
    const decoded = await sharp(Buffer.from(image?.png ?? '', 'base64'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(decoded.info).toMatchObject({ width: 9, height: 18, channels: 4 });
    expect(new Uint8Array(decoded.data)).toEqual(caret.rgba);
    show(caret); // the same serial: nothing new
    expect(shapes()).toHaveLength(1);
    link.close();
  });

  it('sends at most one image per interval, the newest at its end (an animated cursor)', () => {
    vi.useFakeTimers();
    const { link, shapes, show } = rig();
    link.open();
    for (let serial = 1; serial <= 5; serial++) show(shape(serial));
    expect(shapes()).toHaveLength(1);
    vi.advanceTimersByTime(SHAPE_INTERVAL_MS);
    expect(shapes()).toHaveLength(2);
    const last = shapes()[1];
    expect(last?.type === 'cursorShape' && last.image?.png).toBe(cursorImage(shape(5))?.png);
    vi.advanceTimersByTime(SHAPE_INTERVAL_MS * 4);
    expect(shapes()).toHaveLength(2);
    link.close();
  });

  it('sends nothing while paused, and the image just before the first position after resuming', () => {
    const { link, gate, sent, show, move } = rig();
    link.open();
    gate.setPaused(true);
    show(shape(3));
    move(100, 100);
    expect(sent.filter((m) => m.type === 'cursorShape' || m.type === 'cursor')).toEqual([]);
    gate.setPaused(false);
    move(200, 100);
    expect(sent.filter((m) => m.type === 'cursorShape' || m.type === 'cursor').map((m) => m.type)).toEqual([
      'cursorShape',
      'cursor',
    ]);
    link.close();
  });

  it('sends the current image again on a new channel, and stops watching when closed', () => {
    const { link, shapes, show, unwatched } = rig();
    link.open();
    show(shape(4));
    link.open(); // the channel reopened (a new connection)
    expect(shapes()).toHaveLength(2);
    link.close();
    expect(unwatched()).toBe(1);
  });

  it('a cursor whose image cannot be read goes as no image, once', () => {
    vi.useFakeTimers();
    const { link, shapes, show } = rig();
    link.open();
    for (const next of [null, null, shape(1), null]) {
      show(next);
      vi.advanceTimersByTime(SHAPE_INTERVAL_MS);
    }
    expect(shapes().map((m) => m.type === 'cursorShape' && m.image !== null)).toEqual([false, true, false]);
    link.close();
  });

  it('a cursor too large to send goes as no image (the helper draws its arrow)', () => {
    const { link, shapes, show } = rig();
    link.open();
    show(shape(9, MAX_CURSOR_SIDE + 1, 8));
    expect(shapes()).toEqual([{ type: 'cursorShape', image: null }]);
    // Noise that does not compress: the PNG would be longer than the protocol allows.
    const noisy = shape(10, MAX_CURSOR_SIDE, MAX_CURSOR_SIDE);
    let seed = 2463534242;
    for (let i = 0; i < noisy.rgba.length; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      noisy.rgba[i] = seed & 0xff;
    }
    expect(cursorImage(noisy)).toBeNull();
    link.close();
  });
});

describe('ControlLink: cursor images the helper keeps', () => {
  /** Shows `serials` one interval apart (each goes out). */
  const cycle = (show: (s: CursorShape) => void, serials: number[]) => {
    for (const serial of serials) {
      show(shape(serial));
      vi.advanceTimersByTime(SHAPE_INTERVAL_MS);
    }
  };

  it('without cursorCache (a helper app that keeps none) every image goes whole, without an id', () => {
    vi.useFakeTimers();
    const { link, show, said } = rig();
    link.open();
    cycle(show, [1, 2, 1, 2]);
    expect(said()).toEqual(['image', 'image', 'image', 'image']);
    link.close();
  });

  it('after cursorCache an animated cycle goes whole once, with ids, then as references', () => {
    vi.useFakeTimers();
    const { link, show, said, sent } = rig();
    link.open();
    show(shape(1));
    link.handle(JSON.stringify({ type: 'cursorCache' })); // the current image goes again, named
    vi.advanceTimersByTime(SHAPE_INTERVAL_MS);
    cycle(show, [2, 3, 1, 2, 3, 1]);
    expect(said()).toEqual(['image', 'image 1', 'image 2', 'image 3', 'ref 1', 'ref 2', 'ref 3', 'ref 1']);
    const bytes = (m: AgentControlMessage) => JSON.stringify(m).length;
    expect(Math.max(...sent.filter((m) => m.type === 'cursorShapeRef').map(bytes))).toBeLessThan(64);
    // No image: none, as before; a cursor too large: whole (no id), since there is nothing to keep.
    cycle(show, [1]);
    show(null as unknown as CursorShape);
    vi.advanceTimersByTime(SHAPE_INTERVAL_MS);
    show(shape(9, MAX_CURSOR_SIDE + 1, 8));
    vi.advanceTimersByTime(SHAPE_INTERVAL_MS);
    expect(said().slice(-2)).toEqual(['none', 'none']);
    link.close();
  });

  it('a second cursorCache (the helper lost an image) starts again from whole images; so does a new channel', () => {
    vi.useFakeTimers();
    const { link, show, said } = rig();
    link.open();
    link.handle(JSON.stringify({ type: 'cursorCache' }));
    cycle(show, [1, 2, 1]);
    expect(said()).toEqual(['image 1', 'image 2', 'ref 1']);
    link.handle(JSON.stringify({ type: 'cursorCache' }));
    vi.advanceTimersByTime(SHAPE_INTERVAL_MS);
    cycle(show, [2]);
    expect(said().slice(3)).toEqual(['image 1', 'image 2']);
    link.channelOpened(); // a new connection: whole images, no ids, until its helper says cursorCache
    link.open();
    cycle(show, [1, 2]);
    expect(said().slice(5)).toEqual(['image', 'image', 'image']);
    link.close();
  });

  it('takes cursorCache before Allow (the helper sends it as the channel opens), and nothing else then', () => {
    vi.useFakeTimers();
    const lasers: unknown[] = [];
    const { link, show, said } = rig({ onLaser: (point) => lasers.push(point) });
    link.channelOpened();
    link.handle(JSON.stringify({ type: 'cursorCache' }), false);
    link.handle(JSON.stringify({ type: 'laser', x: 0.5, y: 0.5 }), false);
    expect(lasers).toEqual([]);
    link.open(); // Allow: the link starts
    cycle(show, [1, 2, 1]);
    expect(said()).toEqual(['image 1', 'image 2', 'ref 1']);
    link.handle(JSON.stringify({ type: 'laser', x: 0.5, y: 0.5 }));
    expect(lasers).toEqual([{ x: 0.5, y: 0.5 }]);
    link.close();
  });

  it('names an image by its look: a new cursor that looks like one sent before goes as a reference', () => {
    vi.useFakeTimers();
    const { link, show, said } = rig();
    link.open();
    link.handle(JSON.stringify({ type: 'cursorCache' }));
    const caret = (serial: number) => shape(serial, 9, 18, [0, 0, 0, 255]);
    for (const next of [caret(10), shape(11), caret(12), caret(13)]) {
      show(next);
      vi.advanceTimersByTime(SHAPE_INTERVAL_MS);
    }
    expect(said()).toEqual(['image 10', 'image 11', 'ref 10', 'ref 10']);
    link.close();
  });

  it('names at most CURSOR_IMAGE_CACHE images before starting again from none', () => {
    vi.useFakeTimers();
    const { link, show, said } = rig();
    link.open();
    link.handle(JSON.stringify({ type: 'cursorCache' }));
    const all = Array.from({ length: CURSOR_IMAGE_CACHE + 1 }, (_, i) => i + 1);
    cycle(show, all);
    // Image 1 was named before the agent started again from none (at the 65th): it goes whole again.
    cycle(show, [1]);
    expect(said().at(-1)).toBe('image 1');
    // The newest one is still named: a reference.
    cycle(show, [CURSOR_IMAGE_CACHE + 1]);
    expect(said().at(-1)).toBe(`ref ${CURSOR_IMAGE_CACHE + 1}`);
    link.close();
  });
});
