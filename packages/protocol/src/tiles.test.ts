import { deflateSync, inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from './errors.js';
import {
  decodeTile,
  deflateTileRecords,
  encodeTile,
  isParity,
  isTileScreen,
  MAX_INFLATED_MESSAGE_BYTES,
  MAX_SCREEN_SIDE,
  MAX_PALETTE,
  packDeflatedTileMessage,
  packParity,
  packTileAck,
  packTileMessage,
  packTileRefresh,
  packTileScreen,
  parseParity,
  parseTileMessage,
  parseTileScreen,
  parseViewerTileMessage,
  rebuildFromParity,
  type EncodedTile,
} from './tiles.js';

const deflate = (data: Uint8Array) => deflateSync(data, { level: 1 });

/** A BGRX image of `width × height` whose pixel colour is `paint(x, y)` (0xRRGGBB). */
function image(width: number, height: number, paint: (x: number, y: number) => number) {
  const stride = width * 4 + 8; // rows with padding, as X11 may give
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = paint(x, y);
      const p = y * stride + x * 4;
      data[p] = c & 0xff;
      data[p + 1] = (c >> 8) & 0xff;
      data[p + 2] = c >>> 16;
      data[p + 3] = 0x5a; // padding the encoder must ignore
    }
  }
  return { data, stride, format: 'bgra' as const };
}

function rgbaAt(rgba: Uint8ClampedArray, width: number, x: number, y: number): number {
  const p = (y * width + x) * 4;
  expect(rgba[p + 3]).toBe(255);
  return ((rgba[p] as number) << 16) | ((rgba[p + 1] as number) << 8) | (rgba[p + 2] as number);
}

function roundTrip(paint: (x: number, y: number) => number, w = 64, h = 64, x0 = 64, y0 = 0) {
  const source = image(200, 100, paint);
  const tile = encodeTile(source, x0, y0, w, h, deflate);
  const decoded = decodeTile(tile);
  return { tile, decoded };
}

