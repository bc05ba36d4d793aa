/**
 * @module sessions
 * The Remote Help session as participants see it, and the REST bodies that move it.
 */
import { z } from 'zod';
import { ComplianceState, FailingRule } from './compliance.js';
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
  'out_of_scope',
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

/**
 * What the sharer's device is doing with the picture while the session is active:
 * `pending` (nothing shared yet), `sharing`, `choosing` (the page was reloaded or the
 * share stopped, and the sharer is picking what to share again), `paused` (the sharer
 * paused: no pixels leave the device and no input is injected), `unavailable` (the
 * device cannot capture: its display went away or the screen is locked).
 */
export const SHARER_STATUSES = ['pending', 'sharing', 'choosing', 'paused', 'unavailable'] as const;
export const SharerStatus = z.enum(SHARER_STATUSES);
export type SharerStatus = z.infer<typeof SharerStatus>;

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
  /**
   * How the sharer is reached: `code`, the helper's security code, or `launch`, a remote launch
   * to an enrolled device that its user accepts there. Missing from older servers: read as `code`.
   */
  via: z.enum(['code', 'launch']).optional(),
  /** What the sharer's device does with the picture (meaningful while active). */
  sharerStatus: SharerStatus,
  /**
   * The helper's view only (null for the sharer, and before the sharer joins): whether the
   * sharer's device is enrolled in the organization and its compliance when the sharer joined,
   * as stored in the session record. A web sharer is always `enrolled: false`.
   */
  sharerDevice: z
    .object({
      enrolled: z.boolean(),
      deviceId: Id.nullable(),
      name: z.string().nullable(),
      compliance: ComplianceState.nullable(),
      failingRules: z.array(FailingRule),
    })
    .nullable()
    .optional(),
  /** Grows with every change of state, mode or sharer status: of two views of a session, the higher is newer. */
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

/**
 * `POST /api/v1/sessions/:id/sharer-status`: the sharer's app says what it does with the
 * picture. Only the sharer, only while the session is active. `paused` ⇄ `sharing` is the
 * sharer's pause and resume: no new request or Allow is needed to resume.
 */
export const SharerStatusRequest = z.strictObject({ status: SharerStatus.exclude(['pending']) });
export type SharerStatusRequest = z.infer<typeof SharerStatusRequest>;

/** `{ session }`: the reply of every session command. */
export const SessionResponse = z.object({ session: SessionView });
export type SessionResponse = z.infer<typeof SessionResponse>;

/** `GET /api/v1/sessions`: the caller's sessions as a helper that have not ended, newest first. */
export const SessionListResponse = z.object({ sessions: z.array(SessionView).max(100) });
export type SessionListResponse = z.infer<typeof SessionListResponse>;
