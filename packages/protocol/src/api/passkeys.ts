/**
 * @module api/passkeys
 * Passkeys (WebAuthn) of the embedded provider's accounts: the signed-in person adds one
 * (options from the server, the browser's `navigator.credentials.create()`, its response back),
 * lists, renames and removes their own; an administrator (`users.manage`) sees someone's and
 * removes them all. Signing in with a passkey happens on the provider's own pages (`/signin/*`),
 * outside this contract. The WebAuthn shapes are the JSON forms of WebAuthn Level 3
 * (`PublicKeyCredentialCreationOptionsJSON`, `RegistrationResponseJSON`).
 */
import { z } from 'zod';
import { endpoint, IdParams } from './contract.js';
import { PASSWORD_MAX_LENGTH } from './account.js';

const tag = 'Security info';

/** A browser session that signed in this recently may add a passkey without its password again. */
export const PASSKEY_RECENT_SIGN_IN_MINUTES = 10;
/** A challenge (registration or sign-in) counts once, for this long. */
export const PASSKEY_CHALLENGE_MINUTES = 5;
/** At most this many passkeys per person. */
export const PASSKEYS_PER_USER_MAX = 20;
export const PASSKEY_NAME_MAX = 64;

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'base64url');

/** The transports an authenticator may name (WebAuthn `AuthenticatorTransport`). */
export const PasskeyTransport = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
export type PasskeyTransport = z.infer<typeof PasskeyTransport>;

/** A passkey's name as the person gives it (trimmed; not empty). */
export const PasskeyName = z.string().trim().min(1, 'a name').max(PASSKEY_NAME_MAX);

/** One passkey as the person and the administrator see it (never its key). */
export const Passkey = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  transports: z.array(z.string()),
  /** Synced between devices (a multi-device credential, e.g. iCloud Keychain, Google Password Manager). */
  synced: z.boolean(),
});
export type Passkey = z.infer<typeof Passkey>;

/** `GET /api/v1/me/passkeys`. */
export const MyPasskeys = z.object({
  passkeys: z.array(Passkey),
  /** Adding a passkey works for accounts with a Remote Help password only (not federated ones). */
  canAdd: z.boolean(),
  /** This browser did not sign in within the last minutes: adding a passkey asks for the password. */
  passwordRequired: z.boolean(),
});
export type MyPasskeys = z.infer<typeof MyPasskeys>;

/** `GET /api/v1/users/:id/passkeys` (administrators). */
export const UserPasskeys = z.object({ passkeys: z.array(Passkey) });
export type UserPasskeys = z.infer<typeof UserPasskeys>;

export const StartPasskeyRegistrationRequest = z.strictObject({
  /** Needed when this browser's sign-in is not recent (`MyPasskeys.passwordRequired`). */
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH).optional(),
});
export type StartPasskeyRegistrationRequest = z.input<typeof StartPasskeyRegistrationRequest>;

const CredentialDescriptor = z.object({
  id: base64url(1024),
  type: z.literal('public-key'),
  transports: z.array(PasskeyTransport).optional(),
});

/** `PublicKeyCredentialCreationOptionsJSON`: what the browser's `navigator.credentials.create()` gets. */
export const PasskeyCreationOptions = z.object({
  rp: z.object({ name: z.string(), id: z.string().optional() }),
  user: z.object({ id: base64url(128), name: z.string(), displayName: z.string() }),
  challenge: base64url(128),
  pubKeyCredParams: z.array(z.object({ alg: z.number().int(), type: z.literal('public-key') })),
  timeout: z.number().int().optional(),
  excludeCredentials: z.array(CredentialDescriptor).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
      residentKey: z.enum(['discouraged', 'preferred', 'required']).optional(),
      requireResidentKey: z.boolean().optional(),
      userVerification: z.enum(['discouraged', 'preferred', 'required']).optional(),
    })
    .optional(),
  hints: z.array(z.enum(['hybrid', 'security-key', 'client-device'])).optional(),
  attestation: z.enum(['none', 'indirect', 'direct', 'enterprise']).optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
});
export type PasskeyCreationOptions = z.infer<typeof PasskeyCreationOptions>;

