/**
 * The web app's once-a-beat `{ type: 'ping' }` is answered before JSON and the schema (the
 * gateway's fast path): the same `pong` as through the handler, still counted against the
 * connection's rate limit, and a ping with an id (or any other spelling) takes the full path.
 */
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

it('answers the bare ping with a bare pong, a ping with an id with its id, and rate-limits pings like any frame', async () => {
  const helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
  const ws = await helper.socket();
  const frames: string[] = [];
  ws.ws.on('message', (data) => frames.push(String(data)));

  ws.ws.send('{"type":"ping"}');
  await ws.next((m) => m.type === 'pong');
  expect(frames.at(-1)).toBe('{"type":"pong"}');

  ws.send({ type: 'ping', id: 'p7' });
  expect(await ws.next((m) => m.type === 'pong' && m.id === 'p7')).toEqual({ type: 'pong', id: 'p7' });
  // Another spelling of the same message goes through JSON and the schema, with the same answer.
  const before = ws.received.length;
  ws.ws.send('{ "type": "ping" }');
  await ws.next((m) => m.type === 'pong', 5000, before);
  expect(frames.at(-1)).toBe('{"type":"pong"}');

  // A flood of bare pings is still a flood.
  const since = ws.received.length;
  for (let i = 0; i < 500; i++) ws.ws.send('{"type":"ping"}');
  const refused = await ws.next((m: ServerMessage) => m.type === 'error' && m.error === 'rate_limited', 5000, since);
  expect(refused).toMatchObject({ ok: false, error: 'rate_limited' });
});

it('writes its prebuilt pongs whole between the frames ws sends, and none once the socket is closing', async () => {
  const helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
  const ws = await helper.socket();
  const frames: string[] = [];
  ws.ws.on('message', (data) => frames.push(String(data)));
  // Bare pings (written straight to TCP) alternate with pings with an id (answered through ws).
  for (let i = 0; i < 60; i++) {
    ws.ws.send('{"type":"ping"}');
    ws.send({ type: 'ping', id: `n${i}` });
  }
  await ws.next((m) => m.type === 'pong' && m.id === 'n59');
  await new Promise((r) => setTimeout(r, 100));
  const parsed = frames.map((f) => JSON.parse(f) as { type: string; id?: string });
  expect(parsed.filter((m) => m.type === 'pong' && m.id === undefined)).toHaveLength(60);
  expect(parsed.filter((m) => m.type === 'pong' && m.id !== undefined).map((m) => m.id)).toEqual(
    Array.from({ length: 60 }, (_, i) => `n${i}`),
  );
  // The client closes; a ping that arrives with the close is not answered after it.
  const closed = new Promise<number>((resolve) => ws.ws.once('close', (code) => resolve(code)));
  const count = frames.length;
  ws.ws.send('{"type":"ping"}');
  ws.ws.close(1000, 'bye');
  expect(await closed).toBe(1000);
  expect(frames.length - count).toBeLessThanOrEqual(1);
});
