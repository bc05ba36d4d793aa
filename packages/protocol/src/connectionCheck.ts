/**
 * @module connectionCheck
 * The *connection check*: a number both people see during a session, equal on both sides only when
 * nobody sits between their two ends. The media and data channels are DTLS between the helper's
 * browser and the sharer's agent or browser; each end proves its certificate in the handshake
 * against the fingerprint the other side's SDP announced (`a=fingerprint:`), and the SDP travels
 * through the server. A server (or whoever controls it) that rewrote both fingerprints could
 * terminate DTLS twice and see every frame; each side's connection would still look encrypted.
 * Each side computes the check from the two certificates its DTLS handshake used — its own and
 * the one the other end proved (`connectionCheckOfPeer`, from the connection's statistics) — so
 * the two numbers match only when both handshakes were with each other. The people compare them
 * aloud (they are usually on the phone already, having passed the security code).
 *
 * The check is never taken from the SDP: a description may carry several `a=fingerprint` lines
 * (session level, each media level), and which one a handshake is checked against is the WebRTC
 * stack's business. Until session 44 the check read the first line of the applied descriptions,
 * which libwebrtc writes back with the bundled transport's fingerprint in every case tried
 * (docs/security.md, N46); it now reads the handshake itself, so that it holds whatever a
 * description says and however a stack writes it.
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

/** A certificate fingerprint as `sha-256 AB:CD:…` (algorithm lower case, hex upper case), or null if it is none. */
function fingerprintText(algorithm: unknown, fingerprint: unknown): string | null {
  if (typeof algorithm !== 'string' || typeof fingerprint !== 'string') return null;
  if (!/^[A-Za-z0-9-]{1,16}$/.test(algorithm) || !/^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){15,63}$/.test(fingerprint))
    return null;
  return `${algorithm.toLowerCase()} ${fingerprint.toUpperCase()}`;
}

/** What `RTCPeerConnection.getStats()` resolves to, as far as it is read here (browsers and wrtc alike). */
export interface StatsLike {
  values(): Iterable<unknown>;
}

/**
 * The certificates a connection's DTLS handshake used, from its statistics: the `transport` whose
 * `dtlsState` is `connected` names its local and remote `certificate` entries, which carry their
 * fingerprints. Null until the handshake is done, and when the statistics show more than one
 * connected transport with different certificates (never with the bundled transport every end
 * here negotiates: nothing is checked rather than one of them).
 */
export function handshakeFingerprints(stats: StatsLike): { local: string; remote: string } | null {
  const entries = new Map<string, Record<string, unknown>>();
  const transports: Record<string, unknown>[] = [];
  for (const value of stats.values()) {
    if (typeof value !== 'object' || value === null) continue;
    const entry = value as Record<string, unknown>;
    if (typeof entry['id'] === 'string') entries.set(entry['id'], entry);
    if (entry['type'] === 'transport' && entry['dtlsState'] === 'connected') transports.push(entry);
  }
  let found: { local: string; remote: string } | null = null;
  for (const transport of transports) {
    const certificate = (key: string) => {
      const id = transport[key];
      const entry = typeof id === 'string' ? entries.get(id) : undefined;
      return entry?.['type'] === 'certificate'
        ? fingerprintText(entry['fingerprintAlgorithm'], entry['fingerprint'])
        : null;
    };
    const local = certificate('localCertificateId');
    const remote = certificate('remoteCertificateId');
    if (!local || !remote) return null;
    if (found && (found.local !== local || found.remote !== remote)) return null;
    found = { local, remote };
  }
  return found;
}

/** Every certificate fingerprint a description announces (session and media level), in the spelling above. */
export function sdpFingerprints(sdp: string): string[] {
  const found: string[] = [];
  for (const match of sdp.matchAll(/^a=fingerprint:(\S+) (\S+?)\s*$/gm)) {
    const text = fingerprintText(match[1], match[2]);
    if (text) found.push(text);
  }
  return found;
}

/** How often, and how far apart (ms), `connectionCheckOfPeer` reads the statistics before it gives up. */
const STATS_TRIES = 15;
const STATS_WAIT_MS = 200;

/**
 * The check of a connection once its handshake is done (call it after each negotiation and when
 * the state becomes `connected`). The statistics name the handshake's certificates a moment after
 * the state changes on some builds, and after a renegotiation with a new peer (a helper who
 * reloaded) they still show the last handshake for a while: they are read again (every 200 ms,
 * for 3 s) until the certificate the other end proved is one the current remote description
 * announces. The check is still the handshake's, never the description's: the description only
 * tells which handshake is current. Null after 3 s, and as soon as `current` says the connection
 * is no longer the one to check.
 */
export async function connectionCheckOfPeer(
  pc: { getStats(): Promise<StatsLike>; readonly remoteDescription: { sdp: string } | null },
  current: () => boolean = () => true,
): Promise<string | null> {
  for (let attempt = 0; attempt < STATS_TRIES && current(); attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, STATS_WAIT_MS));
    let stats: StatsLike;
    try {
      stats = await pc.getStats();
    } catch {
      return null; // closed meanwhile
    }
    const used = handshakeFingerprints(stats);
    if (!used || !sdpFingerprints(pc.remoteDescription?.sdp ?? '').includes(used.remote)) continue;
    const check = await connectionCheckCode(used.local, used.remote);
    return current() ? check : null;
  }
  return null;
}

/**
 * One end's check across its negotiations: `update` after each negotiation and whenever the
 * state becomes `connected` works out the current handshake's check (`connectionCheckOfPeer`)
 * and hands it to `emit`. A later update supersedes one still waiting for the statistics, and
 * nothing is emitted once `current` says the connection is no longer the one to check.
 */
export class ConnectionCheckWatch {
  private run = 0;

  constructor(private readonly emit: (check: string) => void) {}

  async update(pc: Parameters<typeof connectionCheckOfPeer>[0], current: () => boolean = () => true): Promise<void> {
    const run = ++this.run;
    const latest = () => run === this.run && current();
    const check = await connectionCheckOfPeer(pc, latest);
    if (check && latest()) this.emit(check);
  }
}
