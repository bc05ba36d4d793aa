/**
 * @module input
 * Messages on the `input` data channel (helper → native agent), one JSON object per
 * message. The helper's remote view writes them; the agent parses each one with
 * `InputMessage` and injects nothing that does not match exactly.
 *
 * The helper numbers its messages (`seq`, from 1 per connection) and sends each one twice:
 * on `input` (ordered, reliable) and on `input-fast` (unordered, never retransmitted).
 * The agent injects each number once, in order, from whichever copy arrives first: on a
 * lossy network a click no longer waits for SCTP's retransmission timeout (hundreds of
 * milliseconds) unless both copies are lost. Messages without `seq` are injected as they
 * come (the reliable channel alone keeps them in order).
 *
 * A pointer move may also go as 13 bytes instead of its JSON text (about 75 characters, and
 * each goes twice): {@link packPointerMove}. Only to an agent that opened its input channels
 * with the protocol {@link PACKED_INPUT_PROTOCOL}; an older agent reads JSON only. On a
 * 2 Mbit/s link each byte of a move is 4 µs of the move's way to the desktop.
 */
import { z } from 'zod';

/** Largest message accepted, in UTF-16 code units of the raw JSON text. */
export const MAX_INPUT_MESSAGE_LENGTH = 2048;

/** A normalized video coordinate; slightly outside [0, 1] is tolerated and clamped later. */
const Coordinate = z.number().finite().min(-1).max(2);
const Delta = z.number().finite().min(-10_000).max(10_000);
/** The helper's number for a message, from 1 on each connection. */
const Seq = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31)
  .optional();

/** The data channel that carries the second, unreliable copy of each input message. */
export const INPUT_FAST_CHANNEL = 'input-fast';

/**
 * The data-channel protocol (`RTCDataChannel.protocol`) of an agent's `input` and `input-fast`
 * channels when the agent also reads packed pointer moves on them.
 */
export const PACKED_INPUT_PROTOCOL = 'remote-help.input; packed-moves';
/** First byte of a packed pointer move: never the first byte of JSON text. */
export const PACKED_MOVE_TAG = 0x01;
/** Length of a packed pointer move: tag, `seq` (u32, 0 for none), x and y (float32), little-endian. */
export const PACKED_MOVE_BYTES = 13;

/** Pointer moved to (x, y) in normalized video coordinates of the shared display. */
export const PointerMoveMessage = z.strictObject({
  type: z.literal('pointerMove'),
  x: Coordinate,
  y: Coordinate,
  seq: Seq,
});

/** Button pressed or released (DOM `MouseEvent.button`: 0 left, 1 middle, 2 right), optionally at a position. */
export const PointerButtonMessage = z.strictObject({
  type: z.literal('pointerButton'),
  button: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  down: z.boolean(),
  x: Coordinate.optional(),
  y: Coordinate.optional(),
  seq: Seq,
});

/** Wheel deltas as in DOM `WheelEvent` (positive `dy` scrolls down); `mode` is its `deltaMode`. */
export const WheelMessage = z.strictObject({
  type: z.literal('wheel'),
  dx: Delta,
  dy: Delta,
  mode: z.enum(['pixel', 'line', 'page']).default('pixel'),
  seq: Seq,
});

/** Modifier flags as the helper's browser saw them with the key event. */
export const Modifiers = z.strictObject({ shift: z.boolean(), ctrl: z.boolean(), alt: z.boolean(), meta: z.boolean() });

/** Key pressed or released, by `KeyboardEvent.code`. */
export const KeyMessage = z.strictObject({
  type: z.literal('key'),
  code: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be a KeyboardEvent.code'),
  down: z.boolean(),
  modifiers: Modifiers,
  seq: Seq,
});

/** Longest `text` of one text message, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 256;

/**
 * Text to type on the sharer's desktop, whatever their keyboard layout has: characters
 * the helper's layout or input method produced that a key event by `code` would not
 * (accents, dead keys, IME compositions, emoji), or "paste as keystrokes".
 */
export const TextMessage = z.strictObject({
  type: z.literal('text'),
  text: z.string().min(1).max(MAX_TEXT_LENGTH),
  seq: Seq,
});

/** Release every key and button (the helper's window lost focus, the helper left…). */
export const ReleaseAllMessage = z.strictObject({ type: z.literal('releaseAll'), seq: Seq });

export const InputMessage = z.discriminatedUnion('type', [
  PointerMoveMessage,
  PointerButtonMessage,
  WheelMessage,
  KeyMessage,
  TextMessage,
  ReleaseAllMessage,
]);
/** One parsed `input` message. */
export type InputMessage = z.infer<typeof InputMessage>;
/** What a sender writes (defaults may be omitted). */
export type InputMessageInput = z.input<typeof InputMessage>;

/**
 * The 13 bytes of a pointer move (see {@link PACKED_MOVE_BYTES}). The caller validates the
 * message first; x and y go as float32 (about 1e-7 of the display's side: far below a pixel).
 */
export function packPointerMove(message: { x: number; y: number; seq?: number | undefined }): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(PACKED_MOVE_BYTES);
  const view = new DataView(bytes.buffer);
  bytes[0] = PACKED_MOVE_TAG;
  view.setUint32(1, message.seq ?? 0, true);
  view.setFloat32(5, message.x, true);
  view.setFloat32(9, message.y, true);
  return bytes;
}

/**
 * What goes on the wire for an `input` message: its JSON text, or, with `packMoves` (the agent
 * opened its channel with {@link PACKED_INPUT_PROTOCOL}), a pointer move's 13 bytes; null when
 * it breaks the protocol (it must not be sent). The helper app and the agent's test viewer both
 * write through it.
 */
export function encodeInput(message: InputMessageInput, packMoves = false): string | Uint8Array<ArrayBuffer> | null {
  const parsed = InputMessage.safeParse(message);
  if (!parsed.success) return null;
  if (packMoves && parsed.data.type === 'pointerMove') return packPointerMove(parsed.data);
  const text = JSON.stringify(parsed.data);
  return text.length <= MAX_INPUT_MESSAGE_LENGTH ? text : null;
}

/**
 * The message in a packed pointer move, still to be validated with {@link InputMessage}
 * (a NaN or out-of-range coordinate, or a `seq` over 2^31, fails there); null when the bytes
 * are not one (wrong tag or length).
 */
export function unpackPointerMove(
  bytes: Uint8Array,
): { type: 'pointerMove'; x: number; y: number; seq?: number } | null {
  if (bytes.byteLength !== PACKED_MOVE_BYTES || bytes[0] !== PACKED_MOVE_TAG) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seq = view.getUint32(1, true);
  const move = { type: 'pointerMove' as const, x: view.getFloat32(5, true), y: view.getFloat32(9, true) };
  return seq === 0 ? move : { ...move, seq };
}
