/**
 * A live WebSocket keeps nothing of its upgrade request (issue 12, item 6): neither Node's
 * IncomingMessage nor the ServerResponse `@fastify/websocket` made for it. Both used to stay
 * reachable for the socket's whole life (the plugin's error listener closed over Fastify's
 * request and reply, and the TCP socket stayed assigned to the response), a few KiB per socket
 * at 20,000 sockets. Checked with weak references and a forced collection.
 */
import type { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

it('lets the upgrade request and its reply be collected while the socket lives on', async () => {
  const upgrades: WeakRef<IncomingMessage>[] = [];
  t.server.app.server.on('upgrade', (request: IncomingMessage) => upgrades.push(new WeakRef(request)));
  const helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
  const ws = await helper.socket();
  // The socket works: a ping is answered.
  ws.send({ type: 'ping', id: 'before' });
  await ws.next((m) => m.type === 'pong' && m.id === 'before');
  expect(upgrades).toHaveLength(1);
  for (let i = 0; i < 5 && upgrades[0]!.deref(); i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  expect(upgrades[0]!.deref(), 'the upgrade request is still reachable from the live socket').toBeUndefined();
  // …and the socket still works after the collection.
  ws.send({ type: 'ping', id: 'after' });
  await ws.next((m) => m.type === 'pong' && m.id === 'after');
});
