/**
 * @module test/dnsServer
 * A real DNS server on 127.0.0.1 (UDP, a free port) for tests, built with `dns-packet`: it
 * answers TXT queries from a table the test controls. Per name: TXT values (`NOERROR` with
 * them), `nodata` (the name exists, no TXT: `NOERROR` and no answer), `servfail`, `refused`,
 * or `silent` (the query is read and never answered, so the resolver times out). Names not in
 * the table get `NXDOMAIN`. Every query is counted, so a test can tell it reached the server.
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

export type DnsAnswer = { txt: string[] } | 'nodata' | 'servfail' | 'refused' | 'silent';

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, as `DNS_SERVERS` takes it. */
  address: string;
  /** What each name answers (names lower case, no trailing dot). */
  readonly table: Map<string, DnsAnswer>;
  /** Questions received, as `TYPE name`. */
  readonly queries: string[];
  stop(): Promise<void>;
}

const RCODE = { NOERROR: 0, nodata: 0, servfail: 2, NXDOMAIN: 3, refused: 5 } as const;

/** Splits a value into DNS character strings of at most 255 bytes (as a zone file would). */
const chunks = (value: string): Buffer[] => {
  const bytes = Buffer.from(value);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out.length ? out : [Buffer.alloc(0)];
};

/** Starts the server (see the module description). */
export async function startDnsServer(): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const table = new Map<string, DnsAnswer>();
  const queries: string[] = [];
  socket.on('message', (message, remote) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    queries.push(`${question.type} ${name}`);
    const entry = table.get(name);
    if (entry === 'silent') return;
    // The response code is the flags' low four bits (RFC 1035 §4.1.1): dns-packet has no field for it.
    const rcode = entry === undefined ? RCODE.NXDOMAIN : typeof entry === 'object' ? RCODE.NOERROR : RCODE[entry];
    const answers: dnsPacket.Answer[] =
      typeof entry === 'object' && question.type === 'TXT'
        ? entry.txt.map((value) => ({ type: 'TXT', name: question.name, ttl: 60, class: 'IN', data: chunks(value) }))
        : [];
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER | rcode,
      questions: [question],
      answers,
    });
    socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    table,
    queries,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
