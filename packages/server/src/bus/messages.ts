/**
 * @module bus/messages
 * What each bus topic carries, as a schema. The in-process bus hands over the publisher's
 * own objects; a message that crossed Redis is parsed again on receipt (another node, a
 * different version during a rolling upgrade, or anything else that can write to Redis)
 * and dropped, with a log line, when it does not match its topic.
 */
import { ChatMessage, DeviceServerMessage, Role, SignalPayload } from '@remote-help/protocol';
import { z } from 'zod';

const Id = z.string().min(1).max(64);

/**
 * `session:<id>`: the session's row changed (to `version`, when the publisher knows it), or a
 * side's presence did (`resync`: deliveries may have been missed).
 */
const SessionChange = z.object({
  type: z.enum(['changed', 'presence', 'resync']),
  id: Id.optional(),
  tenantId: Id.optional(),
  version: z.number().int().nonnegative().optional(),
});
export type SessionChange = z.infer<typeof SessionChange>;
/** `session:<id>:to:<role>`: a signaling payload for one side (`arrivedAt`: when the frame came in, `ops/observe`). */
const SignalEnvelope = z.object({ from: Role, payload: SignalPayload, arrivedAt: z.number().finite().optional() });
/** `session:<id>:chat`: a stored chat message. */
const ChatAnnouncement = z.object({ message: ChatMessage });
/** `session:<id>:typing`: one side's typing state. */
const TypingAnnouncement = z.object({ from: Role, typing: z.boolean() });

const TOPICS: readonly { pattern: RegExp; schema: z.ZodType }[] = [
  { pattern: /^session:[^:]+$/, schema: SessionChange },
  { pattern: /^session:[^:]+:to:(helper|sharer)$/, schema: SignalEnvelope },
  { pattern: /^session:[^:]+:chat$/, schema: ChatAnnouncement },
  { pattern: /^session:[^:]+:typing$/, schema: TypingAnnouncement },
  { pattern: /^device:[^:]+$/, schema: DeviceServerMessage },
];

export type BusCheck = { ok: true; message: unknown } | { ok: false; reason: string };

/** Parses a message received for `topic`; topics nobody declared here are refused. */
export function checkBusMessage(topic: string, message: unknown): BusCheck {
  const entry = TOPICS.find((t) => t.pattern.test(topic));
  if (!entry) return { ok: false, reason: 'unknown topic' };
  const parsed = entry.schema.safeParse(message);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]?.message ?? 'invalid' };
  return { ok: true, message: parsed.data };
}

/** What a `session:<id>` subscriber gets after the bus reconnected: reload, you may have missed changes. */
export const resyncMessage = (topic: string): unknown =>
  /^session:[^:]+$/.test(topic) ? { type: 'resync', id: topic.slice('session:'.length) } : undefined;
