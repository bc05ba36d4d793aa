/**
 * Property-based fuzzing (fast-check) of everything that parses untrusted input in the
 * protocol. Every exported zod schema is found by enumerating the module's exports, so a
 * new schema is fuzzed without touching this file. For any JSON value, for values built
 * from the schema's own shape, and for mutations of those (dropped fields, wrong types,
 * huge strings, `__proto__`/`constructor` keys, deep nesting), `parseWith` either returns a
 * value that validates again or throws `ProtocolError` with a code of the closed set, and
 * `Object.prototype` is never touched. The binary tile parsers and the tile receiver take
 * arbitrary bytes and mutated valid messages: typed error or valid result, no RangeError,
 * and nothing painted outside the screen.
 */
import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as protocol from './index.js';
import { ERROR_CODES, ProtocolError, parseWith } from './index.js';
import type { EncodedTile, Painter } from './index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Every exported zod schema, by export name. */
const SCHEMAS = Object.entries(protocol as Record<string, unknown>).filter(
  (entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType,
);

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def): Record<string, unknown>[] =>
  ((def.checks as { _zod: { def: Record<string, unknown> } }[] | undefined) ?? []).map((c) => c._zod.def);

/** Schemas whose rule is code (a refinement), not a shape `shaped` can read: how to make their values. */
/** Versions like 1.4.2 (a random string seldom matches the semver pattern within 32 characters). */
const semver = fc.tuple(fc.nat(999), fc.nat(999), fc.nat(999)).map(([a, b, c]) => `${a}.${b}.${c}`);

/** The base64 of a PNG's signature and header chunk up to its size (32 characters): what `pngSize` reads. */
const pngHeader = (width: number, height: number) => {
  const bytes = Buffer.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 0, 0, 0, 0, 0,
  ]);
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes.toString('base64');
};

