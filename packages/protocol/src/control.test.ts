import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  AgentControlMessage,
  HelperControlMessage,
  MAX_CURSOR_PNG_BASE64,
  MAX_CURSOR_SIDE,
  pngSize,
} from './control.js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer) => {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, tail]);
};
/** A real PNG of `width × height` pixels (1-bit grey, all black), as base64: small even when huge. */
function png(width: number, height: number): string {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth; colour type 0 (grey)
  const rows = deflateSync(Buffer.alloc((Math.ceil(width / 8) + 1) * height), { level: 9 });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]).toString('base64');
}

/** `base64` (a PNG) with its first chunk's type changed. */
function renamedFirstChunk(base64: string, type: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes.write(type, 12, 'latin1');
  return bytes.toString('base64');
}

/** A PNG of the image's size (16 × 24): its header says so. */
const PNG = png(16, 24);
const image = { width: 16, height: 24, hotX: 1, hotY: 1, png: PNG };
const shape = (patch: Record<string, unknown>) => ({ type: 'cursorShape', image: { ...image, ...patch } });

describe('cursorShape (agent → helper)', () => {
  it('carries a PNG with its size and hot spot, or null for no image', () => {
    expect(AgentControlMessage.parse({ type: 'cursorShape', image })).toEqual({ type: 'cursorShape', image });
    expect(AgentControlMessage.parse({ type: 'cursorShape', image: null })).toEqual({
      type: 'cursorShape',
      image: null,
    });
  });

  it.each([
    ['a hot spot right of the image', { hotX: 16 }],
    ['a hot spot below the image', { hotY: 24 }],
    ['a negative hot spot', { hotX: -1 }],
    ['an empty image', { width: 0 }],
    ['a side over the largest', { height: MAX_CURSOR_SIDE + 1 }],
    ['a fractional size', { width: 1.5 }],
    ['something else than a PNG', { png: 'R0lGODlhAQABAAAAACw=' }],
    ['characters outside base64', { png: `${PNG}<script>` }],
    ['a PNG longer than the limit', { png: `iVBORw0KGgo${'A'.repeat(MAX_CURSOR_PNG_BASE64)}` }],
    ['an unknown field', { url: 'https://example.com/cursor.png' }],
    ['a PNG whose header says another width', { png: png(17, 24) }],
    ['a PNG whose header says another height', { png: png(16, 23) }],
    // 14,932 characters that a browser decoded to 350 MiB of pixels (the review's bomb).
    ['a PNG of 16384 × 5600 pixels said to be 128 × 128', { width: 128, height: 128, png: png(16_384, 5600) }],
    ['a PNG over the largest side that says so', { width: 129, height: 24, png: png(129, 24) }],
    ['a PNG cut before its size', { png: PNG.slice(0, 30) }],
    ['a PNG whose first chunk is not its header', { png: renamedFirstChunk(PNG, 'IDAT') }],
  ])('refuses %s', (_name, patch) => {
    expect(AgentControlMessage.safeParse(shape(patch)).success).toBe(false);
  });

  it('reads the size from the PNG’s header, which is what a browser decodes it to', () => {
    expect(pngSize(PNG)).toEqual({ width: 16, height: 24 });
    expect(pngSize(png(16_384, 5600))).toEqual({ width: 16_384, height: 5600 });
    expect(png(16_384, 5600).length).toBeLessThanOrEqual(MAX_CURSOR_PNG_BASE64); // fits a message: the header is the check
    expect(pngSize('iVBORw0KGgo')).toBeNull();
    expect(pngSize('R0lGODlhAQABAAAAACw=R0lGODlhAQABAAAAACw=')).toBeNull();
    expect(AgentControlMessage.parse(shape({ width: 128, height: 128, png: png(128, 128) }))).toMatchObject({
      image: { width: 128, height: 128 },
    });
  });

  it('refuses a shape without its image field', () => {
    expect(AgentControlMessage.safeParse({ type: 'cursorShape' }).success).toBe(false);
  });
});

describe('cursor images by id (after the helper’s cursorCache)', () => {
  it('names an image with an id and refers to it later; the helper asks with cursorCache', () => {
    const named = { type: 'cursorShape', image, id: 2 ** 48 - 1 };
    expect(AgentControlMessage.parse(named)).toEqual(named);
    expect(AgentControlMessage.parse({ type: 'cursorShapeRef', id: 7 })).toEqual({ type: 'cursorShapeRef', id: 7 });
    expect(HelperControlMessage.parse({ type: 'cursorCache' })).toEqual({ type: 'cursorCache' });
  });

  it.each([
    ['an id for no image', { type: 'cursorShape', image: null, id: 3 }],
    ['a negative id', { type: 'cursorShape', image, id: -1 }],
    ['an id over 48 bits', { type: 'cursorShapeRef', id: 2 ** 48 }],
    ['a fractional id', { type: 'cursorShapeRef', id: 1.5 }],
    ['a reference without an id', { type: 'cursorShapeRef' }],
  ])('refuses %s', (_name, message) => {
    expect(AgentControlMessage.safeParse(message).success).toBe(false);
  });

  it('refuses a cursorCache with anything in it', () => {
    expect(HelperControlMessage.safeParse({ type: 'cursorCache', size: 10 }).success).toBe(false);
  });
});
