/**
 * `inflateRawAtMost` against Node's zlib: the same bytes for every stream zlib makes (every level
 * and strategy, flushes mid-stream, a seeded fuzz), `over` as soon as the output would pass the
 * limit (shown by how little input a bomb consumed, not by timing), and an error wherever zlib
 * finds one (truncations, garbage, mutated streams, hand-made malformed blocks).
 */
import { constants, createDeflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateRawAtMost } from './inflateBounded.js';

/** A seeded pseudo-random source (xorshift32): integers below `n`. */
function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return (
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
  );
}

/** Inflates `data` with room for everything (a test's streams make at most a few megabytes). */
function inflated(data: Uint8Array, limit = 4 << 20): Uint8Array {
  const result = inflateRawAtMost(data, limit);
  if (result.over) throw new Error(`over ${limit}`);
  return result.out;
}

/** What zlib makes of `data`: its bytes, or null where it throws. */
function zlibInflated(data: Uint8Array): Uint8Array | null {
  try {
    return inflateRawSync(data);
  } catch {
    return null;
  }
}

/** Ours agrees with zlib: the same bytes where zlib decodes `data`, an `Error` where it does not. */
function expectLikeZlib(data: Uint8Array): void {
  const theirs = zlibInflated(data);
  if (theirs === null) {
    expect(() => inflated(data)).toThrow(Error);
  } else {
    expect(same(inflated(data), theirs)).toBe(true);
  }
}

const random = seeded(1951);
const bytes = (n: number, next = random) => Uint8Array.from({ length: n }, () => next(256));
const text = (n: number) => {
  const words = ['the', 'screen', 'tile', 'of', 'a', 'terminal', 'row', 'glyph', '\n', 'inflate', 'bound'];
  const parts: string[] = [];
  for (let length = 0; length < n; length += (parts.at(-1) as string).length + 1)
    parts.push(words[random(11)] as string);
  return new TextEncoder().encode(parts.join(' ').slice(0, n));
};
const runs = (n: number) => {
  const out = new Uint8Array(n);
  for (let at = 0; at < n;) {
    const length = 1 + random(600);
    out.fill(random(4), at, at + length);
    at += length;
  }
  return out;
};
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

const INPUTS: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', Uint8Array.of(42)],
  ['random bytes', bytes(5000)],
  ['repetitive text', text(60_000)],
  ['long runs', runs(100_000)],
  ['zeros', new Uint8Array(200_000)],
  ['a mix', concat(text(20_000), bytes(30_000), runs(40_000), new Uint8Array(3000), text(100_000))],
];
const LEVELS = [0, 1, 6, 9];
const STRATEGIES: [string, number][] = [
  ['default', constants.Z_DEFAULT_STRATEGY],
  ['filtered', constants.Z_FILTERED],
  ['huffman only', constants.Z_HUFFMAN_ONLY],
  ['rle', constants.Z_RLE],
  ['fixed', constants.Z_FIXED],
];

/** The stream a streaming deflater makes of `pieces`, flushed with `flush` after each but the last. */
async function flushed(pieces: Uint8Array[], flush: number, options: ZlibOptions = {}): Promise<Uint8Array> {
  const deflater = createDeflateRaw(options);
  const chunks: Buffer[] = [];
  deflater.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => {
    deflater.on('end', resolve);
    deflater.on('error', reject);
  });
  for (const piece of pieces.slice(0, -1)) {
    deflater.write(piece);
    await new Promise<void>((resolve) => deflater.flush(flush, () => resolve()));
  }
  deflater.end(pieces.at(-1));
  await ended;
  return Uint8Array.from(Buffer.concat(chunks));
}

