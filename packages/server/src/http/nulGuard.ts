/**
 * @module http/nulGuard
 * Refuses U+0000 in what a request carries (path parameters, query, parsed body) with a typed
 * `validation_failed` (400) before any handler runs, on every route and both engines.
 * PostgreSQL refuses the NUL character in text (ADR 0020): without this, a NUL in a field that
 * reaches a text column or a `WHERE` unvalidated (a search, a name, a form field) would fail
 * the query and answer 500 on PostgreSQL while SQLite stored it. No field of the protocol has a
 * use for it; binary bodies (pictures) are not text and are not looked at.
 *
 * One exception: a device's `inventory` (enrollment, check-in) is normalised by the server before it
 * is stored (`displayText` drops controls, U+0000 included), because machine facts come NUL-padded
 * in the wild (DMI strings) and refusing them would keep a device from checking in at all.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { tooManyElements } from './bodyBudget.js';

/** Deeper nesting than this is not walked (bodies are at most 64 KiB; the schemas bound depth anyway). */
const MAX_DEPTH = 32;

/**
 * Most strings, keys and containers one request's input is walked for. The `/api` routes
 * refuse a body of more elements before it is parsed (`bodyBudget`), and a body within the
 * default 64 KiB limit has fewer than this; so this is only the last bound of a walk that
 * must never take long: past it the request is `payload_too_large`, not walked further.
 */
export const MAX_WALKED = 100_000;

/** Top-level body members the server normalises itself before storing them (see above). */
const NORMALISED_BODY_MEMBERS: ReadonlySet<string> = new Set(['inventory']);

interface Walk {
  /** Elements that may still be looked at. */
  left: number;
  /** Top-level members not to look into. */
  skip?: ReadonlySet<string>;
}

function walk(value: unknown, w: Walk, depth: number): string[] | null {
  if (--w.left < 0) throw tooManyElements(MAX_WALKED);
  if (typeof value === 'string') return value.includes('\u0000') ? [] : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], w, depth + 1);
      if (found) return [String(i), ...found];
    }
    return null;
  }
  // Own keys only, no [key, value] pairs made (a JSON body's objects are plain).
  for (const key of Object.keys(value)) {
    if (--w.left < 0) throw tooManyElements(MAX_WALKED);
    if (key.includes('\u0000')) return [key.replaceAll('\u0000', '\uFFFD')];
    if (depth === 0 && w.skip?.has(key)) continue;
    const found = walk((value as Record<string, unknown>)[key], w, depth + 1);
    if (found) return [key, ...found];
  }
  return null;
}

/**
 * Where the first string (or object key) holding U+0000 is in `value`, as the path of keys and
 * indexes to it (empty for `value` itself), or null when there is none. Throws
 * `payload_too_large` rather than look at more than `MAX_WALKED` elements.
 */
export function nulPath(value: unknown, skip?: ReadonlySet<string>): string[] | null {
  return walk(value, { left: MAX_WALKED, skip }, 0);
}

/** Fastify `preValidation` hook: throws `validation_failed` naming where the NUL was. */
export async function refuseNul(request: FastifyRequest): Promise<void> {
  for (const [part, value, skip] of [
    ['params', request.params, undefined],
    ['query', request.query, undefined],
    ['body', request.body, NORMALISED_BODY_MEMBERS],
  ] as const) {
    const at = nulPath(value, skip);
    if (at)
      // The same shape as the contract's parse errors (`issues`), the key path as zod writes it.
      throw new AppError('validation_failed', 'Text cannot contain the NUL character (U+0000).', {
        issues: [{ path: [part, ...at].join('.'), message: 'must not contain U+0000' }],
      });
  }
}
