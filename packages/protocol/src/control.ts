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

/**
 * The sharer's pointer as it looks now: a PNG (RGBA, straight alpha) of `width × height`
 * pixels whose hot spot (the pixel that points) is at (`hotX`, `hotY`).
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
  .refine((image) => image.hotX < image.width && image.hotY < image.height, 'the hot spot is outside the image');
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
