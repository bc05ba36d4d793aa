/**
 * Integration: the signaling relay's byte budget (`sessions/signaling`, `SIGNAL_BUDGET`). A
 * participant that pushes SDP as fast as its frame limits allow is refused with `rate_limited`
 * once past its budget, and what it pushed never reaches the other side's socket, which stays
 * open (it used to be closed as a slow consumer, with every session attached to it). Real
 * negotiation, several times over, stays far below the budget. Over real HTTP and WebSocket.
 */
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer, TestSocket } from '../test/harness.js';
import { Client, sessionIn, startTestServer } from '../test/harness.js';
import { SIGNAL_BUDGET } from './signaling.js';

let t: TestServer;
beforeAll(async () => {
  // A long grace: nothing here ends a session by presence.
  t = await startTestServer({}, { presence: { heartbeatMs: 1000, deadAfterMs: 30_000, graceMs: 30_000 } });
});
afterAll(async () => t?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` active sessions between one helper and one sharer of `domain`, each side on one socket. */
async function activeSessions(domain: string, count: number, helperName = 'helper') {
  const helper = new Client(t.url);
  await helper.signIn(`${helperName}@${domain}`);
  const sharer = new Client(t.url);
  await sharer.signIn(`sharer@${domain}`);
  const hws = await helper.socket();
  const sws = await sharer.socket();
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const { code, session } = (await helper.post('/api/v1/sessions')).body as { code: string; session: { id: string } };
    const id = session.id;
    hws.send({ type: 'attach', sessionId: id });
    await sharer.post('/api/v1/sessions/redeem', { code });
    sws.send({ type: 'attach', sessionId: id });
    await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' });
    await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true });
    const active = (m: ServerMessage) => sessionIn('active')(m) && 'session' in m && m.session.id === id;
    await hws.next(active);
    await sws.next(active);
    ids.push(id);
  }
  return { ids, hws, sws };
}

/** An active session between a helper and a sharer of `domain`, both attached. */
async function activeSession(domain: string) {
  const { ids, hws, sws } = await activeSessions(domain, 1);
  return { id: ids[0]!, hws, sws };
}

type Signal = Extract<ServerMessage, { type: 'signal' }>;
const signals = (socket: TestSocket) => socket.received.filter((m): m is Signal => m.type === 'signal');
/** What a relayed signal costs the receiver, as it arrives (its frame's bytes). */
const frameBytes = (m: ServerMessage) => Buffer.byteLength(JSON.stringify(m));
/** Refusals of the signal budget: `rate_limited` answering a signal's id (the frame limit answers none). */
const budgetRefusals = (socket: TestSocket) =>
  socket.received.filter(
    (m): m is Extract<ServerMessage, { type: 'error' }> =>
      m.type === 'error' && m.error === 'rate_limited' && (m.replyTo ?? '').startsWith('flood-'),
  );

/**
 * After a flood from `hws` at the paused `sws`: waits until every frame was answered (refused or
 * relayed: the ping sent after them is), lets the receiver read, and checks that it is still
 * connected and got no more than one budget in the time since `started`. Returns what it got.
 */
async function afterFlood(hws: TestSocket, sws: TestSocket, started: number, closedWith: () => number | undefined) {
  hws.send({ type: 'ping', id: 'after-flood' });
  await hws.next((m) => m.type === 'pong' && m.id === 'after-flood', 20_000);
  sws.ws.resume();
  await sleep(500);
  const elapsedSeconds = (Date.now() - started) / 1000;
  expect(closedWith()).toBeUndefined();
  expect(sws.ws.readyState).toBe(sws.ws.OPEN);
  const relayed = signals(sws);
  const relayedBytes = relayed.reduce((n, m) => n + frameBytes(m), 0);
  expect(relayedBytes).toBeLessThanOrEqual(
    SIGNAL_BUDGET.burstBytes + SIGNAL_BUDGET.bytesPerSecond * elapsedSeconds + 64 * 1024,
  );
  return relayed;
}

describe('the signaling relay’s byte budget', () => {
  it('refuses a flood of SDP with rate_limited, relays none of the excess, and keeps the receiver connected', async () => {
    const { id, hws, sws } = await activeSession('contoso.example');
    let closedWith: number | undefined;
    void sws.closed.then(({ code }) => (closedWith = code));
    // The receiver reads nothing while the flood lasts (a slow link, a busy tab): what the server
    // relays waits in its socket's buffer, which may hold 1 MiB before the socket is closed.
    sws.ws.pause();
    const sdp = `v=0\r\n${'a'.repeat(59_000)}`;
    const flood = (i: number) => ({
      type: 'signal',
      id: `flood-${i}`,
      sessionId: id,
      payload: { kind: 'sdp', description: { type: 'offer', sdp: `${sdp}${i}` } },
    });
    const started = Date.now();
    // A burst within the frame limits (200 a socket at once), then 40 a second for 3 s (9 MB, then 2.4 MB/s).
    let i = 0;
    for (; i < 150; i++) hws.send(flood(i));
    for (const until = Date.now() + 3000; Date.now() < until;) {
      for (let k = 0; k < 4; k++) hws.send(flood(i++));
      await sleep(100);
    }
    // The receiver is still there, and got no more than the budget allows in that time.
    const relayed = await afterFlood(hws, sws, started, () => closedWith);
    expect(relayed.length).toBeGreaterThan(0);
    // The sender was told, per refused signal, in the protocol's words.
    const refusals = budgetRefusals(hws);
    expect(refusals.length).toBe(i - relayed.length);
    expect(refusals[0]).toMatchObject({ error: 'rate_limited', data: { retryAfterSeconds: expect.any(Number) } });
    expect(Number(refusals[0]!.data!.retryAfterSeconds)).toBeGreaterThanOrEqual(1);

    // The receiver's socket works; after the wait it was told, the sender's signals flow again.
    sws.send({ type: 'ping', id: 'receiver' });
    await sws.next((m) => m.type === 'pong' && m.id === 'receiver');
    await sleep(Number(refusals.at(-1)!.data!.retryAfterSeconds) * 1000);
    hws.send({ type: 'signal', sessionId: id, payload: { kind: 'ice', candidate: null } });
    await sws.next((m) => m.type === 'signal' && m.payload.kind === 'ice');
    hws.close();
    sws.close();
  }, 60_000);

  it('never refuses real negotiation: offers, answers, ICE candidates and ICE restarts, several times over', async () => {
    const { id, hws, sws } = await activeSession('fabrikam.example');
    // A generous offer (a browser's with many codecs is 5–10 KB) and 20 candidates per side, per round.
    const description = (type: 'offer' | 'answer', round: number) => ({
      kind: 'sdp',
      description: {
        type,
        sdp: `v=0\r\no=- ${round} 2 IN IP4 127.0.0.1\r\n${'a=rtpmap:96 VP8/90000\r\n'.repeat(800)}`,
      },
    });
    const candidate = (n: number) => ({
      kind: 'ice',
      candidate: {
        candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${n % 250} ${50_000 + n} typ host generation 0 ufrag abcd network-id 1`,
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: 'abcd',
      },
    });
    // Eight negotiations back to back (a fresh connection, then ICE restarts), both directions, no pause.
    const rounds = 8;
    for (let round = 0; round < rounds; round++) {
      hws.send({ type: 'signal', id: `h-${round}`, sessionId: id, payload: { kind: 'restart', ice: round > 0 } });
      sws.send({ type: 'signal', id: `s-offer-${round}`, sessionId: id, payload: description('offer', round) });
      hws.send({ type: 'signal', id: `h-answer-${round}`, sessionId: id, payload: description('answer', round) });
      for (let n = 0; n < 20; n++) {
        sws.send({ type: 'signal', sessionId: id, payload: candidate(n) });
        hws.send({ type: 'signal', sessionId: id, payload: candidate(n) });
      }
    }
    // Per round, the helper sends a restart, an answer and 20 candidates; the sharer an offer and 20.
    await expect.poll(() => signals(sws).length, { timeout: 10_000 }).toBe(rounds * 22);
    await expect.poll(() => signals(hws).length, { timeout: 10_000 }).toBe(rounds * 21);
    expect(hws.received.filter((m) => m.type === 'error')).toEqual([]);
    expect(sws.received.filter((m) => m.type === 'error')).toEqual([]);
    hws.close();
    sws.close();
  }, 30_000);

  it('is one budget per person: a flood spread over several sessions with the same victim gets no more through', async () => {
    // Three sessions between the same two people, the victim's socket attached to all of them. With a
    // budget per session the flood got three budgets through (1.5 MiB), past the 1 MiB a socket may
    // leave unread, and the victim's socket was closed with every session on it.
    // The administrator helps here: the first test spent the helper's budget.
    const { ids, hws, sws } = await activeSessions('contoso.example', 3, 'admin');
    let closedWith: number | undefined;
    void sws.closed.then(({ code }) => (closedWith = code));
    sws.ws.pause();
    const sdp = `v=0\r\n${'a'.repeat(59_000)}`;
    const started = Date.now();
    let i = 0;
    // 60 SDPs of 59 KB to each session (10.6 MB), as fast as the frame limits let them through.
    for (let round = 0; round < 60; round++) {
      for (const id of ids)
        hws.send({
          type: 'signal',
          id: `flood-${i}`,
          sessionId: id,
          payload: { kind: 'sdp', description: { type: 'offer', sdp: `${sdp}${i++}` } },
        });
      if (round % 20 === 19) await sleep(200);
    }
    // Some of it reached each session, all of it together within one person's budget.
    const relayed = await afterFlood(hws, sws, started, () => closedWith);
    for (const id of ids) expect(relayed.some((m) => m.sessionId === id)).toBe(true);
    expect(budgetRefusals(hws).length).toBe(i - relayed.length);
    sws.send({ type: 'ping', id: 'receiver' });
    await sws.next((m) => m.type === 'pong' && m.id === 'receiver');
    hws.close();
    sws.close();
  }, 60_000);
});
