/**
 * @module ids
 * Random identifiers and tokens.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A 128-bit random id, URL-safe. */
export const newId = (): string => randomBytes(16).toString('base64url');

/** A 256-bit random secret token, URL-safe. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** SHA-256 of a token, for storing lookups without storing the token. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');
