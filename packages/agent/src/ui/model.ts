/**
 * @module ui/model
 * What the agent window shows (`UiState`, sent whole on every change) and what it may
 * ask for (`UiCommand`, validated with zod before anything runs). `UiController` is the
 * agent behind the window; the UI server knows nothing else about it.
 */
import { SessionMode, type EndReason } from '@remote-help/protocol';
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
  verifiedDomain: string | null;
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
  media: 'none' | 'starting' | 'connecting' | 'connected' | 'failed';
  /** Normalized laser position on the shared display, or null. */
  laser: { x: number; y: number } | null;
  endReason: EndReason | null;
  error: UiError | null;
  busy: boolean;
  /** Changes whenever `/api/preview` has a newer picture (0: none). */
  previewVersion: number;
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
  z.strictObject({ type: z.literal('leave') }),
  z.strictObject({ type: z.literal('newSession') }),
  /** Remote launch: join the session a helper started on this device (signing in first if needed). */
  z.strictObject({ type: z.literal('acceptLaunch') }),
  z.strictObject({ type: z.literal('dismissLaunch') }),
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
}
