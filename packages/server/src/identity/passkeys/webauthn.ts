/**
 * @module identity/passkeys/webauthn
 * What registration and sign-in share: who we are to an authenticator (the relying party: its ID
 * is the public URL's host name, the only origin we accept is the public URL's), the reasons a
 * WebAuthn answer is refused with the sentence a person reads for each, and a stored passkey as
 * the API shows it. Verification itself is `@simplewebauthn/server`'s.
 */
import type { Passkey } from '@remote-help/protocol';
import type { UserPasskeysTable } from '../../db/schema.js';

export interface RelyingParty {
  /** The RP ID: the public URL's host name (a browser refuses an IP address here; use a DNS name). */
  id: string;
  /** The one origin answers may come from. */
  origin: string;
  name: string;
}

export function relyingPartyOf(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin, name: 'Remote Help' };
}

/** Why a WebAuthn answer was refused. */
export type PasskeyRefusal =
  | 'malformed'
  | 'challenge'
  | 'origin'
  | 'rp_id'
  | 'unknown_credential'
  | 'other_account'
  | 'user_verification'
  | 'counter'
  | 'signature'
  | 'already_added'
  | 'disabled';

/** What the person reads for each refusal. */
export const REFUSAL_TEXT: Record<PasskeyRefusal, string> = {
  malformed: 'Your browser did not answer with a passkey. Try again.',
  challenge: 'This passkey request expired or was already used. Try again.',
  origin: 'This passkey answer was made for another website.',
  rp_id: 'This passkey belongs to another website.',
  unknown_credential: 'This passkey is not registered with Remote Help. Sign in with your password.',
  other_account: 'This passkey belongs to another account.',
  user_verification: 'Your passkey did not verify that it is you (PIN or biometrics). Try again.',
  counter:
    'This passkey’s signature counter went backwards, so it may have been copied. It was not accepted; ask your administrator.',
  signature: 'The passkey’s signature is not valid.',
  already_added: 'This passkey is already added.',
  disabled: 'Your account is disabled. Contact your administrator.',
};

/** Maps an error of `@simplewebauthn/server` to a refusal (its messages are the only signal it gives). */
export function refusalOf(error: unknown): PasskeyRefusal {
  const message = error instanceof Error ? error.message : String(error);
  if (/counter value/i.test(message)) return 'counter';
  if (/origin/i.test(message)) return 'origin';
  if (/RP ID/i.test(message)) return 'rp_id';
  if (/challenge/i.test(message)) return 'challenge';
  if (/user verification|could not be verified|not present/i.test(message)) return 'user_verification';
  if (/signature/i.test(message)) return 'signature';
  return 'malformed';
}

/** A stored passkey as the person and administrators see it. */
export function presentPasskey(row: UserPasskeysTable): Passkey {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    transports: parseTransports(row.transports),
    synced: row.device_type === 'multiDevice',
  };
}

export function parseTransports(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
