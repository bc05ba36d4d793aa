/**
 * @module users/photoImage
 * Turns uploaded bytes into the one picture the server stores: a square WebP of
 * `PHOTO_SIDE` pixels. The format is recognized by content only — magic bytes first (PNG,
 * JPEG, WebP; anything else, HTML and SVG included, is refused before a decoder sees it),
 * then the header (dimensions, before any pixel is decoded: a decompression bomb stops here),
 * then a full decode that fails on truncated or corrupt data. What is stored is sharp's
 * re-encoding of the decoded pixels, so nothing of the upload's bytes (metadata, appended
 * HTML of a polyglot, colour profiles) survives.
 *
 * What a decode may cost is bounded from the header: at most `MAX_PIXELS`, and a picture that
 * must be held whole while it is decoded (interlaced PNG, progressive JPEG) at most
 * `MAX_WHOLE_FRAME_BYTES` of pixels. At most `PHOTO_DECODES_AT_ONCE` pictures are read at a
 * time in the process (`PHOTO_DECODES`), so that decoding never takes every thread of libuv's
 * pool from argon2 (sign-ins) nor more memory than a few frames.
 */
import { createHash } from 'node:crypto';
import { PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, PHOTO_MIN_SIDE, PHOTO_SIDE } from '@remote-help/protocol';
import sharp from 'sharp';
import { AppError, errors } from '../errors.js';
import { PHOTO_DECODES_AT_ONCE, PHOTO_DECODES_WAITING } from '../ratelimit/policies.js';
import { Slots } from '../ratelimit/slots.js';

// One picture at a time per worker, and no cache of decoded images kept around.
sharp.cache(false);
sharp.concurrency(1);

/**
 * Most pixels decoded. The picture is stored and shown as 256 × 256 (0.07 MP), so nothing needs
 * more than a camera's photo: 25 MP admits a 24 MP one (5712 × 4284 of recent phones, 6000 ×
 * 4000 of APS-C cameras) and 12 and 16 MP phones (the contract said 40 MP until 2026-12-07: an
 * interlaced 16-bit PNG of that size took 2 s and 300 MB to decode).
 */
export const MAX_PIXELS = PHOTO_MAX_PIXELS;

/**
 * Most bytes of pixels of a picture that has to be held whole while it is decoded (an
 * interlaced PNG, a progressive JPEG): width × height × channels × bytes per sample. 64 MiB
 * is a 16 MP picture of 8-bit RGBA (21 MP of RGB); a 16-bit one gets half as many pixels.
 * Baseline JPEG and non-interlaced PNG are decoded row by row and only need `MAX_PIXELS`.
 */
export const MAX_WHOLE_FRAME_BYTES = 64 * 1024 * 1024;

/** The pictures being decoded in this process, and those waiting their turn. */
export const PHOTO_DECODES = new Slots(PHOTO_DECODES_AT_ONCE, PHOTO_DECODES_WAITING);

/** Seconds an upload refused because the server is decoding too many pictures should wait. */
const BUSY_RETRY_SECONDS = 5;

/** A format the upload may be in. */
export type PhotoFormat = 'image/png' | 'image/jpeg' | 'image/webp';

/** The stored picture and what the upload was. */
export interface ReencodedPhoto {
  mime: 'image/webp';
  data: Buffer;
  /** sha-256 of the stored bytes, first 16 hex digits (for the audit log). */
  digest: string;
  source: { format: PhotoFormat; width: number; height: number; bytes: number };
}

const invalid = (message: string, data?: Record<string, unknown>) => new AppError('image_invalid', message, data);
const tooLarge = (message: string, data: Record<string, unknown>) => new AppError('image_too_large', message, data);

/** The format the first bytes announce, or null (HTML, SVG, GIF, anything else). */
export function sniffPhotoFormat(bytes: Uint8Array): PhotoFormat | null {
  const at = (offset: number, ...values: number[]) => values.every((v, i) => bytes[offset + i] === v);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  // RIFF <size> WEBP
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return null;
}

const SHARP_FORMAT: Record<PhotoFormat, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' };

