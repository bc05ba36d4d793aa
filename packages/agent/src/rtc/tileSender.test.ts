import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  copySource,
  decodeTile,
  isParity,
  isTileScreen,
  MAX_MESSAGE_BYTES,
  packTileAck,
  packTileHello,
  packTileRefresh,
  parseParity,
  parseTileMessage,
  parseTileScreen,
  ProtocolError,
  rebuildFromParity,
  type ParityMessage,
  type TileMessage,
} from '@remote-help/protocol';
import type { Rect, ScreenFrame } from '../platform/types.js';
import { screenBuffer } from '../testing/screenBuffer.js';
import { PARITY_GROUP, TileSender, type TileChannel } from './tileSender.js';

class FakeChannel implements TileChannel {
  readyState = 'open';
  bufferedAmount = 0;
  /** What is sent stays in the send buffer (a link slower than the sender). */
  stalled = false;
  sent: TileMessage[] = [];
  /** Parity messages, apart from the tile messages in `sent`. */
  parity: ParityMessage[] = [];
  /** Screen messages, apart from the tile messages in `sent`. */
  screens: { width: number; height: number }[] = [];
  /** Every tile message's bytes as written, by number (the last copy). */
  bytes = new Map<number, Uint8Array>();
  send(data: Uint8Array): void {
    if (isParity(data)) this.parity.push(parseParity(data.slice()));
    else if (isTileScreen(data)) this.screens.push(parseTileScreen(data.slice()));
    else {
      const message = parseTileMessage(data.slice());
      this.sent.push(message);
      this.bytes.set(message.seq, data.slice());
    }
    if (this.stalled) this.bufferedAmount += data.length;
  }
  take(): TileMessage[] {
    return this.sent.splice(0);
  }
}

const screen = screenBuffer;