const TAUGHT = new Map<unknown, fc.Arbitrary<unknown>>([
  [protocol.AgentVersion, semver],
  // A release package's name: remote-help-agent-<version>-<platform>.tar.gz.
  [
    protocol.ReleaseManifest.shape.file,
    fc
      .tuple(semver, fc.constantFrom(...protocol.ReleasePlatform.options))
      .map(([v, platform]) => `remote-help-agent-${v}-${platform}.tar.gz`),
  ],
  // A cursor's hot spot lies inside its image (a refinement): random coordinates seldom did, so some runs had no
  // valid value at all.
  [
    protocol.CursorImage,
    fc
      .tuple(
        fc.integer({ min: 1, max: protocol.MAX_CURSOR_SIDE }),
        fc.integer({ min: 1, max: protocol.MAX_CURSOR_SIDE }),
      )
      .chain(([width, height]) =>
        fc.record({
          width: fc.constant(width),
          height: fc.constant(height),
          hotX: fc.nat(width - 1),
          hotY: fc.nat(height - 1),
          // Its header says its size (the schema reads it); the rest need not be a picture.
          png: fc.base64String({ maxLength: 200 }).map((b) => `${pngHeader(width, height)}${b.replace(/=+$/, '')}`),
        }),
      ),
  ],
  [protocol.IssuerUrl, fc.webUrl({ validSchemes: ['https'], withQueryParameters: false, withFragments: false })],
  // An ICE server URL is checked by code (RFC 7064/7065 shape): a scheme, a host, sometimes a port and a transport.
  [
    protocol.IceServerUrl,
    fc
      .tuple(
        fc.constantFrom('stun', 'stuns', 'turn', 'turns'),
        fc.oneof(
          fc.domain(),
          fc.ipV4(),
          fc.ipV6().map((ip) => `[${ip}]`),
        ),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.option(fc.constantFrom('udp', 'tcp'), { nil: undefined }),
      )
      .map(
        ([scheme, host, port, transport]) =>
          `${scheme}:${host}${port ? `:${port}` : ''}${transport && scheme.startsWith('turn') ? `?transport=${transport}` : ''}`,
      ),
  ],
  // A domain name is normalized (IDNA, case) by code: any DNS name, in mixed case.
  [protocol.DomainName, fc.domain().map((d) => d.toUpperCase())],
  // A CIDR range is parsed by code: an IPv4 or IPv6 address and a prefix that fits it.
  [
    protocol.Cidr,
    fc.oneof(
      fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`),
      fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([ip, bits]) => `${ip}/${bits}`),
    ),
  ],
]);

/**
 * Values shaped like `schema` (most are valid; the property does not rely on it). Covers
 * the zod constructs the protocol uses; anything else becomes an arbitrary JSON value.
 */
function shaped(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
  const known = TAUGHT.get(schema);
  if (known) return known;
  const def = defOf(schema);
  const checks = checksOf(def);
  const num = (name: string) => checks.find((c) => c.check === name)?.[name === 'min_length' ? 'minimum' : 'maximum'];
  switch (def.type) {
    case 'string': {
      // `z.iso.datetime()` carries the format on its def; `z.string().datetime()` as a check.
      if (def.format === 'datetime' || checks.some((c) => c.format === 'datetime')) {
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      }
      const pattern = checks.find((c) => c.format === 'regex')?.pattern as RegExp | undefined;
      const minLength = (num('min_length') as number | undefined) ?? 0;
      const maxLength = Math.min((num('max_length') as number | undefined) ?? 40, 80);
      // A pattern sets its own lengths (an 88-character signature, a 64-digit hash): capping them
      // at maxLength made a filter that never passes, and fast-check retried it forever.
      const schemaMax = num('max_length') as number | undefined;
      if (pattern) {
        return fc
          .stringMatching(pattern)
          .filter((s) => s.length >= minLength && (schemaMax === undefined || s.length <= schemaMax));
      }
      const email = checks.find((c) => c.format === 'email')?.pattern as RegExp | undefined;
      if (email) {
        return fc
          .emailAddress()
          .map((s) => s.toLowerCase())
          .filter((s) => email.test(s) && s.length >= minLength && s.length <= maxLength);
      }
      return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
    }
    case 'number': {
      const s = schema as { minValue: number | null; maxValue: number | null; isInt: boolean };
      const min = Math.max(s.minValue ?? -1e6, -1e9);
      const max = Math.min(s.maxValue ?? 1e6, 2 ** 31);
      return s.isInt
        ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case 'nullable':
      return fc.oneof(fc.constant(null), shaped(def.innerType, depth));
    case 'optional':
      return fc.option(shaped(def.innerType, depth), { nil: undefined });
    case 'default':
      return fc.option(shaped(def.innerType, depth), { nil: undefined });
    case 'pipe':
      // What goes in, or what comes out (a transform's output is often the valid input too).
      return fc.oneof(shaped(def.in, depth), shaped(def.out, depth));
    case 'union':
      return fc.oneof(...(def.options as unknown[]).map((o) => shaped(o, depth)));
    case 'array': {
      const maxLength = Math.min((num('max_length') as number | undefined) ?? 4, 4);
      return depth > 4 ? fc.constant([]) : fc.array(shaped(def.element, depth + 1), { maxLength });
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const shape = def.shape as Record<string, unknown>;
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(shape)) record[key] = shaped(value, depth + 1);
      return fc.record(record).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

const POISON_KEYS = ['__proto__', 'constructor', 'prototype'];

/** A mutation of a (probably valid) value: the kinds of damage an attacker tries. */
function mutated(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const objectOf = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { v });
  return fc.oneof(
    // Drop a field.
    fc.tuple(base, fc.nat()).map(([v, i]) => {
      const entries = Object.entries(objectOf(v));
      return Object.fromEntries(entries.filter((_, k) => k !== i % Math.max(1, entries.length)));
    }),
    // A field of the wrong type.
    fc.tuple(base, fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([v, i, junk]) => {
      const o = { ...(objectOf(v) as Record<string, unknown>) };
      const keys = Object.keys(o);
      if (keys.length) o[keys[i % keys.length] as string] = junk;
      return o;
    }),
    // A huge string in a field, or instead of the value.
    fc.tuple(base, fc.nat(), fc.integer({ min: 70_000, max: 300_000 })).map(([v, i, n]) => {
      const o = { ...(objectOf(v) as Record<string, unknown>) };
      const keys = Object.keys(o);
      o[keys.length ? (keys[i % keys.length] as string) : 'x'] = 'A'.repeat(n);
      return o;
    }),
    // Prototype-pollution keys as own properties (as JSON.parse makes them), at the top and nested.
    fc.tuple(base, fc.constantFrom(...POISON_KEYS), fc.boolean()).map(([v, key, nested]) => {
      const text = JSON.stringify(objectOf(v)).replace(
        /^\{/,
        `{"${key}":${nested ? '{"__proto__":{"polluted":true}}' : '{"polluted":true,"toString":1}'},`,
      );
      return JSON.parse(text.replace(/,\}$/, '}')) as unknown;
    }),
    // Deep nesting instead of a field.
    fc.tuple(base, fc.integer({ min: 100, max: 5000 })).map(([v, depth]) => {
      let deep: unknown = 1;
      for (let i = 0; i < depth; i++) deep = i % 2 ? [deep] : { a: deep };
      return { ...(objectOf(v) as Record<string, unknown>), deep };
    }),
  );
}

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

/** The property: a value that validates again, or a typed `ProtocolError`; Object.prototype untouched. */
function check(schema: z.ZodType, name: string, input: unknown): void {
  let parsed: unknown;
  try {
    parsed = parseWith(schema, input, name);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw new Error(`${name}: threw ${String(error)}`, { cause: error });
    expect(ERROR_CODES).toContain(error.code);
    return;
  } finally {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  }
  // What a schema let through validates again (transforms and defaults are idempotent).
  expect(() => parseWith(schema, parsed, name)).not.toThrow();
}

describe('every exported protocol schema', () => {
  it('is found by enumerating the exports', () => {
    const names = SCHEMAS.map(([name]) => name);
    for (const expected of ['ClientMessage', 'ServerMessage', 'InputMessage', 'RedeemCodeRequest', 'EnrollRequest']) {
      expect(names).toContain(expected);
    }
    expect(names.length).toBeGreaterThan(25);
  });

  describe.each(SCHEMAS)('%s', (name, schema) => {
    it('takes any JSON value: a valid result or a typed ProtocolError', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => check(schema, name, v)),
        { numRuns: RUNS },
      );
    });

    it('takes values shaped like it and their mutations the same way', () => {
      const base = shaped(schema);
      let valid = 0;
      fc.assert(
        fc.property(fc.oneof(base, mutated(base)), (v) => {
          if (schema.safeParse(v).success) valid++;
          check(schema, name, v);
        }),
        { numRuns: RUNS },
      );
      // The generator reaches the accepting side (so the mutations start from valid values).
      expect(valid, `${name}: no generated value was valid; teach shaped() this schema`).toBeGreaterThan(0);
    });
  });
});

/** Bytes of a valid tile message with a few random tiles, to mutate. */
const validTileMessage = fc
  .record({
    seq: fc.nat(),
    frame: fc.nat(),
    parts: fc.integer({ min: 1, max: 4 }),
    width: fc.integer({ min: 64, max: 512 }),
    height: fc.integer({ min: 64, max: 512 }),
    tiles: fc.array(
      fc.record({
        cx: fc.nat(7),
        cy: fc.nat(7),
        w: fc.integer({ min: 1, max: 64 }),
        h: fc.integer({ min: 1, max: 64 }),
        kind: fc.constantFrom('solid', 'raw', 'palette', 'copy'),
        colours: fc.array(fc.nat(0xffffff), { minLength: 2, maxLength: 16 }),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ seq, frame, parts, width, height, tiles }) => {
    const encoded: EncodedTile[] = [];
    for (const t of tiles) {
      const x = Math.min(t.cx * 64, width - 1);
      const y = Math.min(t.cy * 64, height - 1);
      const w = Math.max(1, Math.min(t.w, width - x, 64 - (x % 64)));
      const h = Math.max(1, Math.min(t.h, height - y, 64 - (y % 64)));
      if (t.kind === 'copy') {
        encoded.push(protocol.copyTile(0, 0, x, y, w, h, seq));
        continue;
      }
      const data = new Uint8Array(w * h * 4);
      for (let i = 0; i < w * h; i++) {
        const c = t.colours[t.kind === 'solid' ? 0 : i % t.colours.length] as number;
        data.set([c >>> 16, (c >>> 8) & 0xff, c & 0xff, 255], i * 4);
      }
      encoded.push(protocol.encodeTile({ data, stride: w * 4, format: 'rgba' }, 0, 0, w, h, (b) => deflateSync(b)));
      Object.assign(encoded[encoded.length - 1] as EncodedTile, { x, y });
    }
    return protocol.packTileMessage({ seq, frame, part: 0, parts, screenWidth: width, screenHeight: height }, encoded);
  });

/** Flips, truncates, extends or overwrites bytes of a valid message. */
const damagedTileMessage = fc
  .tuple(validTileMessage, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }), fc.nat(), fc.boolean())
  .map(([bytes, edits, cut, truncate]) => {
    const out = Uint8Array.from(bytes);
    for (const [at, value] of edits) out[at % out.length] = value;
    return truncate ? out.subarray(0, cut % (out.length + 1)) : out;
  });

/** A parity message over a few valid tile messages, whole or damaged like one. */
const parityMessage = fc
  .tuple(
    fc.array(validTileMessage, { minLength: 1, maxLength: 4 }),
    fc.nat(),
    fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 3 }),
  )
  .map(([messages, first, edits]) => {
    const out = protocol.packParity(first, messages);
    for (const [at, value] of edits) out[at % out.length] = value;
    return out;
  });

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 4096 }), validTileMessage, damagedTileMessage, parityMessage);

/** Runs `f`: a result, or a ProtocolError('validation_failed'); never a RangeError or anything else. */
function typedOrValid<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw new Error(`threw ${String(error)}`, { cause: error });
    expect(error.code).toBe('validation_failed');
    return undefined;
  }
}

describe('binary tile parsers', () => {
  it('parseTileMessage + decodeTile + copySource: typed error or a message whose tiles lie on the screen', () => {
    fc.assert(
      fc.property(anyBytes, fc.boolean(), (bytes, asBuffer) => {
        const input = asBuffer ? bytes.slice().buffer : bytes;
        const message = typedOrValid(() => protocol.parseTileMessage(input));
        if (!message) return;
        const screen = { width: message.screenWidth, height: message.screenHeight };
        for (const tile of message.tiles) {
          expect(tile.x + tile.width).toBeLessThanOrEqual(screen.width);
          expect(tile.y + tile.height).toBeLessThanOrEqual(screen.height);
          if (tile.encoding === 'copy') {
            const source = typedOrValid(() => protocol.copySource(tile, screen));
            if (source) expect(source.x + tile.width).toBeLessThanOrEqual(screen.width);
            continue;
          }
          const decoded = typedOrValid(() => protocol.decodeTile(tile));
          if (decoded && 'rgba' in decoded) expect(decoded.rgba.length).toBe(tile.width * tile.height * 4);
        }
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('parseParity + rebuildFromParity: typed error, or lengths in bounds and a rebuilt message of the length it names', () => {
    fc.assert(
      fc.property(anyBytes, fc.array(validTileMessage, { maxLength: 4 }), (bytes, arrived) => {
        const parity = typedOrValid(() => protocol.parseParity(bytes));
        if (!parity) return;
        for (const length of parity.lengths) {
          expect(length).toBeGreaterThanOrEqual(protocol.TILE_MESSAGE_HEADER);
          expect(length).toBeLessThanOrEqual(protocol.MAX_MESSAGE_BYTES);
        }
        const rebuilt = protocol.rebuildFromParity(parity, (seq) => arrived[seq - parity.first]);
        if (rebuilt) expect(rebuilt.message.length).toBe(parity.lengths[rebuilt.seq - parity.first]);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('parseViewerTileMessage: typed error or an ack/refresh', () => {
    const viewer = fc.oneof(
      fc.uint8Array({ maxLength: 32 }),
      fc.tuple(fc.nat(), fc.nat()).map(([s, m]) => protocol.packTileAck(s, m)),
      fc.constant(protocol.packTileRefresh()),
    );
    fc.assert(
      fc.property(viewer, (bytes) => {
        const m = typedOrValid(() => protocol.parseViewerTileMessage(bytes));
        if (m) expect(['ack', 'refresh']).toContain(m.kind);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('TileReceiver: never throws on any sequence of messages and never paints outside the screen', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyBytes, fc.jsonValue()), { maxLength: 12 }), (messages) => {
        let size = { width: 0, height: 0 };
        const inside = (x: number, y: number, w: number, h: number) => {
          expect(x >= 0 && y >= 0 && w > 0 && h > 0).toBe(true);
          expect(x + w).toBeLessThanOrEqual(size.width);
          expect(y + h).toBeLessThanOrEqual(size.height);
        };
        const painter: Painter = {
          resize: (width, height) => (size = { width, height }),
          fill: (x, y, w, h) => inside(x, y, w, h),
          copy: (sx, sy, x, y, w, h) => {
            inside(sx, sy, w, h);
            inside(x, y, w, h);
          },
          put: (rgba, x, y, w, h) => {
            inside(x, y, w, h);
            expect(rgba.length).toBe(w * h * 4);
          },
        };
        const receiver = new protocol.TileReceiver(
          () => undefined,
          painter,
          () => 0,
        );
        for (const m of messages) receiver.handle(m);
      }),
      { numRuns: RUNS },
    );
  });
});
