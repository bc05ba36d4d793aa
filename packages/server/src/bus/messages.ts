/**
 * @module bus/messages
 * What each bus topic carries, as a schema. The in-process bus hands over the publisher's
 * own objects; a message that crossed Redis is parsed again on receipt (another node, a
 * different version during a rolling upgrade, or anything else that can write to Redis)
 * and dropped, with a log line, when it does not match its topic.
 */
import { ChatMessage, DeviceServerMessage, PersonCard, Role, SignalPayload } from '@remote-help/protocol';
import { z } from 'zod';
import type { SessionRow } from '../sessions/repo.js';

const Id = z.string().min(1).max(64);

const Text = z.string().max(256);
const Stamp = z.string().max(64);

/** A `help_sessions` row as the node that wrote it read it back (`sessions/repo`); every column. */
const SessionRowSchema: z.ZodType<SessionRow> = z.object({
  id: Id,
  tenant_id: Id,
  helper_id: Id,
  sharer_id: Id.nullable(),
  code_hash: Text.nullable(),
  spent_code_hash: Text.nullable(),
  code_expires_at: Stamp.nullable(),
  state: Text,
  mode: Text.nullable(),
  pending_mode: Text.nullable(),
  sharer_client: Text.nullable(),
  device_id: Id.nullable(),
  end_reason: Text.nullable(),
  sharer_status: Text,
  sharer_enrolled: z.number().int().nullable(),
  sharer_compliance: Text.nullable(),
  sharer_failing_rules: z
    .string()
    .max(64 * 1024)
    .nullable(),
  version: z.number().int().nonnegative(),
  created_at: Stamp,
  joined_at: Stamp.nullable(),
  started_at: Stamp.nullable(),
  ended_at: Stamp.nullable(),
  updated_at: Stamp,
});

/**
 * `session:<id>`: the session's row changed (to `version`, when the publisher knows it), or a
 * side's presence did (`resync`: deliveries may have been missed). A change that crosses nodes
 * carries the row the publisher wrote and, when it could look them up, the session's two people
 * as their cards: a node that holds one of the session's sides presents them without reading the
 * row or the people again (`sessions/signaling`). Without them, or when they do not match their
 * schema (a node of another version during a rolling upgrade), the change still counts and the
 * receiving node loads the row as before: the carried parts are dropped, not the change.
 */
const SessionChange = z.object({
  type: z.enum(['changed', 'presence', 'resync']),
  id: Id.optional(),
  tenantId: Id.optional(),
  version: z.number().int().nonnegative().optional(),
  row: SessionRowSchema.optional().catch(undefined),
  people: z.object({ helper: PersonCard.nullable(), sharer: PersonCard.nullable() }).optional().catch(undefined),
});
export type SessionChange = z.infer<typeof SessionChange>;
/** `session:<id>:to:<role>`: a signaling payload for one side (`arrivedAt`: when the frame came in, `ops/observe`). */
const SignalEnvelope = z.object({ from: Role, payload: SignalPayload, arrivedAt: z.number().finite().optional() });
/** `session:<id>:chat`: a stored chat message. */
const ChatAnnouncement = z.object({ message: ChatMessage });
/** `session:<id>:typing`: one side's typing state. */
const TypingAnnouncement = z.object({ from: Role, typing: z.boolean() });
/**
 * `session:<id>:path`: a node settled the session's media path (`sessions/mediaWatch`): a side
 * reported it `up`, or the session has no path to lose (`none`). A node whose grace timer for a
 * `down` runs stops it. `node`: the announcing node's watch, which ignores its own.
 */
const PathSettled = z.object({ node: Id, state: z.enum(['up', 'none']) });
export type PathSettled = z.infer<typeof PathSettled>;

/**
 * `users:signins_ended`: some of a person's sign-ins were ended (signed out everywhere, disabled,
 * password reset or changed). Every node rechecks that person's open sockets; one topic for all,
 * since it is rare and a node holds the sockets of many people.
 */
export const SIGNINS_ENDED_TOPIC = 'users:signins_ended';
const SignInsEnded = z.object({ userId: Id });

const TOPICS: readonly { pattern: RegExp; schema: z.ZodType }[] = [
  { pattern: /^session:[^:]+$/, schema: SessionChange },
  { pattern: /^session:[^:]+:to:(helper|sharer)$/, schema: SignalEnvelope },
  { pattern: /^session:[^:]+:chat$/, schema: ChatAnnouncement },
  { pattern: /^session:[^:]+:typing$/, schema: TypingAnnouncement },
  { pattern: /^session:[^:]+:path$/, schema: PathSettled },
  { pattern: /^device:[^:]+$/, schema: DeviceServerMessage },
  { pattern: /^users:signins_ended$/, schema: SignInsEnded },
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
