/**
 * @module channelCodec
 * The JSON text (and packed pointer moves) of the `input` and `control` data channels. Every outgoing message is
 * checked against its protocol schema first, so the helper never sends something the
 * agent would reject; every incoming `control` message is parsed with
 * `AgentControlMessage` and anything else is ignored.
 */
import { AgentControlMessage, HelperControlMessage } from '@remote-help/protocol';

/** The wire form of an `input` message (in the protocol package, which the agent's tests share). */
export { encodeInput } from '@remote-help/protocol';

/** Longest `control` message either side sends or accepts (the agent's own limit). */
export const MAX_CONTROL_MESSAGE_LENGTH = 1024;
/** Longest `control` message accepted from the agent (a list of 16 displays fits easily). */
const MAX_AGENT_MESSAGE_LENGTH = 16 * 1024;

/** The wire text of a helper `control` message, or null when it breaks the protocol. */
export function encodeControl(message: HelperControlMessage): string | null {
  const parsed = HelperControlMessage.safeParse(message);
  if (!parsed.success) return null;
  const text = JSON.stringify(parsed.data);
  return text.length <= MAX_CONTROL_MESSAGE_LENGTH ? text : null;
}

/** One message from the agent on the `control` channel, or null when it is not a valid one. */
export function decodeAgentControl(data: unknown): AgentControlMessage | null {
  if (typeof data !== 'string' || data.length > MAX_AGENT_MESSAGE_LENGTH) return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = AgentControlMessage.safeParse(value);
  return parsed.success ? parsed.data : null;
}
