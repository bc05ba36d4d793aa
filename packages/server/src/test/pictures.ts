/**
 * @module test/pictures
 * Real pictures for tests, made here: sharp encodes a two-colour picture in any format, and
 * `pngBomb` writes a valid PNG byte by byte whose few kilobytes decode to many megapixels.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** A real picture: a red left half and a blue right half, `width` × `height`. */
export async function testPicture(
  format: 'png' | 'jpeg' | 'webp',
  width = 320,
  height = 240,
  options: { exifOrientation?: number } = {},
): Promise<Buffer> {
  const half = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (x < width / 2) half[i] = 220;
      else half[i + 2] = 220;
    }
  let image = sharp(half, { raw: { width, height, channels: 3 } });
  if (options.exifOrientation) image = image.withMetadata({ orientation: options.exifOrientation });
  return image.toFormat(format).toBuffer();
}

/** A valid 1-bit grey PNG of `width` × `height` zeros: tiny on disk, huge once decoded. */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = Math.ceil(width / 8) + 1; // filter byte + packed pixels
  const idat = deflateSync(Buffer.alloc(row * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
