/**
 * What inflating costs the viewer, measured by what the decoder reports of each call (the input
 * bytes it read, the bytes it made), not in time: a stream is given up at the first byte past its
 * bound, having read only the part of it that makes that many, however far it would go.
 */
import { deflateRawSync } from 'node:zlib';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Bounded from './inflateBounded.js';
import type { InflateResult } from './inflateBounded.js';

const calls = vi.hoisted(() => [] as { body: number; limit: number; result: InflateResult }[]);

vi.mock('./inflateBounded.js', async (importOriginal) => {
  const real = await importOriginal<typeof Bounded>();
  /** The real decoder, each call recorded. */
  const inflateRawAtMost = (data: Uint8Array, limit: number): InflateResult => {
    const result = real.inflateRawAtMost(data, limit);
    calls.push({ body: data.length, limit, result });
    return result;
  };
  return { ...real, inflateRawAtMost };
});

const { TileReceiver } = await import('./tileReceiver.js');
const { decodeTile, MAX_INFLATED_MESSAGE_BYTES, MAX_MESSAGE_BYTES, packDeflatedTileMessage, packTileMessage } =
  await import('./tiles.js');
const { parseTileMessage, isInflateOverflow } = await import('./tiles.js');

/** About what a deflate stream can inflate to, at most, per byte (runs of 258 bytes in two bits). */
const DENSEST = 1032;
/** More than a dynamic block's header takes (at most 3 + 14 + 19 × 3 + 316 × 7 bits). */
const HEADER = 300;
const head = { seq: 1, frame: 1, part: 0, parts: 1, screenWidth: 1920, screenHeight: 1080 };

/**
 * There was one call, into `limit` bytes, and it went over having read a sliver of its stream: no
 * more than a block header and what could make `limit` bytes at the densest. So the decoder's work
 * was that of about `limit` bytes, not of what the stream would inflate to.
 */
function expectStoppedAt(limit: number): void {
  expect(calls).toHaveLength(1);
  const [call] = calls;
  expect(call?.limit).toBe(limit);
  expect(call?.result.over).toBe(true);
  const consumed = call?.result.consumed ?? Infinity;
  expect(consumed * DENSEST).toBeLessThanOrEqual(limit + HEADER * DENSEST);
  expect(consumed).toBeLessThan((call?.body ?? 0) / 20);
}

beforeEach(() => {
  calls.length = 0;
});

describe('inflating stops at a stream’s bound', () => {
  it('a deflated message whose records would inflate to 15 MiB: refused at its bound', () => {
    const body = deflateRawSync(new Uint8Array(15 << 20), { level: 9 });
    const bomb = packDeflatedTileMessage(head, 1, body);
    expect(bomb.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    let error: unknown;
    try {
      parseTileMessage(bomb);
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).toMatch(new RegExp(`past ${MAX_INFLATED_MESSAGE_BYTES}`));
    expect(isInflateOverflow(error)).toBe(true);
    expectStoppedAt(MAX_INFLATED_MESSAGE_BYTES);
  });

  it('a tile whose long body would inflate to 12 MiB: refused at its pixels', () => {
    const body = deflateRawSync(new Uint8Array(12 << 20), { level: 9 });
    expect(body.length).toBeGreaterThan(4 * 1024);
    const tile = { x: 0, y: 0, width: 64, height: 64, encoding: 'raw' as const, payload: body };
    expect(() => decodeTile(tile)).toThrow(/past 12288/);
    expectStoppedAt(64 * 64 * 3);
  });

  it('a message of tiles whose bodies would each inflate to 1.5 MiB: one of them is inflated, not all', () => {
    const body = deflateRawSync(new Uint8Array(3 << 19), { level: 9 });
    const tiles = Array.from({ length: 10 }, (_, i) => ({
      x: i * 64,
      y: 0,
      width: 64,
      height: 64,
      encoding: 'raw' as const,
      payload: body,
    }));
    const message = packTileMessage(head, tiles);
    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const acks: Uint8Array[] = [];
    let puts = 0;
    const receiver = new TileReceiver((m) => acks.push(m), {
      resize: () => undefined,
      fill: () => undefined,
      copy: () => undefined,
      put: () => puts++,
    });
    receiver.handle(message);
    expect(puts).toBe(0);
    expect(acks).toEqual([]);
    expect(receiver.stats.dropped).toBeGreaterThanOrEqual(1);
    // One call, not ten, and that one stopped at the tile's pixels.
    expectStoppedAt(64 * 64 * 3);
  });

  it('costs an honest stream nothing more: it inflates once, to exactly its bytes', () => {
    // Noise does not deflate: a raw tile's body of more than 4 KiB.
    let seed = 3;
    const rgb = Uint8Array.from(
      { length: 64 * 64 * 3 },
      () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16) & 0xff,
    );
    const tile = { x: 0, y: 0, width: 64, height: 64, encoding: 'raw' as const, payload: deflateRawSync(rgb) };
    expect(tile.payload.length).toBeGreaterThan(4 * 1024);
    const decodedTile = decodeTile(tile);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.result).toMatchObject({ over: false, consumed: tile.payload.length });
    expect(calls[0]?.result.over === false && calls[0].result.out.length).toBe(rgb.length);
    expect('rgba' in decodedTile && decodedTile.rgba.filter((_, i) => i % 4 !== 3)).toEqual(new Uint8ClampedArray(rgb));
  });

  it('a bound is exact: a stream of one byte more than the pixels is refused, one of exactly them is not', () => {
    const rgb = new Uint8Array(64 * 64 * 3).fill(7);
    const tile = (bytes: Uint8Array) =>
      ({ x: 0, y: 0, width: 64, height: 64, encoding: 'raw', payload: deflateRawSync(bytes) }) as const;
    expect(() => decodeTile(tile(rgb))).not.toThrow();
    const longer = new Uint8Array(rgb.length + 1).fill(7);
    let error: unknown;
    try {
      decodeTile(tile(longer));
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).toMatch(/past 12288/);
    expect(isInflateOverflow(error)).toBe(true);
  });
});
