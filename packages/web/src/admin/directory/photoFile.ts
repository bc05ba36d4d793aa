/**
 * @module admin/directory/photoFile
 * Reads a picture the administrator chose into the base64 the upload endpoint takes. Only the
 * size is checked here (a file over the limit is not sent at all); what the file really is,
 * the server decides from its content.
 */
import { PHOTO_MAX_BYTES } from '@remote-help/protocol';
import { ApiError } from '../../common/api';

/** What `readPhotoFile` needs of a `File`. */
export interface PhotoFileLike {
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Standard base64 of `bytes` (no `data:` prefix), in chunks so a 5 MB file does not overflow the stack. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The file as base64, or `image_too_large` (as the server would say) when it is over the limit. */
export async function readPhotoFile(file: PhotoFileLike): Promise<string> {
  if (file.size > PHOTO_MAX_BYTES) {
    throw new ApiError('image_too_large', 'The picture is larger than 5 MB.', { data: { bytes: file.size } });
  }
  return toBase64(new Uint8Array(await file.arrayBuffer()));
}
