/**
 * Sender and receiver together over a bad channel: random drawing on the screen (fills
 * over fills, noise, text-like stripes, scrolls), messages lost, duplicated and reordered
 * both ways. Whatever happens on the way, once the screen is still the helper's picture
 * must be exactly the screen. Deterministic (seeded), with fake timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseTileMessage, TileReceiver } from '@remote-help/protocol';
import type { Rect } from '../platform/types.js';
import { Picture } from '../testing/picture.js';
import { screenBuffer } from '../testing/screenBuffer.js';
import { TileSender, type TileChannel } from './tileSender.js';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A lossy, reordering, duplicating one-way pipe; `pump` delivers what is due. */
class Pipe {
  #queue: { at: number; data: Uint8Array }[] = [];
  constructor(
    private readonly random: () => number,
    private readonly deliver: (data: Uint8Array) => void,
    private readonly loss: number,
    /** One-way delay every message has before the jitter (a long path), ms. */
    private readonly base = 0,
  ) {}
  send(data: Uint8Array, now: number): void {
    if (this.random() < this.loss) return;
    // Mostly in order (a few ms), sometimes late enough to be overtaken.
    const delay = this.base + 2 + (this.random() < 0.05 ? 10 + this.random() * 30 : this.random() * 2);
    this.#queue.push({ at: now + delay, data: data.slice() });
    if (this.random() < 0.02) this.#queue.push({ at: now + delay + 5, data: data.slice() });
  }
  pump(now: number): void {
    const due = this.#queue.filter((m) => m.at <= now).sort((a, b) => a.at - b.at);
    this.#queue = this.#queue.filter((m) => m.at > now);
    for (const m of due) this.deliver(m.data);
  }
}

/** Video areas (on the 64-pixel grid of the 400 × 240 screen) and the operations they start at; null ends. */
type VideoPlan = { at: number; area: Rect | null }[];

function run(
  seed: number,
  loss: number,
  oneWayMs = 0,
  plan: VideoPlan = [],
  o: { olderViewer?: boolean; randomPadding?: boolean } = {},
) {
  const random = prng(seed);
  const width = 400;
  const height = 240;
  const { data, stride, frame, repaint } = screenBuffer(width, height, () => 0);
  const paint = (r: Rect, colour: (x: number, y: number) => number) => {
    repaint(colour, r);
    // The capture's fourth byte is padding, which X servers need not keep at 0 (pixman leaves it undefined).
    if (o.randomPadding)
      for (let y = r.y; y < r.y + r.height; y++)
        for (let x = r.x; x < r.x + r.width; x++) data[y * stride + x * 4 + 3] = Math.floor(random() * 256);
  };
  const randomRect = (): Rect => {
    const w = 1 + Math.floor(random() * 120);
    const h = 1 + Math.floor(random() * 90);
    return { x: Math.floor(random() * (width - w)), y: Math.floor(random() * (height - h)), width: w, height: h };
  };

  let clock = 0;
  const picture = new Picture();
  const toViewer = new Pipe(random, (m) => receiver.handle(m.buffer), loss, oneWayMs);
  // An older viewer's acks do not say it reads deflated messages (their flags byte is 0).
  const toAgent = new Pipe(random, (m) => sender.handleMessage(o.olderViewer ? m.with(1, 0) : m), loss, oneWayMs);
  /** Messages sent with their records deflated together, and plain ones. */
  const sent = { deflated: 0, plain: 0 };
  let area: Rect | null = null;
  /** Pixel tiles sent inside the video area while it was the current one (there must be none). */
  let intoVideo = 0;
  const inside = (t: Rect, a: Rect) =>
    t.x < a.x + a.width && a.x < t.x + t.width && t.y < a.y + a.height && a.y < t.y + t.height;
  const channel: TileChannel = {
    readyState: 'open',
    bufferedAmount: 0,
    send: (m) => {
      if (m[1] === 1) sent.deflated++;
      else sent.plain++;
      const current = area;
      if (current) {
        intoVideo += parseTileMessage(m).tiles.filter((t) => t.encoding !== 'video' && inside(t, current)).length;
      }
      toViewer.send(m, clock);
    },
  };
  const sender = new TileSender(channel, { now: () => clock });
  const receiver = new TileReceiver((m) => toAgent.send(m, clock), picture);
  const step = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      clock += 1;
      vi.advanceTimersByTime(1);
      toViewer.pump(clock);
      toAgent.pump(clock);
    }
  };

  // Every row different, as on a page of text.
  paint({ x: 0, y: 0, width, height }, (x, y) => (((x >> 2) * 31 + y * y * 17) % 7 === 0 ? 0x202020 : 0xf0f0f0));
  sender.pushFrame(frame());
  receiver.refresh(); // a request the sender must also survive (lost, late, repeated)
  for (let op = 0; op < 300; op++) {
    const changed: Rect[] = [];
    const next = plan.find((p) => p.at === op);
    if (next) {
      area = next.area; // first: the old area's exact pixels leave at once, and are not in the new one
      sender.setVideoArea(next.area);
    }
    if (area) {
      // A video plays there: every pixel changes in every frame.
      paint(area, (x, y) => (x * 2654435761 + y * 40503 + op * 97) & 0xffffff);
      changed.push(area);
    }
    const draws = 1 + Math.floor(random() * 4);
    for (let d = 0; d < draws; d++) {
      const r = randomRect();
      const kind = random();
      const colour = Math.floor(random() * 0xffffff);
      if (kind < 0.15) {
        // A scroll of a large area: rows move by dy, the rows uncovered get new "text".
        r.x = Math.floor(random() * (width - 256));
        r.width = Math.min(width - r.x, 256 + Math.floor(random() * 120));
        r.y = Math.floor(random() * (height - 96));
        r.height = Math.min(height - r.y, 96 + Math.floor(random() * 120));
        const dy = (random() < 0.5 ? -1 : 1) * (1 + Math.floor(random() * 20));
        const old = data.slice();
        for (let y = r.y; y < r.y + r.height; y++) {
          const from = y + dy;
          if (from >= r.y && from < r.y + r.height) {
            data.copyWithin(y * stride + r.x * 4, from * stride + r.x * 4, from * stride + (r.x + r.width) * 4);
            data.set(old.subarray(from * stride + r.x * 4, from * stride + (r.x + r.width) * 4), y * stride + r.x * 4);
          } else {
            paint({ x: r.x, y, width: r.width, height: 1 }, (x) => (((x >> 1) + op) % 3 === 0 ? colour : 0xeeeeee));
          }
        }
      } else if (kind < 0.6) paint(r, () => colour);
      else if (kind < 0.8) paint(r, (x, y) => (((x >> 2) + y) % 5 === 0 ? colour : 0xffffff));
      else paint(r, (x, y) => (x * 2654435761 + y * 40503 + op) & 0xffffff);
      changed.push(r);
    }
    sender.pushFrame(frame(changed));
    step(Math.floor(random() * 12));
  }
  step(3000 + 20 * oneWayMs); // the screen is still: every loss must have been found and repaired by now
  const screen = new Uint32Array(width * height);
  for (let i = 0; i < screen.length; i++) {
    screen[i] = ((data[i * 4 + 2] as number) << 16) | ((data[i * 4 + 1] as number) << 8) | (data[i * 4] as number);
  }
  return { picture, screen, sender, receiver, intoVideo, sent };
}