describe('tile encodings', () => {
  it('sends a one-colour tile as solid, three bytes', () => {
    const { tile, decoded } = roundTrip(() => 0x123456);
    expect(tile.encoding).toBe('solid');
    expect(tile.payload).toEqual(Uint8Array.of(0x12, 0x34, 0x56));
    expect(decoded).toEqual({ solid: [0x12, 0x34, 0x56] });
  });

  it.each([
    [2, 40],
    [3, 40],
    [4, 40],
    [5, 40],
    [16, 40],
    // Rows that end inside a byte: 37 pixels are 4⅝ bytes at 1 bit, 9¼ at 2, 18½ at 4.
    [2, 37],
    [4, 37],
    [16, 37],
  ])('sends %i colours as a palette and decodes every pixel (tile %i wide)', (colours, width) => {
    const paint = (x: number, y: number) => ((x * 7 + y * 3) % colours) * 0x0f0f0f + 0x010203;
    const { tile, decoded } = roundTrip(paint, width, 33, 64, 64 - 64);
    expect(tile.encoding).toBe('palette');
    expect(tile.payload[0]).toBe(colours - 1);
    if (!('rgba' in decoded)) throw new Error('expected pixels');
    for (let y = 0; y < 33; y++)
      for (let x = 0; x < width; x++) expect(rgbaAt(decoded.rgba, width, x, y)).toBe(paint(64 + x, y));
  });

  it('sends more colours than a palette holds as raw RGB and decodes every pixel', () => {
    const paint = (x: number, y: number) => (x * 4099 + y * 65_537) & 0xffffff;
    const { tile, decoded } = roundTrip(paint, 64, 64, 128, 0);
    expect(tile.encoding).toBe('raw');
    if (!('rgba' in decoded)) throw new Error('expected pixels');
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++) expect(rgbaAt(decoded.rgba, 64, x, y)).toBe(paint(128 + x, y));
  });

  it('reads RGBA sources in their own byte order', () => {
    const data = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) data.set(i % 2 ? [0xff, 0, 0, 0] : [0, 0, 0xff, 0], i * 4);
    const tile = encodeTile({ data, stride: 16, format: 'rgba' }, 0, 0, 4, 4, deflate);
    const decoded = decodeTile(tile);
    if (!('rgba' in decoded)) throw new Error('expected pixels');
    expect(rgbaAt(decoded.rgba, 4, 0, 0)).toBe(0x0000ff);
    expect(rgbaAt(decoded.rgba, 4, 1, 0)).toBe(0xff0000);
  });

  it('refuses payloads that do not decode to exactly the tile', () => {
    const { tile } = roundTrip((x) => (x % 2 ? 0xffffff : 0));
    const bad = (patch: Partial<EncodedTile>) => () => decodeTile({ ...tile, ...patch });
    expect(bad({ height: 63 })).toThrow(ProtocolError); // more pixels than the tile
    expect(bad({ payload: tile.payload.subarray(0, 8) })).toThrow(ProtocolError);
    expect(bad({ encoding: 'raw' })).toThrow(ProtocolError);
    expect(bad({ encoding: 'solid' })).toThrow(ProtocolError);
    const wrongCount = tile.payload.slice();
    wrongCount[0] = MAX_PALETTE; // claims 17 colours
    expect(bad({ payload: wrongCount })).toThrow(ProtocolError);
  });

  it('refuses a palette index past the palette, also in the last pixel of a row that ends inside a byte', () => {
    // Three colours in 2 bits: index 3 names none. A stored 5 × 1 tile: one byte of four pixels, one of one.
    const tile = (body: number[]): EncodedTile => ({
      x: 0,
      y: 0,
      width: 5,
      height: 1,
      encoding: 'palette',
      payload: Uint8Array.of(2, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...body),
      stored: true,
    });
    expect(decodeTile(tile([0b00011000, 0b10000000]))).toHaveProperty('rgba');
    expect(() => decodeTile(tile([0b00011100, 0]))).toThrow(/palette index 3 of 3/);
    expect(() => decodeTile(tile([0, 0b11000000]))).toThrow(/palette index 3 of 3/);
    // The padding bits after the row's last pixel are not pixels: anything there is ignored.
    expect(decodeTile(tile([0, 0b00111111]))).toHaveProperty('rgba');
  });
});