describe('inflateRawAtMost decodes what zlib deflates', () => {
  for (const [name, input] of INPUTS) {
    it(`${name} (${input.length} bytes), every level and strategy`, () => {
      for (const level of LEVELS) {
        for (const [, strategy] of STRATEGIES) {
          const stream = deflateRawSync(input, { level, strategy });
          const result = inflateRawAtMost(stream, input.length + 10);
          expect(result.over).toBe(false);
          if (!result.over) {
            expect(same(result.out, input)).toBe(true);
            expect(result.consumed).toBe(stream.length);
          }
        }
      }
    });
  }

  it('streams flushed mid-stream: empty stored blocks, blocks ending anywhere, matches across them', async () => {
    const pieces = [text(3000), bytes(10), new Uint8Array(0), runs(5000), text(1), text(70_000), bytes(2000)];
    const whole = concat(...pieces);
    for (const flush of [constants.Z_SYNC_FLUSH, constants.Z_FULL_FLUSH]) {
      for (const level of LEVELS) {
        const stream = await flushed(pieces, flush, { level });
        expect(same(inflated(stream), whole)).toBe(true);
      }
    }
    // Independent streams ended with a flush instead of a final block, and one final one, one after another.
    const sync = pieces.map((piece, i) =>
      deflateRawSync(piece, i < pieces.length - 1 ? { finishFlush: constants.Z_SYNC_FLUSH } : {}),
    );
    const full = pieces.map((piece, i) =>
      deflateRawSync(piece, { level: 9, ...(i < pieces.length - 1 ? { finishFlush: constants.Z_FULL_FLUSH } : {}) }),
    );
    expect(same(inflated(concat(...sync)), whole)).toBe(true);
    expect(same(inflated(concat(...full)), whole)).toBe(true);
  });

  it('ignores bytes after the final block, and says how many it read', () => {
    const input = text(1000);
    const stream = deflateRawSync(input);
    const result = inflateRawAtMost(concat(stream, bytes(50)), 1000);
    expect(result).toMatchObject({ over: false, consumed: stream.length });
    expect(!result.over && same(result.out, input)).toBe(true);
  });

  it('a seeded fuzz of 400 streams: any content, level, strategy, window and limit', () => {
    const next = seeded(20240611);
    for (let run = 0; run < 400; run++) {
      const size = next(2) === 0 ? next(300) : next(1 << (8 + next(10)));
      const input = new Uint8Array(size);
      for (let at = 0; at < size;) {
        const length = Math.min(size - at, 1 + next(200));
        const kind = next(4);
        if (kind === 0) input.set(bytes(length, next), at);
        else if (kind === 1) input.fill(next(256), at, at + length);
        else if (kind === 2 && at > 0) {
          // A copy of earlier bytes, near or far.
          const from = next(at);
          for (let i = 0; i < length; i++) input[at + i] = input[from + i] as number;
        } else for (let i = 0; i < length; i++) input[at + i] = 97 + next(4);
        at += length;
      }
      const options = {
        level: next(10),
        strategy: (STRATEGIES[next(STRATEGIES.length)] as [string, number])[1],
        windowBits: 9 + next(7),
        memLevel: 1 + next(9),
      };
      const stream = deflateRawSync(input, options);
      const limit = next(3) === 0 ? next(size + 1) : size + next(3);
      const result = inflateRawAtMost(stream, limit);
      if (limit >= size) {
        expect(result.over, JSON.stringify({ run, size, options })).toBe(false);
        expect(!result.over && same(result.out, input), JSON.stringify({ run, size, options })).toBe(true);
      } else {
        expect(result.over, JSON.stringify({ run, size, limit, options })).toBe(true);
        expect(result.consumed).toBeLessThanOrEqual(stream.length);
      }
    }
  });
});

describe('inflateRawAtMost stops at its limit', () => {
  it('output exactly at the limit is returned; one byte more is over, at every limit', () => {
    const input = concat(text(700), bytes(300), new Uint8Array(500));
    for (const level of [0, 1, 9]) {
      for (const strategy of [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY]) {
        // Small stored blocks: a window of 512 bytes with level 0 makes several.
        const stream = deflateRawSync(input, { level, strategy, ...(level === 0 ? { windowBits: 9 } : {}) });
        for (let limit = 0; limit <= input.length + 2; limit++) {
          const result = inflateRawAtMost(stream, limit);
          expect(result.over).toBe(limit < input.length);
          if (!result.over) expect(same(result.out, input)).toBe(true);
        }
      }
    }
  });

  it('a literal, a match and a stored block that would pass the limit are each over', () => {
    const literal = deflateRawSync(Uint8Array.of(1, 2, 3, 4), { strategy: constants.Z_HUFFMAN_ONLY });
    expect(inflateRawAtMost(literal, 4).over).toBe(false);
    expect(inflateRawAtMost(literal, 3).over).toBe(true);
    const match = deflateRawSync(new Uint8Array(259));
    expect(inflateRawAtMost(match, 259).over).toBe(false);
    expect(inflateRawAtMost(match, 258).over).toBe(true);
    const stored = deflateRawSync(bytes(100), { level: 0 });
    expect(inflateRawAtMost(stored, 100).over).toBe(false);
    expect(inflateRawAtMost(stored, 99)).toEqual({ over: true, consumed: 5 });
  });

  for (const mib of [16, 15]) {
    it(`a bomb of ${mib} MiB of zeros is over having read a sliver of its body`, () => {
      const bomb = deflateRawSync(new Uint8Array(mib << 20), { level: 9 });
      for (const body of [bomb, bomb.subarray(0, 16 * 1024)]) {
        for (const limit of [64 * 1024, 64 * 64 * 3]) {
          const result = inflateRawAtMost(body, limit);
          expect(result.over).toBe(true);
          // The densest code makes 1,032 bytes of one: the limit is some 64 bytes of it, plus a block header.
          expect(result.consumed).toBeLessThan(body.length / 100);
        }
      }
    });
  }
});

