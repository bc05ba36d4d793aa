/**
 * @module inflateBounded
 * A raw-deflate decoder (RFC 1951) whose work is bounded by the output it is allowed to make. The
 * viewer inflates streams a possibly hostile agent sent (a message's records, a tile's body), and
 * a stream of a few kilobytes can describe megabytes: {@link inflateRawAtMost} writes into one
 * buffer of exactly `limit` bytes and stops at the first literal, match or stored block that would
 * write past it, so a stream that would inflate to far more costs what one that fills the limit
 * costs. General-purpose inflaters do not stop there: fflate, given a buffer too small, decodes the
 * whole stream anyway and drops what does not fit, and its streaming form grows and copies its own
 * buffer for whatever one step of input makes.
 *
 * It decodes stored, fixed-Huffman and dynamic-Huffman blocks. Huffman codes are read through a
 * table indexed by the next few bits of input ({@link LITERAL_ROOT_BITS} for literals and lengths,
 * {@link DISTANCE_ROOT_BITS} for distances) that holds each code's symbol and length; the rare
 * longer codes are decoded bit by bit from the code's lengths. Bits are kept in a 32-bit integer
 * filled a byte at a time; a match is copied byte by byte, so it may overlap what it writes.
 *
 * It throws a plain `Error` for a stream that does not decode, where zlib does: input that ends
 * before the final block does, block type 3, a stored block whose length and its complement
 * disagree, a code-length set that is over-subscribed or incomplete (an incomplete literal/length
 * or distance code is allowed only as a single one-bit code, and a block may have no distance
 * codes at all), more than 286 literal/length or 30 distance codes, a repeat of code lengths
 * with no previous length or past the last one, no end-of-block code, bits that match no code,
 * length symbols 286 and 287 and distance symbols 30 and 31 of the fixed code, and a distance
 * farther back than the output written so far (there is no preset dictionary). Every step reads
 * at least one bit, and no byte past the input is read, so it always ends. Bytes after the final
 * block are not read (as zlib and fflate ignore them).
 */

/** What {@link inflateRawAtMost} gives back. `consumed`: the input bytes it read, at least in part. */
export type InflateResult = { over: false; out: Uint8Array; consumed: number } | { over: true; consumed: number };

/** Bits of input that index the literal/length lookup table; longer codes are decoded bit by bit. */
export const LITERAL_ROOT_BITS = 10;
/** Bits of input that index the distance lookup table. */
export const DISTANCE_ROOT_BITS = 8;
/** Bits that index the code-length code's table: its codes are at most 7 bits, so all of them. */
const CODE_LENGTH_BITS = 7;
/** The longest code deflate allows. */
const MAX_CODE_BITS = 15;

/**
 * Match length for length symbols 257…285 and the extra bits read after each, and match distance
 * for distance symbols 0…29 and theirs (RFC 1951 3.2.5): after the first few symbols, every two
 * (distances) or four (lengths) share a number of extra bits, one more than the ones before, and
 * each symbol's base follows the previous one's range. Symbol 285 is 258 with no extra bits.
 */
const LENGTH_BASE = new Uint16Array(29);
const LENGTH_EXTRA = new Uint8Array(29);
const DISTANCE_BASE = new Uint16Array(30);
const DISTANCE_EXTRA = new Uint8Array(30);
for (let i = 0, base = 3; i < 28; i++) {
  const extra = i < 8 ? 0 : (i >>> 2) - 1;
  LENGTH_BASE[i] = base;
  LENGTH_EXTRA[i] = extra;
  base += 1 << extra;
}
LENGTH_BASE[28] = 258;
for (let i = 0, base = 1; i < 30; i++) {
  const extra = i < 4 ? 0 : (i >>> 1) - 1;
  DISTANCE_BASE[i] = base;
  DISTANCE_EXTRA[i] = extra;
  base += 1 << extra;
}

/** The order in which a dynamic block lists the code-length code's lengths. */
const CODE_LENGTH_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

/** Which code a table is for: the error messages name it, and the three differ in what is allowed. */
type Kind = 'code length' | 'literal/length' | 'distance';