describe('tile messages', () => {
  const head = { seq: 41, frame: 7, part: 1, parts: 2, screenWidth: 1280, screenHeight: 720 };
  const tiles = [
    encodeTile(
      image(128, 64, () => 0xff0000),
      0,
      0,
      64,
      64,
      deflate,
    ),
    encodeTile(
      image(128, 64, (x) => (x % 3 ? 0xff : 0)),
      64,
      0,
      64,
      64,
      deflate,
    ),
  ].map((t, i) => ({ ...t, x: 1216, y: 64 * (i + 10), height: 16 }));

  it('lets solid tiles, and only them, span cells', () => {
    const fill = { ...(tiles[0] as EncodedTile), x: 10, y: 20, width: 300, height: 200 };
    expect(parseTileMessage(packTileMessage(head, [fill])).tiles[0]).toMatchObject({ width: 300, encoding: 'solid' });
    expect(() => parseTileMessage(packTileMessage(head, [{ ...fill, encoding: 'raw' }]))).toThrow(ProtocolError);
    expect(() => parseTileMessage(packTileMessage(head, [{ ...fill, width: 1271 }]))).toThrow(ProtocolError);
  });

  it('carries any rectangle inside one cell', () => {
    const inside = { ...(tiles[0] as EncodedTile), x: 1230, y: 650, width: 10, height: 3 };
    expect(parseTileMessage(packTileMessage(head, [inside])).tiles[0]).toMatchObject({ x: 1230, y: 650, width: 10 });
  });

  it('round-trips header and tiles', () => {
    const tilesToSend = [{ ...tiles[0], height: 64 } as EncodedTile];
    const parsed = parseTileMessage(packTileMessage(head, tilesToSend));
    expect(parsed).toMatchObject(head);
    expect(parsed.tiles).toHaveLength(1);
    expect(parsed.tiles[0]).toMatchObject({ x: 1216, y: 640, width: 64, height: 64, encoding: 'solid' });
  });

  it('refuses every malformed message with a validation error', () => {
    const good = packTileMessage(head, [tiles[1] as EncodedTile]);
    expect(parseTileMessage(good).tiles[0]).toMatchObject({ encoding: 'palette', x: 1216, y: 704 });
    const cases: [string, (m: Uint8Array) => Uint8Array][] = [
      ['short', (m) => m.subarray(0, 10)],
      ['wrong kind', (m) => (m.set([2], 0), m)],
      ['part past parts', (m) => (new DataView(m.buffer).setUint16(12, 2, true), m)],
      ['zero parts', (m) => (new DataView(m.buffer).setUint16(14, 0, true), m)],
      ['zero screen', (m) => (new DataView(m.buffer).setUint16(16, 0, true), m)],
      ['tile across two cells', (m) => (new DataView(m.buffer).setUint16(20, 1215, true), m)],
      ['tile outside the screen', (m) => (new DataView(m.buffer).setUint16(22, 705, true), m)],
      ['tile too big', (m) => (new DataView(m.buffer).setUint16(24, 65, true), m)],
      ['unknown encoding', (m) => (m.set([9], 28), m)],
      ['payload past the end', (m) => (new DataView(m.buffer).setUint16(29, 99, true), m)],
      ['trailing bytes', (m) => Uint8Array.of(...m, 0)],
      ['more tiles than present', (m) => (new DataView(m.buffer).setUint16(2, 2, true), m)],
    ];
    for (const [name, mutate] of cases) {
      expect(() => parseTileMessage(mutate(good.slice())), name).toThrow(ProtocolError);
    }
  });

  it('round-trips acks and refresh requests and refuses anything else', () => {
    expect(parseViewerTileMessage(packTileAck(0xfffffffe, 0x80000001))).toEqual({
      kind: 'ack',
      seq: 0xfffffffe,
      mask: 0x80000001,
      readsDeflated: false,
      readsParity: false,
      readsScreen: false,
    });
    expect(parseViewerTileMessage(packTileAck(7, 1, { deflated: true }))).toEqual({
      kind: 'ack',
      seq: 7,
      mask: 1,
      readsDeflated: true,
      readsParity: false,
      readsScreen: false,
    });
    expect(parseViewerTileMessage(packTileAck(8, 0, { screen: true }))).toMatchObject({
      readsDeflated: false,
      readsParity: false,
      readsScreen: true,
    });
    expect(parseViewerTileMessage(packTileAck(8, 0, { deflated: true, parity: true }))).toMatchObject({
      readsDeflated: true,
      readsParity: true,
    });
    expect(parseViewerTileMessage(packTileAck(8, 0, { parity: true }))).toMatchObject({
      readsDeflated: false,
      readsParity: true,
    });
    expect(parseViewerTileMessage(packTileRefresh())).toEqual({ kind: 'refresh' });
    for (const bad of [new Uint8Array(0), Uint8Array.of(2, 0, 0, 0), Uint8Array.of(9, 0, 0, 0), new Uint8Array(12)]) {
      expect(() => parseViewerTileMessage(bad)).toThrow(ProtocolError);
    }
  });
});

