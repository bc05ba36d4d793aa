/**
 * @module users/photoImage
 * Turns uploaded bytes into the one picture the server stores: a square WebP of
 * `PHOTO_SIDE` pixels. The format is recognized by content only — magic bytes first (PNG,
 * JPEG, WebP; anything else, HTML and SVG included, is refused before a decoder sees it),
 * then the header (dimensions, before any pixel is decoded: a decompression bomb stops here),
 * then a full decode that fails on truncated or corrupt data. What is stored is sharp's
 * re-encoding of the decoded pixels, so nothing of the upload's bytes (metadata, appended
 * HTML of a polyglot, colour profiles) survives.
 */
import { createHash } from 'node:crypto';
import { PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, PHOTO_MIN_SIDE, PHOTO_SIDE } from '@remote-help/protocol';
import sharp from 'sharp';
import { AppError } from '../errors.js';

// One picture at a time per worker, and no cache of decoded images kept around.
sharp.cache(false);
sharp.concurrency(1);

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

/** See the module description. Throws `image_invalid` or `image_too_large`. */
export async function reencodePhoto(bytes: Buffer): Promise<ReencodedPhoto> {
  if (bytes.length > PHOTO_MAX_BYTES) {
    throw tooLarge('The picture is larger than 5 MB.', { maxBytes: PHOTO_MAX_BYTES, bytes: bytes.length });
  }
  const format = sniffPhotoFormat(bytes);
  if (!format) throw invalid('This file is not a PNG, JPEG or WebP picture.');
  const options = { limitInputPixels: PHOTO_MAX_PIXELS, failOn: 'error', sequentialRead: true } as const;

  // The header alone (no pixel is decoded yet): the format must be the one the magic bytes announced.
  let width: number;
  let height: number;
  try {
    const meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
    if (meta.format !== SHARP_FORMAT[format]) throw new Error(`decoded as ${meta.format}, not ${format}`);
    width = meta.width;
    height = meta.height;
  } catch {
    throw invalid('This file is not a readable PNG, JPEG or WebP picture.');
  }
  if (width > PHOTO_MAX_SIDE || height > PHOTO_MAX_SIDE || width * height > PHOTO_MAX_PIXELS) {
    throw tooLarge('The picture has too many pixels.', {
      width,
      height,
      maxSide: PHOTO_MAX_SIDE,
      maxPixels: PHOTO_MAX_PIXELS,
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
      throw tooLarge('The picture has too many pixels.', { maxPixels: PHOTO_MAX_PIXELS });
    }
    throw invalid('This picture is damaged or incomplete.');
  }
  const digest = createHash('sha256').update(data).digest('hex').slice(0, 16);
  return { mime: 'image/webp', data, digest, source: { format, width, height, bytes: bytes.length } };
}