/** Writes bits the way deflate packs them: values lowest bit first, Huffman codes highest bit first. */
class Bits {
  private readonly bytes: number[] = [];
  private byte = 0;
  private used = 0;

  put(value: number, count: number): this {
    for (let i = 0; i < count; i++) {
      this.byte |= ((value >>> i) & 1) << this.used;
      if (++this.used === 8) {
        this.bytes.push(this.byte);
        this.byte = 0;
        this.used = 0;
      }
    }
    return this;
  }

  code(code: number, length: number): this {
    for (let i = length - 1; i >= 0; i--) this.put((code >>> i) & 1, 1);
    return this;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.used > 0 ? [...this.bytes, this.byte] : this.bytes);
  }
}

/** The canonical codes (RFC 1951 3.2.2) of `lengths`. */
function canonical(lengths: number[]): number[] {
  const count = new Array<number>(16).fill(0);
  for (const length of lengths) count[length]!++;
  count[0] = 0;
  const next = new Array<number>(16).fill(0);
  for (let length = 1, code = 0; length < 16; length++) {
    code = (code + count[length - 1]!) << 1;
    next[length] = code;
  }
  return lengths.map((length) => (length === 0 ? 0 : next[length]!++));
}

/** Fixed-code symbols (RFC 1951 3.2.6). */
const fixed = {
  literal(w: Bits, symbol: number): Bits {
    if (symbol < 144) return w.code(0x30 + symbol, 8);
    if (symbol < 256) return w.code(0x190 + symbol - 144, 9);
    if (symbol < 280) return w.code(symbol - 256, 7);
    return w.code(0xc0 + symbol - 280, 8);
  },
  distance: (w: Bits, symbol: number): Bits => w.code(symbol, 5),
};

/**
 * A dynamic block's header for these literal/length and distance code lengths, written with a
 * code-length code that gives lengths 0 to 15 four bits each (no repeats). Returns the codes.
 */
function dynamicHeader(w: Bits, literal: number[], distance: number[], last = true) {
  w.put(last ? 1 : 0, 1).put(2, 2);
  w.put(literal.length - 257, 5)
    .put(distance.length - 1, 5)
    .put(19 - 4, 4);
  // Order 16, 17, 18, 0, 8, …: no code for the repeats, four bits for the rest.
  for (let i = 0; i < 19; i++) w.put(i < 3 ? 0 : 4, 3);
  for (const length of [...literal, ...distance]) w.code(length, 4);
  return { literal: canonical(literal), distance: canonical(distance) };
}

/** Lengths for symbols 0 … n − 1: the given ones, zero elsewhere. */
const lengths = (n: number, given: Record<number, number>) =>
  Array.from({ length: n }, (_, symbol) => given[symbol] ?? 0);