describe('deflated tile messages', () => {
  const head = { seq: 9, frame: 4, part: 0, parts: 1, screenWidth: 200, screenHeight: 100 };
  // Text-like cells: two colours, the same glyph-ish pattern in each, one photographic-ish cell.
  const paint = (x: number, y: number) =>
    x >= 128 ? ((x * 2654435761) ^ (y * 40503)) & 0xffffff : (x % 8) * (y % 13) > 20 ? 0x000000 : 0xffffff;
  const source = image(200, 100, paint);
  const cells: [number, number, number, number][] = [
    [0, 0, 64, 64],
    [64, 0, 64, 64],
    [0, 64, 64, 36],
    [128, 0, 64, 64],
  ];

  it('carries stored palette and raw bodies in one stream and decodes them to the same pixels as plain tiles', () => {
    const stored = cells.map(([x, y, w, h]) => encodeTile(source, x, y, w, h, null));
    const plain = cells.map(([x, y, w, h]) => encodeTile(source, x, y, w, h, deflate));
    expect(stored.map((t) => t.encoding)).toEqual(['palette', 'palette', 'palette', 'raw']);
    expect(stored.every((t) => t.stored)).toBe(true);
    const tiles = [
      ...stored,
      encodeTile(
        image(8, 8, () => 0xabcdef),
        0,
        0,
        8,
        8,
        null,
      ),
    ];
    expect(tiles[4]).toMatchObject({ encoding: 'solid' });
    expect(tiles[4]!.stored).toBeUndefined();
    const message = packDeflatedTileMessage(head, tiles.length, deflateTileRecords(tiles, deflate));
    expect(message[1]).toBe(1);
    const parsed = parseTileMessage(message);
    expect(parsed).toMatchObject({ seq: 9, frame: 4, part: 0, parts: 1, screenWidth: 200, screenHeight: 100 });
    expect(parsed.tiles).toHaveLength(5);
    parsed.tiles.slice(0, 4).forEach((tile, i) => {
      expect(tile.stored).toBe(true);
      expect(decodeTile(tile)).toEqual(decodeTile(plain[i]!));
    });
    expect(decodeTile(parsed.tiles[4]!)).toEqual({ solid: [0xab, 0xcd, 0xef] });
    // Four cells of the same glyphs deflate together into less than each on its own.
    const apart = plain.slice(0, 3).reduce((n, t) => n + t.payload.length, 0);
    const together = deflateTileRecords(stored.slice(0, 3), deflate).length;
    expect(together).toBeLessThan(apart);
  });

  it('refuses stored bodies in a plain message and deflated bodies in a deflated one', () => {
    expect(() => packTileMessage(head, [encodeTile(source, 0, 0, 64, 64, null)])).toThrow(/deflated message/);
    expect(() => deflateTileRecords([encodeTile(source, 0, 0, 64, 64, deflate)], deflate)).toThrow(/stored/);
  });

  it('refuses unknown flags, a stream that does not inflate, one that inflates too far, and bodies of the wrong size', () => {
    const tiles = [encodeTile(source, 0, 0, 64, 64, null)];
    const good = packDeflatedTileMessage(head, 1, deflateTileRecords(tiles, deflate));
    expect(() => parseTileMessage(good)).not.toThrow();
    const flagged = good.slice();
    flagged[1] = 3;
    expect(() => parseTileMessage(flagged)).toThrow(/unknown flags/);
    const broken = good.slice(0, 20 + 3);
    expect(() => parseTileMessage(broken)).toThrow(ProtocolError);
    // A bomb: a few hundred bytes that would inflate to a megabyte.
    const bomb = packDeflatedTileMessage(head, 1, deflateSync(new Uint8Array(1 << 20)));
    expect(bomb.length).toBeLessThan(2000);
    expect(() => parseTileMessage(bomb)).toThrow(new RegExp(`past ${MAX_INFLATED_MESSAGE_BYTES}`));
    // A palette body one byte short of its tile, deflated validly.
    const records = inflateSync(good.subarray(20));
    const short = records.slice(0, records.length - 1);
    new DataView(short.buffer).setUint16(9, tiles[0]!.payload.length - 1, true);
    const cut = packDeflatedTileMessage(head, 1, deflate(short));
    expect(() => decodeTile(parseTileMessage(cut).tiles[0]!)).toThrow(/stored body/);
  });
});