/** `RegistrationResponseJSON`: what `navigator.credentials.create()` made, as JSON. */
export const PasskeyRegistrationResponse = z.object({
  id: base64url(1024),
  rawId: base64url(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(32_768),
    authenticatorData: base64url(16_384).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(4096).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  /** Extension outputs: only `credProps` is kept (none are asked for; others are dropped). */
  clientExtensionResults: z.object({ credProps: z.object({ rk: z.boolean().optional() }).optional() }),
});
export type PasskeyRegistrationResponse = z.infer<typeof PasskeyRegistrationResponse>;

/**
 * `AuthenticationResponseJSON`: what `navigator.credentials.get()` gave, as JSON. The sign-in
 * pages post it in a form field (`credential`); it is not part of any endpoint's body.
 */
export const PasskeyAuthenticationResponse = z.object({
  id: base64url(1024),
  rawId: base64url(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(16_384),
    signature: base64url(2048),
    userHandle: base64url(256).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  /** Extension outputs: only `credProps` is kept (none are asked for; others are dropped). */
  clientExtensionResults: z.object({ credProps: z.object({ rk: z.boolean().optional() }).optional() }),
});
export type PasskeyAuthenticationResponse = z.infer<typeof PasskeyAuthenticationResponse>;

export const FinishPasskeyRegistrationRequest = z.strictObject({
  name: PasskeyName,
  response: PasskeyRegistrationResponse,
});
export type FinishPasskeyRegistrationRequest = z.input<typeof FinishPasskeyRegistrationRequest>;

export const RenamePasskeyRequest = z.strictObject({ id: IdParams.shape.id, name: PasskeyName });
export type RenamePasskeyRequest = z.input<typeof RenamePasskeyRequest>;

export const RemovePasskeyRequest = z.strictObject({ id: IdParams.shape.id });
export type RemovePasskeyRequest = z.input<typeof RemovePasskeyRequest>;

export const listMyPasskeys = endpoint({
  name: 'listMyPasskeys',
  method: 'GET',
  path: '/api/v1/me/passkeys',
  summary: 'The signed-in person’s passkeys, and whether adding one asks for the password',
  tag,
  status: 200,
  response: MyPasskeys,
  caller: 'user',
  command: false,
});

export const startPasskeyRegistration = endpoint({
  name: 'startPasskeyRegistration',
  method: 'POST',
  path: '/api/v1/me/passkeys/registration',
  summary: 'Starts adding a passkey: the options for the browser’s navigator.credentials.create()',
  description: `Needs a recent sign-in of this browser (${PASSKEY_RECENT_SIGN_IN_MINUTES} minutes) or the password. The challenge counts once, for ${PASSKEY_CHALLENGE_MINUTES} minutes.`,
  tag,
  body: StartPasskeyRegistrationRequest,
  bodyOptional: true,
  status: 200,
  response: PasskeyCreationOptions,
  caller: 'user',
  command: true,
});

export const finishPasskeyRegistration = endpoint({
  name: 'finishPasskeyRegistration',
  method: 'POST',
  path: '/api/v1/me/passkeys',
  summary: 'Adds the passkey the browser made (its attestation is verified against the challenge, origin and RP ID)',
  tag,
  body: FinishPasskeyRegistrationRequest,
  status: 201,
  response: Passkey,
  caller: 'user',
  command: true,
});

export const renameMyPasskey = endpoint({
  name: 'renameMyPasskey',
  method: 'POST',
  path: '/api/v1/me/passkeys/rename',
  summary: 'Renames one of the signed-in person’s passkeys',
  tag,
  body: RenamePasskeyRequest,
  status: 200,
  response: Passkey,
  caller: 'user',
  command: true,
});

export const removeMyPasskey = endpoint({
  name: 'removeMyPasskey',
  method: 'POST',
  path: '/api/v1/me/passkeys/remove',
  summary: 'Removes one of the signed-in person’s passkeys',
  tag,
  body: RemovePasskeyRequest,
  status: 204,
  response: null,
  caller: 'user',
  command: true,
});

const MANAGE_USERS = { all: ['users.manage'], denied: 'Your role does not allow you to manage users.' } as const;

export const listUserPasskeys = endpoint({
  name: 'listUserPasskeys',
  method: 'GET',
  path: '/api/v1/users/:id/passkeys',
  summary: 'A person’s passkeys (names and dates, never keys)',
  tag,
  params: IdParams,
  status: 200,
  response: UserPasskeys,
  caller: 'user',
  permission: MANAGE_USERS,
  command: false,
});

export const removeUserPasskeys = endpoint({
  name: 'removeUserPasskeys',
  method: 'POST',
  path: '/api/v1/users/:id/passkeys/remove',
  summary: 'Removes every passkey of a person (a lost or stolen device)',
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
