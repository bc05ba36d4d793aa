/**
 * @module input/inputMessages
 * Parses messages of the `input` data channel (helper → agent). The schemas live in
 * `@remote-help/protocol` so the helper app and the agent share one definition.
 * Anything that does not match exactly is rejected with
 * `AgentError('invalid_input_message')` and never injected.
 */
import { describeIssues, InputMessage, MAX_INPUT_MESSAGE_LENGTH } from '@remote-help/protocol';
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
