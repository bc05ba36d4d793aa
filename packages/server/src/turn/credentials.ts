/**
 * @module turn/credentials
 * TURN REST API credentials (draft-uberti-behave-turn-rest, coturn `use-auth-secret`):
 * the username is `<expiry unix seconds>:<who>` and the password is
 * base64(HMAC-SHA1(shared secret, username)). coturn recomputes the HMAC with its
 * `static-auth-secret` and refuses a username whose expiry has passed, so nothing is stored
 * and no long-lived password ever reaches a client. coturn checks the expiry when an
 * allocation is made; a running allocation is not cut when it passes.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '@remote-help/protocol';

export interface TurnSettings {
  urls: string[];
  secret: string;
  ttlSeconds: number;
}

/** The password coturn expects for `username` under `secret`. */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** A minted TURN REST credential; `expiresAt` in unix seconds. */
export interface TurnCredential {
  username: string;
  credential: string;
  expiresAt: number;
}

/**
 * One credential valid until `now + ttlSeconds` for `who`: one id, or several (a session and
 * a participant) joined by `:`. coturn reads the expiry before the first `:`; ids never
 * contain one, so the parts stay apart.
 */
export function mintTurnCredential(
  settings: TurnSettings,
  who: string | readonly string[],
  nowMs: number,
): TurnCredential {
  const parts = typeof who === 'string' ? [who] : who;
  if (parts.length === 0 || parts.some((part) => part === '' || part.includes(':')))
    throw new Error('a TURN user id must be non-empty and must not contain ":"');
  const expiresAt = Math.floor(nowMs / 1000) + settings.ttlSeconds;
  const username = [String(expiresAt), ...parts].join(':');
  return { username, credential: turnPassword(settings.secret, username), expiresAt };
}

/**
 * The ICE servers one connection gets: the static ones (`ICE_SERVERS`, STUN or a TURN the
 * administrator manages) followed by the configured TURN URLs with a freshly minted credential.
 */
export function iceServersFor(
  staticServers: readonly IceServer[],
  turn: TurnSettings | null,
  who: string | readonly string[],
  nowMs: number,
): IceServer[] {
  if (!turn) return [...staticServers];
  const { username, credential } = mintTurnCredential(turn, who, nowMs);
  return [...staticServers, { urls: turn.urls, username, credential }];
}