describe('parity messages', () => {
  const screen = { screenWidth: 640, screenHeight: 480 };
  const message = (seq: number, colours: number) =>
    packTileMessage(
      { seq, frame: 1, part: seq - 10, parts: 3, ...screen },
      Array.from({ length: colours }, (_, i) => ({
        x: i * 64,
        y: 0,
        width: 64,
        height: 64,
        encoding: 'solid' as const,
        payload: Uint8Array.of(i, seq, 7),
      })),
    );
  const group = [message(10, 3), message(11, 1), message(12, 5)];
  const have = (lost: number) => (seq: number) => (seq === lost ? undefined : group[seq - 10]);

  it('rebuilds any one lost message of its group exactly, and nothing when none or two are lost', () => {
    const parity = parseParity(packParity(10, group));
    expect(parity.first).toBe(10);
    expect(parity.lengths).toEqual(group.map((m) => m.length));
    for (const lost of [10, 11, 12]) {
      const rebuilt = rebuildFromParity(parity, have(lost));
      expect(rebuilt?.seq).toBe(lost);
      expect(rebuilt?.message).toEqual(group[lost - 10]);
      expect(parseTileMessage(rebuilt!.message).seq).toBe(lost);
    }
    expect(rebuildFromParity(parity, (seq) => group[seq - 10])).toBeNull();
    expect(rebuildFromParity(parity, (seq) => (seq === 12 ? group[2] : undefined))).toBeNull();
    // One that arrived with another length than the parity says: the rebuilt bytes would be wrong.
    expect(rebuildFromParity(parity, (seq) => (seq === 10 ? undefined : group[2]))).toBeNull();
  });

  it('of one message is a copy of it', () => {
    const one = parseParity(packParity(5, [group[1]!]));
    expect(rebuildFromParity(one, () => undefined)?.message).toEqual(group[1]);
  });

  it('is told apart from tile messages, and refuses every malformed one', () => {
    const good = packParity(10, group);
    expect(isParity(good)).toBe(true);
    expect(isParity(group[0]!)).toBe(false);
    expect(() => parseTileMessage(good)).toThrow(ProtocolError);
    const bad: [string, Uint8Array][] = [
      ['short', good.slice(0, 7)],
      ['flags', Uint8Array.from(good, (b, i) => (i === 1 ? 1 : b))],
      ['no messages', Uint8Array.from(good, (b, i) => (i === 2 ? 0 : b))],
      ['too many', Uint8Array.from(good, (b, i) => (i === 2 ? 17 : i === 3 ? 0 : b))],
      ['length under a header', Uint8Array.from(good, (b, i) => (i === 8 ? 3 : i === 9 ? 0 : b))],
      ['xor cut', good.slice(0, good.length - 1)],
      ['xor long', Uint8Array.of(...good, 0)],
      ['lengths past the end', good.slice(0, 10)],
    ];
    for (const [name, bytes] of bad) expect(() => parseParity(bytes), name).toThrow(ProtocolError);
    expect(() => packParity(1, [])).toThrow();
    expect(() =>
      packParity(
        1,
        Array.from({ length: 17 }, () => group[0]!),
      ),
    ).toThrow();
  });
});

describe('screen messages', () => {
  it('round-trip the size of the picture to come, are told apart, and refuse every malformed one', () => {
    const good = packTileScreen(1280, 720);
    expect(good.length).toBe(8);
    expect(isTileScreen(good)).toBe(true);
    expect(parseTileScreen(good)).toEqual({ width: 1280, height: 720 });
    expect(parseTileScreen(packTileScreen(MAX_SCREEN_SIDE, 1))).toEqual({ width: MAX_SCREEN_SIDE, height: 1 });
    expect(isTileScreen(packParity(1, [good]))).toBe(false);
    expect(() => parseTileMessage(good)).toThrow(ProtocolError);
    expect(() => parseViewerTileMessage(good)).toThrow(ProtocolError);
    const bad: [string, Uint8Array][] = [
      ['short', good.slice(0, 7)],
      ['long', Uint8Array.of(...good, 0)],
      ['no width', Uint8Array.from(good, (b, i) => (i === 4 || i === 5 ? 0 : b))],
      ['no height', Uint8Array.from(good, (b, i) => (i === 6 || i === 7 ? 0 : b))],
      ['too wide', Uint8Array.from(good, (b, i) => (i === 4 ? 0xff : i === 5 ? 0xff : b))],
    ];
    for (const [name, bytes] of bad) expect(() => parseTileScreen(bytes), name).toThrow(ProtocolError);
    for (const [width, height] of [
      [0, 720],
      [1280, 0],
      [MAX_SCREEN_SIDE + 1, 720],
      [1.5, 720],
    ] as const) {
      expect(() => packTileScreen(width, height), `${width}×${height}`).toThrow();
    }
  });
});
