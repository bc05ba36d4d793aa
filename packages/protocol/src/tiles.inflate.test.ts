/**
 * What inflating costs the viewer, measured in bytes the deflate decoder produced (fflate decodes a
 * whole stream even into a buffer too small for it, so that is its work), not in time: a stream is
 * given up soon after it passes its bound, however far it would go.
 */
import { deflateRawSync } from 'node:zlib';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Fflate from 'fflate';
import type { InflateOptions } from 'fflate';

const decoded = vi.hoisted(() => ({ bytes: 0 }));

vi.mock('fflate', async (importOriginal) => {
  const real = await importOriginal<typeof Fflate>();
  /** Counts what each step of a stream inflates to. */
  class Inflate extends real.Inflate {
    override push(chunk: Uint8Array, final?: boolean): void {
      const ondata = this.ondata;
      this.ondata = (data, last) => {
        decoded.bytes += data.length;
        ondata(data, last);
      };
      try {
        super.push(chunk, final);
      } finally {
        this.ondata = ondata;
      }
    }
  }
  /** Counts the whole stream: into a buffer of any size, fflate decodes all of it. */
  const inflateSync = (data: Uint8Array, opts?: InflateOptions) => {
    decoded.bytes += real.inflateSync(data).length;
    return real.inflateSync(data, opts);
  };
  return { ...real, Inflate, inflateSync };
});

const { TileReceiver } = await import('./tileReceiver.js');
const { decodeTile, MAX_INFLATED_MESSAGE_BYTES, MAX_MESSAGE_BYTES, packDeflatedTileMessage, packTileMessage } =
  await import('./tiles.js');
const { parseTileMessage, isInflateOverflow } = await import('./tiles.js');

/** About what a deflate stream can inflate to, at most, per byte (runs of 258 bytes in two bits). */
const DENSEST = 1032;
/** The most a stream may be fed past its bound before it is given up (the decoder's step). */
const STEP = 4 * 1024;
const head = { seq: 1, frame: 1, part: 0, parts: 1, screenWidth: 1920, screenHeight: 1080 };

beforeEach(() => {
  decoded.bytes = 0;
});

describe('inflating stops soon after a stream passes its bound', () => {
  it('a deflated message whose records would inflate to 15 MiB: refused after about its bound', () => {
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
    // Not the 15 MiB: the bound and at most one step of the stream.
    expect(decoded.bytes).toBeLessThanOrEqual(MAX_INFLATED_MESSAGE_BYTES + DENSEST * STEP);
  });

  it('a tile whose long body would inflate to 12 MiB: refused after about its pixels', () => {
    const body = deflateRawSync(new Uint8Array(12 << 20), { level: 9 });
    expect(body.length).toBeGreaterThan(STEP);
    const tile = { x: 0, y: 0, width: 64, height: 64, encoding: 'raw' as const, payload: body };
    expect(() => decodeTile(tile)).toThrow(/past 12288/);
    expect(decoded.bytes).toBeLessThanOrEqual(64 * 64 * 3 + DENSEST * STEP);
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
    // Ten would be 15 MiB.
    expect(decoded.bytes).toBeLessThanOrEqual(2 * (3 << 19));
  });

  it('costs an honest stream nothing more: it inflates once, to exactly its bytes', () => {
    // Noise does not deflate: a raw tile's body longer than one step, inflated in steps.
    let seed = 3;
    const rgb = Uint8Array.from(
      { length: 64 * 64 * 3 },
      () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16) & 0xff,
    );
    const tile = { x: 0, y: 0, width: 64, height: 64, encoding: 'raw' as const, payload: deflateRawSync(rgb) };
    expect(tile.payload.length).toBeGreaterThan(STEP);
    const decodedTile = decodeTile(tile);
    expect(decoded.bytes).toBe(rgb.length);
    expect('rgba' in decodedTile && decodedTile.rgba.filter((_, i) => i % 4 !== 3)).toEqual(new Uint8ClampedArray(rgb));
  });
});
