/**
 * Frames sent to one socket in the same run of code leave in one write (`Connection`'s
 * coalescing): a real `ws` server and client on loopback. While that code runs the TCP socket
 * is corked and holds every frame (through `ws` and the prebuilt ones alike); once it has run,
 * the socket is uncorked and the client gets them all, in order.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../identity/principal.js';
import { Connection, textFrame } from './connection.js';

let server: Server;
let wss: WebSocketServer;
let url: string;
const accepted: { conn: Connection; tcp: Socket }[] = [];

beforeAll(async () => {
  server = createServer();
  wss = new WebSocketServer({ server });
  wss.on('connection', (socket, request) => {
    const principal = { userId: 'u1', tenantId: 't1', permissions: [], ip: '127.0.0.1', client: 'web' } as Principal;
    const conn = new Connection(socket, principal, '127.0.0.1');
    conn.tcp = request.socket;
    accepted.push({ conn, tcp: request.socket });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  await new Promise((resolve) => server.close(resolve));
});

it('holds the frames of one run of code in the corked socket, then sends them together and in order', async () => {
  const client = new WebSocket(url);
  const got: string[] = [];
  client.on('message', (data) => got.push(String(data)));
  await new Promise((resolve) => client.once('open', resolve));
  await expect.poll(() => accepted.length).toBe(1);
  const { conn, tcp } = accepted[0] as (typeof accepted)[number];

  conn.send({ type: 'pong', id: 'a' });
  conn.sendText(JSON.stringify({ type: 'pong', id: 'b' }));
  conn.sendFrame(textFrame(JSON.stringify({ type: 'pong', id: 'c' })));
  expect(tcp.writableCorked).toBe(1);
  expect(tcp.writableLength).toBeGreaterThan(0); // all three wait in the socket
  await new Promise((resolve) => process.nextTick(resolve));
  expect(tcp.writableCorked).toBe(0);
  await expect.poll(() => got.length).toBe(3);
  expect(got.map((text) => (JSON.parse(text) as { id: string }).id)).toEqual(['a', 'b', 'c']);

  // The next run of code corks again.
  conn.send({ type: 'pong', id: 'd' });
  expect(tcp.writableCorked).toBe(1);
  await expect.poll(() => got.length).toBe(4);
  client.close();
});