/**
 * A canonical Huffman code. `table[next bits]` is `symbol << 4 | length` for a code of at most
 * `rootBits` bits, or 0 (a longer code or none: see {@link decodeSlowly}); `count[n]` is the number
 * of codes of n bits and `symbol` the symbols in code order, for the codes longer than the table.
 */
interface Code {
  readonly kind: Kind;
  readonly rootBits: number;
  readonly table: Uint16Array;
  readonly count: Uint16Array;
  readonly symbol: Uint16Array;
  /** The longest code's length (0: no codes). */
  longest: number;
}

function newCode(kind: Kind, rootBits: number, symbols: number): Code {
  return {
    kind,
    rootBits,
    table: new Uint16Array(1 << rootBits),
    count: new Uint16Array(MAX_CODE_BITS + 1),
    symbol: new Uint16Array(symbols),
    longest: 0,
  };
}

/** The low `length` bits of `code` in reverse order (deflate sends a code's first bit lowest). */
function reverse(code: number, length: number): number {
  let reversed = 0;
  for (let i = 0; i < length; i++, code >>>= 1) reversed = (reversed << 1) | (code & 1);
  return reversed;
}

/**
 * Makes `code` the canonical code of `lengths[start … start + n)`, or throws for a set of lengths
 * that is over-subscribed or, where zlib refuses it, incomplete.
 */
function build(code: Code, lengths: Uint8Array, start: number, n: number): void {
  const { kind, rootBits, table, count, symbol } = code;
  count.fill(0);
  for (let i = 0; i < n; i++) {
    const length = lengths[start + i] as number;
    count[length] = (count[length] as number) + 1;
  }
  count[0] = 0;
  let longest = MAX_CODE_BITS;
  while (longest > 0 && count[longest] === 0) longest--;
  // Codes left unused at each length: below zero, more codes than fit.
  let left = 1;
  for (let length = 1; length <= MAX_CODE_BITS; length++) {
    left = (left << 1) - (count[length] as number);
    if (left < 0) throw new Error(`over-subscribed ${kind} code`);
  }
  const allowedIncomplete = longest === 1 ? kind !== 'code length' : longest === 0 && kind === 'distance';
  if (left > 0 && !allowedIncomplete) throw new Error(`incomplete ${kind} code`);
  code.longest = longest;
  // Symbols sorted by length, then by value: the order of their canonical codes.
  const offset = new Uint16Array(MAX_CODE_BITS + 2);
  for (let length = 1; length <= MAX_CODE_BITS; length++) {
    offset[length + 1] = (offset[length] as number) + (count[length] as number);
  }
  for (let i = 0; i < n; i++) {
    const length = lengths[start + i] as number;
    if (length === 0) continue;
    const at = offset[length] as number;
    symbol[at] = i;
    offset[length] = at + 1;
  }
  table.fill(0);
  const size = 1 << rootBits;
  let next = 0;
  let k = 0;
  for (let length = 1; length <= Math.min(longest, rootBits); length++, next <<= 1) {
    for (let j = count[length] as number; j > 0; j--, k++, next++) {
      const entry = ((symbol[k] as number) << 4) | length;
      for (let at = reverse(next, length); at < size; at += 1 << length) table[at] = entry;
    }
  }
}

/**
 * Decodes the code at the low end of `bits` (`available` of them real) one bit at a time: for codes
 * longer than the table's root, for bits that match no code, and when the input ends inside a code.
 * Returns `symbol << 4 | length`.
 */
function decodeSlowly(code: Code, bits: number, available: number): number {
  const { count, symbol, longest } = code;
  let value = 0;
  let first = 0;
  let index = 0;
  for (let length = 1; length <= longest; length++) {
    if (length > available) throw new Error('unexpected end of input');
    value |= (bits >>> (length - 1)) & 1;
    const n = count[length] as number;
    if (value - first < n) return ((symbol[index + value - first] as number) << 4) | length;
    index += n;
    first = (first + n) << 1;
    value <<= 1;
  }
  throw new Error(`invalid ${code.kind} code`);
}