describe('inflateRawAtMost refuses what does not decode', () => {
  const samples: Uint8Array[] = [
    deflateRawSync(text(300), { level: 0 }),
    deflateRawSync(text(300), { strategy: constants.Z_FIXED }),
    deflateRawSync(text(300)),
    deflateRawSync(concat(bytes(100), new Uint8Array(200)), { level: 9 }),
    concat(deflateRawSync(text(50), { finishFlush: constants.Z_SYNC_FLUSH }), deflateRawSync(text(50))),
  ];

  it('a stream cut anywhere before its end: unexpected end, as zlib says', () => {
    for (const stream of samples) {
      expect(same(inflated(stream), zlibInflated(stream) as Uint8Array)).toBe(true);
      for (let length = 0; length < stream.length; length++) {
        const cut = stream.subarray(0, length);
        expect(zlibInflated(cut)).toBeNull();
        expect(() => inflated(cut)).toThrow(/unexpected end of input/);
        // With a limit the output passes, the cut is found first or the stream is over: never more read than is there.
        let result: ReturnType<typeof inflateRawAtMost> | undefined;
        try {
          result = inflateRawAtMost(cut, 150);
        } catch (error) {
          expect(String(error)).toMatch(/unexpected end of input/);
        }
        if (result) expect(result.over && result.consumed >= 0 && result.consumed <= length).toBe(true);
      }
    }
  });

  it('4,000 pieces of seeded garbage: an error or zlib’s bytes, never a hang', () => {
    const next = seeded(7);
    for (let run = 0; run < 4000; run++) {
      const garbage = bytes(1 + next(run < 2000 ? 16 : 300), next);
      expectLikeZlib(garbage);
    }
  });

  it('2,000 valid streams with bytes flipped: an error or zlib’s bytes', () => {
    const next = seeded(99);
    for (let run = 0; run < 2000; run++) {
      const stream = Uint8Array.from(samples[run % samples.length] as Uint8Array);
      for (let flips = 1 + next(3); flips > 0; flips--) {
        const at = next(stream.length);
        stream[at] = stream[at]! ^ (1 << next(8));
      }
      expectLikeZlib(stream);
    }
  });

  it('block type 3', () => {
    for (const first of [0x06, 0x07]) {
      expect(zlibInflated(Uint8Array.of(first, 0, 0, 0))).toBeNull();
      expect(() => inflated(Uint8Array.of(first, 0, 0, 0))).toThrow(/invalid block type 3/);
    }
  });

  it('a stored block whose length does not match its complement', () => {
    const stream = Uint8Array.of(0x01, 5, 0, 0xfa, 0xfe, 1, 2, 3, 4, 5);
    expect(zlibInflated(stream)).toBeNull();
    expect(() => inflated(stream)).toThrow(/stored block length does not match/);
    stream[4] = 0xff;
    expect(inflated(stream)).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
  });

  it('a distance farther back than the output so far', () => {
    // 'a', then a match of 3 at distance 3 (symbol 2): only 1 byte was written.
    const far = fixed.distance(fixed.literal(new Bits().put(1, 1).put(1, 2), 97).code(1, 7), 2);
    const stream = fixed.literal(far, 256).done();
    expect(zlibInflated(stream)).toBeNull();
    expect(() => inflated(stream)).toThrow(/distance 3 too far back \(1 bytes written\)/);
    // Distance 1: the byte just written, repeated.
    const near = fixed.distance(fixed.literal(new Bits().put(1, 1).put(1, 2), 97).code(1, 7), 0);
    expect(inflated(fixed.literal(near, 256).done())).toEqual(new TextEncoder().encode('aaaa'));
  });

  it('fixed-code length symbols 286 and 287 and distance symbols 30 and 31', () => {
    for (const symbol of [286, 287]) {
      const stream = fixed.literal(new Bits().put(1, 1).put(1, 2), symbol).done();
      expect(zlibInflated(stream)).toBeNull();
      expect(() => inflated(stream)).toThrow(new RegExp(`invalid literal/length symbol ${symbol}`));
    }
    for (const symbol of [30, 31]) {
      const head = fixed.literal(new Bits().put(1, 1).put(1, 2), 97);
      const stream = fixed.distance(fixed.literal(head, 257), symbol).put(0, 16).done();
      expect(zlibInflated(stream)).toBeNull();
      expect(() => inflated(stream)).toThrow(new RegExp(`invalid distance symbol ${symbol}`));
    }
  });

  it('over-subscribed and incomplete codes, as zlib refuses them', () => {
    const refused = (stream: Uint8Array, message: RegExp) => {
      expect(zlibInflated(stream)).toBeNull();
      expect(() => inflated(stream)).toThrow(message);
    };
    // Code-length codes: 16, 17 and 18 each one bit; only 18; none at all.
    const codeLengths = (given: number[]) => {
      const w = new Bits()
        .put(1, 1)
        .put(2, 2)
        .put(0, 5)
        .put(0, 5)
        .put(given.length - 4, 4);
      for (const length of given) w.put(length, 3);
      return w.put(0, 32).done();
    };
    refused(codeLengths([1, 1, 1, 0]), /over-subscribed code length code/);
    refused(codeLengths([0, 0, 1, 0]), /incomplete code length code/);
    refused(codeLengths([0, 0, 0, 0]), /incomplete code length code/);
    const block = (literal: number[], distance: number[]) => {
      const w = new Bits();
      dynamicHeader(w, literal, distance);
      return w.put(0, 32).done();
    };
    refused(block(new Array<number>(257).fill(1), [1]), /over-subscribed literal\/length code/);
    refused(block(lengths(257, { 97: 2, 256: 2 }), [1]), /incomplete literal\/length code/);
    refused(block(lengths(257, { 97: 1, 256: 1 }), [1, 1, 1]), /over-subscribed distance code/);
    refused(block(lengths(257, { 97: 1, 256: 1 }), [2, 2]), /incomplete distance code/);
    refused(block(lengths(257, { 97: 1, 98: 1 }), [1]), /no end-of-block code/);
    refused(block(lengths(287, { 97: 1, 256: 1 }), [1]), /too many literal\/length or distance codes/);
    refused(block(lengths(257, { 97: 1, 256: 1 }), new Array<number>(31).fill(5)), /too many/);
  });

  it('the incomplete codes zlib allows: one literal/length code, one distance code, no distance codes', () => {
    // Only end-of-block, one bit: an empty block. The unused code (bit 1) matches no symbol.
    const onlyEnd = lengths(257, { 256: 1 });
    let w = new Bits();
    let codes = dynamicHeader(w, onlyEnd, [0]);
    const empty = w.code(codes.literal[256] as number, 1).done();
    expect(zlibInflated(empty)).toEqual(Buffer.alloc(0));
    expect(inflated(empty)).toEqual(new Uint8Array(0));
    w = new Bits();
    dynamicHeader(w, onlyEnd, [0]);
    const unused = w.code(1, 1).put(0, 16).done();
    expect(zlibInflated(unused)).toBeNull();
    expect(() => inflated(unused)).toThrow(/invalid literal\/length code/);
    // 'a', end of block and length 3, with one distance code (distance 1): "aaaa".
    const literal = lengths(258, { 97: 1, 256: 2, 257: 2 });
    w = new Bits();
    codes = dynamicHeader(w, literal, [1]);
    w.code(codes.literal[97] as number, 1)
      .code(codes.literal[257] as number, 2)
      .code(codes.distance[0] as number, 1);
    const single = w.code(codes.literal[256] as number, 2).done();
    expect(zlibInflated(single)).toEqual(Buffer.from('aaaa'));
    expect(inflated(single)).toEqual(new TextEncoder().encode('aaaa'));
    // No distance codes: literals decode, a length symbol then finds no distance code.
    w = new Bits();
    codes = dynamicHeader(w, literal, [0]);
    const literals = w
      .code(codes.literal[97] as number, 1)
      .code(codes.literal[256] as number, 2)
      .done();
    expect(inflated(literals)).toEqual(new TextEncoder().encode('a'));
    w = new Bits();
    codes = dynamicHeader(w, literal, [0]);
    const noDistance = w
      .code(codes.literal[257] as number, 2)
      .put(0, 16)
      .done();
    expect(zlibInflated(noDistance)).toBeNull();
    expect(() => inflated(noDistance)).toThrow(/invalid distance code/);
  });

  it('a code-length repeat with no previous length, and one past the last length', () => {
    // Code-length code: 16 (or 18) and 0, one bit each; in order 16, 17, 18, 0.
    const header = (given: number[]) => {
      const w = new Bits().put(1, 1).put(2, 2).put(0, 5).put(0, 5).put(0, 4);
      for (const length of given) w.put(length, 3);
      return w;
    };
    // Symbol 0 has code 0, the repeat code 1.
    const first = header([1, 0, 0, 1]).code(1, 1).put(0, 2).put(0, 16).done();
    expect(zlibInflated(first)).toBeNull();
    expect(() => inflated(first)).toThrow(/repeat with no previous length/);
    // 257 + 1 lengths: 138 zeros, 138 zeros is past them.
    const past = header([0, 0, 1, 1]).code(1, 1).put(127, 7).code(1, 1).put(127, 7).put(0, 16).done();
    expect(zlibInflated(past)).toBeNull();
    expect(() => inflated(past)).toThrow(/repeat past the last code/);
  });

  it('throws a plain Error, and RangeError for a limit that is no size', () => {
    expect(() => inflated(Uint8Array.of(0x07))).toThrow(Error);
    expect(() => inflateRawAtMost(deflateRawSync(text(10)), -1)).toThrow(RangeError);
    expect(() => inflateRawAtMost(deflateRawSync(text(10)), 1.5)).toThrow(RangeError);
  });
});
