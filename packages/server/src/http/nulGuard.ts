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

/** Deeper nesting than this is not walked (bodies are at most 64 KiB; the schemas bound depth anyway). */
const MAX_DEPTH = 32;

/**
 * Where the first string (or object key) holding U+0000 is in `value`, as the path of keys and
 * indexes to it (empty for `value` itself), or null when there is none.
 */
export function nulPath(value: unknown, depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || Buffer.isBuffer(value)) return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return [key.replaceAll('\u0000', '\uFFFD')];
    const found = nulPath(item, depth + 1);
    if (found) return [key, ...found];
  }
  return null;
}

/** Top-level body members the server normalises itself before storing them (see above). */
const NORMALISED_BODY_MEMBERS: ReadonlySet<string> = new Set(['inventory']);

function withoutNormalised(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !NORMALISED_BODY_MEMBERS.has(key)));
}

/** Fastify `preValidation` hook: throws `validation_failed` naming where the NUL was. */
export async function refuseNul(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [
    ['params', request.params],
    ['query', request.query],
    ['body', withoutNormalised(request.body)],
  ] as const) {
    const at = nulPath(value);
    if (at)
      // The same shape as the contract's parse errors (`issues`), the key path as zod writes it.
      throw new AppError('validation_failed', 'Text cannot contain the NUL character (U+0000).', {
        issues: [{ path: [part, ...at].join('.'), message: 'must not contain U+0000' }],
      });
  }
}
