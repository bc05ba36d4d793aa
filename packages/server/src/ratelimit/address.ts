/**
 * @module ratelimit/address
 * How every per-address limit keys a source address, in one place.
 * - IPv4: the address.
 * - IPv6: its /64. One subscriber (a home line, a phone, a cloud VM) is handed at least a /64,
 *   and rotating through its 2^64 addresses costs nothing, so a budget per full IPv6 address is
 *   no budget at all (RFC 6177, RFC 7421). Everyone on one /64 shares one budget, like an office
 *   behind one IPv4 NAT.
 * - IPv4 written as IPv6 (`::ffff:a.b.c.d`, how a dual-stack socket reports IPv4 clients, and
 *   NAT64's well-known `64:ff9b::a.b.c.d`, RFC 6052): the IPv4 address, so that one client gets
 *   one budget whichever way the socket reports it.
 * Per-address back-off keys are named `<scope>:ip:<address>` (`perAddress`); `Backoff` puts the
 * address of every such key through `addressKey`, so a caller that builds the key itself is
 * keyed the same way.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The eight 16-bit groups of a valid IPv6 address (without zone). */
function groupsOf(ip: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  let text = ip;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${ip.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const [head, tail] = text.split('::');
  if (tail === undefined) return parse(head);
  const first = parse(head);
  const last = parse(tail);
  return [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
}

const UNKNOWN = 'unknown';

const ipv4Of = (high: number, low: number): string => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The key of source address `ip` for per-address limits: IPv4 as it is, IPv6 as its /64
 * (`2001:db8:1:2::/64`), IPv4-mapped and NAT64 IPv6 as the IPv4 address. Anything that is not
 * an address (none, or whatever a misconfigured proxy forwarded) is `unknown`: one budget for
 * all of them, never a fresh one per made-up string.
 */
export function addressKey(ip: string | null | undefined): string {
  if (!ip) return UNKNOWN;
  // Brackets, a zone (`%eth0`) and the `/64` of a key already made (keying is idempotent) are not the address.
  const bare = ip
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '')
    .replace(/\/64$/, '');
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return UNKNOWN;
  const groups = groupsOf(bare.toLowerCase());
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return ipv4Of(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return ipv4Of(g6, g7);
  return `${[g0, g1, g2, g3].map((g) => g.toString(16)).join(':')}::/64`;
}

/** The back-off key of `scope`'s limit for the source address `ip` (`login:ip:203.0.113.7`). */
export const perAddress = (scope: string, ip: string | null | undefined): string => `${scope}:ip:${addressKey(ip)}`;

const PER_ADDRESS_KEY = /^([a-z][a-z0-9_]*):ip:(.+)$/;

/** `key` with its address keyed by `addressKey` when it is a per-address key (`<scope>:ip:<address>`), else `key`. */
export function normaliseAddressKey(key: string): string {
  const match = PER_ADDRESS_KEY.exec(key);
  return match ? `${match[1]}:ip:${addressKey(match[2])}` : key;
}
