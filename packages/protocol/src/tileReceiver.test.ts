import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateSync as fflateDeflate } from 'fflate';
import {
  FRAME_WINDOW,
  KEEP_ARRIVED,
  packTileHello,
  RESIZE_BURST,
  RESIZE_INTERVAL_MS,
  TileReceiver,
  type AckPacer,
  type Painter,
  type ScreenRect,
} from './tileReceiver.js';
import {
  copyTile,
  deflateTileRecords,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_SCREENS,
  packDeflatedTileMessage,
  parseTileMessage,
  packParity,
  videoTile,
  encodeTile,
  packTileMessage,
  packTileRefresh,
  packTileScreen,
  parseViewerTileMessage,
  TILE_SIZE,
  type EncodedTile,
  type ViewerTileMessage,
} from './tiles.js';

const deflate = (data: Uint8Array) => deflateRawSync(data);

/** An RGBA image of `width × height` whose pixel colour is `paint(x, y)` (0xRRGGBB). */
function image(width: number, height: number, paint: (x: number, y: number) => number) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = paint(x, y);
      data.set([c >>> 16, (c >> 8) & 0xff, c & 0xff, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data, stride: width * 4, format: 'rgba' as const };
}

type Image = ReturnType<typeof image>;

/** The tile of `source` at grid cell (col, row), clipped to the image. */
function tileOf(source: Image, col: number, row: number): EncodedTile {
  const x = col * TILE_SIZE;
  const y = row * TILE_SIZE;
  const w = Math.min(TILE_SIZE, source.width - x);
  const h = Math.min(TILE_SIZE, source.height - y);
  return encodeTile(source, x, y, w, h, deflate);
}

/** One tile message, as an ArrayBuffer the way the channel delivers it. */
function message(
  source: { width: number; height: number },
  frame: number,
  tiles: EncodedTile[],
  part = 0,
  parts = 1,
  seq = frame,
): ArrayBuffer {
  const head = { seq, frame, part, parts, screenWidth: source.width, screenHeight: source.height };
  return packTileMessage(head, tiles).buffer;
}

/** A painter that keeps the picture in an RGBA buffer and records what it was asked to do. */
class RecordingPainter implements Painter {
  width = 0;
  height = 0;
  pixels = new Uint8Array(0);
  calls: string[] = [];

  resize(width: number, height: number): void {
    this.calls.push(`resize ${width}×${height}`);
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height * 4);
  }
  fill(x: number, y: number, w: number, h: number, r: number, g: number, b: number): void {
    this.calls.push(`fill ${x},${y} ${w}×${h}`);
    for (let row = y; row < y + h; row++) {
      for (let col = x; col < x + w; col++) this.pixels.set([r, g, b, 255], (row * this.width + col) * 4);
    }
  }
  copy(sx: number, sy: number, x: number, y: number, w: number, h: number): void {
    this.calls.push(`copy ${sx},${sy} → ${x},${y} ${w}×${h}`);
    const source = this.pixels.slice();
    for (let row = 0; row < h; row++) {
      const from = ((sy + row) * this.width + sx) * 4;
      this.pixels.set(source.subarray(from, from + w * 4), ((y + row) * this.width + x) * 4);
    }
  }
  put(rgba: Uint8ClampedArray, x: number, y: number, w: number, h: number): void {
    this.calls.push(`put ${x},${y} ${w}×${h}`);
    expect(rgba.length).toBe(w * h * 4);
    for (let row = 0; row < h; row++) {
      this.pixels.set(rgba.subarray(row * w * 4, (row + 1) * w * 4), ((y + row) * this.width + x) * 4);
    }
  }
  /** The colour at (x, y) as 0xRRGGBB. */
  at(x: number, y: number): number {
    const p = (y * this.width + x) * 4;
    return ((this.pixels[p] as number) << 16) | ((this.pixels[p + 1] as number) << 8) | (this.pixels[p + 2] as number);
  }
  /** True when the rectangle shows exactly what `source` has there. */
  shows(source: Image, x: number, y: number, w: number, h: number): boolean {
    for (let row = y; row < y + h; row++) {
      for (let col = x; col < x + w; col++) {
        const p = (row * source.width + col) * 4;
        const c =
          ((source.data[p] as number) << 16) | ((source.data[p + 1] as number) << 8) | (source.data[p + 2] as number);
        if (this.at(col, row) !== c) return false;
      }
    }
    return true;
  }
}

function setup(pace?: AckPacer) {
  const sent: ViewerTileMessage[] = [];
  const painter = new RecordingPainter();
  let now = 1000;
  const clock = { advance: (ms: number) => (now += ms) };
  const receiver = new TileReceiver(
    (data) => sent.push(parseViewerTileMessage(data)),
    painter,
    () => ++now,
    pace,
  );
  return { receiver, painter, sent, clock };
}

// The receiver tells the agent in every ack that it reads deflated messages, parity and screen messages.
const ack = (seq: number, mask: number): ViewerTileMessage => ({
  kind: 'ack',
  seq,
  mask,
  readsDeflated: true,
  readsParity: true,
  readsScreen: true,
});

/** 100 × 70: a 2 × 2 grid whose right column and bottom row are clipped. */
const SCREEN = { width: 100, height: 70 };
const solid = (colour: number) => image(SCREEN.width, SCREEN.height, () => colour);

