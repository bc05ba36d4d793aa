/**
 * @module control
 * Messages on the `control` data channel between the helper's remote view and the
 * native agent (ordered, reliable, JSON). Positions are normalized video coordinates
 * in [0, 1] of the display being shared.
 */
import { z } from 'zod';

const Unit = z.number().finite().min(0).max(1);

/** One display of the sharer's device. */
export const DisplayInfo = z.object({
  id: z.string().max(64),
  name: z.string().max(128),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  primary: z.boolean(),
});
export type DisplayInfo = z.infer<typeof DisplayInfo>;

/** Most pixels on a side of a cursor image (large accessibility cursors are 128). */
export const MAX_CURSOR_SIDE = 128;
/** Longest PNG of a cursor image, in base64 characters (the message must stay under the helper's 16 KiB). */
export const MAX_CURSOR_PNG_BASE64 = 15_000;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** What every PNG starts with: its signature, then its header chunk's length (13) and type. */
const PNG_START = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

/**
 * The size a base64 PNG's header chunk (IHDR, which must come first) gives: what a browser decodes
 * it to, whatever size a message says. Null when the text does not start with a PNG's signature and
 * header. Reads the first 32 characters (24 bytes) only.
 */
export function pngSize(base64: string): { width: number; height: number } | null {
  if (base64.length < 32) return null;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 4) {
    let word = 0;
    for (let k = 0; k < 4; k++) {
      const value = BASE64.indexOf(base64.charAt(i + k));
      if (value < 0) return null;
      word = (word << 6) | value;
    }
    bytes.push((word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
  }
  if (PNG_START.some((byte, i) => bytes[i] !== byte)) return null;
  const u32 = (at: number) =>
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0;
  return { width: u32(16), height: u32(20) };
}

/**
 * The sharer's pointer as it looks now: a PNG (RGBA, straight alpha) of `width × height`
 * pixels whose hot spot (the pixel that points) is at (`hotX`, `hotY`). The PNG's own header
 * must say the same size: the browser decodes it at that size (a PNG of 16384 × 5600 pixels fits
 * in 15 KB, and decodes to 350 MiB).
 */
export const CursorImage = z
  .strictObject({
    width: z.number().int().min(1).max(MAX_CURSOR_SIDE),
    height: z.number().int().min(1).max(MAX_CURSOR_SIDE),
    hotX: z.number().int().min(0),
    hotY: z.number().int().min(0),
    png: z
      .string()
      .max(MAX_CURSOR_PNG_BASE64)
      .regex(/^iVBORw0KGgo[A-Za-z0-9+/]*={0,2}$/, 'a base64 PNG'),
  })
  .refine((image) => image.hotX < image.width && image.hotY < image.height, 'the hot spot is outside the image')
  .refine((image) => {
    const size = pngSize(image.png);
    return size !== null && size.width === image.width && size.height === image.height;
  }, 'the PNG is not of the size given');
export type CursorImage = z.infer<typeof CursorImage>;

/**
 * The agent's name for a cursor image the helper may keep (48 bits of a hash of the image), so that
 * an image seen before goes again as a few bytes (`cursorShapeRef`): an animated cursor (a busy
 * spinner) cycles through the same few dozen frames, each a PNG of 1–3 KB, up to 20 times a second,
 * and programs make a new cursor of the same look again and again (a text caret).
 */
export const CursorImageId = z
  .number()
  .int()
  .min(0)
  .max(2 ** 48 - 1);

/**
 * Images the agent assumes the helper keeps since its last `cursorCache`: the agent starts again
 * from none (sending whole images) once it has named this many. The helper keeps twice as many,
 * dropping the oldest, so every image the agent may name is still there.
 */
export const CURSOR_IMAGE_CACHE = 64;

/** Helper → agent. */
export const HelperControlMessage = z.discriminatedUnion('type', [
  /**
   * The helper keeps cursor images by id from now on, and has none the agent named before: the
   * agent sends ids with new images and refers to those it sent since (`cursorShapeRef`). Sent when
   * the channel opens, and again when a reference names an image the helper does not have.
   */
  z.strictObject({ type: z.literal('cursorCache') }),
  /** The laser pointer is at (x, y); the agent draws a marker the sharer sees. */
  z.strictObject({ type: z.literal('laser'), x: Unit, y: Unit }),
  /** The laser pointer left the view or was switched off. */
  z.strictObject({ type: z.literal('laserOff') }),
  /** Share another display. */
  z.strictObject({ type: z.literal('selectDisplay'), id: z.string().max(64) }),
]);
export type HelperControlMessage = z.infer<typeof HelperControlMessage>;

/** Agent → helper. */
export const AgentControlMessage = z.discriminatedUnion('type', [
  /** The displays there are and the one being shared (sent on open and on change). */
  z.object({ type: z.literal('displays'), displays: z.array(DisplayInfo).max(16), current: z.string() }),
  /** Where the sharer's mouse pointer is (the captured picture does not contain it). */
  z.object({ type: z.literal('cursor'), x: Unit, y: Unit }),
  /**
   * What the sharer's pointer looks like now (sent when it changes: a text caret over text, a
   * hand over a link). `null`: no image to send (the helper draws its own arrow).
   */
  z
    .object({
      type: z.literal('cursorShape'),
      image: CursorImage.nullable(),
      /** Only after the helper's `cursorCache`: keep the image under this id. */
      id: CursorImageId.optional(),
    })
    .refine((message) => message.image !== null || message.id === undefined, 'an id names an image'),
  /** The pointer looks like the image sent before under `id` (after the helper's `cursorCache` only). */
  z.object({ type: z.literal('cursorShapeRef'), id: CursorImageId }),
  /** Whether the agent currently injects the helper's input (full control allowed locally). */
  z.object({ type: z.literal('controlState'), active: z.boolean() }),
]);
export type AgentControlMessage = z.infer<typeof AgentControlMessage>;
