/**
 * @module sessions
 * The Remote Help session as participants see it, and the REST bodies that move it.
 */
import { z } from 'zod';
import { Id, PersonCard } from './people.js';

/** Lifecycle: waiting → joined → requested → active → ended. */
export const SESSION_STATES = ['waiting', 'joined', 'requested', 'active', 'ended'] as const;
export const SessionState = z.enum(SESSION_STATES);
export type SessionState = z.infer<typeof SessionState>;

/** Why a session ended. */
export const END_REASONS = [
  'helper_left',
  'sharer_left',
  'declined',
  'code_expired',
  'connection_lost',
  'revoked',
  'terminated_by_admin',
] as const;
export const EndReason = z.enum(END_REASONS);
export type EndReason = z.infer<typeof EndReason>;

/** `view`: screen sharing only. `control`: full control of mouse and keyboard (native agent only). */
export const SessionMode = z.enum(['view', 'control']);
export type SessionMode = z.infer<typeof SessionMode>;

/** Which app the sharer uses. Full control needs the native agent. */
export const SharerClient = z.enum(['web', 'agent']);
export type SharerClient = z.infer<typeof SharerClient>;

/** Which side of a session someone is on. */
export const Role = z.enum(['helper', 'sharer']);
export type Role = z.infer<typeof Role>;

/** A session as one of its two participants sees it. */
export const SessionView = z.object({
  id: Id,
  state: SessionState,
  /** The caller's side in this session. */
  role: Role,
  helper: PersonCard,
  /** Null until the sharer has redeemed the code. */
  sharer: PersonCard.nullable(),
  sharerClient: SharerClient.nullable(),
  /** The mode in force while active (null before). */
  mode: SessionMode.nullable(),
  /** A mode the helper asked for that the sharer has not answered yet. */
  pendingMode: SessionMode.nullable(),
  /** When the security code stops working (ISO 8601); null once redeemed. */
  codeExpiresAt: z.string().nullable(),
  /** Whether the other side currently has a live connection. */
  peerOnline: z.boolean(),
  endReason: EndReason.nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  /** The enrolled device the session runs on, when known (remote launch, or an enrolled agent). */
  device: z.object({ id: Id, name: z.string() }).nullable(),
  /** Grows with every change of state or mode: of two views of a session, the higher is newer. */
  version: z.number().int().nonnegative(),
});
export type SessionView = z.infer<typeof SessionView>;

/** `POST /api/v1/sessions` → 201. The code is shown once, to the helper only. */
export const CreateSessionResponse = z.object({ session: SessionView, code: z.string().regex(/^\d{8}$/) });
export type CreateSessionResponse = z.infer<typeof CreateSessionResponse>;

/** `POST /api/v1/sessions/redeem`: the sharer enters the 8-digit code. Spaces and dashes are ignored. */
export const RedeemCodeRequest = z.strictObject({
  code: z
    .string()
    .max(32)
    .transform((s) => s.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{8}$/, 'must be 8 digits')),
  client: SharerClient.default('web'),
});
export type RedeemCodeRequest = z.input<typeof RedeemCodeRequest>;

/** `POST /api/v1/sessions/:id/request`: the helper asks for a mode. */
export const RequestModeRequest = z.strictObject({ mode: SessionMode });
export type RequestModeRequest = z.infer<typeof RequestModeRequest>;

/** `POST /api/v1/sessions/:id/respond`: the sharer allows or declines the pending request. */
export const RespondRequest = z.strictObject({ allow: z.boolean() });
export type RespondRequest = z.infer<typeof RespondRequest>;

/** `{ session }`: the reply of every session command. */
export const SessionResponse = z.object({ session: SessionView });
export type SessionResponse = z.infer<typeof SessionResponse>;
