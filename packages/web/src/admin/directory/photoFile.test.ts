import { describe, expect, it } from 'vitest';
import { PHOTO_MAX_BYTES } from '@remote-help/protocol';
import { ApiError } from '../../common/api';
import { readPhotoFile, toBase64 } from './photoFile';

describe('photoFile', () => {
  it('encodes bytes as standard base64, also beyond one chunk', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(toBase64(new Uint8Array([0xfb, 0xff]))).toBe('+/8=');
  });

  it('refuses a file over the limit without reading it', async () => {
    let read = false;
    const big = {
      size: PHOTO_MAX_BYTES + 1,
      arrayBuffer: () => {
        read = true;
        return Promise.resolve(new ArrayBuffer(0));
      },
    };
    const error = await readPhotoFile(big).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('image_too_large');
    expect(read).toBe(false);
    const small = new Uint8Array([1, 2, 3]);
    expect(await readPhotoFile({ size: 3, arrayBuffer: () => Promise.resolve(small.buffer) })).toBe('AQID');
  });
});
