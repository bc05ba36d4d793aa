/**
 * Integration: `npm start`'s graceful shutdown, in a child process running the real
 * `main.ts`. On SIGTERM the WebSocket is closed with 1001 and the reconnect reason, a
 * request already in flight still gets its answer, one that never finishes is cut at the
 * drain bound (SHUTDOWN_DRAIN_SECONDS), and the process exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Client, DEMO_PASSWORD } from '../test/harness.js';
import { MAIN_START_TIMEOUT_MS, startMain } from '../test/mainProcess.js';
import { SHUTDOWN_REASON } from '../ws/gateway.js';
import { freePort } from '../test/nodes.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A POST whose headers and first body bytes are sent; `finish()` sends the rest; `answer` is what came back.
 * It asks for `100 Continue`, which Node's server sends once it has parsed the headers: `start` waits for it,
 * so the request is surely in flight (not still in the kernel's buffers) when the test signals the server.
 * Signed in (`as`): a caller the endpoint refuses is answered from the headers alone, body unread.
 */
function halfSentRequest(port: number, path: string, as: Client) {
  const body = JSON.stringify({ code: '12345678' });
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += String(chunk)));
  socket.on('error', () => undefined);
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  const opened = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    async start() {
      await opened;
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
          `cookie: ${as.cookieHeader}\r\nx-csrf-token: ${as.csrf}\r\n` +
          `content-length: ${body.length}\r\nconnection: close\r\nexpect: 100-continue\r\n\r\n${body.slice(0, 5)}`,
      );
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (received.includes(' 100 Continue')) resolve();
          else if (socket.destroyed) reject(new Error(`closed before 100 Continue: ${received}`));
          else setTimeout(check, 10);
        };
        check();
      });
    },
    finish: () => socket.write(body.slice(5)),
    answer,
  };
}

it(
  'on SIGTERM: 1001 to sockets, in-flight requests answered, stuck ones cut at the bound, exit 0',
  async () => {
    const port = await freePort();
    const { child, exited, output } = await startMain({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${join(dir, 'test.db')}`,
      DEMO_PASSWORD,
      WEB_DIST: join(dir, 'no-web'),
      SHUTDOWN_DRAIN_SECONDS: '1',
      LOG_LEVEL: 'info',
    });
    const url = `http://127.0.0.1:${port}`;
    const helper = new Client(url);
    await helper.signIn('helper@contoso.example');
    const socket = await helper.socket();
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    const sharer = new Client(url);
    await sharer.signIn('sharer@contoso.example');
    const finishing = halfSentRequest(port, '/api/v1/sessions/redeem', sharer);
    const stuck = halfSentRequest(port, '/api/v1/sessions/redeem', sharer);
    await finishing.start();
    await stuck.start();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await closed).toEqual({ code: 1001, reason: SHUTDOWN_REASON });
    // The node is shutting down; a request that was already in flight still gets its real answer.
    finishing.finish();
    expect(await finishing.answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 [^]*"error":"code_invalid"/);
    // The one that never sends its body is cut once the drain bound passes: no answer after the 100.
    expect(await stuck.answer).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    expect(await exited).toBe(0);
    expect(output()).toContain('shutting down: draining');
    expect(output()).toContain('in-flight requests still running after the drain bound');
    expect(output()).toContain('shut down cleanly');
  },
  60_000 + MAIN_START_TIMEOUT_MS,
);
