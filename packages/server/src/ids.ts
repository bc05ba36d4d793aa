/**
 * @module ids
 * Random identifiers and tokens.
 */
import { createHash, randomBytes } from 'node:crypto';

/**
 * A random id, URL-safe, 22 characters. It never starts with `-` or `_`: an id is pasted into
 * command lines (where a leading `-` reads as an option) and exported to CSV (where a leading
 * `-` reads as a formula and gets neutralised, so the cell would no longer be the id). Drawing
 * again in those 2 of 64 cases leaves ≈ 127.95 bits of entropy.
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (ID_START.test(id)) return id;
  }
}
const ID_START = /^[A-Za-z0-9]/;

/** A 256-bit random secret token, URL-safe. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** SHA-256 of a token, for storing lookups without storing the token. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');
