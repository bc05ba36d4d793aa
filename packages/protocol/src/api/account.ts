/**
 * @module api/account
 * The signed-in person's own security info (multi-factor authentication with an authenticator
 * app, their password, signing out everywhere) and what an administrator (`users.manage`)
 * may do about another person's: reset their multi-factor authentication, sign them out.
 * Everything here concerns the embedded provider's local accounts.
 */
import { z } from 'zod';
import { endpoint, IdParams } from './contract.js';

const tag = 'Security info';

/** Passwords: at least this long (NIST SP 800-63B allows 8; we ask for 12) and not a common one. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
/** How many single-use recovery codes an enrollment gives. */
export const RECOVERY_CODE_COUNT = 10;

/** A 6-digit code of an authenticator app, or a recovery code (`xxxxx-xxxxx`); spaces are ignored. */
export const MfaCode = z
  .string()
  .max(32)
  .transform((s) => s.replace(/\s+/g, ''))
  .pipe(z.string().min(6).max(16));

/** `GET /api/v1/me/security`: what protects the signed-in person's account. */
export const SecurityInfo = z.object({
  mfa: z.object({
    /** An authenticator app is set up: sign-in asks for its code after the password. */
    enabled: z.boolean(),
    confirmedAt: z.string().nullable(),
    /** Unused recovery codes left (0 without multi-factor authentication). */
    recoveryCodesLeft: z.number().int().min(0),
  }),
  /** The account signs in with a password of the embedded provider. */
  hasPassword: z.boolean(),
  passwordPolicy: z.object({ minLength: z.number().int(), commonPasswordsRefused: z.boolean() }),
});
export type SecurityInfo = z.infer<typeof SecurityInfo>;

/** `POST /api/v1/me/mfa/enrollment` → the new secret, to add to an authenticator app. */
export const MfaEnrollment = z.object({
  /** Base32 (RFC 4648) secret, for typing it in by hand. */
  secret: z.string(),
  /** `otpauth://totp/…` (SHA-1, 6 digits, 30 s): what the QR code holds. */
  otpauthUri: z.string(),
  /** The QR code of `otpauthUri` as an `data:image/svg+xml;base64,…` URL. */
  qrCode: z.string(),
});
export type MfaEnrollment = z.infer<typeof MfaEnrollment>;

/**
 * `password`: needed when the code replaces an authenticator already confirmed (a stolen cookie
 * must not swap the account's second factor for its own and wipe the recovery codes).
 */
export const ConfirmMfaRequest = z.strictObject({
  code: MfaCode,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH).optional(),
});
export type ConfirmMfaRequest = z.input<typeof ConfirmMfaRequest>;

/** Recovery codes, shown once (only their HMACs are kept). */
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodes = z.infer<typeof RecoveryCodes>;

/** Removing one's own multi-factor authentication needs the password again (a stolen cookie cannot). */
export const RemoveMfaRequest = z.strictObject({ password: z.string().min(1).max(PASSWORD_MAX_LENGTH) });
export type RemoveMfaRequest = z.input<typeof RemoveMfaRequest>;

export const ChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  newPassword: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH),
});
export type ChangePasswordRequest = z.input<typeof ChangePasswordRequest>;

export const getMySecurityInfo = endpoint({
  name: 'getMySecurityInfo',
  method: 'GET',
  path: '/api/v1/me/security',
  summary: 'The signed-in person’s security info: multi-factor authentication, recovery codes left, password rules',
  tag,
  status: 200,
  response: SecurityInfo,
  caller: 'user',
  command: false,
});

export const startMfaEnrollment = endpoint({
  name: 'startMfaEnrollment',
  method: 'POST',
  path: '/api/v1/me/mfa/enrollment',
  summary: 'Starts setting up an authenticator app: a new secret, its otpauth URI and QR code',
  description:
    'The secret counts only once confirmed with a first code (`confirmMfaEnrollment`); an authenticator already set up keeps working until then.',
  tag,
  body: z.strictObject({}),
  bodyOptional: true,
  status: 200,
  response: MfaEnrollment,
  caller: 'user',
  command: true,
});

export const confirmMfaEnrollment = endpoint({
  name: 'confirmMfaEnrollment',
  method: 'POST',
  path: '/api/v1/me/mfa/enrollment/confirm',
  summary: 'Confirms the authenticator app with its first code; answers 10 recovery codes once',
  tag,
  body: ConfirmMfaRequest,
  status: 200,
  response: RecoveryCodes,
  caller: 'user',
  command: true,
});

export const removeMyMfa = endpoint({
  name: 'removeMyMfa',
  method: 'POST',
  path: '/api/v1/me/mfa/remove',
  summary: 'Removes the signed-in person’s authenticator app and recovery codes (password required)',
  tag,
  body: RemoveMfaRequest,
  status: 204,
  response: null,
  caller: 'user',
  command: true,
});

export const changeMyPassword = endpoint({
  name: 'changeMyPassword',
  method: 'POST',
  path: '/api/v1/me/password',
  summary: 'Changes the signed-in person’s password (the password policy applies)',
  description: `At least ${PASSWORD_MIN_LENGTH} characters and not one of the common passwords of leaked password lists.`,
  tag,
  body: ChangePasswordRequest,
  status: 204,
  response: null,
  caller: 'user',
  command: true,
});

const MANAGE_USERS = { all: ['users.manage'], denied: 'Your role does not allow you to manage users.' } as const;

export const resetUserMfa = endpoint({
  name: 'resetUserMfa',
  method: 'POST',
  path: '/api/v1/users/:id/mfa/reset',
  summary: 'Removes a person’s authenticator app and recovery codes, so they set it up again',
  tag,
  params: IdParams,
  body: z.strictObject({}),
  bodyOptional: true,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_USERS,
  command: true,
});

export const signOutUserEverywhere = endpoint({
  name: 'signOutUserEverywhere',
  method: 'POST',
  path: '/api/v1/users/:id/sign-out',
  summary: 'Signs a person out everywhere: every browser session and every token of the Remote Help app',
  tag,
  params: IdParams,
  body: z.strictObject({}),
  bodyOptional: true,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_USERS,
  command: true,
});

export const signOutEverywhere = endpoint({
  name: 'signOutEverywhere',
  method: 'POST',
  path: '/api/v1/me/sign-out-everywhere',
  summary: 'Ends the signed-in person’s other sign-ins: other browsers and the Remote Help app’s tokens',
  description:
    'This browser’s session stays; the web app then signs it out with `POST /auth/logout`, so that the person is signed out everywhere.',
  tag,
  body: z.strictObject({}),
  bodyOptional: true,
  status: 204,
  response: null,
  caller: 'user',
  command: true,
});