describe('TileReceiver', () => {
  it('says what it reads before anything arrived: deflated messages, parity and screen messages', () => {
    expect(parseViewerTileMessage(packTileHello())).toEqual(ack(0, 0));
  });

  it('rebuilds a lost message of a whole picture from its parity, paints it and acknowledges it', () => {
    const { receiver, painter, sent } = setup();
    const picture = image(SCREEN.width, SCREEN.height, (x, y) => ((x * 2731 + y * 977) & 0xffffff) | 0x010101);
    const parts = [tileOf(picture, 0, 0), tileOf(picture, 1, 0), tileOf(picture, 0, 1), tileOf(picture, 1, 1)].map(
      (tile, part) => new Uint8Array(message(picture, 1, [tile], part, 4, part + 1)),
    );
    receiver.handle(parts[0]!.buffer);
    receiver.handle(parts[1]!.buffer);
    receiver.handle(parts[3]!.buffer); // part 2 (message 3) is lost
    expect(receiver.stats.frames).toBe(0);
    expect(sent.at(-1)).toEqual(ack(4, 0b110));

    receiver.handle(packParity(1, parts).buffer);

    expect(receiver.stats).toMatchObject({ frames: 1, parity: 1, rebuilt: 1, dropped: 0 });
    expect(painter.shows(picture, 0, 0, SCREEN.width, SCREEN.height)).toBe(true);
    expect(sent.at(-1)).toEqual(ack(4, 0b111));
  });

  it('takes parity with nothing lost, or too much lost, or malformed, without painting anything', () => {
    const { receiver, painter, sent } = setup();
    const parts = [1, 2, 3].map(
      (seq) => new Uint8Array(message(SCREEN, 1, [tileOf(solid(seq), 0, 0)], seq - 1, 3, seq)),
    );
    receiver.handle(parts[0]!.buffer);
    const calls = painter.calls.length;
    const acks = sent.length;
    receiver.handle(packParity(1, parts).buffer); // two of three missing: nothing to rebuild
    const whole = packParity(1, parts.slice(0, 1));
    receiver.handle(whole.buffer); // nothing missing
    receiver.handle(whole.slice(0, 5).buffer); // malformed
    expect(painter.calls.length).toBe(calls);
    expect(sent.length).toBe(acks);
    expect(receiver.stats).toMatchObject({ parity: 2, rebuilt: 0, dropped: 1 });
  });

  it('keeps only the last messages that arrived for parity', () => {
    const { receiver } = setup();
    const first = new Uint8Array(message(SCREEN, 1, [tileOf(solid(5), 0, 0)], 0, 2, 1));
    const second = new Uint8Array(message(SCREEN, 1, [tileOf(solid(5), 1, 0)], 1, 2, 2));
    receiver.handle(first.buffer);
    for (let i = 0; i < KEEP_ARRIVED; i++)
      receiver.handle(message(SCREEN, 2 + i, [tileOf(solid(i), 0, 1)], 0, 1, 3 + i));
    // Message 1 was forgotten: message 2 cannot be rebuilt from it any more.
    receiver.handle(packParity(1, [first, second]).buffer);
    expect(receiver.stats.rebuilt).toBe(0);
  });

  it('asks for every cell again when told to', () => {
    const { receiver, sent } = setup();
    receiver.refresh();
    expect(sent).toEqual([{ kind: 'refresh' }]);
    expect(packTileRefresh()).toHaveLength(4);
  });

  it('paints solid, palette and raw tiles with the pixels they carry', () => {
    const { receiver, painter } = setup();
    const source = image(SCREEN.width, SCREEN.height, (x, y) => {
      if (x < 64 && y < 64) return 0x3366cc; // solid
      if (y < 64) return (x + y) % 3 === 0 ? 0xffffff : 0x101010; // palette of 2
      return (x * 2731 + y * 977) & 0xffffff; // too many colours: raw
    });
    const tiles = [tileOf(source, 0, 0), tileOf(source, 1, 0), tileOf(source, 0, 1), tileOf(source, 1, 1)];
    expect(tiles.map((t) => t.encoding)).toEqual(['solid', 'palette', 'raw', 'raw']);

    receiver.handle(message(source, 1, tiles));

    expect(painter.calls).toEqual([
      'resize 100×70',
      'fill 0,0 64×64',
      'put 64,0 36×64',
      'put 0,64 64×6',
      'put 64,64 36×6',
    ]);
    expect(painter.shows(source, 0, 0, SCREEN.width, SCREEN.height)).toBe(true);
    expect(receiver.screen).toEqual(SCREEN);
    expect(receiver.stats).toMatchObject({ frames: 1, messages: 1, tiles: 4, dropped: 0 });
    expect(receiver.stats.lastPaintAt).not.toBeNull();
  });

  it('never lets a late, older tile overwrite newer pixels of its cell', () => {
    const { receiver, painter, sent } = setup();
    const older = solid(0xff0000);
    const newer = solid(0x0000ff);
    receiver.handle(message(SCREEN, 1, [tileOf(older, 0, 0), tileOf(older, 1, 0)]));
    receiver.handle(message(SCREEN, 3, [tileOf(newer, 0, 0)]));
    // Frame 2 arrives last; its tile of cell (0, 0) is older than frame 3's, its tile of (1, 0) is not.
    receiver.handle(message(SCREEN, 2, [tileOf(older, 0, 0), tileOf(solid(0x00ff00), 1, 0)]));

    expect(painter.at(10, 10)).toBe(0x0000ff);
    expect(painter.at(80, 10)).toBe(0x00ff00);
    expect(receiver.stats.tiles).toBe(4);
    // The skipped tile may have been part of a cell: frame 2 is not acknowledged, so the agent resends it.
    expect(receiver.stats.frames).toBe(2);
    expect(sent.at(-1)).toEqual(ack(3, 0b10));
  });

  it('paints part of a cell, and a solid fill across cells with every cell it covers', () => {
    const { receiver, painter, sent } = setup();
    const base = solid(0x000000);
    receiver.handle(
      message(SCREEN, 1, [tileOf(base, 0, 0), tileOf(base, 1, 0), tileOf(base, 0, 1), tileOf(base, 1, 1)]),
    );
    const dot = encodeTile(solid(0xffffff), 10, 20, 3, 2, deflate);
    receiver.handle(message(SCREEN, 2, [dot]));
    expect([painter.at(10, 20), painter.at(12, 21), painter.at(13, 21), painter.at(10, 22)]).toEqual([
      0xffffff, 0xffffff, 0x000000, 0x000000,
    ]);
    const fill = { ...encodeTile(solid(0x00ff00), 0, 0, 1, 1, deflate), x: 60, y: 60, width: 10, height: 10 };
    receiver.handle(message(SCREEN, 4, [fill]));
    expect([painter.at(60, 60), painter.at(69, 69), painter.at(70, 70)]).toEqual([0x00ff00, 0x00ff00, 0x000000]);
    // Frame 3 arrives late: it is older than frame 4 in cell (1, 1), which the fill reached.
    receiver.handle(message(SCREEN, 3, [encodeTile(solid(0xff0000), 64, 64, 36, 6, deflate)]));
    expect(painter.at(90, 66)).toBe(0x000000);
    expect(sent.at(-1)).toEqual(ack(4, 0b110));
  });

  it('with a pacer, sends one ack per flush for everything painted since, and at once before the mask would lose one', () => {
    const flushes: (() => void)[] = [];
    const { receiver, sent } = setup((flush) => flushes.push(flush));
    const source = solid(0x808080);
    for (let seq = 1; seq <= 3; seq++) receiver.handle(message(source, seq, [tileOf(source, 0, 0)]));
    // Painted, not yet acknowledged: the app has not drawn yet.
    expect(receiver.stats.frames).toBe(3);
    expect(sent).toEqual([]);
    expect(flushes).toHaveLength(1); // one flush scheduled, not one per message
    flushes.shift()!();
    expect(sent).toEqual([ack(3, 0b11)]);
    // Nothing painted since: a later flush sends nothing.
    receiver.handle(message(source, 4, [tileOf(source, 0, 0)]));
    flushes.shift()!();
    expect(sent).toEqual([ack(3, 0b11), ack(4, 0b111)]);
    // Thirty-three messages without a flush: the 33rd goes out at once, while its mask still covers the 1st.
    for (let seq = 5; seq <= 37; seq++) receiver.handle(message(source, seq, [tileOf(source, 0, 0)]));
    expect(sent.at(-1)).toEqual(ack(37, 0xffffffff));
    expect(sent).toHaveLength(3);
    flushes.shift()!(); // the flush scheduled by the 5th finds nothing left to send
    expect(sent).toHaveLength(3);
    // A duplicate of a painted message is acknowledged again, paced like the rest.
    receiver.handle(message(source, 37, [tileOf(source, 0, 0)]));
    expect(sent).toHaveLength(3);
    flushes.shift()!();
    expect(sent).toHaveLength(4);
  });

  it('acknowledges every message painted, with the 32 before it in the mask, and counts whole frames', () => {
    const { receiver, sent } = setup();
    const source = solid(0x808080);
    receiver.handle(message(source, 1, [tileOf(source, 0, 0)], 0, 1, 1));
    // Frame 2 in three messages (seq 2, 3, 4); seq 3 arrives last.
    receiver.handle(message(source, 2, [tileOf(source, 0, 0)], 0, 3, 2));
    receiver.handle(message(source, 2, [tileOf(source, 1, 0)], 2, 3, 4));
    expect(sent).toEqual([ack(1, 0), ack(2, 0b1), ack(4, 0b110)]);
    expect(receiver.stats.frames).toBe(1);
    receiver.handle(message(source, 2, [tileOf(source, 0, 1)], 1, 3, 3));
    expect(sent.at(-1)).toEqual(ack(4, 0b111));
    expect(receiver.stats.frames).toBe(2);
    // Seq 5 lost: 6's ack leaves its bit clear.
    receiver.handle(message(source, 4, [tileOf(source, 1, 1)], 0, 1, 6));
    expect(sent.at(-1)).toEqual(ack(6, 0b11110));
  });

  it('acknowledges a probe (no tiles) like any message, paints nothing for it, and counts no frame by it', () => {
    const { receiver, painter, sent } = setup();
    const source = solid(0x808080);
    // Frame 1 in two messages (seq 1, 2) and a probe behind the last (seq 3, that part's number); seq 2 is lost.
    receiver.handle(message(source, 1, [tileOf(source, 0, 0)], 0, 2, 1));
    receiver.handle(message(source, 1, [], 1, 2, 3));
    expect(sent).toEqual([ack(1, 0), ack(3, 0b10)]); // seq 2's bit clear: the agent sends its tiles again
    expect(receiver.stats).toMatchObject({ frames: 0, tiles: 1, dropped: 0 });
    expect(painter.calls.filter((call) => !call.startsWith('resize'))).toHaveLength(1);
    // The part itself completes the frame; a probe's copy is acknowledged again, as a duplicate is.
    receiver.handle(message(source, 1, [tileOf(source, 1, 0)], 1, 2, 2));
    receiver.handle(message(source, 1, [], 1, 2, 3));
    expect(sent.slice(2)).toEqual([ack(3, 0b11), ack(3, 0b11)]);
    expect(receiver.stats).toMatchObject({ frames: 1, tiles: 2, dropped: 0 });
  });

  it('acknowledges messages 32 behind the highest in the top bit of the mask', () => {
    const { receiver, sent } = setup();
    const source = solid(0x808080);
    receiver.handle(message(source, 100, [tileOf(source, 0, 0)]));
    receiver.handle(message(source, 132, [tileOf(source, 0, 0)]));
    receiver.handle(message(source, 133, [tileOf(source, 0, 0)]));
    expect(sent.at(-2)).toEqual(ack(132, 2 ** 31));
    expect(sent.at(-1)).toEqual(ack(133, 1));
  });

  it('paints a duplicate message once, and acknowledges it again', () => {
    const { receiver, painter, sent } = setup();
    const source = solid(0x123456);
    const first = message(source, 9, [tileOf(source, 0, 0)], 0, 2, 20);
    receiver.handle(first);
    receiver.handle(first);
    expect(sent).toEqual([ack(20, 0), ack(20, 0)]);
    const second = message(source, 9, [tileOf(source, 1, 0)], 1, 2, 21);
    receiver.handle(second);
    receiver.handle(second);
    receiver.handle(first);
    expect(sent.slice(2)).toEqual([ack(21, 1), ack(21, 1), ack(21, 1)]);
    expect(painter.calls.filter((call) => call.startsWith('fill'))).toHaveLength(2);
    expect(receiver.stats).toMatchObject({ frames: 1, messages: 5, tiles: 2, dropped: 0 });
  });

  it('copies a rectangle of its own picture (a scroll), unless a newer frame painted its source or target', () => {
    const { receiver, painter, sent } = setup();
    const rows = image(SCREEN.width, SCREEN.height, (_, y) => (y < 10 ? 0xff0000 : y < 20 ? 0x00ff00 : 0x0000ff));
    receiver.handle(message(rows, 1, [tileOf(rows, 0, 0), tileOf(rows, 1, 0), tileOf(rows, 0, 1), tileOf(rows, 1, 1)]));
    // Scroll up by 10 rows: rows 10…69 move to 0…59.
    receiver.handle(message(SCREEN, 2, [copyTile(0, 10, 0, 0, 100, 60, 2)]));
    expect(painter.calls.at(-1)).toBe('copy 0,10 → 0,0 100×60');
    expect([painter.at(5, 0), painter.at(5, 10), painter.at(5, 59), painter.at(5, 65)]).toEqual([
      0x00ff00, 0x0000ff, 0x0000ff, 0x0000ff,
    ]);
    expect(sent.at(-1)).toEqual(ack(2, 0b1));
    // Frame 4 painted cell (0, 1) first; a late copy of frame 3 reading it is refused.
    receiver.handle(message(SCREEN, 4, [encodeTile(solid(0xffffff), 0, 64, 10, 6, deflate)]));
    const calls = painter.calls.length;
    receiver.handle(message(SCREEN, 3, [copyTile(0, 60, 0, 0, 10, 10, 3)]));
    expect(painter.calls).toHaveLength(calls);
    expect(sent.at(-1)).toEqual(ack(4, 0b110));
    // A copy from outside the screen is dropped.
    receiver.handle(message(SCREEN, 5, [copyTile(0, 65, 0, 0, 10, 10, 5)]));
    expect(receiver.stats.dropped).toBe(1);
  });

  it('holds a copy until the messages it counts on are painted, and drops it after a while', () => {
    const { receiver, painter, sent, clock } = setup();
    const rows = image(SCREEN.width, SCREEN.height, (_, y) => (y < 10 ? 0xff0000 : 0x0000ff));
    receiver.handle(message(rows, 1, [tileOf(rows, 0, 0), tileOf(rows, 1, 0), tileOf(rows, 0, 1), tileOf(rows, 1, 1)]));
    // The copy (seq 3) counts on seq 2, which is late: it waits, unacknowledged.
    receiver.handle(message(SCREEN, 3, [copyTile(0, 0, 0, 30, 100, 10, 2)]));
    expect(painter.calls.some((c) => c.startsWith('copy'))).toBe(false);
    expect(sent.at(-1)).toEqual(ack(1, 0));
    // Seq 2 paints a green row 0…9; then the copy goes, reading it.
    receiver.handle(message(SCREEN, 2, [encodeTile(solid(0x00ff00), 0, 0, 64, 10, deflate)]));
    expect(painter.calls.at(-1)).toBe('copy 0,0 → 0,30 100×10');
    expect(painter.at(5, 35)).toBe(0x00ff00);
    expect(sent.at(-1)).toEqual(ack(3, 0b11));
    // A copy whose message never comes is dropped after a second, never applied.
    receiver.handle(message(SCREEN, 6, [copyTile(0, 0, 0, 50, 10, 10, 4)]));
    clock.advance(1500);
    receiver.handle(message(SCREEN, 5, [encodeTile(solid(0xffffff), 64, 0, 10, 10, deflate)]));
    receiver.handle(message(SCREEN, 4, [encodeTile(solid(0xffffff), 70, 0, 10, 10, deflate)]));
    expect(painter.calls.filter((c) => c.startsWith('copy'))).toHaveLength(1);
  });

  it('resizes for a newer frame of another size and drops older frames of another size', () => {
    const { receiver, painter, sent } = setup();
    const small = { width: 64, height: 64 };
    receiver.handle(message(SCREEN, 1, [tileOf(solid(0xff0000), 0, 0)]));
    receiver.handle(
      message(small, 3, [
        tileOf(
          image(64, 64, () => 0x00ff00),
          0,
          0,
        ),
      ]),
    );
    expect(receiver.screen).toEqual(small);
    expect(painter.calls).toEqual(['resize 100×70', 'fill 0,0 64×64', 'resize 64×64', 'fill 0,0 64×64']);

    // Frame 2 was sent before the screen changed: nothing of it is painted or acknowledged.
    receiver.handle(message(SCREEN, 2, [tileOf(solid(0x0000ff), 0, 0)]));
    expect(receiver.screen).toEqual(small);
    expect(painter.calls).toHaveLength(4);
    expect(painter.at(0, 0)).toBe(0x00ff00);
    expect(receiver.stats.dropped).toBe(1);
    expect(sent).toEqual([ack(1, 0), ack(3, 0b10)]);
  });

  it('sizes the picture from a screen message before any tile, and keeps that size for a first frame that has it', () => {
    const { receiver, painter, sent } = setup();
    receiver.handle(packTileScreen(SCREEN.width, SCREEN.height));
    expect(receiver.screen).toEqual(SCREEN);
    expect(painter.calls).toEqual(['resize 100×70']);
    expect(sent).toEqual([]); // not numbered, not acknowledged
    receiver.handle(message(SCREEN, 1, [tileOf(solid(0xff0000), 0, 0)]));
    expect(painter.calls).toEqual(['resize 100×70', 'fill 0,0 64×64']); // no second resize: the canvas stays
    expect(painter.at(0, 0)).toBe(0xff0000);
    expect(sent).toEqual([ack(1, 0)]);
    expect(receiver.stats.dropped).toBe(0);
  });

  it('lets the first frame resize a picture sized by a screen message, and ignores a screen message after a picture', () => {
    const { receiver, painter } = setup();
    receiver.handle(packTileScreen(640, 480));
    receiver.handle(message(SCREEN, 1, [tileOf(solid(0xff0000), 0, 0)]));
    expect(receiver.screen).toEqual(SCREEN);
    expect(painter.calls).toEqual(['resize 640×480', 'resize 100×70', 'fill 0,0 64×64']);
    // A late (unordered) or repeated screen message changes nothing once a picture came.
    receiver.handle(packTileScreen(640, 480));
    expect(receiver.screen).toEqual(SCREEN);
    expect(painter.calls).toHaveLength(3);
    expect(painter.at(0, 0)).toBe(0xff0000);
    // Malformed: dropped.
    receiver.handle(packTileScreen(640, 480).slice(0, 6));
    expect(receiver.stats.dropped).toBe(1);
  });

  it('starts every cell over at a resize: a late tile of the same size from before it is not painted', () => {
    const { receiver, painter } = setup();
    const other = { width: 200, height: 200 };
    receiver.handle(message(SCREEN, 1, [tileOf(solid(0xff0000), 0, 0)]));
    receiver.handle(
      message(other, 4, [
        tileOf(
          image(200, 200, () => 0x00ff00),
          2,
          2,
        ),
      ]),
    );
    receiver.handle(message(SCREEN, 6, [tileOf(solid(0x0000ff), 1, 1)]));
    const before = painter.calls.length;
    receiver.handle(message(SCREEN, 2, [tileOf(solid(0xffff00), 0, 0)]));
    expect(painter.calls).toHaveLength(before);
    expect(painter.at(0, 0)).toBe(0x000000);
  });

  it('drops garbage without throwing, painting, sending or changing the size', () => {
    const { receiver, painter, sent } = setup();
    const good = message(SCREEN, 1, [tileOf(solid(0xff0000), 0, 0)]);
    const tooFar = packTileMessage({ seq: 2, frame: 2, part: 0, parts: 1, screenWidth: 64, screenHeight: 64 }, [
      tileOf(solid(0xff0000), 1, 0),
    ]);
    const garbage: unknown[] = [
      new ArrayBuffer(0),
      Uint8Array.of(1, 2, 3).buffer,
      Uint8Array.from({ length: 300 }, (_, i) => (i === 0 ? 1 : (i * 37 + 11) & 0xff)).buffer,
      good.slice(0, good.byteLength - 1),
      Uint8Array.of(...new Uint8Array(good), 0).buffer,
      packTileRefresh().buffer,
      tooFar.buffer,
      'not binary',
      null,
    ];
    for (const data of garbage) expect(() => receiver.handle(data)).not.toThrow();
    expect(receiver.stats).toMatchObject({ frames: 0, messages: garbage.length, tiles: 0, dropped: garbage.length });
    expect(receiver.screen).toBeNull();
    expect(painter.calls).toEqual([]);
    expect(sent).toEqual([]);

    receiver.handle(good);
    expect(painter.at(0, 0)).toBe(0xff0000);
    expect(sent).toEqual([ack(1, 0)]);
  });

  it('paints the other tiles of a message with an undecodable tile, and does not acknowledge it', () => {
    const { receiver, painter, sent } = setup();
    const source = image(SCREEN.width, SCREEN.height, (x, y) => (x * 2731 + y * 977) & 0xffffff);
    const broken = { ...tileOf(source, 1, 0), payload: Uint8Array.of(1, 2, 3, 4) };
    receiver.handle(message(source, 1, [tileOf(source, 0, 0), broken, tileOf(solid(0x00ff00), 0, 1)]));
    expect(painter.shows(source, 0, 0, 64, 64)).toBe(true);
    expect(painter.at(0, 64)).toBe(0x00ff00);
    expect(painter.at(70, 0)).toBe(0x000000);
    expect(receiver.stats).toMatchObject({ frames: 0, tiles: 2, dropped: 1 });
    expect(sent).toEqual([]);
  });

  it('drops a part whose part count disagrees with its frame', () => {
    const { receiver, sent } = setup();
    const source = solid(0x808080);
    receiver.handle(message(source, 1, [tileOf(source, 0, 0)], 0, 2, 1));
    receiver.handle(message(source, 1, [tileOf(source, 1, 0)], 1, 3, 2));
    expect(receiver.stats.dropped).toBe(1);
    expect(sent).toEqual([ack(1, 0)]);
  });

  it('forgets frames far behind the newest: their late parts no longer complete them', () => {
    const { receiver, painter } = setup();
    const source = solid(0x808080);
    receiver.handle(message(source, 1, [tileOf(source, 0, 0)], 0, 2, 1));
    receiver.handle(message(source, 2, [tileOf(source, 0, 0)], 0, 2, 3));
    receiver.handle(message(source, 2 + FRAME_WINDOW, [tileOf(source, 1, 1)], 0, 2, 5));
    receiver.handle(message(source, 1, [tileOf(source, 1, 0)], 1, 2, 2));
    receiver.handle(message(source, 2, [tileOf(source, 1, 0)], 1, 2, 4));
    // Frame 1 is forgotten; frame 2 is still in the window and completes.
    expect(receiver.stats.frames).toBe(1);
    // The late part of frame 1 still paints its cell, which no newer frame had painted.
    expect(painter.calls.filter((call) => call === 'fill 64,0 36×64')).toHaveLength(2);
  });

  it('keeps its bookkeeping bounded however many frames stay incomplete', () => {
    const { receiver, sent } = setup();
    const source = solid(0x808080);
    for (let frame = 1; frame <= 1000; frame++) receiver.handle(message(source, frame, [tileOf(source, 0, 0)], 0, 2));
    // Late single-part frames from long ago are painted if still newest in their cell, but not tracked.
    for (let frame = 1; frame <= 500; frame++) receiver.handle(message(source, frame, [tileOf(source, 1, 1)]));
    const { recent, painted } = receiver as unknown as { recent: Map<number, unknown>; painted: Set<number> };
    expect(recent.size).toBe(FRAME_WINDOW + 1);
    expect(painted.size).toBeLessThanOrEqual(129);
    expect(sent.at(-1)).toEqual(ack(1000, 0xffffffff));
  });
});

