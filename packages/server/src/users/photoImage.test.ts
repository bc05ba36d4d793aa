/**
 * The picture re-encoder on real images made here (sharp encodes them, zlib builds the
 * decompression bombs byte by byte), and on hostile bytes: HTML, SVG, GIF, a PNG header
 * followed by HTML, a PNG with HTML appended (a polyglot), truncated files, too many pixels.
 */
import { crc32 } from 'node:zlib';
import { PHOTO_MAX_BYTES, PHOTO_SIDE } from '@remote-help/protocol';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { PHOTO_DECODES_AT_ONCE, PHOTO_DECODES_WAITING } from '../ratelimit/policies.js';
import { pngBomb, testPicture } from '../test/pictures.js';
import { MAX_PIXELS, PHOTO_DECODES, decodeBase64Photo, reencodePhoto, sniffPhotoFormat } from './photoImage.js';

/**
 * A PNG whose header announces `width` × `height` (16-bit RGBA, interlaced or not) and whose
 * pixel data is garbage: decoding it fails (`image_invalid`), so `image_too_large` means the
 * header alone refused it.
 */
function pngHeaderOnly(width: number, height: number, o: { bits: 8 | 16; interlaced: boolean }): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = o.bits;
  ihdr[9] = 6; // RGBA
  ihdr[12] = o.interlaced ? 1 : 0; // Adam7
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from('not a zlib stream at all')),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function refusal(bytes: Buffer): Promise<{ code: string; status: number }> {
  try {
    await reencodePhoto(bytes);
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, status: error.status };
    throw error;
  }
  throw new Error('accepted');
}

