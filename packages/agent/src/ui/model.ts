/**
 * @module ui/model
 * What the agent window shows (`UiState`, sent whole on every change) and what it may
 * ask for (`UiCommand`, validated with zod before anything runs). `UiController` is the
 * agent behind the window; the UI server knows nothing else about it.
 */
import { ChatClientId, ChatText, SessionMode, type EndReason, type MessagePart } from '@remote-help/protocol';
import { z } from 'zod';

/** The screen the window shows. */
export type UiScreen =
  | 'starting'
  | 'signedOut'
  | 'signingIn'
  | 'launch'
  | 'enterCode'
  | 'joining'
  | 'trust'
  | 'request'
  | 'sharing'
  | 'ended';

/** The helper as shown on the trust screen. */
export interface UiPerson {
  displayName: string;
  jobTitle: string | null;
  company: string | null;
  email: string;
  tenantName: string;
  /** The email domain when the organization proved it by DNS (the only "Verified" badge). */
  verifiedDomain: string | null;
  /** The email domain when the organization's administrator only asserted it (said so, never "verified"). */
  assertedDomain: string | null;
  /** Whether `/api/photo` has a picture. */
  hasPhoto: boolean;
}

/** An error to show, by code (the page translates codes with the string table). */
export interface UiError {
  code: string;
  retryAfterSeconds: number | null;
}

/** Everything the window renders. */
export interface UiState {
  screen: UiScreen;
  server: string;
  account: { name: string | null; email: string | null } | null;
  helper: UiPerson | null;
  /** A request waiting for the user's answer. */
  request: SessionMode | null;
  /** The mode in force while sharing. */
  mode: SessionMode | null;
  /** Whether helper input reaches this device right now. */
  controlActive: boolean;
  /** Whether Ctrl+Alt+Shift+S is active. */
  hotkey: boolean;
  /** The sharer paused sharing (Resume continues without a new Allow). */
  paused: boolean;
  /** The shared display went away; the agent waits for it to come back. */
  displayLost: boolean;
  /** Helper input cannot be injected any more (the display was lost), until the agent restarts. */
  inputUnavailable: boolean;
  /** The agent rejoined a session it had left when it stopped (full control needs a new Allow). */
  rejoined: boolean;
  media: 'none' | 'starting' | 'connecting' | 'connected' | 'reconnecting' | 'failed';
  /** The connection check to compare with the helper's (`connectionCheck` in the protocol), once negotiated. */
  connectionCheck: string | null;
  /** Normalized laser position on the shared display, or null. */
  laser: { x: number; y: number } | null;
  endReason: EndReason | null;
  error: UiError | null;
  busy: boolean;
  /** Changes whenever `/api/preview` has a newer picture (0: none). */
  previewVersion: number;
  /** Changes whenever `/api/chat` has news (0: no chat to show: none yet, or the organization turned it off). */
  chatVersion: number;
  /**
   * An administrator removed this device from the organization (its enrollment was revoked):
   * no helper can start a session on it any more; help with a security code still works.
   */
  deviceRevoked: { organization: string; seenAt: string } | null;
}

/** One message of the chat as the window shows it (`GET /api/chat`). */
export interface UiChatMessage {
  /** `seq` of a stored message, or the client id of one not stored yet. */
  key: string;
  /** Stored messages only (0 otherwise). */
  seq: number;
  clientId: string;
  mine: boolean;
  /** The sender's display name (empty for one's own: the page says "You"). */
  name: string;
  /** The text as sent, in pieces: addresses shown with their target visible (`chatDisplay`). */
  parts: MessagePart[];
  /** When it was stored (or typed, while not stored yet), ISO 8601. */
  at: string;
  state: 'sent' | 'sending' | 'failed';
  /** Why a failed message failed (an error code of the string table). */
  error: string | null;
}

/** The session's chat in the window. */
export interface UiChat {
  /** The session ended: the thread only, no box to write in. */
  readOnly: boolean;
  loaded: boolean;
  /** The helper's display name. */
  peerName: string;
  messages: UiChatMessage[];
  peerTyping: boolean;
}

/** A security code as typed: spaces and dashes ignored, exactly 8 digits. */
export const TypedCode = z
  .string()
  .max(32)
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{8}$/, 'must be 8 digits'));

/** Commands the window sends (`POST /api/command`). */
export const UiCommand = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('signIn') }),
  z.strictObject({ type: z.literal('cancelSignIn') }),
  z.strictObject({ type: z.literal('signOut') }),
  z.strictObject({ type: z.literal('redeem'), code: TypedCode }),
  /** `mode`: the request the user saw; a different pending request is not answered. */
  z.strictObject({ type: z.literal('respond'), allow: z.boolean(), mode: SessionMode }),
  z.strictObject({ type: z.literal('stopControl') }),
  /** Pause sharing (nothing leaves the device, no input) and resume it. */
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('resume') }),
  z.strictObject({ type: z.literal('leave') }),
  z.strictObject({ type: z.literal('newSession') }),
  /** Remote launch: join the session a helper started on this device (signing in first if needed). */
  z.strictObject({ type: z.literal('acceptLaunch') }),
  z.strictObject({ type: z.literal('dismissLaunch') }),
  /** Chat: send a message exactly as typed; send a failed one again or drop it; typing or stopped. */
  z.strictObject({ type: z.literal('chatSend'), text: ChatText }),
  z.strictObject({ type: z.literal('chatRetry'), clientId: ChatClientId }),
  z.strictObject({ type: z.literal('chatDiscard'), clientId: ChatClientId }),
  z.strictObject({ type: z.literal('chatTyping'), typing: z.boolean() }),
]);
/** One validated command. */
export type UiCommand = z.infer<typeof UiCommand>;

/** A picture for the window. */
export interface UiImage {
  contentType: string;
  body: Uint8Array;
}

/** A small RGBA copy of the shared screen. */
export interface UiPreview {
  width: number;
  height: number;
  /** RGBA, `width × height × 4` bytes. */
  rgba: Uint8Array;
}

/** The agent as the window sees it. */
export interface UiController {
  state(): UiState;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Runs a command; failures show up as `state().error`, so this rejects only on bugs. */
  command(command: UiCommand): Promise<void>;
  helperPhoto(): Promise<UiImage | null>;
  preview(): UiPreview | null;
  /** The session's chat, or null when there is none to show. */
  chat(): UiChat | null;
}
