/**
 * Client mistakes on the WebSocket (issue 7, finding 8): malformed, binary, oversized and
 * invalid frames are answered with the one error envelope and logged at `warn` without a
 * stack; none of them is an error-level log line (those are for the server's own faults).
 */
import { ErrorEnvelope, MAX_WS_FRAME_BYTES } from '@remote-help/protocol';
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';

const lines: { level: number; msg?: string; [key: string]: unknown }[] = [];
let t: TestServer;
beforeAll(async () => {
  const stream = { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) };
  t = await startTestServer({}, { logger: { level: 'info', stream } });
});
afterAll(async () => t?.stop());

const isError = (m: ServerMessage) => m.type === 'error';

it('answers each client mistake with the envelope and logs it at warn, without a stack', async () => {
  const helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
  const ws = await helper.socket();
  const mistakes: [unknown, string][] = [
    ['this is not json', 'bad_request'],
    [{ type: 'nonsense', id: 'n1' }, 'validation_failed'],
    [JSON.stringify({ type: 'ping', pad: 'x'.repeat(MAX_WS_FRAME_BYTES) }), 'payload_too_large'],
  ];
  for (const [frame, code] of mistakes) {
    const since = ws.received.length;
    ws.send(frame);
    const reply = await ws.next(isError, 5000, since);
    const { type, replyTo, ...envelope } = reply as Extract<ServerMessage, { type: 'error' }>;
    expect(type).toBe('error');
    expect(ErrorEnvelope.parse(envelope)).toMatchObject({ ok: false, error: code });
    if (code === 'validation_failed') expect(replyTo).toBe('n1');
  }
  const since = ws.received.length;
  ws.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  expect(await ws.next(isError, 5000, since)).toMatchObject({ ok: false, error: 'bad_request' });

  // Past the transport's limit, `ws` closes with 1009 (message too big): still the client's mistake.
  const big = await helper.socket();
  big.send('x'.repeat(16 * MAX_WS_FRAME_BYTES + 1));
  expect((await big.closed).code).toBe(1009);
  // The first socket is unharmed.
  ws.send({ type: 'ping', id: 'p1' });
  await ws.next((m) => m.type === 'pong');

  const websocketLines = lines.filter((l) => /websocket/i.test(l.msg ?? ''));
  expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  expect(websocketLines.length).toBeGreaterThanOrEqual(5);
  for (const line of websocketLines) {
    expect(line.level).toBe(40);
    expect(JSON.stringify(line)).not.toMatch(/\\n\s+at /);
  }
  expect(websocketLines.some((l) => /client protocol error/.test(l.msg ?? ''))).toBe(true);
});
