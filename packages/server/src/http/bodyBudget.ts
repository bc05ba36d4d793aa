/**
 * @module http/bodyBudget
 * Bounds how many JSON elements (values and object keys) a request body may carry, counted
 * on the raw bytes as they arrive, before anything is parsed. Parsing and walking a body cost
 * time per element, not per byte: a 7 MB `[0,0,…]` is 3.5 million elements, which took the
 * parser and the NUL guard seconds on the event loop. An endpoint's budget comes from its
 * body schema (`maxJsonElements`): a schema without arrays or open records admits a fixed
 * number of elements (a picture upload `{ "image": "…" }`: 4), an array with `.max(n)` n of
 * its items. A schema that bounds nothing (a plain `z.object`, whose unknown keys zod strips,
 * a record, an unbounded array) gets `fallback`: what a body of the server's default limit can
 * hold anyway. Past the budget the request is `payload_too_large` (413) and the rest of the
 * body is not read.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError } from '../errors.js';

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** The largest `length` an array schema's checks allow, or Infinity. */
function maxLength(def: Def): number {
  let max = Infinity;
  for (const check of (def.checks as unknown[] | undefined) ?? []) {
    const c = defOf(check) as { check?: string; maximum?: number; length?: number };
    if (c.check === 'max_length' && typeof c.maximum === 'number') max = Math.min(max, c.maximum);
    if (c.check === 'length_equals' && typeof c.length === 'number') max = Math.min(max, c.length);
  }
  return max;
}

/**
 * The most elements a JSON document the schema accepts can have, counting every value and
 * every object key, plus one per object or array (an empty one is counted as one element
 * more by `JsonElementCounter`). Infinity when the schema does not bound it.
 */
export function maxJsonElements(schema: z.ZodType | undefined, depth = 0): number {
  if (!schema || depth > 32) return Infinity;
  const def = defOf(schema);
  const inner = (key: string) => maxJsonElements(def[key] as z.ZodType, depth + 1);
  switch (def.type) {
    case 'string':
    case 'number':
    case 'int':
    case 'boolean':
    case 'null':
    case 'literal':
    case 'enum':
    case 'template_literal':
    case 'nan':
      return 1;
    case 'undefined':
    case 'void':
    case 'never':
      return 0;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      // `null` is one element too.
      return Math.max(1, inner('innerType'));
    case 'pipe':
      // What is parsed is the JSON the pipe's input side accepts.
      return inner('in');
    case 'union': {
      const options = (def.options as z.ZodType[] | undefined) ?? [];
      return options.length ? Math.max(...options.map((o) => maxJsonElements(o, depth + 1))) : Infinity;
    }
    case 'intersection':
      return inner('left') + inner('right');
    case 'object': {
      // Only a strict object refuses unknown keys: any other lets a body carry as many as it likes.
      const catchall = def.catchall as z.ZodType | undefined;
      if (!catchall || defOf(catchall).type !== 'never') return Infinity;
      const shape = (def.shape as Record<string, z.ZodType> | undefined) ?? {};
      let total = 2;
      for (const member of Object.values(shape)) total += 1 + maxJsonElements(member, depth + 1);
      return total;
    }
    case 'array': {
      const max = maxLength(def);
      return max === 0 ? 2 : 2 + max * inner('element');
    }
    case 'tuple': {
      if (def.rest) return Infinity;
      const items = (def.items as z.ZodType[] | undefined) ?? [];
      return items.reduce((sum, item) => sum + maxJsonElements(item, depth + 1), 2);
    }
    default:
      // record, map, set, any, unknown, lazy, custom, transform…: no bound known.
      return Infinity;
  }
}

/**
 * Counts the elements of a JSON text chunk by chunk, without parsing it: every `{`, `[`, `,`
 * and `:` outside strings, plus one. For a valid document that is the number of values and
 * keys plus one per empty object or array. Invalid JSON is counted all the same (the parser
 * refuses it afterwards). A string without escapes is skipped with `indexOf` (a picture's 7 MB
 * of base64 is one string); one with escapes is read byte by byte. Either way each byte is
 * looked at a bounded number of times.
 */
export class JsonElementCounter {
  count = 1;
  private inString = false;
  private escaped = false;

  /** Adds `chunk`'s elements; false as soon as the count is over `max` (the rest is not looked at). */
  push(chunk: Uint8Array, max: number): boolean {
    let inString = this.inString;
    let escaped = this.escaped;
    let count = this.count;
    // The next `"` and `\` at or after `i` (-1: none left in this chunk; -2: not looked for yet).
    let quote = -2;
    let slash = -2;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (inString) {
        if (!escaped) {
          if (quote !== -1 && quote < i) quote = chunk.indexOf(0x22, i);
          if (slash !== -1 && slash < i) slash = chunk.indexOf(0x5c, i);
          const end = quote === -1 ? n : quote;
          if (slash === -1 || slash >= end) {
            // No escape before the string ends (or this chunk does): jump there.
            inString = quote === -1;
            i = quote === -1 ? n : quote + 1;
            continue;
          }
        }
        // An escape ahead: byte by byte to the end of the string.
        for (; i < n; i++) {
          const byte = chunk[i];
          if (escaped) escaped = false;
          else if (byte === 0x5c) escaped = true;
          else if (byte === 0x22) {
            inString = false;
            i++;
            break;
          }
        }
        continue;
      }
      // Outside strings: byte by byte to the next string.
      for (; i < n; i++) {
        const byte = chunk[i];
        if (byte === 0x22) {
          inString = true;
          i++;
          break;
        }
        // , : [ {
        if ((byte === 0x2c || byte === 0x3a || byte === 0x5b || byte === 0x7b) && ++count > max) {
          this.count = count;
          return false;
        }
      }
    }
    this.inString = inString;
    this.escaped = escaped;
    this.count = count;
    return true;
  }
}

/** The refusal: the same code as a body over the byte limit. */
export const tooManyElements = (maxElements: number) =>
  new AppError('payload_too_large', 'The request body has more elements than this request can have.', {
    maxElements,
  });

/** Bodies Fastify hands to its JSON parser (anything but text/plain here: other types are refused with 415). */
const isText = (request: FastifyRequest) =>
  /^\s*text\/plain\s*(;|$)/i.test(String(request.headers['content-type'] ?? ''));

/**
 * A Fastify `preParsing` hook that refuses a JSON body of more than `maxElements` elements as
 * it streams in. The body is read only once the parser reads the returned stream (so that the
 * refusal, an `error` on it, always has the parser listening).
 */
export function jsonElementBudget(maxElements: number) {
  return async (request: FastifyRequest, _reply: FastifyReply, payload: NodeJS.ReadableStream) => {
    if (isText(request)) return payload;
    const counter = new JsonElementCounter();
    let received = 0;
    payload.pause();
    const counted: Readable & { receivedEncodedLength?: number } = new Readable({
      read() {
        payload.resume();
      },
    });
    // Past the budget the rest is discarded unread (Fastify answers and closes the connection).
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.resume();
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      counted.receivedEncodedLength = received;
      if (!counter.push(bytes, maxElements)) {
        stop();
        counted.destroy(tooManyElements(maxElements));
      } else if (!counted.push(bytes)) payload.pause();
    };
    const onEnd = () => counted.push(null);
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', (error: Error) => {
      stop();
      counted.destroy(error);
    });
    return counted;
  };
}
