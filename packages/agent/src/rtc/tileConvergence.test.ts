/**
 * Sender and receiver together over a bad channel: random drawing on the screen (fills
 * over fills, noise, text-like stripes, scrolls), messages lost, duplicated and reordered
 * both ways. Whatever happens on the way, once the screen is still the helper's picture
 * must be exactly the screen. Deterministic (seeded), with fake timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TileReceiver, type Painter } from '@remote-help/protocol';
import type { Rect, ScreenFrame } from '../platform/types.js';
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

class Picture implements Painter {
  width = 0;
  height = 0;
  pixels = new Uint32Array(0);
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.pixels = new Uint32Array(width * height);
  }
  fill(x: number, y: number, w: number, h: number, r: number, g: number, b: number): void {
    for (let row = y; row < y + h; row++)
      this.pixels.fill((r << 16) | (g << 8) | b, row * this.width + x, row * this.width + x + w);
  }
  put(rgba: Uint8ClampedArray, x: number, y: number, w: number, h: number): void {
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        const p = (row * w + col) * 4;
        this.pixels[(y + row) * this.width + x + col] =
          ((rgba[p] as number) << 16) | ((rgba[p + 1] as number) << 8) | (rgba[p + 2] as number);
      }
    }
  }
}

/** A lossy, reordering, duplicating one-way pipe; `pump` delivers what is due. */
class Pipe {
  #queue: { at: number; data: Uint8Array }[] = [];
  constructor(
    private readonly random: () => number,
    private readonly deliver: (data: Uint8Array) => void,
    private readonly loss: number,
  ) {}
  send(data: Uint8Array, now: number): void {
    if (this.random() < this.loss) return;
    // Mostly in order (a few ms), sometimes late enough to be overtaken.
    const delay = 2 + (this.random() < 0.05 ? 10 + this.random() * 30 : this.random() * 2);
    this.#queue.push({ at: now + delay, data: data.slice() });
    if (this.random() < 0.02) this.#queue.push({ at: now + delay + 5, data: data.slice() });
  }
  pump(now: number): void {
    const due = this.#queue.filter((m) => m.at <= now).sort((a, b) => a.at - b.at);
    this.#queue = this.#queue.filter((m) => m.at > now);
    for (const m of due) this.deliver(m.data);
  }
}

function run(seed: number, loss: number) {
  const random = prng(seed);
  const width = 300;
  const height = 200;
  const stride = width * 4;
  const data = new Uint8Array(stride * height);
  const paint = (r: Rect, colour: (x: number, y: number) => number) => {
    for (let y = r.y; y < r.y + r.height; y++) {
      for (let x = r.x; x < r.x + r.width; x++) {
        const c = colour(x, y);
        data.set([c & 0xff, (c >> 8) & 0xff, c >>> 16, 0], y * stride + x * 4);
      }
    }
  };
  const frame = (changed?: Rect[]): ScreenFrame => ({
    width,
    height,
    data,
    stride,
    format: 'bgra',
    timestamp: 0,
    ...(changed ? { changed } : {}),
  });
  const randomRect = (): Rect => {
    const w = 1 + Math.floor(random() * 120);
    const h = 1 + Math.floor(random() * 90);
    return { x: Math.floor(random() * (width - w)), y: Math.floor(random() * (height - h)), width: w, height: h };
  };

  let clock = 0;
  const picture = new Picture();
  const toViewer = new Pipe(random, (m) => receiver.handle(m.buffer), loss);
  const toAgent = new Pipe(random, (m) => sender.handleMessage(m), loss);
  const channel: TileChannel = { readyState: 'open', bufferedAmount: 0, send: (m) => toViewer.send(m, clock) };
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

  paint({ x: 0, y: 0, width, height }, () => 0x202020);
  sender.pushFrame(frame());
  receiver.start();
  for (let op = 0; op < 300; op++) {
    const changed: Rect[] = [];
    const draws = 1 + Math.floor(random() * 4);
    for (let d = 0; d < draws; d++) {
      const r = randomRect();
      const kind = random();
      const colour = Math.floor(random() * 0xffffff);
      if (kind < 0.6) paint(r, () => colour);
      else if (kind < 0.8) paint(r, (x, y) => (((x >> 2) + y) % 5 === 0 ? colour : 0xffffff));
      else paint(r, (x, y) => (x * 2654435761 + y * 40503 + op) & 0xffffff);
      changed.push(r);
    }
    sender.pushFrame(frame(changed));
    step(Math.floor(random() * 12));
  }
  step(3000); // the screen is still: every loss must have been found and repaired by now
  const screen = new Uint32Array(width * height);
  for (let i = 0; i < screen.length; i++) {
    screen[i] = ((data[i * 4 + 2] as number) << 16) | ((data[i * 4 + 1] as number) << 8) | (data[i * 4] as number);
  }
  return { picture, screen, sender, receiver };
}

describe('tiles over a bad channel', () => {
  afterEach(() => vi.useRealTimers());

  it.each([
    [1, 0],
    [2, 0.05],
    [3, 0.2],
    [4, 0.2],
  ])('seed %i, %f loss each way: the picture ends exactly as the screen', (seed, loss) => {
    vi.useFakeTimers();
    const { picture, screen, sender, receiver } = run(seed, loss);
    const wrong = picture.pixels.findIndex((v, i) => v !== screen[i]);
    expect(wrong, `first wrong pixel at ${wrong % 300},${Math.floor(wrong / 300)}`).toBe(-1);
    if (loss > 0) expect(sender.stats().lost).toBeGreaterThan(0);
    expect(receiver.stats.dropped).toBe(0);
    sender.close();
  });
});