describe('TileReceiver: the video area', () => {
  /** A painter that records what the video area shows. */
  class VideoPainter extends RecordingPainter {
    area: { x: number; y: number; width: number; height: number } | null = null;
    cells: { x: number; y: number; width: number; height: number }[] = [];
    videoCalls = 0;
    video(area: typeof this.area, cells: readonly { x: number; y: number; width: number; height: number }[]): void {
      this.videoCalls++;
      this.area = area;
      this.cells = [...cells];
    }
  }
  // 200 × 150: 4 × 3 cells, the last column 8 pixels wide and the last row 22 high.
  const screen = { width: 200, height: 150 };
  const white = image(screen.width, screen.height, () => 0xffffff);
  const setUp = () => {
    const acks: ViewerTileMessage[] = [];
    const painter = new VideoPainter();
    const receiver = new TileReceiver((m) => acks.push(parseViewerTileMessage(m)), painter);
    receiver.handle(message(screen, 1, [tileOf(white, 0, 0)]));
    return { acks, painter, receiver };
  };

  it('shows the video in the whole area, then gives each cell back as exact pixels arrive, in any order', () => {
    const { acks, painter, receiver } = setUp();
    // Columns 1–3 (to the screen's edge), rows 1–2 (to its edge).
    receiver.handle(message(screen, 2, [videoTile(64, 64, 136, 86)]));
    expect(acks.at(-1)).toEqual(ack(2, 1));
    expect(painter.area).toEqual({ x: 64, y: 64, width: 136, height: 86 });
    expect(painter.cells).toEqual([{ x: 64, y: 64, width: 136, height: 86 }]);
    expect(receiver.videoCells).toEqual(painter.cells);

    // Motion stopped: frame 3 brings exact pixels in two parts; the second arrives first.
    receiver.handle(message(screen, 3, [tileOf(white, 3, 1), tileOf(white, 3, 2)], 1, 2, 4));
    expect(painter.cells).toEqual([{ x: 64, y: 64, width: 128, height: 86 }]);
    receiver.handle(message(screen, 3, [tileOf(white, 1, 1)], 0, 2, 3));
    expect(painter.cells).toEqual([
      { x: 128, y: 64, width: 64, height: 64 },
      { x: 64, y: 128, width: 128, height: 22 },
    ]);
    receiver.handle(message(screen, 4, [tileOf(white, 2, 1), tileOf(white, 1, 2), tileOf(white, 2, 2)], 0, 1, 5));
    expect(painter.area).toBeNull();
    expect(painter.cells).toEqual([]);
    expect(receiver.videoCells).toEqual([]);
    const calls = painter.videoCalls;
    receiver.handle(message(screen, 5, [tileOf(white, 0, 0)], 0, 1, 6));
    expect(painter.videoCalls).toBe(calls); // told only when something changed
  });

  it('ignores an area older than the current one (acknowledged), and a late one behind newer pixels (not acknowledged)', () => {
    const { acks, painter, receiver } = setUp();
    receiver.handle(message(screen, 5, [videoTile(0, 64, 128, 64)], 0, 1, 5));
    receiver.handle(message(screen, 4, [videoTile(128, 0, 64, 64)], 0, 1, 4));
    expect(painter.area).toEqual({ x: 0, y: 64, width: 128, height: 64 });
    expect(acks.at(-1)).toMatchObject({ seq: 5, mask: 1 | 8 }); // 4 (and 1) acknowledged: nothing to resend
    // Exact pixels of frame 7 in cell (2, 2), then an area of frame 6 over it arrives late.
    receiver.handle(message(screen, 7, [tileOf(white, 2, 2)], 0, 1, 7));
    receiver.handle(message(screen, 6, [videoTile(128, 128, 72, 22)], 0, 1, 6));
    expect(painter.area).toEqual({ x: 0, y: 64, width: 128, height: 64 });
    expect(acks.at(-1)).toMatchObject({ seq: 7 });
    expect((acks.at(-1) as { mask: number }).mask & 1).toBe(0); // 6 not acknowledged: the agent resends it if still current
  });

  it('a newer area replaces the old one, and a new screen size ends it', () => {
    const { painter, receiver } = setUp();
    receiver.handle(message(screen, 2, [videoTile(0, 0, 128, 64)]));
    receiver.handle(message(screen, 3, [videoTile(64, 64, 64, 64)]));
    expect(painter.cells).toEqual([{ x: 64, y: 64, width: 64, height: 64 }]);
    receiver.handle(
      message({ width: 100, height: 100 }, 4, [
        tileOf(
          image(100, 100, () => 0),
          0,
          0,
        ),
      ]),
    );
    expect(painter.area).toBeNull();
    expect(receiver.videoCells).toEqual([]);
  });

  it('refuses video tiles off the grid or with a payload', () => {
    const { receiver } = setUp();
    const before = receiver.stats.dropped;
    receiver.handle(message(screen, 2, [videoTile(10, 0, 64, 64)]));
    receiver.handle(message(screen, 3, [videoTile(0, 0, 60, 64)]));
    receiver.handle(message(screen, 4, [{ ...videoTile(0, 0, 64, 64), payload: Uint8Array.of(1) }]));
    expect(receiver.stats.dropped).toBe(before + 3);
    expect(receiver.videoCells).toEqual([]);
  });
});