/** The fixed code of block type 1 (RFC 1951 3.2.6), with the symbols 286, 287, 30 and 31 that are never valid. */
const FIXED_LITERAL = newCode('literal/length', LITERAL_ROOT_BITS, 288);
const FIXED_DISTANCE = newCode('distance', DISTANCE_ROOT_BITS, 32);
{
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  build(FIXED_LITERAL, lengths, 0, 288);
  build(FIXED_DISTANCE, new Uint8Array(32).fill(5), 0, 32);
}

// A dynamic block's codes, rebuilt for each block (the decoder is synchronous, so one set serves every call).
const dynamicLiteral = newCode('literal/length', LITERAL_ROOT_BITS, 288);
const dynamicDistance = newCode('distance', DISTANCE_ROOT_BITS, 32);
const codeLengthCode = newCode('code length', CODE_LENGTH_BITS, 19);
const codeLengthLengths = new Uint8Array(19);
const dynamicLengths = new Uint8Array(286 + 30);

function endOfInput(): Error {
  return new Error('unexpected end of input');
}

/**
 * Raw-inflates `data` into at most `limit` bytes. Returns the bytes (a view of a buffer of `limit`
 * bytes) or, as soon as a literal, a match or a stored block would write past `limit`, `over`
 * without reading further. Throws a plain `Error` for a stream that does not decode (see the
 * module comment); bytes after the final block are ignored.
 */
