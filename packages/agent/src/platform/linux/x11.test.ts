/**
 * Integration: connecting to an X server that answers late. The "server" is a socket of the
 * test's own in front of a real Xvfb that forwards the connection only after the caller's time
 * limit: the caller gets `display_unavailable`, and the connection that completes afterwards
 * must be closed rather than left open with no owner (and no listener for its errors).
 */
import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, startXvfb, waitFor, type Xvfb } from '../../testing/xvfb.js';
import { connectX11 } from './x11.js';

const SOCKETS = '/tmp/.X11-unix';

/** A display number no X server uses, above those the other tests take (`privateFrom` < 13000). */
function freeDisplayNumber(): number {
  const from = 30_000 + (process.pid % 1000) * 10;
  for (let n = from; n < from + 1000; n++) {
    if (!existsSync(`${SOCKETS}/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error('no free display number');
}

describe.skipIf(!hasCommand('Xvfb'))('connectX11 against a slow server', () => {
  let xvfb: Xvfb;
  let server: net.Server;
  let path = '';
  const accepted: net.Socket[] = [];

  beforeAll(async () => {
    xvfb = await startXvfb('320x240x24');
    const upstreamPath = `${SOCKETS}/X${xvfb.display.slice(1)}`;
    path = `${SOCKETS}/X${freeDisplayNumber()}`;
    server = net.createServer((client) => {
      accepted.push(client);
      client.on('error', () => undefined);
      setTimeout(() => {
        const upstream = net.connect(upstreamPath);
        upstream.on('error', () => client.destroy());
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      }, 400);
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
  });

  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(path, { force: true });
    await xvfb?.stop();
  });

  it('gives up at the time limit and closes the connection that completes afterwards', async () => {
    const display = `:${path.slice(`${SOCKETS}/X`.length)}`;
    await expect(connectX11(display, 150)).rejects.toMatchObject({ reason: 'display_unavailable' });
    expect(accepted).toHaveLength(1);
    const [socket] = accepted;
    // The set-up goes through at 400 ms; the late client must then hang up by itself.
    await waitFor(() => socket?.closed === true, 5000, 'the late connection to be closed');
  });
});