/** A page of "text": dark pixels scattered by a hash of (x, y), every row different. */
function speckles(x: number, y: number): number {
  let h = Math.imul(x ^ Math.imul(y, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h >>> 29 === 0 ? 0x202020 : 0xf0f0f0;
}

/** Paints `r` in `colour` and returns the frame that reports it changed. */
const change = (s: ReturnType<typeof screen>, r: Rect, colour: number): ScreenFrame => {
  s.repaint(() => colour, r);
  return s.frame([r]);
};

const cellsOf = (messages: TileMessage[]) =>
  messages
    .flatMap((m) => m.tiles.map((t) => `${t.x},${t.y}`))
    .sort()
    .filter((v, i, all) => all.indexOf(v) === i);

describe('TileSender', () => {
  let clock = 0;
  let channel: FakeChannel;
  let sender: TileSender;
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };
  const ack = (frame: number, mask = 0) => sender.handleMessage(packTileAck(frame, mask));
  /** Time passing as it does: the sender's poll runs every few ms on the way. */
  const elapse = (ms: number) => {
    for (let t = 0; t < ms; t += 4) advance(Math.min(4, ms - t));
  };

  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
    channel = new FakeChannel();
    sender = new TileSender(channel, { now: () => clock });
  });
  afterEach(() => {
    sender.close();
    vi.useRealTimers();
  });

  it('sends the whole screen first, in messages within the size limit, that decode to the screen', () => {
    const paint = (x: number, y: number) => (x * 2654435761 + y * 40503) & 0xffffff; // noise: raw tiles
    const s = screen(200, 130, paint);
    sender.pushFrame(s.frame());
    advance(4);
    const messages = channel.take();
    // Behind the last message, a probe (no tiles): the round trip is unknown, a loss would cost much.
    expect(messages.pop()).toMatchObject({ frame: 1, part: messages.length - 1, parts: messages.length, tiles: [] });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(m).toMatchObject({ frame: 1, parts: messages.length, screenWidth: 200, screenHeight: 130 });
    }
    expect(messages.map((m) => m.part)).toEqual([...messages.keys()]);
    expect(cellsOf(messages)).toHaveLength(4 * 3);
    const edge = messages.flatMap((m) => m.tiles).find((t) => t.x === 192 && t.y === 128);
    expect(edge).toMatchObject({ width: 8, height: 2, encoding: 'palette' }); // 16 pixels: at most 16 colours
    expect(messages.flatMap((m) => m.tiles).find((t) => t.x === 0 && t.y === 0)?.encoding).toBe('raw');
    const decoded = decodeTile(edge as NonNullable<typeof edge>);
    if (!('rgba' in decoded)) throw new Error('expected pixels');
    expect(Array.from(decoded.rgba.subarray(0, 3))).toEqual([
      paint(192, 128) >>> 16,
      (paint(192, 128) >> 8) & 0xff,
      paint(192, 128) & 0xff,
    ]);
    expect(sender.stats().bytes).toBeGreaterThan(0);
  });

  it('sends only what changed, as fills or cut along the grid, and nothing while the screen is still', () => {
    const s = screen(256, 192, () => 0xffffff);
    sender.pushFrame(s.frame());
    channel.take();
    ack(1);
    sender.pushFrame(s.frame([]));
    advance(500);
    expect(channel.take()).toEqual([]);
    s.repaint(() => 0x000000, { x: 60, y: 10, width: 10, height: 60 });
    sender.pushFrame(s.frame([{ x: 60, y: 10, width: 10, height: 60 }]));
    const [first, ...duplicate] = channel.take();
    // One colour by the time it is sent: one fill, across cells.
    expect(first?.tiles.map(({ x, y, width, height, encoding }) => ({ x, y, width, height, encoding }))).toEqual([
      { x: 60, y: 10, width: 10, height: 60, encoding: 'solid' },
    ]);
    expect(decodeTile(first?.tiles[0] as never)).toEqual({ solid: [0, 0, 0] });
    // Not one colour: cut along the grid.
    ack(2);
    const stripes = { x: 60, y: 10, width: 10, height: 60 };
    s.repaint((x) => (x % 2 ? 0xff0000 : 0x0000ff), stripes);
    sender.pushFrame(s.frame([stripes]));
    const cut = channel.take()[0];
    expect(cut?.tiles.map(({ x, y, width, height, encoding }) => ({ x, y, width, height, encoding }))).toEqual([
      { x: 60, y: 10, width: 4, height: 54, encoding: 'palette' },
      { x: 64, y: 10, width: 6, height: 54, encoding: 'palette' },
      { x: 60, y: 64, width: 4, height: 6, encoding: 'palette' },
      { x: 64, y: 64, width: 6, height: 6, encoding: 'palette' },
    ]);
    // Two changes in one cell before a frame goes: one tile, their bounding box.
    ack(3);
    s.repaint(() => 0x00ff00, { x: 130, y: 130, width: 2, height: 2 });
    s.repaint(() => 0x00ff00, { x: 140, y: 135, width: 2, height: 2 });
    channel.readyState = 'closing';
    sender.pushFrame(s.frame([{ x: 130, y: 130, width: 2, height: 2 }]));
    sender.pushFrame(s.frame([{ x: 140, y: 135, width: 2, height: 2 }]));
    channel.readyState = 'open';
    sender.flush();
    expect(channel.take()[0]?.tiles).toMatchObject([{ x: 130, y: 130, width: 12, height: 7, encoding: 'palette' }]);
    // Acknowledged at once (a short clean path): a small frame goes once (see the duplication test).
    expect(duplicate).toEqual([]);
  });

  it('keeps at most maxInFlight frames in flight and merges changes until the viewer acknowledges', () => {
    sender = new TileSender(channel, { now: () => clock, maxInFlight: 3 });
    const s = screen(256, 64, () => 0);
    sender.pushFrame(s.frame());
    for (let i = 0; i < 6; i++) sender.pushFrame(change(s, { x: i * 40, y: 0, width: 1, height: 1 }, 0xffffff - i));
    const frames = [...new Set(channel.take().map((m) => m.frame))];
    expect(frames).toEqual([1, 2, 3]);
    ack(3, 0b11);
    const merged = channel.take();
    expect(new Set(merged.map((m) => m.frame))).toEqual(new Set([4]));
    // The changes at x = 80…200 while frames were in flight arrive together, one box per cell.
    expect(merged[0]?.tiles.map(({ x, width }) => [x, width])).toEqual([
      [80, 41],
      [160, 1],
      [200, 1],
    ]);
  });

  it('holds back a frame while too many bytes wait for acknowledgement, but never the only one', () => {
    sender = new TileSender(channel, { now: () => clock, maxInFlightBytes: 100 });
    const s = screen(128, 64, (x, y) => (x * 2654435761 + y * 40503) & 0xffffff);
    sender.pushFrame(s.frame()); // far more than 100 bytes: goes, nothing else is in flight
    const first = channel.take();
    expect(first.map((m) => [m.frame, m.seq])).toEqual([
      [1, 1],
      [1, 2],
    ]);
    sender.pushFrame(change(s, { x: 0, y: 0, width: 1, height: 1 }, 1));
    expect(channel.take()).toEqual([]);
    ack(1);
    expect(channel.take()).toEqual([]); // message 2 still waits
    ack(2, 0b1);
    expect(channel.take().map((m) => m.frame)).toEqual([2]);
    // Small frames: several may be in flight at once (the default allows 8 frames).
    sender.pushFrame(change(s, { x: 1, y: 0, width: 1, height: 1 }, 2));
    expect(channel.take().map((m) => m.frame)).toEqual([3]);
  });

  it('sends rectangles drawn over each other as fills that compose to the screen', () => {
    const s = screen(256, 192, () => 0x000000);
    sender.pushFrame(s.frame());
    ack(1);
    channel.take();
    // Three rectangles drawn in this order, each over the previous; the last is covered whole by nothing.
    const drawn: [Rect, number][] = [
      [{ x: 10, y: 10, width: 100, height: 80 }, 0xff0000],
      [{ x: 60, y: 40, width: 120, height: 100 }, 0x00ff00],
      [{ x: 20, y: 20, width: 30, height: 30 }, 0x0000ff],
      [{ x: 150, y: 100, width: 20, height: 20 }, 0xffff00], // then covered by the next one
      [{ x: 140, y: 90, width: 50, height: 50 }, 0x00ffff],
    ];
    for (const [r, c] of drawn) s.repaint(() => c, r);
    sender.pushFrame(s.frame(drawn.map(([r]) => r)));
    const tiles = channel.take()[0]?.tiles ?? [];
    expect(tiles.every((t) => t.encoding === 'solid')).toBe(true);
    expect(tiles).toHaveLength(4); // the yellow one is hidden under the cyan one
    // Painting the fills in order gives the screen.
    const picture = new Uint32Array(256 * 192);
    for (const t of tiles) {
      const [r, g, b] = (decodeTile(t) as { solid: number[] }).solid as [number, number, number];
      for (let y = t.y; y < t.y + t.height; y++)
        picture.fill((r << 16) | (g << 8) | b, y * 256 + t.x, y * 256 + t.x + t.width);
    }
    const expected = new Uint32Array(256 * 192);
    for (const [r, c] of drawn)
      for (let y = r.y; y < r.y + r.height; y++) expected.fill(c, y * 256 + r.x, y * 256 + r.x + r.width);
    expect(picture).toEqual(expected);
  });

  it('sends layers of fills past what a message may carry as grid tiles: every message parses, the picture is exact', () => {
    const s = screen(256, 192, () => 0x000000);
    sender.pushFrame(s.frame());
    ack(1);
    channel.take();
    // Forty whole-screen panels drawn over each other in one frame, each a column further right:
    // each shows one column, and each covers the 12 cells of the screen (11 beyond one). Together
    // they are 40 screens of cells, five times what the viewer takes in one message.
    const drawn: [Rect, number][] = [];
    for (let i = 0; i < 40; i++) drawn.push([{ x: i, y: 0, width: 256 - i, height: 192 }, 0x010203 * (i + 1)]);
    for (const [r, c] of drawn) s.repaint(() => c, r);
    sender.pushFrame(s.frame(drawn.map(([r]) => r)));
    // The channel parses every message as the viewer does: one past the bound would throw here.
    const tiles = channel.take().flatMap((m) => m.tiles);
    const fills = tiles.filter((t) => t.encoding === 'solid' && t.width * t.height > 64 * 64);
    // The newest layers go as fills up to six screens of cells beyond one each (6 × 12 / 11), the rest as grid tiles.
    expect(fills).toHaveLength(6);
    expect(tiles.length).toBeGreaterThan(fills.length);
    // Painting the message's tiles in order gives the screen.
    const picture = new Uint32Array(256 * 192);
    for (const t of tiles) {
      const decoded = decodeTile(t);
      for (let y = t.y; y < t.y + t.height; y++) {
        for (let x = t.x; x < t.x + t.width; x++) {
          const at = 'solid' in decoded ? 0 : ((y - t.y) * t.width + (x - t.x)) * 4;
          const [r, g, b] = 'solid' in decoded ? decoded.solid : decoded.rgba.subarray(at, at + 3);
          picture[y * 256 + x] = ((r as number) << 16) | ((g as number) << 8) | (b as number);
        }
      }
    }
    const expected = new Uint32Array(256 * 192);
    for (const [r, c] of drawn)
      for (let y = r.y; y < r.y + r.height; y++) expected.fill(c, y * 256 + r.x, y * 256 + r.x + r.width);
    expect(picture).toEqual(expected);
  });

  it('does not send again what the helper already has', () => {
    const s = screen(128, 128, () => 0x336699);
    sender.pushFrame(s.frame());
    ack(1);
    channel.take();
    // Redrawn the same (an application repainting its window): nothing to send.
    sender.pushFrame(change(s, { x: 0, y: 0, width: 100, height: 100 }, 0x336699));
    expect(channel.take()).toEqual([]);
    // Only the padding byte of the capture changed (X servers need not keep it): the same pixels, nothing to send.
    for (let y = 10; y < 60; y++) for (let x = 0; x < 128; x++) s.data[y * s.stride + x * 4 + 3] = (x * 7 + y) & 0xff;
    sender.pushFrame(s.frame([{ x: 0, y: 0, width: 128, height: 100 }]));
    expect(channel.take()).toEqual([]);
    // New pixels with padding: sent once; drawn again the same, they are what the helper has (nothing to send).
    s.repaint((x) => (x & 1 ? 0x112233 : 0x445566), { x: 20, y: 20, width: 30, height: 30 });
    for (let y = 20; y < 50; y++) for (let x = 20; x < 50; x++) s.data[y * s.stride + x * 4 + 3] = 0xff;
    sender.pushFrame(s.frame([{ x: 20, y: 20, width: 30, height: 30 }]));
    expect(cellsOf(channel.take())).toEqual(['20,20']);
    ack(2);
    sender.pushFrame(s.frame([{ x: 0, y: 0, width: 128, height: 128 }]));
    expect(channel.take()).toEqual([]);
    // Redrawn with one pixel different: only that pixel goes.
    s.repaint(() => 0xffffff, { x: 70, y: 5, width: 1, height: 1 });
    sender.pushFrame(s.frame([{ x: 0, y: 0, width: 100, height: 100 }]));
    expect(channel.take()[0]?.tiles.map(({ x, y, width, height }) => ({ x, y, width, height }))).toEqual([
      { x: 70, y: 5, width: 1, height: 1 },
    ]);
  });

  it('sends a scroll as a copy in a frame of its own, then only the new rows', () => {
    const text = speckles;
    const s = screen(320, 192, text);
    sender.pushFrame(s.frame());
    ack(channel.take().at(-1)?.seq ?? 0, 0xffffffff);
    // Scroll the area x 16…288, y 20…180 up by 13 rows; the last 13 rows are new.
    const area = { x: 16, y: 20, width: 272, height: 160 };
    s.repaint((x, y) => (y < 167 ? text(x, y + 13) : (x + y) % 5 === 0 ? 0x000000 : 0xffffff), area);
    sender.pushFrame(s.frame([area]));
    const [copy, ...rest] = channel.take().filter((m, i, all) => all.findIndex((o) => o.seq === m.seq) === i);
    expect(copy?.tiles).toMatchObject([{ encoding: 'copy', x: 16, y: 20, width: 272, height: 147 }]);
    expect(rest.every((m) => m.frame === (copy?.frame ?? 0) + 1)).toBe(true);
    const sent = rest.flatMap((m) => m.tiles);
    expect(Math.min(...sent.map((t) => t.y))).toBe(167); // only the new rows
    expect(sender.stats().tiles.copy).toBe(1);
  });

  it('names the oldest message in flight in a copy: the helper applies it after that one', () => {
    const text = speckles;
    const s = screen(320, 192, text);
    sender.pushFrame(s.frame()); // in flight, not acknowledged yet
    const first = channel.take().map((m) => m.seq);
    const area = { x: 16, y: 20, width: 272, height: 160 };
    s.repaint((x, y) => (y < 167 ? text(x, y + 13) : 0xffffff), area);
    sender.pushFrame(s.frame([area]));
    const copy = channel.take().find((m) => m.tiles[0]?.encoding === 'copy');
    expect(copySource(copy?.tiles[0] as never, { width: 320, height: 192 }).after).toBe(Math.min(...first));
  });

  it('waits while the channel holds more than its high-water mark', () => {
    const s = screen(200, 130, (x, y) => (x * 2654435761 + y * 40503) & 0xffffff); // noise: ~78 KB of raw tiles
    channel.stalled = true;
    sender.pushFrame(s.frame()); // the buffer was empty: it goes
    expect(channel.take().length).toBeGreaterThan(1);
    expect(channel.bufferedAmount).toBeGreaterThan(64 * 1024);
    sender.pushFrame(change(s, { x: 0, y: 0, width: 1, height: 1 }, 0x123456));
    advance(20);
    expect(channel.take()).toEqual([]);
    channel.stalled = false;
    channel.bufferedAmount = 0; // the link took it all
    advance(5);
    expect(channel.take().map((m) => m.frame)).toEqual([2, 2]);
  });

  it('resends the cells of a frame that a later frame overtook, with the current pixels', () => {
    const s = screen(128, 64, () => 0);
    sender.pushFrame(s.frame());
    ack(1);
    s.repaint(() => 0x111111, { x: 0, y: 0, width: 64, height: 64 });
    sender.pushFrame(s.frame([{ x: 0, y: 0, width: 64, height: 64 }])); // frame 2, lost
    s.repaint(() => 0x222222, { x: 64, y: 0, width: 64, height: 64 });
    sender.pushFrame(s.frame([{ x: 64, y: 0, width: 64, height: 64 }])); // frame 3
    channel.take();
    s.repaint(() => 0x333333, { x: 0, y: 0, width: 64, height: 64 }); // changed again since
    clock += 1;
    ack(3);
    advance(30);
    const resent = channel.take();
    expect(new Set(resent.map((m) => m.frame))).toEqual(new Set([4]));
    expect(cellsOf(resent)).toEqual(['0,0']);
    expect(resent[0]?.tiles[0]).toMatchObject({ width: 64, height: 64 });
    expect(decodeTile(resent[0]?.tiles[0] as never)).toEqual({ solid: [0x33, 0x33, 0x33] });
    expect(sender.stats().lost).toBe(1);
  });

  it('resends a lost tile even when a later frame carried another part of its cell', () => {
    const s = screen(64, 64, () => 0);
    sender.pushFrame(s.frame());
    ack(1);
    sender.pushFrame(change(s, { x: 0, y: 0, width: 8, height: 8 }, 0xff)); // frame 2, lost
    sender.pushFrame(change(s, { x: 30, y: 30, width: 2, height: 2 }, 0xff00)); // frame 3, same cell
    channel.take();
    clock += 1;
    ack(3);
    advance(50);
    const resent = channel.take();
    expect(resent.map((m) => m.frame)).toEqual([4, 4]);
    expect(resent[0]?.tiles[0]).toMatchObject({ x: 0, y: 0, width: 8, height: 8 });
    expect(sender.stats().lost).toBe(1);
  });

  it('resends only what the lost message of a frame carried', () => {
    const s = screen(128, 64, (x, y) => (x * 2654435761 + y * 40503) & 0xffffff);
    sender.pushFrame(s.frame()); // two raw tiles: two messages of one frame
    expect(channel.take().map((m) => [m.seq, m.tiles[0]?.x])).toEqual([
      [1, 0],
      [2, 64],
    ]);
    clock += 1;
    ack(2); // message 1 lost (message 2's probe is not needed any more)
    elapse(30);
    const resent = channel.take();
    // Its tile, and a probe behind it (a loss was just seen).
    expect(resent.map((m) => [m.seq, m.frame, m.tiles.map((t) => t.x)])).toEqual([
      [3, 2, [0]],
      [4, 2, []],
    ]);
  });

  it('resends a frame that is never acknowledged after the retransmission timeout', () => {
    const s = screen(64, 64, () => 0);
    sender.pushFrame(s.frame());
    clock += 20;
    ack(1); // round trip 20 ms
    sender.pushFrame(change(s, { x: 0, y: 0, width: 2, height: 2 }, 0xabcdef));
    channel.take();
    advance(25);
    expect(channel.take()).toEqual([]); // not yet: the timeout is above the round trip
    advance(60);
    expect(channel.take().map((m) => m.frame)).toEqual([3, 3]);
  });

  it('learns a round trip longer than its first timeout from late acks, and stops resending', () => {
    // A helper that acknowledges every message 800 ms after it was sent: slower than the
    // first timeout (a long path, or a busy machine). Before late acks counted, no ack was
    // ever matched, every message was resent, and the round trip was never learned.
    const due: { at: number; seq: number }[] = [];
    const run = (ms: number) => {
      for (let t = 0; t < ms; t += 4) {
        advance(4);
        for (const m of channel.take()) due.push({ at: clock + 800, seq: m.seq });
        while (due[0] && due[0].at <= clock) ack(due.shift()!.seq);
      }
    };
    const s = screen(64, 64, () => 0);
    sender.pushFrame(s.frame());
    run(2000);
    for (let i = 1; i <= 20; i++) {
      sender.pushFrame(change(s, { x: 0, y: 0, width: 2, height: 2 }, 0x100 * i));
      run(100);
    }
    run(2000);
    const stats = sender.stats();
    expect(stats.srttMs).toBeGreaterThan(700);
    expect(stats.rtoMs).toBeGreaterThan(800);
    expect(stats.lateAcks).toBeGreaterThanOrEqual(1);
    expect(stats.lost).toBeLessThanOrEqual(2); // the first message, given up before any round trip was known
    expect(stats.messages - stats.duplicated).toBeLessThanOrEqual(22); // 21 frames and one resend
  });

  it('never gives up a message before the measured round trip, even past the 4 s cap of the doubling', () => {
    // A starved helper that acknowledges 9 s after sending: with the timeout capped at 4 s,
    // every message was given up and resent while the helper's queue kept growing.
    const due: { at: number; seq: number }[] = [];
    const run = (ms: number) => {
      for (let t = 0; t < ms; t += 4) {
        advance(4);
        for (const m of channel.take()) due.push({ at: clock + 9000, seq: m.seq });
        while (due[0] && due[0].at <= clock) ack(due.shift()!.seq);
      }
    };
    const s = screen(64, 64, () => 0);
    sender.pushFrame(s.frame());
    run(20_000);
    const learned = sender.stats();
    expect(learned.srttMs).toBeGreaterThan(8000);
    expect(learned.rtoMs).toBeGreaterThan(9000);
    const lostBefore = learned.lost;
    for (let i = 1; i <= 5; i++) {
      sender.pushFrame(change(s, { x: 0, y: 0, width: 2, height: 2 }, 0x100 * i));
      run(2000);
    }
    run(12_000);
    expect(sender.stats().lost).toBe(lostBefore); // every later message waited for its ack
  });

  it('doubles the timeout with each round of timeouts, up to 4 s, and resets it on a timely ack', () => {
    const s = screen(64, 64, () => 0);
    sender.pushFrame(s.frame());
    expect(sender.stats().rtoMs).toBe(500);
    elapse(510);
    expect(sender.stats().rtoMs).toBe(1000); // one round, one doubling
    for (let i = 0; i < 5; i++) elapse(4100);
    expect(sender.stats().rtoMs).toBe(4000);
    channel.take();
    for (let t = 0; t < 4100 && channel.sent.length === 0; t += 4) advance(4);
    const resent = channel.take().at(-1)!;
    clock += 30;
    ack(resent.seq);
    expect(sender.stats().rtoMs).toBeLessThan(100);
  });

  it('queues nothing while the path is dead, and sends the whole current picture the moment it is back', () => {
    sender = new TileSender(channel, { now: () => clock, maxInFlight: 4 });
    const s = screen(128, 64, () => 0);
    sender.pushFrame(s.frame());
    // The path dies with four frames in flight: the helper gets none of them.
    for (let i = 0; i < 3; i++) sender.pushFrame(change(s, { x: i, y: 0, width: 1, height: 1 }, 0xff0000 + i));
    expect(channel.take().length).toBeGreaterThanOrEqual(4);
    sender.setPathDown(true);
    sender.pushFrame(change(s, { x: 100, y: 10, width: 2, height: 2 }, 0x00ff00));
    elapse(3000);
    expect(channel.take()).toEqual([]); // neither new frames nor resends
    expect(sender.stats().rtoMs).toBe(1000); // the silent round doubled it
    // Back: the whole current picture at once, and the outage's doubling forgotten.
    sender.setPathDown(false);
    const sent = channel.take();
    expect(cellsOf(sent)).toEqual(['0,0', '64,0']);
    expect(sender.stats().rtoMs).toBe(500);
    // With the screen's current pixels: the square drawn during the outage is there.
    const over = sent
      .flatMap((m) => m.tiles)
      .filter((t) => t.x <= 100 && t.x + t.width > 100 && t.y <= 10 && t.y + t.height > 10);
    const pixel = over.map((t) => {
      const decoded = decodeTile(t);
      if ('solid' in decoded) return decoded.solid.slice(0, 3);
      const at = ((10 - t.y) * t.width + (100 - t.x)) * 4;
      return Array.from(decoded.rgba.subarray(at, at + 3));
    });
    expect(pixel.length).toBeGreaterThan(0); // small messages go twice
    expect(new Set(pixel.map(String))).toEqual(new Set(['0,255,0']));
  });

  it('starts over at the new size when the screen size changes', () => {
    sender.pushFrame(screen(64, 64, () => 0).frame());
    channel.take();
    sender.pushFrame(screen(128, 64, () => 0xff).frame([{ x: 0, y: 0, width: 1, height: 1 }]));
    const messages = channel.take();
    expect(messages[0]).toMatchObject({ frame: 2, screenWidth: 128 });
    expect(cellsOf(messages)).toEqual(['0,0', '64,0']);
  });

  it('starts from a shadow reserved before the first frame, or its own when the frame has another size', () => {
    const paint = (x: number, y: number) => (((x >> 3) + (y >> 3)) % 2 ? 0x102030 : 0xf0e0d0);
    sender.reserve(128, 64);
    sender.reserve(128, 64); // again: kept
    sender.pushFrame(screen(128, 64, paint).frame());
    expect(cellsOf(channel.take())).toEqual(['0,0', '64,0']);
    // Reserved for a size the screen does not have, or once the screen's size is known: no effect.
    const other = new TileSender(channel, { now: () => clock });
    other.reserve(64, 128);
    other.pushFrame(screen(128, 64, paint).frame());
    expect(cellsOf(channel.take())).toEqual(['0,0', '64,0']);
    other.reserve(256, 256);
    const s = screen(128, 64, paint);
    other.pushFrame(change(s, { x: 70, y: 10, width: 4, height: 4 }, 0xff0000));
    // Only the change (sent twice: the round trip is unknown).
    const tiles = channel.take().flatMap((m) => m.tiles);
    expect(new Set(tiles.map((t) => `${t.x},${t.y},${t.width},${t.height},${t.encoding}`))).toEqual(
      new Set(['70,10,4,4,solid']),
    );
    other.close();
  });

  it("tells a viewer that reads it the screen's size ahead of the first picture, once, and only before anything went", () => {
    const paint = (x: number, y: number) => (((x >> 3) + (y >> 3)) % 2 ? 0x102030 : 0xf0e0d0);
    // A viewer that does not say it reads screen messages gets none.
    sender.reserve(128, 64);
    sender.handleMessage(packTileAck(0, 0, { deflated: true, parity: true }));
    expect(channel.screens).toEqual([]);
    // One that does, in its hello: the reserved size, once, and no pixels.
    sender.handleMessage(packTileHello());
    sender.handleMessage(packTileHello());
    expect(channel.screens).toEqual([{ width: 128, height: 64 }]);
    expect(channel.take()).toEqual([]);
    sender.pushFrame(screen(128, 64, paint).frame());
    expect(cellsOf(channel.take())).toEqual(['0,0', '64,0']);

    // The size of a prepared picture (held: the sharer reads the request) while nothing was written.
    const held = new TileSender(channel, { now: () => clock });
    held.prepare(screen(256, 128, speckles).frame());
    held.handleMessage(packTileHello());
    expect(channel.screens).toEqual([
      { width: 128, height: 64 },
      { width: 256, height: 128 },
    ]);
    expect(channel.take()).toEqual([]);
    held.close();

    // Once a picture went, the tile messages carry the size: no screen message. Nor while paused, nor before
    // the size is known.
    const late = new TileSender(channel, { now: () => clock });
    late.pushFrame(screen(128, 64, paint).frame());
    late.handleMessage(packTileHello());
    const paused = new TileSender(channel, { now: () => clock });
    paused.reserve(128, 64);
    paused.setPaused(true);
    paused.handleMessage(packTileHello());
    const unknown = new TileSender(channel, { now: () => clock });
    unknown.handleMessage(packTileHello());
    expect(channel.screens).toHaveLength(2);
    for (const other of [late, paused, unknown]) other.close();
  });

  it('sends everything again when the viewer asks, and refuses malformed viewer messages', () => {
    const s = screen(128, 128, () => 0);
    sender.pushFrame(s.frame());
    ack(1);
    channel.take();
    sender.handleMessage(packTileRefresh());
    expect(cellsOf(channel.take())).toHaveLength(4);
    for (const bad of [new Uint8Array(0), Uint8Array.of(7, 0, 0, 0), new Uint8Array(MAX_MESSAGE_BYTES)]) {
      expect(() => sender.handleMessage(bad)).toThrow(ProtocolError);
    }
    expect(channel.take()).toEqual([]);
  });

  it('sends a small message twice only where a loss would cost much: unknown or long round trip, or a recent loss', () => {
    const s = screen(64, 64, () => 0);
    const dot = (i: number) => change(s, { x: i, y: 0, width: 1, height: 1 }, 0xffffff - i);
    sender.pushFrame(s.frame());
    sender.pushFrame(dot(1));
    // No round trip measured yet: twice.
    expect(channel.take().map((m) => m.frame)).toEqual([1, 1, 2, 2]);
    clock += 2;
    ack(2, 0b1); // a 2 ms round trip: a short clean path
    sender.pushFrame(dot(2));
    expect(channel.take().map((m) => m.frame)).toEqual([3]);
    // A loss (a later message acknowledged first): twice again, for 10 s.
    sender.pushFrame(dot(3));
    channel.take();
    ack(4); // message 3 overtaken: given up after the reordering grace, its dot sent again
    elapse(8);
    expect(sender.stats().lost).toBe(1);
    expect(channel.take().map((m) => m.frame)).toEqual([5, 5]);
    ack(5);
    clock += 10_000;
    ack(5); // nothing new; the loss is 10 s old
    sender.pushFrame(dot(4));
    expect(channel.take().map((m) => m.frame)).toEqual([6]);
    // A long round trip (30 ms): twice.
    sender.close();
    sender = new TileSender(channel, { now: () => clock });
    sender.pushFrame(s.frame());
    channel.take();
    clock += 30;
    ack(1);
    sender.pushFrame(dot(5));
    expect(channel.take().map((m) => m.frame)).toEqual([2, 2]);
  });

  it('sends parity behind a whole picture to a viewer that reads it, from which any one lost message is rebuilt', () => {
    const noise = (x: number, y: number) => (x * 2654435761 + y * 40503) & 0xffffff;
    const s = screen(640, 200, noise);
    sender.handleMessage(packTileHello()); // the viewer's flags, before the first picture
    sender.pushFrame(s.frame());
    const messages = channel.take();
    expect(messages.length).toBeGreaterThan(PARITY_GROUP); // more than one group
    const parity = channel.parity.splice(0);
    expect(parity).toHaveLength(Math.ceil(messages.length / PARITY_GROUP));
    expect(sender.stats().parity).toBe(parity.length);
    // Consecutive groups that cover every message of the picture, once.
    expect(parity.flatMap((p) => p.lengths.map((_, i) => p.first + i))).toEqual(messages.map((m) => m.seq));
    for (const p of parity) {
      for (let i = 0; i < p.lengths.length; i++) {
        const lost = p.first + i;
        const rebuilt = rebuildFromParity(p, (seq) => (seq === lost ? undefined : channel.bytes.get(seq)));
        expect(rebuilt?.message).toEqual(channel.bytes.get(lost));
      }
    }
    // A change is not a whole picture: no parity. (Acknowledged 60 ms later: a long path.)
    clock += 60;
    sender.handleMessage(
      packTileAck(messages.at(-1)!.seq, 0xffffffff >>> (32 - messages.length + 1), { parity: true }),
    );
    s.repaint(() => 0, { x: 0, y: 0, width: 200, height: 100 });
    sender.pushFrame(s.frame([{ x: 0, y: 0, width: 200, height: 100 }]));
    expect(channel.take().length).toBeGreaterThan(0);
    expect(channel.parity).toEqual([]);
    // A refresh is: parity again.
    sender.handleMessage(packTileRefresh());
    expect(channel.take().length).toBeGreaterThan(0);
    expect(channel.parity.length).toBeGreaterThan(0);
  });

  it('encodes a prepared picture while held, writes nothing until the next frame, then the picture and only what changed', () => {
    const s = screen(256, 128, speckles);
    sender.handleMessage(packTileHello());
    sender.prepare(s.frame());
    expect(sender.stats()).toMatchObject({ prepared: 1, messages: 0, frames: 0 });
    // Whatever the viewer says meanwhile, nothing leaves: not for a refresh, an ack or time passing.
    sender.handleMessage(packTileRefresh());
    sender.handleMessage(packTileAck(0, 0, { deflated: true, parity: true }));
    elapse(600);
    sender.prepare(s.frame()); // once only
    expect(channel.take()).toEqual([]);
    expect(channel.parity).toEqual([]);
    expect(sender.stats().prepared).toBe(1);

    // Released: a part of the screen changed meanwhile. The prepared picture goes first, whole, then that part.
    s.repaint(() => 0x123456, { x: 10, y: 10, width: 20, height: 20 });
    sender.pushFrame(s.frame());
    const sent = channel.take();
    const picture = sent.filter((m) => m.frame === 1);
    expect(cellsOf(picture)).toHaveLength(4 * 2);
    expect(channel.parity.length).toBeGreaterThan(0);
    const after = sent.filter((m) => m.frame > 1 && m.seq !== sent[sent.indexOf(m) - 1]?.seq); // a small one goes twice
    expect(after.flatMap((m) => m.tiles).map(({ x, y, width, height }) => ({ x, y, width, height }))).toEqual([
      { x: 10, y: 10, width: 20, height: 20 },
    ]);
    expect(sent.indexOf(picture.at(-1)!)).toBeLessThan(sent.indexOf(after[0]!));
  });

  it('forgets a discarded prepared picture: the next frame sends the whole picture', () => {
    const s = screen(128, 128, (x) => (x < 64 ? 0xff0000 : 0x00ff00));
    sender.prepare(s.frame());
    expect(sender.prepared).toBe(true);
    sender.discardPrepared();
    expect(sender.prepared).toBe(false);
    sender.pushFrame(s.frame([]));
    expect(cellsOf(channel.take())).toHaveLength(4);
  });

  it('sends the whole picture once it can when the prepared one cannot go at release (paused meanwhile)', () => {
    const s = screen(128, 128, (x) => (x < 64 ? 0xff0000 : 0x00ff00));
    sender.prepare(s.frame());
    sender.setPaused(true);
    sender.pushFrame(s.frame([]));
    expect(channel.take()).toEqual([]);
    sender.setPaused(false);
    expect(cellsOf(channel.take())).toHaveLength(4);
  });

  it('sends no parity to a viewer that does not say it reads it, nor where a loss costs little', () => {
    const noise = (x: number, y: number) => (x * 2654435761 + y * 40503) & 0xffffff;
    const s = screen(256, 128, noise);
    sender.pushFrame(s.frame());
    const messages = channel.take();
    expect(messages.length).toBeGreaterThan(1);
    expect(channel.parity).toEqual([]);
    // A short, clean path (a 5 ms round trip): a refresh goes without parity, even to a viewer that reads it.
    clock += 5;
    sender.handleMessage(
      packTileAck(messages.at(-1)!.seq, 0xffffffff >>> (32 - messages.length + 1), { parity: true }),
    );
    expect(sender.stats().srttMs).toBeLessThan(20);
    channel.take();
    sender.handleMessage(packTileRefresh());
    expect(channel.take().length).toBeGreaterThan(1);
    expect(channel.parity).toEqual([]);
  });

  it('sends a probe behind a last message too long to go twice: its ack finds the message lost a round trip later', () => {
    // The first picture: one message of several packets, before any round trip is measured.
    // Nothing came after it, so a lost packet waited for the 500 ms timeout (doubling each round).
    const noise = (x: number, y: number) => (x * 2654435761 + y * 40503) & 0xffffff;
    const s = screen(64, 64, noise);
    sender.pushFrame(s.frame());
    // Not written with the message: SCTP may then put both in its last packet, and one loss takes both.
    expect(channel.take().map((m) => [m.seq, m.frame, m.part, m.parts, m.tiles.length])).toEqual([[1, 1, 0, 1, 1]]);
    advance(4); // the message has left the send buffer, a poll later
    expect(channel.take().map((m) => [m.seq, m.frame, m.part, m.parts, m.tiles.length])).toEqual([
      [2, 1, 0, 1, 0], // the probe: the frame's number and last part, no tiles
    ]);
    expect(sender.stats().probes).toBe(1);
    // A packet of message 1 is lost: the probe arrives alone and is acknowledged 60 ms later.
    clock += 60;
    ack(2);
    expect(channel.take()).toEqual([]); // the reordering grace first
    elapse(16);
    const resent = channel.take();
    expect(resent.map((m) => [m.seq, m.frame, m.tiles.map((t) => t.x)])).toEqual([
      [3, 2, [0]],
      [4, 2, []],
    ]);
    expect(sender.stats()).toMatchObject({ lost: 1, probes: 2 });
    // Both arrive: nothing more goes, however long one waits.
    clock += 60;
    ack(4, 0b1);
    elapse(3000);
    expect(channel.take()).toEqual([]);
    expect(sender.stats().lost).toBe(1);
    // A short clean path with no recent loss: a long message goes without a probe, as a small one goes once.
    sender.close();
    sender = new TileSender(channel, { now: () => clock });
    sender.pushFrame(s.frame());
    channel.take();
    clock += 2;
    ack(2, 0b1);
    s.repaint((x, y) => noise(y, x), { x: 0, y: 0, width: 64, height: 64 });
    sender.pushFrame(s.frame([{ x: 0, y: 0, width: 64, height: 64 }]));
    advance(8);
    expect(channel.take().map((m) => [m.frame, m.tiles.length])).toEqual([[2, 1]]);
    // A newer frame sent before the probe was due does its work: the probe does not go.
    sender.close();
    sender = new TileSender(channel, { now: () => clock });
    sender.pushFrame(s.frame());
    sender.pushFrame(change(s, { x: 0, y: 0, width: 1, height: 1 }, 0x123456));
    advance(8);
    expect(channel.take().map((m) => [m.frame, m.tiles.length])).toEqual([
      [1, 1],
      [2, 1],
      [2, 1], // a small message goes twice
    ]);
  });

  it('goes back to sending small messages once when the one given up is acknowledged after all', () => {
    // Through the product on a loaded machine, a pause of the helper past the ~30 ms timeout
    // made a message count as lost, and every small message then went twice for 10 s: half
    // the sends of a busy screen, each a call into libwebrtc, and their bytes.
    const s = screen(64, 64, () => 0);
    const dot = (i: number) => change(s, { x: i, y: 0, width: 1, height: 1 }, 0xffffff - i);
    sender.pushFrame(s.frame());
    channel.take();
    clock += 2;
    ack(1); // a short clean path
    sender.pushFrame(dot(1));
    expect(channel.take().map((m) => m.frame)).toEqual([2]);
    // The helper pauses: message 2 is given up and its dot goes again, twice (a loss, as far as the sender knows).
    for (let t = 0; t < 1000 && sender.stats().lost === 0; t += 4) advance(4);
    expect(sender.stats().lost).toBe(1);
    expect(channel.take().map((m) => m.frame)).toEqual([3, 3]);
    // The pause ends: the resend's ack, and message 2's, which was late, not lost.
    ack(3, 0b1);
    expect(sender.stats().lateAcks).toBe(1);
    sender.pushFrame(dot(2));
    expect(channel.take().map((m) => m.frame)).toEqual([4]);
    // A real loss still counts: 4 is overtaken by 5 and never acknowledged.
    sender.pushFrame(dot(3));
    channel.take();
    ack(5);
    elapse(8);
    expect(sender.stats().lost).toBe(2);
    expect(channel.take().map((m) => m.frame)).toEqual([6, 6]);
  });

  it('looks at the send buffer only while more than one packet may be in it', () => {
    // Reading `bufferedAmount` is a blocking call into libwebrtc's thread: on a busy screen
    // it was one per frame, 4 ms after each one-packet message that had long gone.
    let reads = 0;
    const counting: TileChannel = {
      readyState: 'open',
      get bufferedAmount() {
        reads++;
        return 0;
      },
      send: (data) => channel.send(data),
    };
    sender = new TileSender(counting, { now: () => clock });
    const noise = (x: number, y: number) => (x * 2654435761 + y * 40503) & 0xffffff;
    const s = screen(256, 192, () => 0);
    sender.pushFrame(s.frame());
    channel.take();
    clock += 2;
    ack(1);
    for (let i = 1; i <= 20; i++) {
      sender.pushFrame(change(s, { x: i, y: 0, width: 1, height: 1 }, 0x010101 * i));
      const [sent] = channel.take();
      elapse(12);
      clock += 1;
      ack(sent!.seq);
      elapse(21);
    }
    expect(reads).toBe(0);
    expect(sender.stats()).toMatchObject({ lost: 0, acked: 21 });
    // A large change (raw tiles, several packets): looked at until it has left.
    s.repaint(noise, { x: 0, y: 64, width: 128, height: 64 });
    sender.pushFrame(s.frame([{ x: 0, y: 64, width: 128, height: 64 }]));
    expect(channel.take().reduce((n, m) => n + m.tiles.length, 0)).toBeGreaterThan(0);
    elapse(8);
    expect(reads).toBeGreaterThan(0);
  });

  it('paces large changes to the bulk rate, never holds small ones, and sends a refresh at once', () => {
    const noise = (seed: number) => (x: number, y: number) => ((x + seed) * 2654435761 + y * 40503) & 0xffffff;
    const all = { x: 0, y: 0, width: 320, height: 256 };
    const create = (bulkBytesPerSecond: number) => {
      sender.close();
      sender = new TileSender(channel, {
        now: () => clock,
        maxInFlight: 1000,
        maxInFlightBytes: 1e9,
        bulkBytesPerSecond,
      });
    };
    const ackAll = () => {
      for (const m of channel.take()) ack(m.seq);
    };
    create(100_000); // 100 bytes per ms
    const s = screen(320, 256, noise(0));
    sender.pushFrame(s.frame()); // about 245 KB: far past the 64 KB burst, so 250 ms of debt
    ackAll();
    // A small change goes at once, debt or not.
    sender.pushFrame(change(s, { x: 3, y: 3, width: 8, height: 8 }, 0x123456));
    expect(cellsOf(channel.take())).toEqual(['3,3']);
    // A large one waits until the debt is paid (at most 250 ms after a frame), then goes whole.
    s.repaint(noise(1));
    sender.pushFrame(s.frame([all]));
    expect(channel.take()).toEqual([]);
    expect(sender.stats().paced).toBe(1);
    elapse(240);
    expect(channel.take()).toEqual([]);
    elapse(16);
    const paced = channel.take();
    expect(cellsOf(paced)).toHaveLength(20);
    for (const m of paced) ack(m.seq);
    // The viewer asks for everything: the whole picture goes at once, with a full bucket.
    s.repaint(noise(2));
    sender.pushFrame(s.frame([all]));
    expect(channel.take()).toEqual([]);
    sender.handleMessage(packTileRefresh());
    expect(cellsOf(channel.take())).toHaveLength(20);
    // Without pacing, large changes go back to back.
    create(0);
    sender.pushFrame(s.frame());
    ackAll();
    s.repaint(noise(3));
    sender.pushFrame(s.frame([all]));
    expect(cellsOf(channel.take())).toHaveLength(20);
    expect(sender.stats().paced).toBe(0);
  });

  it('sends the viewer at most one whole picture a second, however often it asks for one', () => {
    sender = new TileSender(channel, { now: () => clock, maxInFlight: 1000, maxInFlightBytes: 1e9 });
    const s = screen(256, 128, (x, y) => ((x * 7919) ^ (y * 104729)) & 0xffffff);
    sender.pushFrame(s.frame());
    const cells = (messages: TileMessage[]) => {
      for (const m of messages) ack(m.seq);
      return cellsOf(messages).length;
    };
    expect(cells(channel.take())).toBe(8);
    // The first refresh goes at once.
    sender.handleMessage(packTileRefresh());
    expect(cells(channel.take())).toBe(8);
    // A hundred more within the second: nothing now, one whole picture when the second is up.
    for (let i = 0; i < 100; i++) {
      sender.handleMessage(packTileRefresh());
      elapse(4);
    }
    expect(cells(channel.take())).toBe(0);
    elapse(600);
    expect(cells(channel.take())).toBe(8);
    elapse(2000);
    expect(cells(channel.take())).toBe(0);
  });

  it('sends nothing while the channel is not open', () => {
    channel.readyState = 'connecting';
    sender.pushFrame(screen(64, 64, () => 0).frame());
    expect(channel.take()).toEqual([]);
    channel.readyState = 'open';
    sender.flush();
    expect(channel.take()).toHaveLength(2);
  });

  describe('video area', () => {
    const noise = (seed: number) => (x: number, y: number) => (x * 2654435761 + y * 40503 + seed * 977) & 0xffffff;
    const area = { x: 64, y: 64, width: 128, height: 64 };
    const encodingsSent = () =>
      channel
        .take()
        .flatMap((m) => m.tiles)
        .map((t) => t.encoding);
    const summary = (m: TileMessage | undefined) =>
      m?.tiles.map(({ x, y, width, height, encoding }) => `${encoding} ${x},${y} ${width}×${height}`);

    it('announces the area first, leaves its changes to the video, and sends its exact pixels when it ends', () => {
      const s = screen(256, 192, () => 0xffffff);
      sender.pushFrame(s.frame());
      channel.take();
      ack(1);
      // A change inside and one outside: the inside one was dirty before the area started and is dropped.
      s.repaint(noise(1), { x: 70, y: 70, width: 100, height: 40 });
      s.repaint(() => 0xff0000, { x: 0, y: 0, width: 20, height: 20 });
      sender.pushFrame(
        s.frame([
          { x: 70, y: 70, width: 100, height: 40 },
          { x: 0, y: 0, width: 20, height: 20 },
        ]),
      );
      channel.take();
      ack(2);
      sender.setVideoArea(area);
      expect(summary(channel.take()[0])).toEqual(['video 64,64 128×64']);
      ack(3);
      // The video plays, and something changes across its edge: only the part outside is sent.
      s.repaint(noise(2), area);
      s.repaint(() => 0x00ff00, { x: 180, y: 100, width: 40, height: 10 });
      sender.pushFrame(s.frame([area, { x: 180, y: 100, width: 40, height: 10 }]));
      expect(summary(channel.take()[0])).toEqual(['solid 192,100 28×10']);
      ack(4);
      // A refresh (the helper lost its picture) announces the area again, with everything around it.
      sender.handleMessage(packTileRefresh());
      const refreshed = channel.take().flatMap((m) => m.tiles);
      expect(refreshed[0]).toMatchObject({ encoding: 'video', ...area });
      expect(
        refreshed.filter((t) => t.encoding !== 'video' && t.y >= 64 && t.y < 128 && t.x >= 64 && t.x < 192),
      ).toEqual([]);
      ack(5);
      // Motion stops: the area's cells go as exact tiles.
      sender.setVideoArea(null);
      const exact = channel.take().flatMap((m) => m.tiles);
      expect(exact.map((t) => `${t.x},${t.y}`).sort()).toEqual(['128,64', '64,64']);
      expect(exact.every((t) => t.encoding === 'raw')).toBe(true);
      expect(sender.videoArea).toBeNull();
    });

    it('a lost announcement goes again while its area is current, not once it moved', () => {
      const s = screen(256, 192, () => 0xffffff);
      sender.pushFrame(s.frame());
      channel.take();
      clock += 30;
      ack(1); // a 30 ms round trip: small messages go twice
      sender.setVideoArea(area);
      expect(channel.take()).toHaveLength(2);
      // Both copies lost; a later message is acknowledged first: the announcement is given up and sent again.
      s.repaint(() => 0, { x: 0, y: 0, width: 4, height: 4 });
      sender.pushFrame(s.frame([{ x: 0, y: 0, width: 4, height: 4 }]));
      channel.take();
      ack(3);
      elapse(20);
      expect(encodingsSent()).toEqual(['video', 'video']);
      // Moved before its announcement was lost: the old one is not sent again.
      sender.setVideoArea({ x: 0, y: 128, width: 256, height: 64 });
      channel.take();
      ack(6);
      elapse(20);
      expect(encodingsSent()).not.toContain('video');
      // The old area's cells outside the new one came back as tiles.
      expect(sender.stats().tiles.video).toBe(3);
    });

    it('refuses an area off the grid; a new screen size ends it', () => {
      const s = screen(256, 192, () => 0xffffff);
      sender.pushFrame(s.frame());
      expect(() => sender.setVideoArea({ x: 10, y: 0, width: 64, height: 64 })).toThrow(RangeError);
      expect(() => sender.setVideoArea({ x: 0, y: 0, width: 64, height: 300 })).toThrow(RangeError);
      sender.setVideoArea({ x: 192, y: 128, width: 64, height: 64 });
      sender.pushFrame(screen(300, 200, () => 0).frame());
      expect(sender.videoArea).toBeNull();
    });
  });
});