export function inflateRawAtMost(data: Uint8Array, limit: number): InflateResult {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit ${limit}`);
  const out = new Uint8Array(limit);
  const end = data.length;
  // The next input byte, the bits read from before it but not used (lowest first), their number.
  let pos = 0;
  let bits = 0;
  let available = 0;
  let written = 0;
  let last = 0;
  do {
    while (available < 24 && pos < end) {
      bits |= (data[pos++] as number) << available;
      available += 8;
    }
    if (available < 3) throw endOfInput();
    last = bits & 1;
    const type = (bits >>> 1) & 3;
    bits >>>= 3;
    available -= 3;

    if (type === 0) {
      // Stored: skip to the byte boundary, give back the whole bytes still held, read LEN and NLEN.
      available -= available & 7;
      pos -= available >>> 3;
      bits = 0;
      available = 0;
      if (pos + 4 > end) throw endOfInput();
      const length = (data[pos] as number) | ((data[pos + 1] as number) << 8);
      const complement = (data[pos + 2] as number) | ((data[pos + 3] as number) << 8);
      if ((length ^ complement) !== 0xffff) throw new Error('stored block length does not match its complement');
      pos += 4;
      if (written + length > limit) return { over: true, consumed: pos };
      if (pos + length > end) throw endOfInput();
      out.set(data.subarray(pos, pos + length), written);
      pos += length;
      written += length;
      continue;
    }

    let literal: Code;
    let distance: Code;
    if (type === 1) {
      literal = FIXED_LITERAL;
      distance = FIXED_DISTANCE;
    } else if (type === 2) {
      if (available < 14) throw endOfInput();
      const literals = (bits & 31) + 257;
      const distances = ((bits >>> 5) & 31) + 1;
      const codeLengths = ((bits >>> 10) & 15) + 4;
      bits >>>= 14;
      available -= 14;
      if (literals > 286 || distances > 30) throw new Error('too many literal/length or distance codes');
      codeLengthLengths.fill(0);
      for (let i = 0; i < codeLengths; i++) {
        if (available < 3) {
          while (available < 24 && pos < end) {
            bits |= (data[pos++] as number) << available;
            available += 8;
          }
          if (available < 3) throw endOfInput();
        }
        codeLengthLengths[CODE_LENGTH_ORDER[i] as number] = bits & 7;
        bits >>>= 3;
        available -= 3;
      }
      build(codeLengthCode, codeLengthLengths, 0, 19);
      const table = codeLengthCode.table;
      const total = literals + distances;
      for (let i = 0; i < total;) {
        while (available < 24 && pos < end) {
          bits |= (data[pos++] as number) << available;
          available += 8;
        }
        // The code-length code is complete and fits the table: every entry holds a code.
        const entry = table[bits & ((1 << CODE_LENGTH_BITS) - 1)] as number;
        const length = entry & 15;
        if (length > available) throw endOfInput();
        bits >>>= length;
        available -= length;
        const symbol = entry >>> 4;
        if (symbol < 16) {
          dynamicLengths[i++] = symbol;
          continue;
        }
        let value = 0;
        let repeat: number;
        if (symbol === 16) {
          if (i === 0) throw new Error('code length repeat with no previous length');
          value = dynamicLengths[i - 1] as number;
          if (available < 2) throw endOfInput();
          repeat = 3 + (bits & 3);
          bits >>>= 2;
          available -= 2;
        } else if (symbol === 17) {
          if (available < 3) throw endOfInput();
          repeat = 3 + (bits & 7);
          bits >>>= 3;
          available -= 3;
        } else {
          if (available < 7) throw endOfInput();
          repeat = 11 + (bits & 127);
          bits >>>= 7;
          available -= 7;
        }
        if (i + repeat > total) throw new Error('code length repeat past the last code');
        dynamicLengths.fill(value, i, i + repeat);
        i += repeat;
      }
      if (dynamicLengths[256] === 0) throw new Error('no end-of-block code');
      build(dynamicLiteral, dynamicLengths, 0, literals);
      build(dynamicDistance, dynamicLengths, literals, distances);
      literal = dynamicLiteral;
      distance = dynamicDistance;
    } else {
      throw new Error('invalid block type 3');
    }

    const literalTable = literal.table;
    const literalMask = (1 << literal.rootBits) - 1;
    const distanceTable = distance.table;
    const distanceMask = (1 << distance.rootBits) - 1;
    for (;;) {
      while (available < 24 && pos < end) {
        bits |= (data[pos++] as number) << available;
        available += 8;
      }
      let entry = literalTable[bits & literalMask] as number;
      let length = entry & 15;
      if (length === 0 || length > available) {
        entry = decodeSlowly(literal, bits, available);
        length = entry & 15;
      }
      bits >>>= length;
      available -= length;
      let symbol = entry >>> 4;
      if (symbol < 256) {
        if (written === limit) return { over: true, consumed: pos - (available >>> 3) };
        out[written++] = symbol;
        continue;
      }
      if (symbol === 256) break;
      symbol -= 257;
      if (symbol > 28) throw new Error(`invalid literal/length symbol ${symbol + 257}`);
      // At most 15 bits of the 24 were used: the 5 extra bits are there unless the input ended.
      let extra = LENGTH_EXTRA[symbol] as number;
      let size = LENGTH_BASE[symbol] as number;
      if (extra !== 0) {
        if (available < extra) throw endOfInput();
        size += bits & ((1 << extra) - 1);
        bits >>>= extra;
        available -= extra;
      }
      if (written + size > limit) return { over: true, consumed: pos - (available >>> 3) };

      while (available < 24 && pos < end) {
        bits |= (data[pos++] as number) << available;
        available += 8;
      }
      entry = distanceTable[bits & distanceMask] as number;
      length = entry & 15;
      if (length === 0 || length > available) {
        entry = decodeSlowly(distance, bits, available);
        length = entry & 15;
      }
      bits >>>= length;
      available -= length;
      symbol = entry >>> 4;
      if (symbol > 29) throw new Error(`invalid distance symbol ${symbol}`);
      extra = DISTANCE_EXTRA[symbol] as number;
      let back = DISTANCE_BASE[symbol] as number;
      if (extra !== 0) {
        if (available < extra) {
          while (available < 24 && pos < end) {
            bits |= (data[pos++] as number) << available;
            available += 8;
          }
          if (available < extra) throw endOfInput();
        }
        back += bits & ((1 << extra) - 1);
        bits >>>= extra;
        available -= extra;
      }
      if (back > written) throw new Error(`distance ${back} too far back (${written} bytes written)`);
      // Byte by byte: a match may overlap the bytes it writes (a run of one byte has distance 1).
      if (back === 1) {
        out.fill(out[written - 1] as number, written, written + size);
        written += size;
      } else {
        for (let from = written - back, stop = written + size; written < stop;) out[written++] = out[from++] as number;
      }
    }
  } while (last === 0);
  return { over: false, out: out.subarray(0, written), consumed: pos - (available >>> 3) };
}
