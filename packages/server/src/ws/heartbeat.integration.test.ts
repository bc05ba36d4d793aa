/**
 * The heartbeat blames nobody for the server's own stall (issue 7, finding 1): the
 * server's event loop is blocked for several dead-after periods (as a long synchronous
 * burst of work would block it); the clients answered every ping in time, their pongs
 * just waited unread. No socket may be closed and no session may end.
 */
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

const TIMING = { heartbeatMs: 200, deadAfterMs: 600, graceMs: 300 };
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { presence: TIMING });
});
afterAll(async () => t?.stop());

/** Blocks this process's event loop (the server's too) for `ms`. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: nothing else runs
  }
}

it('keeps healthy sockets and their session through an event-loop stall of the server', async () => {
  const helper = new Client(t.url);
  await helper.signIn('helper@fabrikam.example');
  const sharer = new Client(t.url);
  await sharer.signIn('sharer@fabrikam.example');
  const { code, session } = (await helper.post('/api/v1/sessions')).body as { code: string; session: { id: string } };
  const hws = await helper.socket();
  hws.send({ type: 'attach', sessionId: session.id });
  await sharer.post('/api/v1/sessions/redeem', { code });
  const sws = await sharer.socket();
  sws.send({ type: 'attach', sessionId: session.id });
  await hws.next(sessionIn('joined'));
  let closed = false;
  void hws.closed.then(() => (closed = true));
  void sws.closed.then(() => (closed = true));

  for (let i = 0; i < 3; i++) {
    // Let a ping go out and its pong come back, then stall well past the dead-after time.
    await new Promise((r) => setTimeout(r, TIMING.heartbeatMs + 50));
    stall(3 * TIMING.deadAfterMs);
  }
  // Long enough for a wrongly closed socket's grace to run out and end the session.
  await new Promise((r) => setTimeout(r, TIMING.deadAfterMs + TIMING.graceMs + 500));

  expect(closed).toBe(false);
  const view = (await helper.json(`/api/v1/sessions/${session.id}`)).body.session as { state: string };
  expect(view.state).toBe('joined');
  expect(
    [...hws.received, ...sws.received].some((m: ServerMessage) => m.type === 'session' && m.session.state === 'ended'),
  ).toBe(false);
});
