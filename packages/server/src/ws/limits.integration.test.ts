/**
 * Socket caps (issue 7, finding 1) with small limits so each one is reached exactly: per
 * user, per source address and per user per session. A refused socket gets a
 * `rate_limited` error frame in the one envelope, then close code 4429; a refused attach
 * gets the error frame and the socket stays usable. Closing a socket gives its place back.
 */
import type { ServerMessage } from '@remote-help/protocol';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, TestSocket, startTestServer } from '../test/harness.js';
import { WS_RATE_LIMITED_CLOSE } from './limits.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { socketLimits: { perUser: 2, perAddress: 3, attachmentsPerUserPerSession: 2 } });
});
afterAll(async () => t?.stop());

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

/** Opens a socket and reports how the server answered: `hello`, or an error frame and a close. */
async function dial(
  client: Client,
): Promise<{ socket: TestSocket; hello: boolean; code?: number; frame?: ServerMessage }> {
  const socket = new TestSocket(
    new WebSocket(t.url.replace(/^http/, 'ws') + '/api/v1/ws', { headers: { cookie: client.cookieHeader } }),
  );
  const first = await Promise.race([
    socket.next((m) => m.type === 'hello').then(() => 'hello' as const),
    socket.closed.then(({ code }) => code),
  ]);
  if (first === 'hello') return { socket, hello: true };
  return { socket, hello: false, code: first, frame: socket.received[0] };
}

it('refuses sockets past the per-user and per-address caps with rate_limited and 4429', async () => {
  const helper = await signedIn('helper@contoso.example');
  const a = await dial(helper);
  const b = await dial(helper);
  expect([a.hello, b.hello]).toEqual([true, true]);
  const third = await dial(helper);
  expect(third).toMatchObject({ hello: false, code: WS_RATE_LIMITED_CLOSE });
  expect(third.frame).toMatchObject({ type: 'error', ok: false, error: 'rate_limited' });
  expect((third.frame as { message: string }).message).toMatch(/at most 2/);

  // Another person from the same address gets the one place left there, then no more.
  const sharer = await signedIn('sharer@contoso.example');
  expect((await dial(sharer)).hello).toBe(true);
  const overAddress = await dial(sharer);
  expect(overAddress).toMatchObject({ hello: false, code: WS_RATE_LIMITED_CLOSE });
  expect((overAddress.frame as { message: string }).message).toMatch(/address/);

  // A closed socket gives its place back.
  a.socket.close();
  await a.socket.closed;
  await expect.poll(async () => (await dial(helper)).hello, { timeout: 3000 }).toBe(true);
});

it('caps the connections one user attaches to one session; the refused socket stays usable', async () => {
  const t2 = await startTestServer({}, { socketLimits: { attachmentsPerUserPerSession: 2 } });
  try {
    const helper = new Client(t2.url);
    await helper.signIn('helper@fabrikam.example');
    const first = (await helper.post('/api/v1/sessions')).body as { session: { id: string } };
    const sockets = [await helper.socket(), await helper.socket(), await helper.socket()];
    for (const s of sockets.slice(0, 2)) {
      s.send({ type: 'attach', sessionId: first.session.id });
      await s.next((m) => m.type === 'session');
    }
    const third = sockets[2]!;
    third.send({ type: 'attach', id: 'a3', sessionId: first.session.id });
    const refused = await third.next((m) => m.type === 'error');
    expect(refused).toMatchObject({ type: 'error', ok: false, error: 'rate_limited', replyTo: 'a3' });
    expect((refused as { message: string }).message).toMatch(/at most 2 per person/);
    // Still usable: another session attaches, and a detach elsewhere frees a place here.
    const second = (await helper.post('/api/v1/sessions')).body as { session: { id: string } };
    third.send({ type: 'attach', sessionId: second.session.id });
    await third.next((m) => m.type === 'session' && m.session.id === second.session.id);
    sockets[0]!.send({ type: 'detach', sessionId: first.session.id });
    await expect
      .poll(
        async () => {
          const since = third.received.length;
          third.send({ type: 'attach', sessionId: first.session.id });
          const m = await third.next((x) => x.type === 'attached' || x.type === 'error', 2000, since);
          return m.type;
        },
        { timeout: 3000 },
      )
      .toBe('attached');
  } finally {
    await t2.stop();
  }
});
