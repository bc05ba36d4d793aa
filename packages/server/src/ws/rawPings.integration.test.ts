/**
 * The bare ping is answered from its TCP chunk (ws/rawPings) without `ws`'s receiver seeing it,
 * and every ping that is not exactly one chunk between frames (split, coalesced, compressed
 * bit, another spelling) still gets its pong through `ws`.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import * as ws from 'ws';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { until } from '../test/chatPeer.js';
import { Client, startTestServer } from '../test/harness.js';
import { isRawPing } from './rawPings.js';

const PING = '{"type":"ping"}';

/** A client → server text frame: FIN, `rsv1` if asked, masked with a random key. */
function maskedFrame(text: string, { rsv1 = false, opcode = 1 } = {}): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = Buffer.from([0x80 | (rsv1 ? 0x40 : 0) | opcode, 0x80 | payload.length]);
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i & 3] as number)));
  return Buffer.concat([head, mask, body]);
}

it('recognises exactly one masked, uncompressed text frame of the bare ping', () => {
  expect(isRawPing(maskedFrame(PING))).toBe(true);
  expect(isRawPing(maskedFrame(PING, { rsv1: true }))).toBe(false);
  expect(isRawPing(maskedFrame(PING, { opcode: 2 }))).toBe(false);
  expect(isRawPing(maskedFrame('{"type":"pong"}'))).toBe(false);
  expect(isRawPing(maskedFrame('{ "type":"ping"'))).toBe(false);
  expect(isRawPing(Buffer.concat([maskedFrame(PING), maskedFrame(PING)]))).toBe(false);
  expect(isRawPing(maskedFrame(PING).subarray(0, 20))).toBe(false);
  // Unmasked (what a server would send): not a client frame.
  expect(isRawPing(Buffer.concat([Buffer.from([0x81, 15]), Buffer.alloc(4), Buffer.from(PING)]))).toBe(false);
});

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

// What `ws`'s receivers are given, in this process (the test's clients and the server alike):
// client → server chunks are the masked ones.
const Receiver = (
  ws as unknown as { Receiver: { prototype: { write: (chunk: Buffer, ...rest: unknown[]) => boolean } } }
).Receiver;
const originalWrite = Receiver.prototype.write;
const masked: Buffer[] = [];
beforeAll(() => {
  Receiver.prototype.write = function write(this: unknown, chunk: Buffer, ...rest: unknown[]) {
    if (Buffer.isBuffer(chunk) && chunk.length > 1 && ((chunk[1] as number) & 0x80) !== 0) masked.push(chunk);
    return originalWrite.call(this, chunk, ...rest);
  };
});
afterEach(() => {
  masked.length = 0;
});
afterAll(() => {
  Receiver.prototype.write = originalWrite;
});

async function socket(): Promise<{ s: Awaited<ReturnType<Client['socket']>>; tcp: Socket; pongs: () => number }> {
  const helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
  const s = await helper.socket();
  let pongs = 0;
  s.ws.on('message', (data) => {
    if (String(data) === '{"type":"pong"}') pongs++;
  });
  return { s, tcp: (s.ws as unknown as { _socket: Socket })._socket, pongs: () => pongs };
}

it('answers bare pings one chunk each without ws reading them, and other frames through ws', async () => {
  const { s, tcp, pongs } = await socket();
  masked.length = 0;
  for (let i = 1; i <= 20; i++) {
    tcp.write(maskedFrame(PING));
    await until(() => pongs() === i, `pong ${i}`, 5000);
  }
  expect(masked).toHaveLength(0);
  // A ping with an id is a message like any other (and shows the spy sees what ws reads).
  s.send({ type: 'ping', id: 'p1' });
  await s.next((m) => m.type === 'pong' && m.id === 'p1');
  expect(masked.length).toBeGreaterThan(0);
});

it('leaves to ws a ping split across chunks, pings coalesced in one chunk, and a ping behind a partial frame', async () => {
  const { s, tcp, pongs } = await socket();
  masked.length = 0;
  // Split: the receiver holds the first half when the second arrives.
  const frame = maskedFrame(PING);
  tcp.write(frame.subarray(0, 9));
  await new Promise((r) => setTimeout(r, 50));
  tcp.write(frame.subarray(9));
  await until(() => pongs() === 1, `pong 1`, 5000);
  // Coalesced: two pings in one write.
  tcp.write(Buffer.concat([maskedFrame(PING), maskedFrame(PING)]));
  await until(() => pongs() === 3, `pong 3`, 5000);
  // A whole ping chunk arriving while another frame is half read is that frame's payload, not a ping.
  const pending = maskedFrame('{"type":"ping","id":"x1"}');
  tcp.write(pending.subarray(0, 2 + 4 + 4));
  await new Promise((r) => setTimeout(r, 50));
  const carried = Buffer.concat([pending.subarray(10), maskedFrame(PING)]);
  tcp.write(carried);
  await s.next((m) => m.type === 'pong' && m.id === 'x1');
  await until(() => pongs() === 4, `pong 4`, 5000);
  expect(masked.length).toBeGreaterThan(0);
  // The connection is still in step: a bare ping after all that is answered from its chunk.
  masked.length = 0;
  tcp.write(maskedFrame(PING));
  await until(() => pongs() === 5, `pong 5`, 5000);
  expect(masked).toHaveLength(0);
});

it('counts bare pings against the rate limit and refuses a flood through ws', async () => {
  const { s, tcp } = await socket();
  const since = s.received.length;
  for (let i = 0; i < 400; i++) tcp.write(maskedFrame(PING));
  const refused = await s.next((m) => m.type === 'error' && m.error === 'rate_limited', 5000, since);
  expect(refused).toMatchObject({ ok: false, error: 'rate_limited' });
});

it("takes a ping-shaped chunk that arrives inside another frame as that frame's payload", async () => {
  const { s, tcp, pongs } = await socket();
  const closed = new Promise<number>((resolve) => s.ws.once('close', (code) => resolve(code)));
  // A text frame of 21 bytes with a zero mask: its header first, then a chunk of 21 bytes that
  // on its own would be a bare ping. As this frame's payload it is not UTF-8: ws closes with 1007.
  tcp.write(Buffer.from([0x81, 0x80 | 21, 0, 0, 0, 0]));
  await new Promise((r) => setTimeout(r, 50));
  tcp.write(maskedFrame(PING));
  expect(await closed).toBe(1007);
  expect(pongs()).toBe(0);
});

it('stops reading with ws when the client closes: no pong after the close', async () => {
  const { s, tcp, pongs } = await socket();
  const closed = new Promise<number>((resolve) => s.ws.once('close', (code) => resolve(code)));
  s.ws.close(1000, 'bye');
  expect(await closed).toBe(1000);
  const before = pongs();
  if (!tcp.destroyed) tcp.write(maskedFrame(PING));
  await new Promise((r) => setTimeout(r, 100));
  expect(pongs()).toBe(before);
});