describe('reencodePhoto', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('re-encodes a %s into a square WebP of the fixed size', async (format) => {
    const photo = await reencodePhoto(await testPicture(format));
    expect(photo.mime).toBe('image/webp');
    expect(photo.source).toMatchObject({ format: `image/${format}`, width: 320, height: 240 });
    const meta = await sharp(photo.data).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
      format: 'webp',
      width: PHOTO_SIDE,
      height: PHOTO_SIDE,
    });
    expect(photo.digest).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps the picture: the centre crop is red on the left and blue on the right', async () => {
    const photo = await reencodePhoto(await testPicture('png', 400, 200));
    const { data, info } = await sharp(photo.data).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels).subarray(0, 3)];
    const [r1, , b1] = pixel(20, 128);
    const [r2, , b2] = pixel(236, 128);
    expect(r1).toBeGreaterThan(180);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(180);
    expect(r2).toBeLessThan(60);
  });

  it('applies the EXIF orientation and drops all metadata', async () => {
    // Orientation 6: the stored 320×160 picture is shown rotated, as 160×320.
    const photo = await reencodePhoto(await testPicture('jpeg', 320, 160, { exifOrientation: 6 }));
    expect(photo.source).toMatchObject({ width: 320, height: 160 });
    const meta = await sharp(photo.data).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    // Rotated, the halves are top and bottom: the left and right edges of the middle row are the same colour.
    const { data, info } = await sharp(photo.data).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels] ?? 0;
    expect(Math.abs(at(10, 20) - at(245, 20))).toBeLessThan(40);
    expect(Math.abs(at(128, 10) - at(128, 245))).toBeGreaterThan(120);
  });

  it('refuses what is not a PNG, JPEG or WebP by its content, whatever it claims to be', async () => {
    const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
    for (const bytes of [
      Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'),
      Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
      gif,
      Buffer.from('%PDF-1.7\n'),
      Buffer.alloc(0),
    ]) {
      expect(sniffPhotoFormat(bytes)).toBeNull();
      expect(await refusal(bytes)).toEqual({ code: 'image_invalid', status: 400 });
    }
  });

  it('refuses a PNG signature followed by HTML, and a JPEG marker followed by HTML', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), html]);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), html]);
    const webp = Buffer.concat([Buffer.from('RIFF\x20\x00\x00\x00WEBP', 'latin1'), html]);
    for (const bytes of [png, jpeg, webp]) expect(await refusal(bytes)).toEqual({ code: 'image_invalid', status: 400 });
  });

  it('stores nothing of a polyglot’s HTML: a real PNG with a page appended comes out as pixels only', async () => {
    const polyglot = Buffer.concat([
      await testPicture('png', 64, 64),
      Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>'),
    ]);
    const photo = await reencodePhoto(polyglot);
    expect(photo.mime).toBe('image/webp');
    expect(photo.data.includes(Buffer.from('<script'))).toBe(false);
    expect(photo.data.includes(Buffer.from('html'))).toBe(false);
  });

  it('refuses truncated pictures', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const whole = await testPicture(format, 400, 400);
      const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
      expect({ format, ...(await refusal(truncated)) }).toEqual({ format, code: 'image_invalid', status: 400 });
    }
  });

  it('refuses a decompression bomb from its header, before decoding it', async () => {
    // 9000 × 9000 = 81 megapixels (each side allowed, the area is not) in about 10 KB.
    const wide = pngBomb(9000, 9000);
    expect(wide.length).toBeLessThan(100_000);
    expect(await refusal(wide)).toEqual({ code: 'image_too_large', status: 413 });
    // 20000 × 3: few pixels, but a side over the limit.
    expect(await refusal(pngBomb(20_000, 3))).toEqual({ code: 'image_too_large', status: 413 });
    // The same construction at a reasonable size is a real picture.
    expect((await reencodePhoto(pngBomb(300, 300))).mime).toBe('image/webp');
  });

  it('refuses a picture over the pixel cap from its header, before decoding it', async () => {
    // The review's picture: 6324 × 6324 (40 MP, the contract's cap until 2026-12-07), interlaced 16-bit RGBA,
    // 0.5 MB that took 2 s and 300 MB to decode.
    expect(await refusal(pngHeaderOnly(6324, 6324, { bits: 16, interlaced: true }))).toEqual({
      code: 'image_too_large',
      status: 413,
    });
    // 30 MP, neither interlaced nor 16-bit: over the cap all the same.
    expect(await refusal(pngHeaderOnly(6000, 5000, { bits: 8, interlaced: false }))).toEqual({
      code: 'image_too_large',
      status: 413,
    });
    expect(MAX_PIXELS).toBe(25_000_000);
    // Under the cap, the header passes and the garbage is found by the decoder.
    expect(await refusal(pngHeaderOnly(4000, 3000, { bits: 8, interlaced: false }))).toEqual({
      code: 'image_invalid',
      status: 400,
    });
  });

  it('refuses an interlaced picture whose whole frame would be over 64 MiB, not the same picture saved plainly', async () => {
    // 3000 × 3000 × 4 channels × 2 bytes = 72 MB held at once when interlaced; row by row otherwise.
    expect(await refusal(pngHeaderOnly(3000, 3000, { bits: 16, interlaced: true }))).toEqual({
      code: 'image_too_large',
      status: 413,
    });
    expect(await refusal(pngHeaderOnly(3000, 3000, { bits: 16, interlaced: false }))).toEqual({
      code: 'image_invalid',
      status: 400,
    });
    // A real interlaced picture of a usual size is decoded.
    const interlaced = await sharp(await testPicture('png', 640, 480))
      .png({ progressive: true })
      .toBuffer();
    expect((await sharp(interlaced).metadata()).isProgressive).toBe(true);
    expect((await reencodePhoto(interlaced)).mime).toBe('image/webp');
  });

  it('asks `admit` only for a picture it is about to decode, and decodes nothing it refuses', async () => {
    const asked: string[] = [];
    const admit = (what: string) => () => void asked.push(what);
    await expect(reencodePhoto(Buffer.from('<html></html>'), admit('html'))).rejects.toThrow(AppError);
    expect(asked).toEqual([]);
    const refused = new AppError('rate_limited', 'no', { retryAfterSeconds: 6 });
    const png = await testPicture('png', 64, 64);
    await expect(
      reencodePhoto(png, () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect((await reencodePhoto(png, admit('png'))).mime).toBe('image/webp');
    expect(asked).toEqual(['png']);
  });

  it('decodes at most PHOTO_DECODES_AT_ONCE pictures at a time; past the waiting room, rate_limited', async () => {
    expect(PHOTO_DECODES_AT_ONCE).toBe(2);
    // Every slot taken (as by long decodes): uploads wait, none is decoded.
    const held = await Promise.all(Array.from({ length: PHOTO_DECODES_AT_ONCE }, () => PHOTO_DECODES.acquire()));
    const png = await testPicture('png', 64, 64);
    const waiting = Array.from({ length: PHOTO_DECODES_WAITING }, () => reencodePhoto(png));
    expect(PHOTO_DECODES.waiting).toBe(PHOTO_DECODES_WAITING);
    try {
      await reencodePhoto(png);
      expect.unreachable('a full waiting room admits nobody');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, data: { retryAfterSeconds: 5 } });
    }
    for (const release of held) release!();
    for (const photo of await Promise.all(waiting)) expect(photo.mime).toBe('image/webp');
    expect([PHOTO_DECODES.active, PHOTO_DECODES.waiting]).toEqual([0, 0]);
  });

  it('refuses pictures too small to show', async () => {
    expect(await refusal(await testPicture('png', 8, 8))).toEqual({ code: 'image_invalid', status: 400 });
  });

  it('refuses more than 5 MB of bytes', async () => {
    const big = Buffer.concat([await testPicture('png', 64, 64), Buffer.alloc(PHOTO_MAX_BYTES)]);
    expect(await refusal(big)).toEqual({ code: 'image_too_large', status: 413 });
    expect(() => decodeBase64Photo(big.toString('base64'))).toThrow(AppError);
    expect(() => decodeBase64Photo('')).toThrow(AppError);
  });
});
