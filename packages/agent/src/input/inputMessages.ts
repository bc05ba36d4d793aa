/**
 * @module input/inputMessages
 * Messages on the `input` data channel (helper → agent), one JSON object per message.
 * Anything that does not match exactly is rejected with
 * `AgentError('invalid_input_message')` and never injected.
 *
 * The helper web app sends these; the schema should move to `@remote-help/protocol`
 * once the web side is written, so both ends share one definition.
 */
import { describeIssues } from '@remote-help/protocol';
import { z } from 'zod';
import { AgentError } from '../errors.js';

/** Largest message accepted, in UTF-16 code units of the raw JSON text. */
export const MAX_INPUT_MESSAGE_LENGTH = 2048;

/** A normalized video coordinate; slightly outside [0, 1] is tolerated and clamped later. */
const Coordinate = z.number().finite().min(-1).max(2);
const Delta = z.number().finite().min(-10_000).max(10_000);

/** Pointer moved to (x, y) in normalized video coordinates of the shared display. */
export const PointerMoveMessage = z.strictObject({ type: z.literal('pointerMove'), x: Coordinate, y: Coordinate });

/** Button pressed or released (DOM `MouseEvent.button`: 0 left, 1 middle, 2 right), optionally at a position. */
export const PointerButtonMessage = z.strictObject({
  type: z.literal('pointerButton'),
  button: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  down: z.boolean(),
  x: Coordinate.optional(),
  y: Coordinate.optional(),
});

/** Wheel deltas as in DOM `WheelEvent` (positive `dy` scrolls down); `mode` is its `deltaMode`. */
export const WheelMessage = z.strictObject({
  type: z.literal('wheel'),
  dx: Delta,
  dy: Delta,
  mode: z.enum(['pixel', 'line', 'page']).default('pixel'),
});

/** Modifier flags as the helper's browser saw them with the key event. */
export const Modifiers = z.strictObject({ shift: z.boolean(), ctrl: z.boolean(), alt: z.boolean(), meta: z.boolean() });

/** Key pressed or released, by `KeyboardEvent.code`. */
export const KeyMessage = z.strictObject({
  type: z.literal('key'),
  code: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be a KeyboardEvent.code'),
  down: z.boolean(),
  modifiers: Modifiers,
});

/** Text to type as key strokes (e.g. "paste as keystrokes"). */
export const TextMessage = z.strictObject({ type: z.literal('text'), text: z.string().min(1).max(256) });

/** Release every key and button (the helper's window lost focus, the helper left…). */
export const ReleaseAllMessage = z.strictObject({ type: z.literal('releaseAll') });

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
 * Parses one raw data-channel message (a JSON string, or its UTF-8 bytes).
 * Throws `AgentError('invalid_input_message')` with a short list of issues.
 */
export function parseInputMessage(raw: unknown): InputMessage {
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) {
    const bytes =
      raw instanceof ArrayBuffer ? new Uint8Array(raw) : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    if (bytes.byteLength > MAX_INPUT_MESSAGE_LENGTH * 3) throw invalid('message too large');
    text = new TextDecoder().decode(bytes);
  } else throw invalid('message must be text');
  if (text.length > MAX_INPUT_MESSAGE_LENGTH) throw invalid('message too large');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('message is not JSON');
  }
  const result = InputMessage.safeParse(value);
  if (!result.success) {
    const issues = describeIssues(result.error);
    throw invalid(issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  return result.data;
}

function invalid(detail: string, data?: Record<string, unknown>): AgentError {
  return new AgentError('invalid_input_message', `Invalid input message: ${detail}`, data);
}
