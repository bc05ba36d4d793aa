/**
 * Integration: one connection's messages are handled in the order they were sent. A client
 * that attaches and signals in the same breath (as both apps do after every reconnect) must
 * not see its signal refused because the attach was still loading the session.
 */
import type { SessionView } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

describe('message order on one connection', () => {
  it('a signal sent right after its attach is relayed, never refused as "attach first"', async () => {
    const helper = new Client(t.url);
    await helper.signIn('helper@contoso.example');
    const sharer = new Client(t.url);
    await sharer.signIn('sharer@contoso.example');
    const created = (await helper.post('/api/v1/sessions')).body as { code: string; session: SessionView };
    const id = created.session.id;
    await sharer.post('/api/v1/sessions/redeem', { code: created.code });
    await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' });
    await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true });
    const helperSocket = await helper.socket();
    helperSocket.send({ type: 'attach', sessionId: id });
    await helperSocket.next(sessionIn('active'));

    for (let round = 0; round < 10; round++) {
      const socket = await sharer.socket();
      // Both frames leave in one burst, before any reply.
      socket.send({ type: 'attach', id: `a${round}`, sessionId: id });
      socket.send({ type: 'signal', id: `s${round}`, sessionId: id, payload: { kind: 'restart' } });
      await helperSocket.next(
        (m) =>
          m.type === 'signal' &&
          m.sessionId === id &&
          helperSocket.received.filter((x) => x.type === 'signal').length > round,
        3000,
      );
      expect(socket.received.filter((m) => m.type === 'error')).toEqual([]);
      socket.close();
    }
  });
});
