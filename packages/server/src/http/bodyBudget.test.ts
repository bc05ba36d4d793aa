/**
 * The element budget of request bodies: what a body schema admits at most (`maxJsonElements`)
 * and the count of elements on raw bytes, chunk by chunk (`JsonElementCounter`), against the
 * same count made by parsing, on hand-picked and generated JSON.
 */
import { API, PhotoUploadRequest } from '@remote-help/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonElementCounter, maxJsonElements } from './bodyBudget.js';

/** Values and keys of a parsed document, plus one per empty object or array (what the counter counts). */
function elementsOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + (value.length ? value.reduce((n: number, v) => n + elementsOf(v), 0) : 1);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return 1 + (entries.length ? entries.reduce((n, [, v]) => n + 1 + elementsOf(v), 0) : 1);
  }
  return 1;
}

/** The counter's count of `text` cut into chunks at `cuts`. */
function count(text: string, cuts: number[] = []): number {
  const bytes = Buffer.from(text);
  const counter = new JsonElementCounter();
  let from = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
    counter.push(bytes.subarray(from, Math.max(from, cut)), Infinity);
    from = Math.max(from, cut);
  }
  return counter.count;
}

describe('JsonElementCounter', () => {
  it('counts values, keys and containers outside strings, whatever is inside them', () => {
    expect(count('{"image":"QUFB"}')).toBe(3);
    expect(count('[0,0,0]')).toBe(4);
    expect(count('{}')).toBe(2);
    expect(count('{"a":[]}')).toBe(4);
    expect(count('{"a":"x,:[{\\"y"}')).toBe(3);
    expect(count('"a\\\\"')).toBe(1);
    expect(count('{ "a" : 1 , "b" : [ 1 , 2 ] }')).toBe(7);
  });

  it('agrees with a parse of the same document, however it is cut into chunks', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.nat(), { maxLength: 6 }), (value, cuts) => {
        const text = JSON.stringify(value);
        expect(count(text, cuts)).toBe(elementsOf(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('stops at the first element over the budget and says so', () => {
    const counter = new JsonElementCounter();
    expect(counter.push(Buffer.from('[0,0,0,0,0,0,0,0]'), 4)).toBe(false);
    expect(counter.count).toBe(5);
  });
});

describe('maxJsonElements', () => {
  it('bounds a picture upload to its one string', () => {
    expect(maxJsonElements(PhotoUploadRequest)).toBe(4);
    expect(maxJsonElements(API.setMyPhoto.body)).toBe(4);
    expect(maxJsonElements(API.setUserPhoto.body)).toBe(4);
  });

  it('follows strict objects, bounded arrays, tuples, unions and wrappers; anything open is unbounded', () => {
    const s = z.string();
    expect(maxJsonElements(z.strictObject({ a: s, b: s.optional(), c: z.number().nullable() }))).toBe(8);
    expect(maxJsonElements(z.array(s).max(10))).toBe(12);
    expect(maxJsonElements(z.strictObject({ ids: z.array(s).max(3).default([]) }))).toBe(8);
    expect(maxJsonElements(z.union([s, z.strictObject({ a: s })]))).toBe(4);
    expect(maxJsonElements(z.tuple([s, s]))).toBe(4);
    expect(maxJsonElements(s.transform((v) => v.length))).toBe(1);
    for (const open of [
      z.object({ a: s }),
      z.looseObject({ a: s }),
      z.array(s),
      z.record(z.string(), s),
      z.unknown(),
      z.strictObject({ a: z.array(s) }),
    ]) {
      expect(maxJsonElements(open)).toBe(Infinity);
    }
  });

  it('admits every valid body it bounds: a generated document never counts more than its schema allows', () => {
    const schema = z.strictObject({ name: z.string(), tags: z.array(z.string()).max(5), nested: z.strictObject({}) });
    const bound = maxJsonElements(schema);
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { maxLength: 5 }), (name, tags) => {
        expect(count(JSON.stringify({ name, tags, nested: {} }))).toBeLessThanOrEqual(bound);
      }),
    );
  });
});
