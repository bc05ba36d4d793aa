/**
 * @module ui/strings
 * Every text of the agent window, in one English table. The page receives the table
 * as JSON and fills `{name}` placeholders itself; nothing in it is HTML.
 */
import type { EndReason } from '@remote-help/protocol';

/** The English strings of the agent window. */
export const STRINGS = {
  appName: 'Remote Help',
  loading: 'Starting…',
  disconnected: 'The Remote Help app has stopped. You can close this window.',

  signInTitle: 'Sign in to get help',
  signInText: 'Sign in with your work account at {server} to share your screen with a help desk person.',
  signIn: 'Sign in',
  signingInTitle: 'Continue in your browser',
  signingInText: 'Finish signing in in the browser window that opened, then come back here.',
  cancel: 'Cancel',
  signedInAs: 'Signed in as {name}',
  signOut: 'Sign out',

  codeTitle: 'Enter security code',
  codeText: 'Enter the 8-digit security code the person helping you gave you.',
  codeLabel: 'Security code',
  codeHint: '8 digits',
  submit: 'Submit',
  codeInvalidFormat: 'The security code has 8 digits.',
  joining: 'Checking the code…',

  launchTitle: '{name} from {company} wants to help you',
  launchText: 'Open Remote Help to connect. You decide what they can see or do before anything is shared.',
  openRemoteHelp: 'Open Remote Help',
  dismiss: 'Dismiss',

  trustTitle: 'You are connected to',
  verified: 'Verified: {domain}',
  asserted: 'Domain asserted by the administrator: {domain}',
  unverified: 'Unverified: this person’s email domain is not verified by {tenant}.',
  waitingForRequest: 'Waiting for {name} to ask to see your screen…',
  onlyIfYouTrust: 'Only share your screen with someone you trust.',

  requestView: '{name} wants to see your screen',
  requestControl: '{name} wants to take full control of your mouse and keyboard',
  requestControlDetail: 'They will be able to use your mouse and keyboard. You can take control back at any time.',
  allow: 'Allow',
  decline: 'Decline',

  sharingBar: 'You are sharing your screen with {name}',
  stopSharing: 'Stop sharing',
  stopControl: 'Stop control',
  modeView: '{name} can see your screen.',
  modeControl: '{name} can use your mouse and keyboard.',
  controlPaused: 'Full control is paused on this device.',
  hotkeyHint: 'Press Ctrl+Alt+Shift+S at any time to stop control.',
  connecting: 'Connecting to {name}…',
  reconnecting: 'The network changed. Reconnecting to {name}…',
  connectionProblem: 'The connection to {name} is having trouble. Retrying…',
  pause: 'Pause',
  resume: 'Resume',
  pausedTitle: 'Sharing is paused',
  pausedText: '{name} cannot see your screen or use your mouse and keyboard until you resume.',
  displayLostTitle: 'Your screen is not available',
  displayLostText:
    'The display being shared went away. {name} has been told; sharing resumes by itself when the display is back.',
  inputUnavailable: 'Full control is unavailable until Remote Help is restarted (the display was restarted).',
  rejoined: 'Remote Help restarted and rejoined your session with {name}. Full control needs your Allow again.',
  previewLabel: 'Preview of your shared screen',
  laserAt: 'Laser pointer at {x} % across, {y} % down',
  laserOff: 'Laser pointer: off',
  leave: 'Leave',

  chatTitle: 'Chat',
  chatMessages: 'Messages',
  chatEmpty: 'No messages yet. You can write to {name} here.',
  chatLoading: 'Loading messages…',
  chatYou: 'You',
  chatSent: 'Sent',
  chatSending: 'Sending…',
  chatFailed: 'Not sent.',
  chatRetry: 'Retry',
  chatDiscard: 'Discard',
  chatTyping: '{name} is typing…',
  chatAnnounce: 'New message from {name}: {text}',
  chatReadOnly: "The session has ended. The conversation is kept with the session's history.",
  chatMessage: 'Message',
  chatPlaceholder: 'Enter sends, Shift+Enter starts a new line',
  chatSend: 'Send',

  endedTitle: 'The session ended',
  newSession: 'Start a new session',
  endReasons: {
    helper_left: '{name} ended the session.',
    sharer_left: 'You ended the session.',
    declined: 'You declined the request.',
    code_expired: 'The security code expired.',
    connection_lost: 'The connection was lost.',
    revoked: 'The session was stopped.',
    terminated_by_admin: 'An administrator ended the session.',
    out_of_scope: "This helper's role does not cover you, so the session ended. Ask your IT administrator.",
  } satisfies Record<EndReason, string>,

  errors: {
    generic: 'Something went wrong. Try again.',
    code_invalid: 'That code is not valid. Check the digits and try again.',
    code_expired: 'That code has expired. Ask for a new one.',
    code_used: 'That code was already used. Ask for a new one.',
    code_own_session: 'You cannot join your own session.',
    rate_limited: 'Too many attempts. Try again in {seconds} seconds.',
    validation_failed: 'The security code has 8 digits.',
    tenant_disabled: 'Remote Help is turned off for your organization.',
    unenrolled_not_allowed:
      'Your organization allows Remote Help only on devices it manages, and this device is not enrolled. Ask your IT department to enroll it.',
    out_of_scope: "This helper's role does not cover you. Ask your IT administrator, or ask for another helper.",
    forbidden: 'You are not allowed to do that.',
    session_ended: 'The session has already ended.',
    invalid_transition: 'The session changed meanwhile. Try again.',
    network_error: 'Cannot reach the Remote Help server. Check your connection.',
    signin_required: 'Sign in again to continue.',
    signin_failed: 'Sign-in did not complete. Try again.',
    signin_cancelled: 'Sign-in was cancelled.',
    not_found: 'The request to help you is no longer there.',
    browser_unavailable: 'No web browser could be opened for sign-in.',
    chat_disabled: 'Your organization has turned chat off.',
    message_empty: 'Type a message before sending it.',
    message_too_long: 'This message is too long. A message can have at most 4,000 characters.',
    chat_malformed: 'This message contains control characters or broken characters that cannot be sent.',
  } as Record<string, string>,
} as const;

/** The type of the string table. */
export type Strings = typeof STRINGS;
