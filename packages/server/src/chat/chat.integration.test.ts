/**
 * Integration (issue 10, Chat): the chat of a session against a real server, real sign-ins
 * and real WebSockets. Text in any script (Chinese, Arabic, Hebrew, Thai, emoji with skin
 * tones and ZWJ sequences, markup) arrives byte-identical on the other side, in the resumed
 * thread, over HTTP and in the database; a sender that loses its connection 20 times while
 * both sides send 500 messages ends with the same complete, ordered, duplicate-free thread
 * as the other side; repeated sends are stored once; chat turned off by the organization,
 * the wrong state, blank, too long and too fast are refused with typed errors and store
 * nothing; the thread is read by its two participants and by administrators with
 * `reports.read` of the same organization (audited), and by nobody else; report retention
 * removes it with its session.
 */
import type { ChatMessage, ServerMessage, SessionView } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionJob } from '../reports/retention.js';
import type { TestServer, TestSocket } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { ChatPeer, until } from '../test/chatPeer.js';

/** What people type, in many scripts, and what an attacker would try. */
export const SCRIPTS = [
  '你好，我的屏幕上有一个错误信息。',
  'مرحبا، هل يمكنك رؤية شاشتي؟',
  'שלום, אני לא מצליח להתחבר למדפסת',
  'สวัสดีครับ ช่วยดูหน้าจอให้หน่อย',
  '👍🏽 👋🏿 👩🏽‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 🧑🏻‍🤝‍🧑🏾',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'Mixed: English العربية עברית 中文 ไทย 1234',
  'Right-to-left override: \u202Egnp.exe and a link https://example.com/\u202Eevil',
  '  leading and trailing spaces, a tab\tand\nlines\r\n  ',
  'e\u0301 (decomposed) and é (composed) stay as typed',
];

let t: TestServer;
let helper: Client;
let sharer: Client;
let admin: Client;
let foreignHelper: Client;

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

/** A session between `h` (helper) and `s` (sharer), joined: both on the trust screen. */
async function joinedSession(h = helper, s = sharer): Promise<string> {
  const created = (await h.post('/api/v1/sessions')).body as { code: string; session: SessionView };
  expect((await s.post('/api/v1/sessions/redeem', { code: created.code })).status).toBe(200);
  return created.session.id;
}

async function attached(client: Client, sessionId: string): Promise<TestSocket> {
  const socket = await client.socket();
  socket.send({ type: 'attach', sessionId });
  await socket.next((m) => m.type === 'attached');
  return socket;
}

let asked = 0;
/** Sends a frame with an id; resolves with its error frame or the first frame `match` accepts. */
async function ask(socket: TestSocket, frame: Record<string, unknown>, match: (m: ServerMessage) => boolean) {
  const id = `c${++asked}`;
  const since = socket.received.length;
  socket.send({ ...frame, id });
  return socket.next((m) => (m.type === 'error' && m.replyTo === id) || match(m), 5000, since);
}

const chatOf = (m: ServerMessage): ChatMessage => {
  if (m.type !== 'chat.message') throw new Error(`not a chat message: ${JSON.stringify(m)}`);
  return m.message;
};
const isChat = (clientId: string) => (m: ServerMessage) => m.type === 'chat.message' && m.message.clientId === clientId;
const send = (socket: TestSocket, sessionId: string, clientId: string, text: string) =>
  ask(socket, { type: 'chat.send', sessionId, clientId, text }, isChat(clientId));
const rows = (sessionId: string) =>
  t.server.db.selectFrom('chat_messages').selectAll().where('session_id', '=', sessionId).orderBy('seq').execute();
const thread = (client: Client, sessionId: string, query = '') =>
  client.json(`/api/v1/sessions/${sessionId}/chat${query}`);