describe('tiles over a bad channel', () => {
  it.each([
    [6, 0],
    [7, 0.1],
    [8, 0.2],
  ])(
    'seed %i, %f loss each way, with video areas starting, moving and ending: the picture ends exactly as the screen',
    (seed, loss) => {
      vi.useFakeTimers();
      const plan: VideoPlan = [
        { at: 40, area: { x: 64, y: 64, width: 192, height: 128 } },
        { at: 140, area: { x: 256, y: 128, width: 144, height: 112 } }, // to the screen's edges
        { at: 230, area: null },
      ];
      const { picture, screen, sender, receiver, intoVideo } = run(seed, loss, 0, plan);
      const wrong = picture.pixels.findIndex((v, i) => v !== screen[i]);
      expect(wrong, `first wrong pixel at ${wrong % 400},${Math.floor(wrong / 400)}`).toBe(-1);
      expect(intoVideo).toBe(0);
      expect(sender.stats().tiles.video).toBeGreaterThanOrEqual(2);
      expect(receiver.videoCells).toEqual([]);
      expect(receiver.stats.dropped).toBe(0);
      sender.close();
    },
  );

  afterEach(() => vi.useRealTimers());

  it.each([
    [1, 0],
    [2, 0.05],
    [3, 0.2],
    [4, 0.2],
  ])('seed %i, %f loss each way: the picture ends exactly as the screen', (seed, loss) => {
    vi.useFakeTimers();
    const { picture, screen, sender, receiver, sent } = run(seed, loss);
    const wrong = picture.pixels.findIndex((v, i) => v !== screen[i]);
    expect(wrong, `first wrong pixel at ${wrong % 400},${Math.floor(wrong / 400)}`).toBe(-1);
    // Once the viewer's acks said so, pixels went in deflated messages.
    expect(sent.deflated).toBeGreaterThan(50);
    if (loss > 0) expect(sender.stats().lost).toBeGreaterThan(0);
    expect(sender.stats().tiles.copy).toBeGreaterThan(0); // scrolls went as copies
    expect(receiver.stats.dropped).toBe(0);
    sender.close();
  });

  it('captured padding bytes that vary from pixel to pixel change nothing: the picture ends exactly as the screen', () => {
    vi.useFakeTimers();
    const { picture, screen, sender, receiver } = run(9, 0.05, 0, [], { randomPadding: true });
    const wrong = picture.pixels.findIndex((v, i) => v !== screen[i]);
    expect(wrong, `first wrong pixel at ${wrong % 400},${Math.floor(wrong / 400)}`).toBe(-1);
    expect(receiver.stats.dropped).toBe(0);
    sender.close();
  });

  it('an older viewer (acks without the flag) gets plain messages only, and its picture ends exactly as the screen', () => {
    vi.useFakeTimers();
    const { picture, screen, sender, receiver, sent } = run(2, 0.05, 0, [], { olderViewer: true });
    const wrong = picture.pixels.findIndex((v, i) => v !== screen[i]);
    expect(wrong, `first wrong pixel at ${wrong % 400},${Math.floor(wrong / 400)}`).toBe(-1);
    expect(sent.deflated).toBe(0);
    expect(sent.plain).toBeGreaterThan(50);
    expect(receiver.stats.dropped).toBe(0);
    sender.close();
  });

  it('seed 5, 200 ms each way and 0.05 loss: the picture ends exactly as the screen, and not every message is taken for lost', () => {
    // A round trip longer than the sender's first timeout: it must learn it (late acks count)
    // instead of taking every message for lost.
    vi.useFakeTimers();
    const { picture, screen, sender } = run(5, 0.05, 200);
    const wrong = picture.pixels.findIndex((v, i) => v !== screen[i]);
    expect(wrong, `first wrong pixel at ${wrong % 400},${Math.floor(wrong / 400)}`).toBe(-1);
    const stats = sender.stats();
    expect(stats.srttMs).toBeGreaterThan(400);
    expect(stats.lost).toBeGreaterThan(0);
    expect(stats.lost).toBeLessThan((stats.messages - stats.duplicated) * 0.3); // every one, before late acks counted
    sender.close();
  });
});
