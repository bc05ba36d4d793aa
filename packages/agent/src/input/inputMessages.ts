/**
 * @module input/inputMessages
 * Parses messages of the `input` data channel (helper → agent). The schemas live in
 * `@remote-help/protocol` so the helper app and the agent share one definition.
 * Anything that does not match exactly is rejected with
 * `AgentError('invalid_input_message')` and never injected.
 */
import {
  describeIssues,
  InputMessage,
  MAX_INPUT_MESSAGE_LENGTH,
  PACKED_MOVE_BYTES,
  PACKED_MOVE_TAG,
  unpackPointerMove,
} from '@remote-help/protocol';
import { AgentError } from '../errors.js';

export {
  InputMessage,
  KeyMessage,
  MAX_INPUT_MESSAGE_LENGTH,
  Modifiers,
  PointerButtonMessage,
  PointerMoveMessage,
  ReleaseAllMessage,
  TextMessage,
  WheelMessage,
} from '@remote-help/protocol';
export type { InputMessageInput } from '@remote-help/protocol';

/**
 * Parses one raw data-channel message: a JSON string, its UTF-8 bytes, or a packed pointer
 * move (protocol `packPointerMove`), which the same schema then checks.
 * Throws `AgentError('invalid_input_message')` with a short list of issues.
 */
export function parseInputMessage(raw: unknown): InputMessage {
  let value: unknown;
  if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) {
    const bytes =
      raw instanceof ArrayBuffer ? new Uint8Array(raw) : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    if (bytes[0] === PACKED_MOVE_TAG) {
      value = unpackPointerMove(bytes);
      if (value === null) throw invalid(`a packed pointer move is ${PACKED_MOVE_BYTES} bytes`);
    } else {
      if (bytes.byteLength > MAX_INPUT_MESSAGE_LENGTH * 3) throw invalid('message too large');
      value = parseJson(new TextDecoder().decode(bytes));
    }
  } else if (typeof raw === 'string') value = parseJson(raw);
  else throw invalid('message must be text');
  const result = InputMessage.safeParse(value);
  if (!result.success) {
    const issues = describeIssues(result.error);
    throw invalid(issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  return result.data;
}

function parseJson(text: string): unknown {
  if (text.length > MAX_INPUT_MESSAGE_LENGTH) throw invalid('message too large');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('message is not JSON');
  }
}

function invalid(detail: string, data?: Record<string, unknown>): AgentError {
  return new AgentError('invalid_input_message', `Invalid input message: ${detail}`, data);
}