/** Decodes standard base64 (already checked by the contract's pattern). */
export function decodeBase64Photo(base64: string): Buffer {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw invalid('The picture is empty.');
  if (bytes.length > PHOTO_MAX_BYTES) {
    throw tooLarge('The picture is larger than 5 MB.', { maxBytes: PHOTO_MAX_BYTES, bytes: bytes.length });
  }
  return bytes;
}

/**
 * See the module description. Throws `image_invalid` or `image_too_large`, or `rate_limited`
 * when more pictures than `PHOTO_DECODES` admits wait to be decoded. `admit` is called once
 * the cheap checks (size, magic bytes) have passed, before the decoder sees the bytes: it may
 * throw to refuse (the uploader's rate).
 */
export async function reencodePhoto(bytes: Buffer, admit?: () => void): Promise<ReencodedPhoto> {
  if (bytes.length > PHOTO_MAX_BYTES) {
    throw tooLarge('The picture is larger than 5 MB.', { maxBytes: PHOTO_MAX_BYTES, bytes: bytes.length });
  }
  const format = sniffPhotoFormat(bytes);
  if (!format) throw invalid('This file is not a PNG, JPEG or WebP picture.');
  admit?.();
  const release = await PHOTO_DECODES.acquire();
  if (!release) throw errors.rateLimited(BUSY_RETRY_SECONDS);
  try {
    return await decode(bytes, format);
  } finally {
    release();
  }
}

async function decode(bytes: Buffer, format: PhotoFormat): Promise<ReencodedPhoto> {
  const options = { limitInputPixels: MAX_PIXELS, failOn: 'error', sequentialRead: true } as const;

  // The header alone (no pixel is decoded yet): the format must be the one the magic bytes announced.
  let width: number;
  let height: number;
  // Bytes per pixel of a frame that has to be held whole (0: decoded row by row).
  let wholeFramePixelBytes = 0;
  try {
    const meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
    if (meta.format !== SHARP_FORMAT[format]) throw new Error(`decoded as ${meta.format}, not ${format}`);
    width = meta.width;
    height = meta.height;
    if (meta.isProgressive) wholeFramePixelBytes = (meta.channels ?? 4) * (meta.depth === 'uchar' ? 1 : 2);
  } catch {
    throw invalid('This file is not a readable PNG, JPEG or WebP picture.');
  }
  if (width > PHOTO_MAX_SIDE || height > PHOTO_MAX_SIDE || width * height > MAX_PIXELS) {
    throw tooLarge('The picture has too many pixels.', {
      width,
      height,
      maxSide: PHOTO_MAX_SIDE,
      maxPixels: MAX_PIXELS,
    });
  }
  if (width * height * wholeFramePixelBytes > MAX_WHOLE_FRAME_BYTES) {
    // Interlaced or progressive: decoded as one frame in memory. A baseline or non-interlaced save is fine.
    throw tooLarge('The picture has too many pixels for an interlaced (progressive) picture.', {
      width,
      height,
      maxPixels: Math.floor(MAX_WHOLE_FRAME_BYTES / wholeFramePixelBytes),
      interlaced: true,
    });
  }
  if (width < PHOTO_MIN_SIDE || height < PHOTO_MIN_SIDE) {
    throw invalid(`The picture is smaller than ${PHOTO_MIN_SIDE}×${PHOTO_MIN_SIDE} pixels.`, {
      width,
      height,
      minSide: PHOTO_MIN_SIDE,
    });
  }

  let data: Buffer;
  try {
    data = await sharp(bytes, options)
      .rotate() // the EXIF orientation, before the metadata is dropped
      .resize(PHOTO_SIDE, PHOTO_SIDE, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .webp({ quality: 82, effort: 4 })
      .toBuffer();
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      throw tooLarge('The picture has too many pixels.', { maxPixels: MAX_PIXELS });
    }
    throw invalid('This picture is damaged or incomplete.');
  }
  const digest = createHash('sha256').update(data).digest('hex').slice(0, 16);
  return { mime: 'image/webp', data, digest, source: { format, width, height, bytes: bytes.length } };
}
