/**
 * Integration: a thread larger than a socket may hold waiting (1 MiB, `ws/connection.ts`) is read
 * in pages bounded by size as well as by count (`CHAT_PAGE_MAX_BYTES`). 200 messages of 4,000
 * emoji each (within the thread's 2,000,000 characters) were one `chat.history` frame of over
 * 3 MB: the server closed the reader's socket as a slow consumer (1013), the reader connected
 * again and asked again, forever, and every other session on that socket went with it. Now a
 * reader that resumes from 0 gets the whole thread over several pages, on a socket that stays
 * open; the HTTP thread pages the same way.
 */
import type { ChatMessage, ServerMessage, SessionView } from '@remote-help/protocol';
import { CHAT_PAGE_MAX, CHAT_PAGE_MAX_BYTES } from '@remote-help/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_BUFFERED_BYTES } from '../ws/connection.js';
import type { TestServer, TestSocket } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { ChatPeer, until } from '../test/chatPeer.js';

/** What a page adds to its messages: `type`, `sessionId`, `afterSeq`, `more`, `enabled`, brackets. */
const ENVELOPE_BYTES = 512;
const COUNT = CHAT_PAGE_MAX;
/** 4,000 characters, 7,990 UTF-16 units: 200 of them are over 1.5 million units of JSON. */
const text = (i: number) => `${String(i).padStart(3, '0')} ${'😀'.repeat(3995)}`;

let t: TestServer;
let helper: Client;
let sharer: Client;
let sessionId: string;

beforeAll(async () => {
  t = await startTestServer({}, { chatLimits: { burst: 5000, refillMs: 1 } });
  helper = new Client(t.url);
  sharer = new Client(t.url);
  await Promise.all([helper.signIn('helper@contoso.example'), sharer.signIn('sharer@contoso.example')]);
  const created = (await helper.post('/api/v1/sessions')).body as { code: string; session: SessionView };
  expect((await sharer.post('/api/v1/sessions/redeem', { code: created.code })).status).toBe(200);
  sessionId = created.session.id;
  // The helper sends the thread, one acknowledged message after another.
  const h = await attached(helper);
  for (let i = 1; i <= COUNT; i++) {
    const clientId = `large-${String(i).padStart(4, '0')}`;
    const since = h.received.length;
    h.send({ type: 'chat.send', sessionId, clientId, text: text(i) });
    const ack = await h.next(
      (m) => m.type === 'error' || (m.type === 'chat.message' && m.message.clientId === clientId),
      5000,
      since,
    );
    expect(ack).toMatchObject({ type: 'chat.message', message: { seq: i } });
  }
  h.close();
  const total = (await t.server.db.selectFrom('chat_messages').select('text').execute()).reduce(
    (sum, r) => sum + JSON.stringify(r.text).length,
    0,
  );
  expect(total).toBeGreaterThan(MAX_BUFFERED_BYTES);
}, 120_000);
afterAll(async () => t?.stop());

async function attached(client: Client): Promise<TestSocket> {
  const socket = await client.socket();
  socket.send({ type: 'attach', sessionId });
  await socket.next((m) => m.type === 'attached');
  return socket;
}

type History = Extract<ServerMessage, { type: 'chat.history' }>;

const expectWholeThread = (messages: ChatMessage[]) => {
  expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
  expect(messages.every((m) => m.text === text(m.seq))).toBe(true);
};

it('a reader resuming from 0 gets the whole thread in pages bounded by size, and its socket stays open', async () => {
  const s = await attached(sharer);
  const frameBytes: number[] = [];
  s.ws.on('message', (data: Buffer) => frameBytes.push(data.length));
  let closed: number | undefined;
  void s.closed.then(({ code }) => (closed = code));
  const pages: History[] = [];
  let afterSeq = 0;
  for (;;) {
    const since = s.received.length;
    s.send({ type: 'chat.resume', sessionId, afterSeq });
    const page = await Promise.race([
      s.next<History>((m) => m.type === 'chat.history' || m.type === 'error', 5000, since),
      s.closed.then(({ code }) => {
        throw new Error(`the server closed the socket (${code}) instead of answering resume after ${afterSeq}`);
      }),
    ]);
    expect(page).toMatchObject({ type: 'chat.history', afterSeq, enabled: true });
    expect(page.messages.length).toBeGreaterThan(0);
    pages.push(page);
    if (!page.more) break;
    afterSeq = page.messages.at(-1)!.seq;
  }
  expectWholeThread(pages.flatMap((p) => p.messages));
  expect(pages.length).toBeGreaterThan(1);
  // No frame comes near the slow-consumer bound: each is a page of at most the page budget.
  expect(Math.max(...frameBytes)).toBeLessThanOrEqual(CHAT_PAGE_MAX_BYTES + ENVELOPE_BYTES);
  for (const page of pages) {
    const bytes = page.messages.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)) + 1, 0);
    expect(bytes).toBeLessThanOrEqual(CHAT_PAGE_MAX_BYTES);
  }
  s.send({ type: 'ping', id: 'still-open' });
  await s.next((m) => m.type === 'pong');
  expect(closed).toBeUndefined();
  s.close();
}, 60_000);

it('a client that asks again while `more` is set (as the apps do) ends with the whole thread, once', async () => {
  const peer = new ChatPeer(sharer, sessionId, 'reader');
  await peer.connect();
  await until(() => peer.contiguous === COUNT, 'whole thread read', 30_000);
  expectWholeThread(peer.ordered);
  expect([peer.duplicates, peer.errors]).toEqual([0, []]);
  peer.close();
}, 60_000);

it('the HTTP thread pages by size the same way; a smaller limit still counts', async () => {
  const messages: ChatMessage[] = [];
  let afterSeq = 0;
  let pages = 0;
  for (;;) {
    const r = await helper.json(`/api/v1/sessions/${sessionId}/chat?afterSeq=${afterSeq}`);
    expect(r.status).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(r.body))).toBeLessThanOrEqual(CHAT_PAGE_MAX_BYTES + ENVELOPE_BYTES);
    const page = r.body as { messages: ChatMessage[]; more: boolean };
    expect(page.messages.length).toBeGreaterThan(0);
    messages.push(...page.messages);
    pages++;
    if (!page.more) break;
    afterSeq = page.messages.at(-1)!.seq;
  }
  expectWholeThread(messages);
  expect(pages).toBeGreaterThan(1);
  const one = await helper.json(`/api/v1/sessions/${sessionId}/chat?afterSeq=${COUNT - 2}&limit=1`);
  expect(one.body).toMatchObject({ more: true, messages: [{ seq: COUNT - 1 }] });
  const last = await helper.json(`/api/v1/sessions/${sessionId}/chat?afterSeq=${COUNT - 1}`);
  expect(last.body).toMatchObject({ more: false, messages: [{ seq: COUNT }] });
}, 60_000);
