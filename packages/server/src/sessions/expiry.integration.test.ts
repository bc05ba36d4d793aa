/**
 * Code expiry with a clock the test moves: an expired code cannot be redeemed, the
 * waiting session ends with `code_expired`, and the helper is told.
 */
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';

let now = Date.now();
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ CODE_TTL_SECONDS: '60' }, { clock: { now: () => now } });
});
afterAll(async () => t?.stop());

it('refuses an expired code and tells the helper the session ended', async () => {
  const helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
  const sharer = new Client(t.url);
  await sharer.signIn('sharer@contoso.example');

  const { code, session } = (await helper.post('/api/v1/sessions')).body as {
    code: string;
    session: { id: string; codeExpiresAt: string };
  };
  expect(Date.parse(session.codeExpiresAt) - now).toBe(60_000);
  const ws = await helper.socket();
  ws.send({ type: 'attach', sessionId: session.id });
  await ws.next(sessionIn('waiting'));

  now += 59_000;
  const stillValid = await helper.post('/api/v1/sessions');
  expect(stillValid.status).toBe(201);
  now += 2_000;

  const late = await sharer.post('/api/v1/sessions/redeem', { code });
  expect(late.status).toBe(410);
  expect(late.body.error).toBe('code_expired');
  const ended = await ws.next<Extract<ServerMessage, { type: 'session' }>>(sessionIn('ended'), 3000);
  expect(ended.session.endReason).toBe('code_expired');
  // Expired codes stay dead: asking again gives the same answer, not "unknown".
  expect((await sharer.post('/api/v1/sessions/redeem', { code })).body.error).toBe('code_expired');
});

it('ends waiting sessions on its own when their code runs out', async () => {
  const helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
  const { session } = (await helper.post('/api/v1/sessions')).body as { session: { id: string } };
  const ws = await helper.socket();
  ws.send({ type: 'attach', sessionId: session.id });
  await ws.next(sessionIn('waiting'));
  now += 61_000;
  const ended = await ws.next<Extract<ServerMessage, { type: 'session' }>>(sessionIn('ended'), 3000);
  expect(ended.session.endReason).toBe('code_expired');
});
