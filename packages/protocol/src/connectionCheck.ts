/**
 * @module connectionCheck
 * The *connection check*: a number both people see during a session, equal on both sides only when
 * nobody sits between their two ends. The media and data channels are DTLS between the helper's
 * browser and the sharer's agent or browser; each end proves its certificate in the handshake
 * against the fingerprint the other side's SDP announced (`a=fingerprint:`), and the SDP travels
 * through the server. A server (or whoever controls it) that rewrote both fingerprints could
 * terminate DTLS twice and see every frame; each side's connection would still look encrypted.
 * Each side computes the check from the fingerprint it announced and the one it received, so the
 * two numbers match when the fingerprints reached each side unchanged. The people compare them
 * aloud (they are usually on the phone already, having passed the security code).
 *
 * Twelve digits (40 bits): there is no commitment step, so someone in the middle could try
 * certificates until one gives their two sides the same number; at 10^12 tries for one session,
 * each a new key pair, that is far out of reach while a person waits for a connection.
 */

/** The check of a connection whose two ends announced fingerprints `a` and `b` (either order). */
export async function connectionCheckCode(a: string, b: string): Promise<string> {
  const [first, second] = [a, b].sort();
  const text = `remote-help/connection-check/1\n${first}\n${second}`;
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  // 48 bits of the hash, reduced to 12 decimal digits (the bias, 2^48 mod 10^12 over 2^48, is below 0.1 %).
  let value = 0n;
  for (const byte of digest.subarray(0, 6)) value = (value << 8n) | BigInt(byte);
  const digits = (value % 1_000_000_000_000n).toString().padStart(12, '0');
  return `${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8)}`;
}

/**
 * The DTLS certificate fingerprint an SDP announces (`a=fingerprint:sha-256 AB:CD:…`, session or
 * first media level), as `sha-256 AB:CD:…` (algorithm lower case, hex upper case), or null.
 */
export function sdpFingerprint(sdp: string): string | null {
  const match = /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m.exec(sdp);
  if (!match?.[1] || !match[2]) return null;
  return `${match[1].toLowerCase()} ${match[2].toUpperCase()}`;
}

/**
 * The check of a negotiated connection from its two descriptions (the local one this side
 * announced, the remote one it received), or null while either is missing or carries no
 * fingerprint.
 */
export async function connectionCheckOf(
  local: { sdp: string } | null | undefined,
  remote: { sdp: string } | null | undefined,
): Promise<string | null> {
  const mine = local ? sdpFingerprint(local.sdp) : null;
  const theirs = remote ? sdpFingerprint(remote.sdp) : null;
  if (!mine || !theirs) return null;
  return connectionCheckCode(mine, theirs);
}
