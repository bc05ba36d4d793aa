import { afterEach, describe, expect, it, vi } from 'vitest';
import sharp from 'sharp';
import { AgentControlMessage, MAX_CURSOR_SIDE } from '@remote-help/protocol';
import { ConsentGate } from '../input/consentGate.js';
import type { CursorShape, DisplayInfo } from '../platform/types.js';
import { ControlLink, SHAPE_INTERVAL_MS, cursorImage } from './controlLink.js';

const DISPLAY: DisplayInfo = {
  id: 'd1',
  name: 'Screen',
  primary: true,
  bounds: { x: 0, y: 0, width: 1280, height: 720 },
};

/** A `width × height` cursor of one colour (straight RGBA), with its serial. */
function shape(serial: number, width = 16, height = 24, rgba = [255, 255, 255, 255]): CursorShape {
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < pixels.length; i += 4) pixels.set(rgba, i);
  return { serial, width, height, hotX: 1, hotY: 2, rgba: pixels };
}

function rig() {
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
    onLaser: () => undefined,
    onSelectDisplay: () => undefined,
  });
  const shapes = () => sent.filter((m) => m.type === 'cursorShape');
  return {
    link,
    gate,
    sent,
    shapes,
    show: (s: CursorShape | null) => onShape?.(s),
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
