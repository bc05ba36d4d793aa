/**
 * A consumer that stops reading (issue 7, finding 1): the server does not buffer for it
 * without bound. Its socket is closed once more than 1 MiB waits unsent, and the sender
 * is unaffected. What fills the socket here is signals, whose per-person byte budget
 * (`sessions/signaling`) keeps them far under the limit in a real deployment; this server's budget
 * is opened wide, because the test is about the socket's own limit, whatever fills it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(
    {},
    {
      presence: { heartbeatMs: 1000, deadAfterMs: 30_000, graceMs: 30_000 },
      signalBudget: { burstBytes: 64 * 1024 * 1024, bytesPerSecond: 64 * 1024 * 1024, relaySlackBytes: 0 },
    },
  );
});
afterAll(async () => t?.stop());

it('closes a socket that does not read what it is sent, and keeps the sender', async () => {
  const helper = new Client(t.url);
  await helper.signIn('helper@fabrikam.example');
  const sharer = new Client(t.url);
  await sharer.signIn('sharer@fabrikam.example');
  const hws = await helper.socket();
  const sws = await sharer.socket();
  const ids: string[] = [];
  for (let k = 0; k < 8; k++) {
    const r = await helper.post('/api/v1/sessions');
    const { code, session } = r.body as { code: string; session: { id: string } };
    hws.send({ type: 'attach', sessionId: session.id });
    const red = await sharer.post('/api/v1/sessions/redeem', { code });
    expect(red.status).toBe(200);
    sws.send({ type: 'attach', sessionId: session.id });
    await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' });
    await sharer.post(`/api/v1/sessions/${session.id}/respond`, { allow: true });
    await sws.next((m) => m.type === 'session' && m.session.id === session.id && m.session.state === 'active');
    ids.push(session.id);
  }
  // The sharer's client stops reading; the helper keeps sending 60 KB offers, spread over the sessions.
  sws.ws.pause();
  let closed: number | undefined;
  void sws.closed.then(({ code: c }) => (closed = c));
  const offer = { kind: 'sdp', description: { type: 'offer', sdp: `v=0\r\n${'a'.repeat(59_000)}` } };
  const since = hws.received.length;
  const offline = (m: (typeof hws.received)[number]) =>
    m.type === 'session' && m.session.state === 'active' && !m.session.peerOnline;
  const until = Date.now() + 20_000;
  let i = 0;
  while (Date.now() < until && hws.ws.readyState === hws.ws.OPEN) {
    hws.send({ type: 'signal', sessionId: ids[i++ % ids.length], payload: offer });
    await new Promise((r) => setTimeout(r, 25));
    if (hws.received.slice(since).some(offline)) break;
  }
  // The server let the sharer go (the helper is told its peer is offline) …
  await hws.next(offline, 5000, since);
  sws.ws.resume();
  await expect.poll(() => closed, { timeout: 5000 }).toBeDefined();
  expect([1013, 1006]).toContain(closed);
  // … and the helper's socket is fine.
  hws.send({ type: 'ping', id: 'p' });
  await hws.next((m) => m.type === 'pong');
}, 60_000);
