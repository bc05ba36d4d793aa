/**
 * @module errors
 * The one error type of the agent: `AgentError`, carrying a closed `reason` so callers
 * branch on a code, never on a message. Factories name the common cases.
 */

/** Every reason an agent operation can fail. */
export const AGENT_ERROR_REASONS = [
  /** No platform adapter for this operating system. */
  'unsupported_platform',
  /** A native module the adapter needs is not installed or failed to load. */
  'native_module_missing',
  /** The OS refused a permission (macOS Screen Recording / Accessibility). */
  'permission_denied',
  /** No connection to the display server (no `DISPLAY`, server gone). */
  'display_unavailable',
  /**
   * The desktop session runs Wayland: the X display is XWayland, whose root window is not the desktop (read
   * through shared memory it is all black, X11 windows included), so the helper would see black, and input
   * would reach only X11 windows.
   */
  'wayland_session',
  /** The display id asked for does not exist. */
  'display_not_found',
  /** Reading pixels failed, or the pixel format is not supported. */
  'capture_failed',
  /** Input cannot be injected here (no XTEST extension, no input backend). */
  'input_unavailable',
  /** A `KeyboardEvent.code` with no entry in the key map. */
  'unknown_key',
  /** A key the local keyboard layout cannot produce; injecting it could crash the X client library. */
  'key_unavailable',
  /** An `input` data-channel message that does not match the schema. */
  'invalid_input_message',
  /** WebRTC negotiation or transport failed. */
  'rtc_failed',
  /** No usable sign-in: never signed in, signed out, or the refresh token was refused. */
  'signin_required',
  /** The sign-in flow failed (IdP error, wrong state, exchange refused) or timed out. */
  'signin_failed',
  /** The user cancelled the sign-in flow. */
  'signin_cancelled',
  /** The server could not be reached, or answered with something that is not the API. */
  'network_error',
  /** A bad command-line flag, server URL or setting. */
  'invalid_argument',
  /** The browser (system or app window) could not be started. */
  'browser_unavailable',
  /** The device file is missing fields or not JSON. */
  'device_file_invalid',
  /** This machine has not enrolled (run `remote-help-agent enroll`). */
  'not_enrolled',
  /** The server refused the enrollment (bad token, rate limit…). */
  'enrollment_failed',
  /**
   * An administrator revoked this device's enrollment: the server refuses its proofs for good
   * (`device_revoked`). The agent forgets the enrollment (`devices/revocation.ts`); it can be
   * enrolled again with a new token.
   */
  'device_revoked',
] as const;

/** Why an agent operation failed. */
export type AgentErrorReason = (typeof AGENT_ERROR_REASONS)[number];

/** A failure with a machine-readable reason and optional safe details. */
export class AgentError extends Error {
  readonly reason: AgentErrorReason;
  readonly data: Record<string, unknown> | undefined;

  constructor(
    reason: AgentErrorReason,
    message: string,
    data?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AgentError';
    this.reason = reason;
    this.data = data;
  }

  static unknownKey(code: string): AgentError {
    return new AgentError('unknown_key', `No key mapping for KeyboardEvent.code ${JSON.stringify(code.slice(0, 40))}`, {
      code: code.slice(0, 40),
    });
  }

  static waylandSession(): AgentError {
    return new AgentError(
      'wayland_session',
      'This desktop session runs Wayland: its X display is XWayland, which shows only X11 windows. Share from a ' +
        'web browser, or sign in to an Xorg session.',
    );
  }

  /** The server refused the device's proof because its enrollment was revoked (`message`: the server's words). */
  static deviceRevoked(message: string): AgentError {
    return new AgentError('device_revoked', message, { status: 403, code: 'device_revoked' });
  }

  static nativeModuleMissing(moduleName: string, cause: unknown): AgentError {
    return new AgentError(
      'native_module_missing',
      `The native module ${moduleName} is not installed or could not be loaded; install it for this platform.`,
      { module: moduleName },
      { cause },
    );
  }
}

/** True when `error` is an `AgentError`, optionally with the given reason. */
export function isAgentError(error: unknown, reason?: AgentErrorReason): error is AgentError {
  return error instanceof AgentError && (reason === undefined || error.reason === reason);
}
