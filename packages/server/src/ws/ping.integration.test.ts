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