let clientIds = 0;
const freshId = () => `client-id-${++clientIds}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  t = await startTestServer({}, { chatLimits: { burst: 5000, refillMs: 1 } });
  [helper, sharer, admin, foreignHelper] = await Promise.all([
    signedIn('helper@contoso.example'),
    signedIn('sharer@contoso.example'),
    signedIn('admin@contoso.example'),
    signedIn('helper@fabrikam.example'),
  ]);
}, 60_000);
afterAll(async () => t?.stop());

describe('text in any script', () => {
  it('arrives byte-identical on both sides, in the resumed thread, over HTTP and in the database', async () => {
    const id = await joinedSession();
    const h = await attached(helper, id);
    const s = await attached(sharer, id);
    const sent: { clientId: string; text: string; from: 'helper' | 'sharer' }[] = [];
    for (const [i, text] of SCRIPTS.entries()) {
      const from = i % 2 === 0 ? 'helper' : 'sharer';
      const clientId = freshId();
      const ack = chatOf(await send(from === 'helper' ? h : s, id, clientId, text));
      expect(ack).toMatchObject({ seq: i + 1, clientId, from, text });
      sent.push({ clientId, text, from });
      // The other side gets the same message, the same bytes.
      const other = chatOf(await (from === 'helper' ? s : h).next(isChat(clientId)));
      expect(other).toEqual(ack);
      expect(Buffer.from(other.text, 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
    const history = await ask(s, { type: 'chat.resume', sessionId: id, afterSeq: 0 }, (m) => m.type === 'chat.history');
    expect(history).toMatchObject({ type: 'chat.history', enabled: true, more: false });
    const resumed = (history as Extract<ServerMessage, { type: 'chat.history' }>).messages;
    expect(resumed.map((m) => [m.seq, m.clientId, m.from, m.text])).toEqual(
      sent.map((m, i) => [i + 1, m.clientId, m.from, m.text]),
    );
    const http = await thread(helper, id);
    expect(http.status).toBe(200);
    expect((http.body.messages as ChatMessage[]).map((m) => m.text)).toEqual(SCRIPTS);
    expect((await rows(id)).map((r) => Buffer.from(r.text, 'utf8').toString('hex'))).toEqual(
      SCRIPTS.map((text) => Buffer.from(text, 'utf8').toString('hex')),
    );
    h.close();
    s.close();
  });

  it('typing reaches the other side only, and is not stored', async () => {
    const id = await joinedSession();
    const h = await attached(helper, id);
    const s = await attached(sharer, id);
    h.send({ type: 'chat.typing', sessionId: id, typing: true });
    expect(await s.next((m) => m.type === 'chat.typing')).toEqual({
      type: 'chat.typing',
      sessionId: id,
      from: 'helper',
      typing: true,
    });
    await ask(h, { type: 'ping' }, (m) => m.type === 'pong');
    expect(h.received.filter((m) => m.type === 'chat.typing')).toEqual([]);
    expect(await rows(id)).toEqual([]);
    h.close();
    s.close();
  });
});

describe('idempotent sends', () => {
  it('the same clientId is the same message (same seq, stored once); another text under it is a conflict', async () => {
    const id = await joinedSession();
    const h = await attached(helper, id);
    const clientId = freshId();
    const first = chatOf(await send(h, id, clientId, 'once'));
    const again = chatOf(await send(h, id, clientId, 'once'));
    expect(again).toEqual(first);
    // The sharer's own message may reuse the id: ids are per sender.
    const s = await attached(sharer, id);
    expect(chatOf(await send(s, id, clientId, 'mine')).seq).toBe(2);
    const changed = await send(h, id, clientId, 'twice');
    expect(changed).toMatchObject({ type: 'error', error: 'conflict', data: { clientId } });
    expect((await rows(id)).map((r) => [r.seq, r.text])).toEqual([
      [1, 'once'],
      [2, 'mine'],
    ]);
    h.close();
    s.close();
  });
});

describe('a connection that drops 20 times while both sides send 500 messages', () => {
  it('ends with the same complete, ordered, duplicate-free thread on both sides', async () => {
    const id = await joinedSession();
    const h = new ChatPeer(helper, id, 'h');
    const s = new ChatPeer(sharer, id, 's');
    await Promise.all([h.connect(), s.connect()]);
    const PER_SIDE = 500;
    const DROPS = 20;
    const perRound = PER_SIDE / DROPS;
    // Each side stays under a socket's frame rate (200 at once, then 50 a second): a frame refused
    // as rate_limited is sent again after the wait, behind frames of the same window that were taken,
    // so a refusal reorders that side's thread and this test is about drops. Unpaced, the sharer's
    // 500 sends and its resumes came within a few tokens of the rate; once the server answered
    // faster (load bench work), they went over it now and then.
    const ROUND_MS = 600;
    for (let round = 0; round < DROPS; round++) {
      const roundStart = Date.now();
      for (let i = 0; i < perRound; i++) {
        const n = round * perRound + i;
        h.send(`h ${n} ${SCRIPTS[n % SCRIPTS.length]}`);
        s.send(`s ${n} ${SCRIPTS[(n + 3) % SCRIPTS.length]}`);
      }
      // Drop while this round is on the wire: some sends were stored, some not, some acks lost.
      await until(() => h.pending.size <= perRound / 2 || h.pending.size === 0, `helper round ${round} half sent`);
      await h.drop();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, ROUND_MS - (Date.now() - roundStart))));
    }
    const total = 2 * PER_SIDE;
    await until(
      () => h.pending.size === 0 && s.pending.size === 0 && h.contiguous === total && s.contiguous === total,
      'both threads complete',
    );
    expect([h.errors, s.errors]).toEqual([[], []]);
    // The drops did catch sends on the wire: the helper sent some again, and got some twice.
    expect(h.resends).toBeGreaterThan(0);
    const stored = await rows(id);
    expect(stored).toHaveLength(total);
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    for (const peer of [h, s]) {
      const seen = peer.ordered;
      expect(seen.length).toBe(total);
      expect(seen.map((m) => [m.seq, m.clientId, m.text])).toEqual(stored.map((r) => [r.seq, r.client_id, r.text]));
      expect(new Set(seen.map((m) => `${m.from}:${m.clientId}`)).size).toBe(total);
    }
    // Each side's messages are in the order that side sent them.
    for (const [peer, from] of [
      [h, 'helper'],
      [s, 'sharer'],
    ] as const) {
      const texts = stored.filter((r) => r.sender_role === from).map((r) => r.text);
      expect(texts).toHaveLength(PER_SIDE);
      expect(texts.map((text) => Number(text.split(' ')[1]))).toEqual(Array.from({ length: PER_SIDE }, (_, i) => i));
      expect(peer.ordered.filter((m) => m.from === from).map((m) => m.text)).toEqual(texts);
    }
    h.close();
    s.close();
  }, 240_000);
});

describe('refusals: typed errors, nothing stored', () => {
  it('blank, too long, control characters; 4,000 characters count graphemes, not code units', async () => {
    const id = await joinedSession();
    const h = await attached(helper, id);
    for (const blank of ['', '   ', '\n\t\r\n', '\u200B\u200D\uFEFF', '\u3000\u00A0']) {
      expect(await send(h, id, freshId(), blank)).toMatchObject({ type: 'error', error: 'message_empty' });
    }
    const tooLong = await send(h, id, freshId(), 'a'.repeat(4001));
    expect(tooLong).toMatchObject({ type: 'error', error: 'message_too_long', data: { maxCharacters: 4000 } });
    // One "character" stacked with thousands of combining marks is too long as well.
    expect(await send(h, id, freshId(), `Z${'\u0336'.repeat(16_000)}`)).toMatchObject({ error: 'message_too_long' });
    for (const bad of ['nul\u0000', 'bell\u0007', 'esc\u001b[31m', 'lone \uD83D surrogate']) {
      expect(await send(h, id, freshId(), bad)).toMatchObject({ type: 'error', error: 'validation_failed' });
    }
    expect(await rows(id)).toEqual([]);
    // 4,000 emoji with a skin tone: 16,000 UTF-16 units, 4,000 characters, accepted as sent.
    const thumbs = '👍🏽'.repeat(4000);
    expect(chatOf(await send(h, id, freshId(), thumbs)).text).toBe(thumbs);
    expect(chatOf(await send(h, id, freshId(), 'x'.repeat(4000))).seq).toBe(2);
    h.close();
  });

  it('before the sharer joins, after the session ended, and before attaching', async () => {
    const created = (await helper.post('/api/v1/sessions')).body as { code: string; session: SessionView };
    const waitingId = created.session.id;
    const h = await attached(helper, waitingId);
    expect(await send(h, waitingId, freshId(), 'hello?')).toMatchObject({ error: 'invalid_transition' });
    const id = await joinedSession();
    const s = await sharer.socket();
    expect(await send(s, id, freshId(), 'not attached')).toMatchObject({ error: 'bad_request' });
    s.send({ type: 'attach', sessionId: id });
    await s.next((m) => m.type === 'attached');
    const kept = chatOf(await send(s, id, 'kept-message-1', 'before the end'));
    expect((await helper.post(`/api/v1/sessions/${id}/leave`)).status).toBe(200);
    expect(await send(s, id, freshId(), 'after the end')).toMatchObject({ error: 'session_ended' });
    // A send repeated after the end is still acknowledged with what was stored.
    expect(chatOf(await send(s, id, 'kept-message-1', 'before the end'))).toEqual(kept);
    expect((await rows(id)).map((r) => r.text)).toEqual(['before the end']);
    h.close();
    s.close();
  });

  it('a sender past the rate gets rate_limited with a wait, and the message is not stored', async () => {
    const limited = await startTestServer({}, { chatLimits: { burst: 3, refillMs: 60_000 } });
    try {
      const [hc, sc] = [new Client(limited.url), new Client(limited.url)];
      await Promise.all([hc.signIn('helper@contoso.example'), sc.signIn('sharer@contoso.example')]);
      const created = (await hc.post('/api/v1/sessions')).body as { code: string; session: SessionView };
      await sc.post('/api/v1/sessions/redeem', { code: created.code });
      const id = created.session.id;
      const h = await hc.socket();
      h.send({ type: 'attach', sessionId: id });
      await h.next((m) => m.type === 'attached');
      for (let i = 1; i <= 3; i++) expect(chatOf(await send(h, id, `burst-00${i}`, `message ${i}`)).seq).toBe(i);
      const refused = await send(h, id, 'burst-004', 'one too many');
      expect(refused).toMatchObject({ type: 'error', error: 'rate_limited', data: { clientId: 'burst-004' } });
      expect((refused as unknown as { data: { retryAfterSeconds: number } }).data.retryAfterSeconds).toBeGreaterThan(0);
      // The other side has its own rate.
      const s = await sc.socket();
      s.send({ type: 'attach', sessionId: id });
      await s.next((m) => m.type === 'attached');
      expect(chatOf(await send(s, id, 'sharer-0001', 'mine')).seq).toBe(4);
      const stored = await limited.server.db.selectFrom('chat_messages').select('client_id').execute();
      expect(stored.map((r) => r.client_id).sort()).toEqual(['burst-001', 'burst-002', 'burst-003', 'sharer-0001']);
      h.close();
      s.close();
    } finally {
      await limited.stop();
    }
  });

  it('a full thread refuses more with chat_full and stores nothing; repeats and other sessions go on', async () => {
    const small = await startTestServer(
      {},
      { chatLimits: { burst: 100, refillMs: 1 }, chatThreadLimits: { maxMessages: 3, maxCharacters: 40 } },
    );
    try {
      const [hc, sc] = [new Client(small.url), new Client(small.url)];
      await Promise.all([hc.signIn('helper@contoso.example'), sc.signIn('sharer@contoso.example')]);
      const open = async () => {
        const created = (await hc.post('/api/v1/sessions')).body as { code: string; session: SessionView };
        await sc.post('/api/v1/sessions/redeem', { code: created.code });
        const h = await hc.socket();
        h.send({ type: 'attach', sessionId: created.session.id });
        await h.next((m) => m.type === 'attached');
        return { id: created.session.id, h };
      };
      const stored = (id: string) =>
        small.server.db
          .selectFrom('chat_messages')
          .select('text')
          .where('session_id', '=', id)
          .orderBy('seq')
          .execute();

      // Messages: the fourth is one too many.
      const a = await open();
      for (let i = 1; i <= 3; i++) expect(chatOf(await send(a.h, a.id, `count-00${i}`, `m${i}`)).seq).toBe(i);
      expect(await send(a.h, a.id, 'count-004', 'm4')).toMatchObject({
        type: 'error',
        error: 'chat_full',
        data: { clientId: 'count-004', maxMessages: 3, maxCharacters: 40 },
      });
      // A repeat of a stored message is still its acknowledgement, not a refusal.
      expect(chatOf(await send(a.h, a.id, 'count-002', 'm2')).seq).toBe(2);
      expect((await stored(a.id)).map((r) => r.text)).toEqual(['m1', 'm2', 'm3']);

      // Characters, counted as code points: 30 + 10 emoji (20 UTF-16 units) fill it exactly.
      const b = await open();
      chatOf(await send(b.h, b.id, 'chars-001', 'a'.repeat(30)));
      expect(await send(b.h, b.id, 'chars-002', 'b'.repeat(11))).toMatchObject({ error: 'chat_full' });
      chatOf(await send(b.h, b.id, 'chars-003', '😀'.repeat(10)));
      expect(await send(b.h, b.id, 'chars-004', 'c')).toMatchObject({ error: 'chat_full' });
      expect((await stored(b.id)).map((r) => r.text)).toEqual(['a'.repeat(30), '😀'.repeat(10)]);
      a.h.close();
      b.h.close();
    } finally {
      await small.stop();
    }
  });

  it('chat turned off by the organization: sends and typing refused, the thread hidden from resume', async () => {
    const id = await joinedSession();
    const h = await attached(helper, id);
    chatOf(await send(h, id, freshId(), 'before it was turned off'));
    const settings = await admin.json('/api/v1/tenant/settings');
    const put = async (disableChat: boolean) => {
      const body = { ...(settings.body.settings as Record<string, unknown>), disableChat };
      expect((await admin.json('/api/v1/tenant/settings', 'PUT', body)).status).toBe(200);
    };
    await put(true);
    try {
      const refused = await send(h, id, freshId(), 'after');
      expect(refused).toMatchObject({ type: 'error', error: 'chat_disabled' });
      expect(
        await ask(h, { type: 'chat.typing', sessionId: id, typing: true }, (m) => m.type === 'chat.typing'),
      ).toMatchObject({ type: 'error', error: 'chat_disabled' });
      const history = await ask(
        h,
        { type: 'chat.resume', sessionId: id, afterSeq: 0 },
        (m) => m.type === 'chat.history',
      );
      expect(history).toMatchObject({ type: 'chat.history', enabled: false, messages: [] });
      expect((await rows(id)).map((r) => r.text)).toEqual(['before it was turned off']);
    } finally {
      await put(false);
    }
    h.close();
  });
});

describe('reading a thread over HTTP', () => {
  it('its participants and same-tenant reports.read may (an administrator audited); nobody else', async () => {
    // The administrator is the sharer here, so the no-role sharer@contoso is an outsider.
    const id = await joinedSession(helper, admin);
    const h = await attached(helper, id);
    chatOf(await send(h, id, freshId(), 'for the record'));
    const auditedReads = async () =>
      (
        await t.server.db
          .selectFrom('audit_events')
          .selectAll()
          .where('action', '=', 'chat.thread_read')
          .where('target_id', '=', id)
          .execute()
      ).length;
    for (const participant of [helper, admin]) {
      const r = await thread(participant, id);
      expect(r.status).toBe(200);
      expect((r.body.messages as ChatMessage[]).map((m) => m.text)).toEqual(['for the record']);
    }
    expect(await auditedReads()).toBe(0);
    expect(await thread(sharer, id)).toMatchObject({ status: 403, body: { error: 'not_participant' } });
    expect(await thread(foreignHelper, id)).toMatchObject({ status: 404, body: { error: 'session_not_found' } });
    expect(await auditedReads()).toBe(0);

    // Another session, the administrator outside it: they may read with reports.read, and it is audited.
    const other = await joinedSession();
    const s = await attached(sharer, other);
    chatOf(await send(s, other, freshId(), 'private'));
    const read = await thread(admin, other, '?afterSeq=0&limit=10');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ sessionId: other, more: false, messages: [{ seq: 1, text: 'private' }] });
    const audited = await t.server.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'chat.thread_read')
      .where('target_id', '=', other)
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor_type: 'user', target_type: 'session' });
    expect(await thread(foreignHelper, other)).toMatchObject({ status: 404 });
    h.close();
    s.close();
  });

  it('pages by sequence number', async () => {
    const id = await joinedSession();
    const h = await attached(helper, id);
    for (let i = 1; i <= 5; i++) chatOf(await send(h, id, freshId(), `m${i}`));
    const first = await thread(helper, id, '?limit=2');
    expect(first.body).toMatchObject({ more: true, messages: [{ seq: 1 }, { seq: 2 }] });
    const last = await thread(helper, id, '?afterSeq=4&limit=2');
    expect(last.body).toMatchObject({ more: false, messages: [{ seq: 5, text: 'm5' }] });
    expect((await thread(helper, id, '?limit=0')).status).toBe(400);
    h.close();
  });

  it('refuses a sequence number past what the database holds (2^31 − 1) with a typed error, here and on the socket', async () => {
    // `seq` is a 32-bit integer column: PostgreSQL answered a larger afterSeq with a 500 (SQLite took it).
    const id = await joinedSession();
    const h = await attached(helper, id);
    chatOf(await send(h, id, freshId(), 'only one'));
    const largest = 2 ** 31 - 1;
    expect((await thread(helper, id, `?afterSeq=${largest}`)).body).toMatchObject({ more: false, messages: [] });
    for (const tooLarge of ['2147483648', '9007199254740993', '1e20']) {
      expect(await thread(helper, id, `?afterSeq=${tooLarge}`), tooLarge).toMatchObject({
        status: 400,
        body: { ok: false, error: 'validation_failed' },
      });
    }
    const resume = (afterSeq: number) =>
      ask(h, { type: 'chat.resume', sessionId: id, afterSeq }, (m) => m.type === 'chat.history');
    expect(await resume(largest)).toMatchObject({ type: 'chat.history', afterSeq: largest, messages: [] });
    for (const tooLarge of [2 ** 31, Number.MAX_SAFE_INTEGER, 1e20]) {
      expect(await resume(tooLarge), String(tooLarge)).toMatchObject({ type: 'error', error: 'validation_failed' });
    }
    // The socket is unharmed and the thread unchanged.
    expect(await resume(0)).toMatchObject({ type: 'chat.history', messages: [{ seq: 1, text: 'only one' }] });
    h.close();
  });
});

describe('retention', () => {
  it('removes the thread with its session once the session is older than the retention', async () => {
    const id = await joinedSession();
    const h = await attached(helper, id);
    chatOf(await send(h, id, freshId(), 'short-lived'));
    h.close();
    const live = await joinedSession();
    const s = await attached(sharer, live);
    chatOf(await send(s, live, freshId(), 'still live'));
    s.close();
    expect((await helper.post(`/api/v1/sessions/${id}/leave`)).status).toBe(200);
    const later = { now: () => Date.now() + 31 * 86_400_000 };
    await new RetentionJob({ db: t.server.db, audit: t.server.audit, clock: later }).run();
    expect(await rows(id)).toEqual([]);
    expect((await rows(live)).map((r) => r.text)).toEqual(['still live']);
  });
});
