/**
 * @module photos
 * Profile picture uploads. A picture is sent as JSON `{ image: <base64> }` — the one body
 * format of the contract, so CSRF, validation, the client core and OpenAPI need nothing
 * special (the price: a third more bytes on the wire, for a picture of at most
 * {@link PHOTO_MAX_BYTES} bytes). PNG, JPEG or WebP, at most {@link PHOTO_MAX_PIXELS} pixels.
 * The server recognizes the format by its content (magic bytes, then a full decode), never by
 * a name or a declared type, and stores only its own re-encoding: a {@link PHOTO_SIDE}-pixel
 * square WebP. Anything else (HTML, SVG, a polyglot, a truncated or oversized picture) is
 * `image_invalid` or `image_too_large` and changes nothing.
 */
import { z } from 'zod';

/** Largest picture accepted, in bytes (before base64). */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
/** Largest picture accepted, in pixels (width × height), and per side. */
export const PHOTO_MAX_PIXELS = 25_000_000;
export const PHOTO_MAX_SIDE = 10_000;
/** Smallest side accepted, in pixels. */
export const PHOTO_MIN_SIDE = 16;
/** Side of the square the server stores and serves. */
export const PHOTO_SIDE = 256;
/** The formats accepted (recognized by content). */
export const PHOTO_FORMATS = ['image/png', 'image/jpeg', 'image/webp'] as const;

/**
 * Longest `image` accepted by the contract: the base64 of {@link PHOTO_MAX_BYTES} plus some
 * slack, so that a picture a little over the limit is `image_too_large` (the server counts the
 * decoded bytes), and a body beyond it `payload_too_large` before it is even parsed.
 */
export const PHOTO_BASE64_MAX = Math.ceil(PHOTO_MAX_BYTES / 3) * 4 + 64 * 1024;
/** The upload's body limit: the longest `image` plus the JSON around it. */
export const PHOTO_BODY_LIMIT = PHOTO_BASE64_MAX + 1024;

/** `PUT …/photo`: the picture's bytes as standard base64 (no `data:` prefix). */
export const PhotoUploadRequest = z.strictObject({
  image: z
    .string()
    .min(1)
    .max(PHOTO_BASE64_MAX)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
    .meta({ contentEncoding: 'base64', description: 'PNG, JPEG or WebP bytes, base64 (at most 5 MB decoded).' }),
});
export type PhotoUploadRequest = z.input<typeof PhotoUploadRequest>;

/** The stored picture's URL (changes with every upload). */
export const PhotoResponse = z.object({ photoUrl: z.string() });
export type PhotoResponse = z.infer<typeof PhotoResponse>;