describe('TileReceiver: work bounded per message', () => {
  /** A painter that only counts (the screens here are large: no pixels are kept). */
  class CountingPainter implements Painter {
    resizes: string[] = [];
    fills = 0;
    puts = 0;
    copies = 0;
    cells: readonly ScreenRect[] = [];
    videoCalls = 0;
    resize(width: number, height: number): void {
      this.resizes.push(`${width}×${height}`);
    }
    fill(): void {
      this.fills++;
    }
    copy(): void {
      this.copies++;
    }
    put(): void {
      this.puts++;
    }
    video(_area: ScreenRect | null, cells: readonly ScreenRect[]): void {
      this.videoCalls++;
      this.cells = cells;
    }
  }
  const counting = (now: () => number = () => 0) => {
    const acks: ViewerTileMessage[] = [];
    const painter = new CountingPainter();
    const receiver = new TileReceiver((m) => acks.push(parseViewerTileMessage(m)), painter, now);
    return { acks, painter, receiver };
  };
  const fill = (x: number, y: number, width: number, height: number): EncodedTile => ({
    x,
    y,
    width,
    height,
    encoding: 'solid',
    payload: Uint8Array.of(1, 2, 3),
  });
  const packed = (screen: { width: number; height: number }, seq: number, frame: number, tiles: EncodedTile[]) =>
    packTileMessage({ seq, frame, part: 0, parts: 1, screenWidth: screen.width, screenHeight: screen.height }, tiles);

  /**
   * Calls of the callbacks of the Array methods that search (`find`, `some`, `every`, …) while `run`
   * runs: the comparisons a search makes.
   */
  function searches(run: () => void): number {
    const names = ['find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every', 'filter'] as const;
    const prototype = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const originals = names.map((name) => [name, prototype[name] as (...args: unknown[]) => unknown] as const);
    let calls = 0;
    for (const [name, original] of originals) {
      prototype[name] = function (this: unknown[], ...args: unknown[]) {
        const [callback, thisArg] = args as [(...args: unknown[]) => unknown, unknown];
        const counted = (...values: unknown[]) => {
          calls++;
          return callback.apply(thisArg, values);
        };
        return original.call(this, counted);
      };
    }
    try {
      run();
    } finally {
      for (const [name, original] of originals) prototype[name] = original;
    }
    return calls;
  }

  it('works out the video cells in one pass: a checkerboard of 2,048 runs costs no search per message', () => {
    // 4096 × 4160: 64 × 65 cells, the first 64 rows a video area; then every other cell of it painted,
    // 2,048 runs of one cell (the review's attack, at a quarter of the largest screen).
    const screen = { width: 4096, height: 4160 };
    const { painter, receiver } = counting();
    receiver.handle(packed(screen, 1, 1, [videoTile(0, 0, 4096, 4096)]));
    const board: EncodedTile[] = [];
    for (let row = 0; row < 64; row++) {
      for (let col = (row + 1) % 2; col < 64; col += 2) board.push(fill(col * 64, row * 64, 1, 1));
    }
    let seq = 2;
    for (let i = 0; i < board.length; i += 1000) receiver.handle(packed(screen, seq++, 2, board.slice(i, i + 1000)));
    expect(receiver.videoCells).toHaveLength(2048);
    expect(painter.cells).toHaveLength(2048);
    // One 34-byte message in a cell of the area painted already: the cells are worked out again, the same.
    const inside = packed(screen, seq++, 2, [fill(64, 0, 1, 1)]);
    const calls = searches(() => receiver.handle(inside));
    expect(receiver.videoCells).toHaveLength(2048);
    // At most one comparison per run (the check that nothing changed), not one per run and run before it.
    expect(calls).toBeLessThanOrEqual(2 * 2048);
    // A message that paints nothing of the area does not look at it, nor tells the painter anything.
    const told = painter.videoCalls;
    const below = packed(screen, seq++, 3, [fill(0, 4100, 1, 1)]);
    expect(searches(() => receiver.handle(below))).toBe(0);
    expect(painter.videoCalls).toBe(told);
    expect(receiver.videoCells).toHaveLength(2048);
  });

  it('gives the video cells as the rows’ runs, each grown down while the rows below repeat it', () => {
    // A 13 × 9 grid (the last column 20 pixels, the last row 10), painted at random over an area.
    const screen = { width: 12 * 64 + 20, height: 8 * 64 + 10 };
    const cols = 13;
    const rows = 9;
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 30; round++) {
      const { receiver } = counting();
      const [c0, r0] = [Math.floor(random() * 4), Math.floor(random() * 4)];
      const area = { x: c0 * 64, y: r0 * 64, width: screen.width - c0 * 64, height: screen.height - r0 * 64 };
      receiver.handle(packed(screen, 1, 1, [videoTile(area.x, area.y, area.width, area.height)]));
      const shows = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => c >= c0 && r >= r0));
      let seq = 2;
      for (let k = 0; k < 40; k++) {
        const [c, r] = [Math.floor(random() * cols), Math.floor(random() * rows)];
        receiver.handle(packed(screen, seq, seq, [fill(c * 64, r * 64, 1, 1)]));
        seq++;
        (shows[r] as boolean[])[c] = false;
        // The rectangles as the quadratic search made them: row by row, each run merged with the one above.
        const expected: ScreenRect[] = [];
        for (let row = r0; row < rows; row++) {
          const y = row * 64;
          const height = Math.min(screen.height, y + 64) - y;
          for (let col = c0; col < cols; col++) {
            if (!shows[row]?.[col]) continue;
            let end = col;
            while (end < cols - 1 && shows[row]?.[end + 1]) end++;
            const x = col * 64;
            const width = Math.min(screen.width, (end + 1) * 64) - x;
            const above = expected.find((e) => e.x === x && e.width === width && e.y + e.height === y);
            if (above) above.height += height;
            else expected.push({ x, y, width, height });
            col = end;
          }
        }
        expect(receiver.videoCells).toEqual(expected);
      }
    }
  });

  it(`refuses a message whose tiles cover more than ${MAX_MESSAGE_SCREENS} screens of cells beyond one each`, () => {
    const screen = { width: 4096, height: 4096 }; // 4,096 cells
    const { acks, painter, receiver } = counting();
    const screens = (n: number, seq: number) =>
      packed(
        screen,
        seq,
        seq,
        Array.from({ length: n }, () => fill(0, 0, 4096, 4096)),
      );
    receiver.handle(screens(MAX_MESSAGE_SCREENS, 1)); // 8 × 4,095 cells beyond one: allowed
    expect(painter.fills).toBe(MAX_MESSAGE_SCREENS);
    expect(acks).toHaveLength(1);
    receiver.handle(screens(MAX_MESSAGE_SCREENS + 1, 2));
    expect(painter.fills).toBe(MAX_MESSAGE_SCREENS);
    expect(acks).toHaveLength(1);
    expect(receiver.stats.dropped).toBe(1);
    // A copy counts its source too.
    const copy = copyTile(0, 0, 0, 0, 4096, 4096, 1);
    expect(() => parseTileMessage(packed(screen, 3, 3, [copy]))).not.toThrow();
    const beyond = Array.from({ length: MAX_MESSAGE_SCREENS - 1 }, () => fill(0, 0, 4096, 4096));
    expect(() => parseTileMessage(packed(screen, 3, 3, [copy, ...beyond]))).toThrow(/screens of cells/);
    // Tiles of one cell cost nothing beyond themselves: a message of as many as fit is taken.
    const cells = Array.from({ length: 1000 }, (_, i) => fill((i % 64) * 64, Math.floor(i / 64) * 64, 64, 64));
    receiver.handle(packed(screen, 4, 4, cells));
    expect(painter.fills).toBe(MAX_MESSAGE_SCREENS + 1000);
  });

  it('refuses the review’s bombs: thousands of full-screen fills in a small (deflated) message', () => {
    const screen = { width: 16_384, height: 16_384 };
    const { acks, painter, receiver } = counting();
    // 172 bytes on the wire: 4,681 full-screen fills once inflated (the records' bound).
    const n = Math.floor((64 * 1024) / 14);
    const tiles = Array.from({ length: n }, () => fill(0, 0, screen.width, screen.height));
    const head = { seq: 1, frame: 1, part: 0, parts: 1, screenWidth: screen.width, screenHeight: screen.height };
    const body = deflateTileRecords(tiles, (d) => fflateDeflate(d, { level: 9 }));
    const deflated = packDeflatedTileMessage(head, n, body);
    expect(deflated.length).toBeLessThan(1000);
    receiver.handle(deflated);
    // The same as 16 KiB of plain records (1,168 fills).
    const plain = Math.floor((MAX_MESSAGE_BYTES - 20) / 14);
    receiver.handle(packed(screen, 2, 2, tiles.slice(0, plain)));
    expect(painter.fills).toBe(0);
    expect(acks).toEqual([]);
    expect(receiver.stats.dropped).toBe(2);
  });

  it(`refuses a message over ${MAX_MESSAGE_BYTES} bytes before reading its tiles`, () => {
    const screen = { width: 1920, height: 1080 };
    const { acks, painter, receiver } = counting();
    // One-cell fills of 14 bytes each: one more than fits.
    const count = Math.floor((MAX_MESSAGE_BYTES - 20) / 14) + 1;
    const tiles = Array.from({ length: count }, (_, i) => fill((i % 30) * 64, (Math.floor(i / 30) % 16) * 64, 64, 64));
    const long = packed(screen, 1, 1, tiles);
    expect(long.length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(() => parseTileMessage(long)).toThrow(/more than 16384/);
    receiver.handle(long);
    expect(painter.fills).toBe(0);
    expect(acks).toEqual([]);
    const fits = packed(screen, 2, 2, tiles.slice(1));
    expect(fits.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    receiver.handle(fits);
    expect(painter.fills).toBe(count - 1);
  });

  it(`takes at most ${RESIZE_BURST} sizes at once and then one per ${RESIZE_INTERVAL_MS} ms`, () => {
    let now = 0;
    const { acks, painter, receiver } = counting(() => now);
    // 20-byte probes of alternating sizes, each from a newer frame: each would resize (and clear) the canvas.
    const probe = (seq: number, width: number) =>
      packTileMessage({ seq, frame: seq, part: 0, parts: 1, screenWidth: width, screenHeight: 16_384 }, []);
    for (let seq = 1; seq <= 1000; seq++) {
      receiver.handle(probe(seq, seq % 2 ? 16_384 : 16_383));
      now += 0.1; // 10,000 messages a second
    }
    // The first four, and one per 250 ms of the 100 ms that passed: none.
    expect(painter.resizes).toHaveLength(RESIZE_BURST);
    // After those, the probes of the size taken last are taken (nothing to resize); the 498 of the
    // other size are dropped and not acknowledged: the agent would send them again.
    expect(receiver.screen).toEqual({ width: 16_383, height: 16_384 });
    expect(receiver.stats.dropped).toBe(498);
    expect(acks).toHaveLength(1000 - 498);
    // A second later the next size is taken, then again one per interval.
    now += 1000;
    receiver.handle(probe(2000, 1920));
    receiver.handle(probe(2001, 1280));
    receiver.handle(probe(2002, 1920));
    receiver.handle(probe(2003, 1280));
    receiver.handle(probe(2004, 1920));
    expect(painter.resizes.slice(RESIZE_BURST)).toEqual(['1920×16384', '1280×16384', '1920×16384', '1280×16384']);
    now += RESIZE_INTERVAL_MS;
    receiver.handle(probe(2005, 1920));
    expect(painter.resizes.at(-1)).toBe('1920×16384');
    expect(receiver.screen).toEqual({ width: 1920, height: 16_384 });
  });

  it('follows a sharer who switches displays and back, and a screen message before the picture', () => {
    let now = 0;
    const { painter, receiver } = counting(() => now);
    receiver.handle(packTileScreen(1920, 1080));
    const frame = (seq: number, width: number, height: number) =>
      packTileMessage({ seq, frame: seq, part: 0, parts: 1, screenWidth: width, screenHeight: height }, [
        fill(0, 0, 64, 64),
      ]);
    receiver.handle(frame(1, 1920, 1080));
    now += 2000; // a display picked in the menu
    receiver.handle(frame(2, 2560, 1440));
    now += 600;
    receiver.handle(frame(3, 1920, 1080));
    now += 50; // its resolution changed while it settled
    receiver.handle(frame(4, 1280, 720));
    receiver.handle(frame(5, 1920, 1080));
    expect(painter.resizes).toEqual(['1920×1080', '2560×1440', '1920×1080', '1280×720', '1920×1080']);
    expect(receiver.stats.dropped).toBe(0);
  });
});
