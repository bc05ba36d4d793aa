/**
 * Smoke test of `npm run bench:load`'s client side (bench/load) at a tiny size, so the bench
 * cannot silently stop matching the server: the bench's own seeding, one of its client
 * processes driven over IPC exactly as the orchestrator does, five sessions set up through the
 * real API and WebSocket (from 127.1.x.y source addresses, as in a run), signals relayed both
 * ways and chat, then ended by the helpers. Asserts what happened (every step and the rows),
 * never how fast.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PING_SLOTS } from '../../../../bench/load/src/client.js';
import { ClientProcess } from '../../../../bench/load/src/clientProcess.js';
import { ToClient } from '../../../../bench/load/src/messages.js';
import type { PairPlan } from '../../../../bench/load/src/messages.js';
import { seedPeople } from '../../../../bench/load/src/seed.js';
import type { TestServer } from '../test/harness.js';
import { startTestServer } from '../test/harness.js';

let t: TestServer;
let client: ClientProcess | null = null;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  client?.send({ type: 'quit' });
  client?.kill();
  await t?.stop();
});

it('runs five bench sessions end to end through a client process', { timeout: 120_000 }, async () => {
  const people = await seedPeople(t.server.db, {
    slug: 'loadsmoke',
    helpers: 2,
    sharers: 2,
    password: 'smoke test pw 1',
  });
  const pairs: PairPlan[] = Array.from({ length: 5 }, (_, p) => ({
    index: p,
    helper: { token: people.helpers[p % 2]!.token, csrf: people.helpers[p % 2]!.csrf },
    sharer: { token: people.sharers[p % 2]!.token, csrf: people.sharers[p % 2]!.csrf },
    helperNode: t.url,
    sharerNode: t.url,
    helperAddress: `127.1.0.${1 + 2 * p}`,
    sharerAddress: `127.1.0.${2 + 2 * p}`,
  }));
  client = ClientProcess.start();
  await client.next('ready', 60_000);
  // The people ping once a beat, as the web app does (and as the bench's default).
  const init: ToClient = {
    type: 'init',
    pairs,
    httpAddresses: ['127.2.0.1', '127.2.0.2'],
    cookieName: 'rh_session',
    clientPings: true,
    pingSlots: PING_SLOTS,
  };
  expect(ToClient.parse(init)).toEqual(init);
  client.send(init);
  await client.next('ready', 30_000);

  client.send({ type: 'setup', from: 0, to: 5, concurrency: 3, deadline: Date.now() + 60_000 });
  const setup = await client.next('setupDone', 90_000);
  expect(setup).toMatchObject({ ok: 5, failed: 0, errors: {}, timedOut: false });
  expect(setup.durationsMs).toHaveLength(5);

  const live = await t.server.db
    .selectFrom('help_sessions')
    .select(['id', 'state', 'mode', 'helper_id', 'sharer_id'])
    .where('tenant_id', '=', people.tenantId)
    .execute();
  expect(live).toHaveLength(5);
  expect(live.every((s) => s.state === 'active' && s.mode === 'view' && s.sharer_id !== null)).toBe(true);

  client.send({ type: 'sample', sessions: 5, durationMs: 500, intervalMs: 20, chatMessages: 2 });
  const sampled = await client.next('sampleDone', 60_000);
  expect(sampled.lost).toBe(0);
  expect(sampled.errors).toEqual({});
  expect(sampled.relayMs.length).toBeGreaterThan(0);
  expect(sampled.relayMs.every((ms) => Number.isFinite(ms) && ms >= 0)).toBe(true);
  expect(sampled.chatMs).toHaveLength(10);
  const lines = await t.server.db
    .selectFrom('chat_messages')
    .select('session_id')
    .where('tenant_id', '=', people.tenantId)
    .execute();
  expect(lines).toHaveLength(10);

  client.send({ type: 'status' });
  expect(await client.next('status', 10_000)).toMatchObject({ live: 5, droppedSockets: 0 });

  client.send({ type: 'end', concurrency: 5, deadline: Date.now() + 60_000 });
  const ended = await client.next('endDone', 60_000);
  expect(ended).toMatchObject({ ok: 5, failed: 0, errors: {}, timedOut: false });
  const after = await t.server.db
    .selectFrom('help_sessions')
    .select(['state', 'end_reason'])
    .where('tenant_id', '=', people.tenantId)
    .execute();
  expect(after.map((s) => [s.state, s.end_reason])).toEqual(Array(5).fill(['ended', 'helper_left']));
});
