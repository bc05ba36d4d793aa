/**
 * @module identity/federation/outbound
 * The only requests the server makes to addresses an administrator chose: an identity provider's
 * discovery document, its token endpoint and its keys (`jwks_uri`). An administrator (or someone
 * who took over one) could point those at the server's own neighbours, the cloud's metadata
 * service (169.254.169.254), Redis on loopback, and have the server ask on their behalf. So every
 * such request goes through {@link guardedFetch}: the host's addresses are resolved here and
 * checked against the operator's {@link IdpAddresses} policy *before* the connection, on the
 * addresses the connection then uses (no second lookup a rebinding DNS server could answer
 * differently), redirects are not followed, and a response is read up to {@link MAX_RESPONSE_BYTES}.
 *
 * Never reachable, whatever the policy: link-local (169.254.0.0/16, fe80::/10, where the clouds'
 * metadata services live, and their named ones 100.100.100.200 and fd00:ec2::254), unspecified,
 * multicast, broadcast and reserved addresses. `public` allows only the rest of the internet;
 * `private` (the default) adds RFC 1918, shared (100.64.0.0/10) and unique-local (fc00::/7)
 * networks, where a self-hosted organization's Keycloak or AD FS usually lives; `any` adds
 * loopback (an IdP on the same host; the tests).
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

/** Which addresses an identity provider may have (`IDP_ADDRESSES`). */
export type IdpAddresses = 'public' | 'private' | 'any';

/** The most of a provider's response read (a discovery document or key set is a few KB). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

function list(ranges: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const blocks = new BlockList();
  for (const [network, prefix, family] of ranges) blocks.addSubnet(network, prefix, family);
  return blocks;
}

const NEVER = list([
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['100.100.100.200', 32, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'],
]);
const LOOPBACK = list([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const PRIVATE = list([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `policy` lets the server connect to `address` (an IP address, either family). */
export function addressAllowed(address: string, policy: IdpAddresses): boolean {
  if (!isIP(address)) return false;
  const { address: ip, family } = unmapped(address);
  if (NEVER.check(ip, family)) return false;
  if (LOOPBACK.check(ip, family)) return policy === 'any';
  if (PRIVATE.check(ip, family)) return policy !== 'public';
  return true;
}

/** A request to an address the policy forbids; `code` for `classify`, the words for the administrator. */
export class OutboundAddressError extends Error {
  readonly code = 'IDP_ADDRESS_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly policy: IdpAddresses,
  ) {
    super(
      `${host} is at ${address}, which this server does not connect to for an identity provider (IDP_ADDRESSES=${policy})`,
    );
  }
}

/** A URL's host without the brackets of an IPv6 address (`[::1]` → `::1`). */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Refuses, before any request, an issuer whose host is an address (or `localhost`) the policy
 * forbids: the administrator hears it when saving, not at the first sign-in. A host name is
 * checked at each request instead (its addresses can change).
 */
export function literalHostProblem(url: string, policy: IdpAddresses): string | null {
  const host = bareHost(new URL(url));
  const address = host === 'localhost' ? '127.0.0.1' : isIP(host) ? host : null;
  if (address === null || addressAllowed(address, policy)) return null;
  return new OutboundAddressError(host, address, policy).message;
}

type Lookup = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/** `dns.lookup`, refusing the host when any of its addresses is forbidden (no picking the allowed one). */
function guardedLookup(policy: IdpAddresses): Lookup {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const bad = addresses.find((a) => !addressAllowed(a.address, policy));
      if (bad) return callback(new OutboundAddressError(hostname, bad.address, policy), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** What `openid-client` and `jose` pass to a custom fetch. */
export interface OutboundInit {
  method?: string;
  headers?: Headers | Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | null;
}

function plainHeaders(headers: OutboundInit['headers']): Record<string, string> {
  const plain: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => (plain[name] = value));
  return plain;
}

function responseOf(message: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = message.statusCode ?? 502;
  const empty = status === 204 || status === 205 || status === 304;
  return new Response(empty ? null : new Uint8Array(body), {
    status,
    statusText: message.statusMessage ?? '',
    headers,
  });
}

/**
 * A `fetch` for `openid-client`'s and `jose`'s `customFetch`: HTTP(S) only, addresses checked as
 * the module describes, no redirects (both libraries ask for `manual` and treat one as an error),
 * the body read up to {@link MAX_RESPONSE_BYTES}.
 */
export function guardedFetch(policy: IdpAddresses) {
  const lookup = guardedLookup(policy);
  return (input: string | URL, init: OutboundInit = {}): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        reject(new TypeError(`not an http(s) URL: ${url.protocol}`));
        return;
      }
      const literal = bareHost(url);
      if (isIP(literal) && !addressAllowed(literal, policy)) {
        reject(new OutboundAddressError(literal, literal, policy));
        return;
      }
      const body =
        init.body === undefined || init.body === null
          ? undefined
          : init.body instanceof URLSearchParams
            ? init.body.toString()
            : typeof init.body === 'string'
              ? init.body
              : null;
      if (body === null) {
        reject(new TypeError('unsupported request body'));
        return;
      }
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(url, {
        method: init.method ?? 'GET',
        headers: {
          ...plainHeaders(init.headers),
          ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}),
        },
        lookup,
        signal: init.signal ?? undefined,
      });
      request.on('error', reject);
      request.on('response', (message) => {
        const chunks: Buffer[] = [];
        let size = 0;
        message.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            request.destroy(new Error(`${url.host} answered with more than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        message.on('end', () => resolve(responseOf(message, Buffer.concat(chunks))));
        message.on('error', reject);
      });
      request.end(body);
    });
}
