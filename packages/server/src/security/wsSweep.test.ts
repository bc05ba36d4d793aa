/**
 * Authorization sweep over real WebSockets. Every `ClientMessage` variant of the protocol
 * needs an entry in `MESSAGE_RULES` (a new message type without one fails), and each
 * entry's negative cases run against a live server: another tenant's session, a session
 * you are not in, signaling before attach or outside `active`, malformed frames. The
 * upgrades themselves are refused without a session (4401) or from a foreign Origin (4403),
 * and the device socket without a valid, fresh device proof (4401).
 */
import { ClientMessage, ERROR_CODES, MAX_WS_FRAME_BYTES } from '@remote-help/protocol';
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Client, TestSocket } from '../test/harness.js';
import type { SweepFixture } from './fixture.js';
import { forgerKey, startSweepFixture } from './fixture.js';
import { otherScheme } from './sweepClient.js';

let f: SweepFixture;
/** A second Contoso session, ended by the helper. */
let endedId: string;
beforeAll(async () => {
  f = await startSweepFixture();
  const { helper, sharer } = f.clients;
  const created = await helper.post('/api/v1/sessions', {});
  endedId = (created.body.session as { id: string }).id;
  await sharer.post('/api/v1/sessions/redeem', { code: created.body.code });
  await helper.post(`/api/v1/sessions/${endedId}/leave`, {});
}, 60_000);
afterAll(async () => f?.stop());

const sockets: TestSocket[] = [];
afterAll(() => sockets.forEach((s) => s.close()));
async function open(client: Client): Promise<TestSocket> {
  const s = await client.socket();
  sockets.push(s);
  return s;
}

let n = 0;
/** Sends `message` with a fresh `id` and resolves with the reply to it (an error frame, or `match`). */
async function ask(s: TestSocket, message: Record<string, unknown>, match?: (m: ServerMessage) => boolean) {
  const id = `q${++n}`;
  const since = s.received.length;
  s.send({ ...message, id });
  return s.next((m) => (m.type === 'error' && m.replyTo === id) || (match?.(m) ?? false), 5000, since);
}

/** An error frame: the envelope fields, a code from the closed set, this code. */
function expectErrorFrame(m: ServerMessage, code: string): void {
  expect(m.type, JSON.stringify(m)).toBe('error');
  const e = m as Extract<ServerMessage, { type: 'error' }>;
  expect(e.ok).toBe(false);
  expect(ERROR_CODES as readonly string[]).toContain(e.error);
  expect(typeof e.message).toBe('string');
  expect(e.error, JSON.stringify(m)).toBe(code);
}

/** Round-trips a ping so everything sent before it has been handled; returns the frames since `since`. */
async function settle(s: TestSocket, since: number): Promise<ServerMessage[]> {
  const pong = await ask(s, { type: 'ping' }, (m) => m.type === 'pong');
  expect(pong.type).toBe('pong');
  return s.received.slice(since).filter((m) => m.type !== 'pong');
}

interface WsCase {
  name: string;
  run(): Promise<void>;
}

/** One entry per `ClientMessage` type: who may send it, and the cases that must be refused. */
const MESSAGE_RULES: Record<ClientMessage['type'], { who: string; cases: WsCase[] }> = {
  attach: {
    who: 'a participant of the session (same tenant)',
    cases: [
      {
        name: "another tenant's session → session_not_found, the same answer as for no session at all",
        async run() {
          const s = await open(f.clients.foreignHelper);
          const foreign = await ask(s, { type: 'attach', sessionId: f.sessionId });
          expectErrorFrame(foreign, 'session_not_found');
          const none = await ask(s, { type: 'attach', sessionId: 'no-such-session' });
          expectErrorFrame(none, 'session_not_found');
          expect((foreign as { message: string }).message).toBe((none as { message: string }).message);
        },
      },
      {
        name: 'a session of your tenant you are not in → not_participant',
        async run() {
          expectErrorFrame(
            await ask(await open(f.clients.admin), { type: 'attach', sessionId: f.sessionId }),
            'not_participant',
          );
        },
      },
      {
        name: 'a malformed session id → validation_failed',
        async run() {
          const s = await open(f.clients.helper);
          expectErrorFrame(await ask(s, { type: 'attach', sessionId: '../etc/passwd' }), 'validation_failed');
          expectErrorFrame(
            await ask(s, { type: 'attach', sessionId: f.sessionId, role: 'helper' }),
            'validation_failed',
          );
        },
      },
    ],
  },
  detach: {
    who: 'anyone (it only drops your own subscription)',
    cases: [
      {
        name: "another tenant's session → nothing said either way (no leak), the connection stays usable",
        async run() {
          const s = await open(f.clients.foreignHelper);
          const since = s.received.length;
          s.send({ type: 'detach', sessionId: f.sessionId });
          s.send({ type: 'detach', sessionId: 'no-such-session' });
          expect(await settle(s, since)).toEqual([]);
        },
      },
      {
        name: 'a malformed session id → validation_failed',
        async run() {
          expectErrorFrame(
            await ask(await open(f.clients.helper), { type: 'detach', sessionId: '' }),
            'validation_failed',
          );
        },
      },
    ],
  },
  signal: {
    who: 'a participant attached to an active session; relayed to the other participant only',
    cases: [
      {
        name: 'before attach → bad_request, nothing relayed',
        async run() {
          const sharer = await open(f.clients.sharer);
          await ask(sharer, { type: 'attach', sessionId: f.sessionId }, (m) => m.type === 'attached');
          const since = sharer.received.length;
          const helper = await open(f.clients.helper);
          expectErrorFrame(await ask(helper, signal(f.sessionId)), 'bad_request');
          expect((await settle(sharer, since)).filter((m) => m.type === 'signal')).toEqual([]);
        },
      },
      {
        name: 'to a session you are not in (same tenant, another tenant) → refused, nothing relayed',
        async run() {
          const sharer = await open(f.clients.sharer);
          await ask(sharer, { type: 'attach', sessionId: f.sessionId }, (m) => m.type === 'attached');
          const since = sharer.received.length;
          for (const intruder of [f.clients.admin, f.clients.foreignHelper]) {
            const s = await open(intruder);
            await ask(s, { type: 'attach', sessionId: f.sessionId });
            expectErrorFrame(await ask(s, signal(f.sessionId)), 'bad_request');
          }
          expect((await settle(sharer, since)).filter((m) => m.type === 'signal')).toEqual([]);
        },
      },
      {
        name: 'to a session that is not active yet → invalid_transition, nothing relayed',
        async run() {
          const sharer = await open(f.clients.sharer);
          await ask(sharer, { type: 'attach', sessionId: f.sessionId }, (m) => m.type === 'attached');
          const since = sharer.received.length;
          const helper = await open(f.clients.helper);
          await ask(helper, { type: 'attach', sessionId: f.sessionId }, (m) => m.type === 'attached');
          expectErrorFrame(await ask(helper, signal(f.sessionId)), 'invalid_transition');
          expect((await settle(sharer, since)).filter((m) => m.type === 'signal')).toEqual([]);
        },
      },
      {
        name: '(the control case) in an active session the same frame does reach the other participant',
        async run() {
          const { helper, sharer } = f.clients;
          const created = await helper.post('/api/v1/sessions', {});
          const id = (created.body.session as { id: string }).id;
          await sharer.post('/api/v1/sessions/redeem', { code: created.body.code });
          await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' });
          expect((await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true })).status).toBe(200);
          const s = await open(sharer);
          await ask(s, { type: 'attach', sessionId: id }, (m) => m.type === 'attached');
          const h = await open(helper);
          await ask(h, { type: 'attach', sessionId: id }, (m) => m.type === 'attached');
          h.send(signal(id));
          expect(await s.next((m) => m.type === 'signal')).toMatchObject({ sessionId: id, from: 'helper' });
          await helper.post(`/api/v1/sessions/${id}/leave`, {});
        },
      },
      {
        name: 'to an ended session → session_ended',
        async run() {
          const helper = await open(f.clients.helper);
          await ask(helper, { type: 'attach', sessionId: endedId }, (m) => m.type === 'attached');
          expectErrorFrame(await ask(helper, signal(endedId)), 'session_ended');
        },
      },
      {
        name: 'a malformed payload (unknown kind, oversized SDP) → validation_failed',
        async run() {
          const s = await open(f.clients.helper);
          expectErrorFrame(
            await ask(s, { type: 'signal', sessionId: f.sessionId, payload: { kind: 'exec' } }),
            'validation_failed',
          );
          const sdp = { type: 'offer', sdp: 'v'.repeat(60_001) };
          expectErrorFrame(
            await ask(s, { type: 'signal', sessionId: f.sessionId, payload: { kind: 'sdp', description: sdp } }),
            'validation_failed',
          );
        },
      },
    ],
  },
  path: {
    who: 'a participant attached to the session; only an active session with a sharing sharer has a path to lose',
    cases: [
      {
        name: 'before attach → bad_request',
        async run() {
          const helper = await open(f.clients.helper);
          expectErrorFrame(await ask(helper, path(f.sessionId)), 'bad_request');
        },
      },
      {
        name: 'to a session you are not in (same tenant, another tenant) → refused',
        async run() {
          for (const intruder of [f.clients.admin, f.clients.foreignHelper]) {
            const s = await open(intruder);
            await ask(s, { type: 'attach', sessionId: f.sessionId });
            expectErrorFrame(await ask(s, path(f.sessionId)), 'bad_request');
          }
        },
      },
      {
        name: 'to an ended session → session_ended',
        async run() {
          const helper = await open(f.clients.helper);
          await ask(helper, { type: 'attach', sessionId: endedId }, (m) => m.type === 'attached');
          expectErrorFrame(await ask(helper, path(endedId)), 'session_ended');
        },
      },
      {
        name: 'an unknown state or an extra field → validation_failed',
        async run() {
          const s = await open(f.clients.helper);
          expectErrorFrame(await ask(s, { ...path(f.sessionId), state: 'dead' }), 'validation_failed');
          expectErrorFrame(await ask(s, { ...path(f.sessionId), role: 'sharer' }), 'validation_failed');
        },
      },
    ],
  },
  'ice.servers': {
    who: 'a participant attached to the session until it ends; answered to the asker only',
    cases: [
      {
        name: 'before attach → bad_request',
        run: () =>
          withSockets(async (open) => {
            const helper = await open(f.clients.helper);
            expectErrorFrame(await ask(helper, iceServers(f.sessionId)), 'bad_request');
          }),
      },
      {
        name: 'for a session you are not in (same tenant, another tenant) → refused, no servers',
        run: () =>
          withSockets(async (open) => {
            for (const intruder of [f.clients.admin, f.clients.foreignHelper]) {
              const s = await open(intruder);
              await ask(s, { type: 'attach', sessionId: f.sessionId });
              const since = s.received.length;
              expectErrorFrame(await ask(s, iceServers(f.sessionId)), 'bad_request');
              expect((await settle(s, since)).filter((m) => m.type === 'ice.servers')).toEqual([]);
            }
          }),
      },
      {
        name: 'for an ended session → session_ended',
        run: () =>
          withSockets(async (open) => {
            const helper = await open(f.clients.helper);
            await ask(helper, { type: 'attach', sessionId: endedId }, (m) => m.type === 'attached');
            expectErrorFrame(await ask(helper, iceServers(endedId)), 'session_ended');
          }),
      },
      {
        name: 'an extra field → validation_failed',
        run: () =>
          withSockets(async (open) => {
            const s = await open(f.clients.helper);
            expectErrorFrame(await ask(s, { ...iceServers(f.sessionId), userId: 'x' }), 'validation_failed');
          }),
      },
      {
        name: '(the control case) attached, the participant gets the servers for that session',
        run: () =>
          withSockets(async (open) => {
            const sharer = await open(f.clients.sharer);
            await ask(sharer, { type: 'attach', sessionId: f.sessionId }, (m) => m.type === 'attached');
            const answer = await ask(sharer, iceServers(f.sessionId), (m) => m.type === 'ice.servers');
            expect(answer).toMatchObject({ type: 'ice.servers', sessionId: f.sessionId });
          }),
      },
    ],
  },
  'chat.send': {
    who: 'a participant attached to the session, from the trust screen until it ends; to both participants only',
    cases: chatCases('chat.send', (sessionId) => ({ sessionId, clientId: 'sweep-chat-0001', text: 'hello' }), [
      {
        name: 'an unknown field, a malformed clientId → validation_failed',
        run: () =>
          withSockets(async (open) => {
            const s = await open(f.clients.helper);
            const ok = { type: 'chat.send', sessionId: f.sessionId, clientId: 'sweep-chat-0002', text: 'x' };
            expectErrorFrame(await ask(s, { ...ok, from: 'sharer' }), 'validation_failed');
            expectErrorFrame(await ask(s, { ...ok, clientId: '../x' }), 'validation_failed');
          }),
      },
      {
        name: '(the control case) attached, the message reaches the other participant',
        run: () =>
          withSockets(async (open) => {
            const sharer = await open(f.clients.sharer);
            await ask(sharer, { type: 'attach', sessionId: f.sessionId }, (m) => m.type === 'attached');
            const helper = await open(f.clients.helper);
            await ask(helper, { type: 'attach', sessionId: f.sessionId }, (m) => m.type === 'attached');
            helper.send({ type: 'chat.send', sessionId: f.sessionId, clientId: 'sweep-chat-0003', text: 'hi' });
            expect(await sharer.next((m) => m.type === 'chat.message')).toMatchObject({
              sessionId: f.sessionId,
              message: { from: 'helper', text: 'hi' },
            });
          }),
      },
    ]),
  },
  'chat.resume': {
    who: 'a participant attached to the session (also after it ended)',
    cases: chatCases('chat.resume', (sessionId) => ({ sessionId, afterSeq: 0 }), []),
  },
  'chat.typing': {
    who: 'a participant attached to the session, from the trust screen until it ends; to the other participant only',
    cases: chatCases('chat.typing', (sessionId) => ({ sessionId, typing: true }), []),
  },
  ping: {
    who: 'any signed-in connection',
    cases: [
      {
        name: 'an extra field → validation_failed',
        async run() {
          expectErrorFrame(await ask(await open(f.clients.sharer), { type: 'ping', admin: true }), 'validation_failed');
        },
      },
    ],
  },
};

/** Runs a case with sockets it closes when done (the sweep's people have a socket and attachment cap). */
async function withSockets(body: (open: (client: Client) => Promise<TestSocket>) => Promise<void>): Promise<void> {
  const mine: TestSocket[] = [];
  try {
    await body(async (client) => {
      const s = await open(client);
      mine.push(s);
      return s;
    });
  } finally {
    for (const s of mine) s.close();
    await Promise.all(mine.map((s) => s.closed));
  }
}

/**
 * The cases every chat frame shares: before attach and from someone outside the session (same
 * tenant or another) → bad_request and nothing reaches the session's sharer; to an ended
 * session → session_ended (sends and typing; a resume still answers the thread).
 */
function chatCases(
  type: 'chat.send' | 'chat.resume' | 'chat.typing',
  fields: (sessionId: string) => Record<string, unknown>,
  more: WsCase[],
): WsCase[] {
  const frame = (sessionId: string) => ({ type, ...fields(sessionId) });
  const chatFrames = (m: ServerMessage) => m.type.startsWith('chat.');
  return [
    {
      name: 'before attach, or from outside the session (same tenant, another tenant) → bad_request, nothing relayed',
      run: () =>
        withSockets(async (open) => {
          const sharer = await open(f.clients.sharer);
          await ask(sharer, { type: 'attach', sessionId: f.sessionId }, (m) => m.type === 'attached');
          const since = sharer.received.length;
          const helper = await open(f.clients.helper);
          expectErrorFrame(await ask(helper, frame(f.sessionId)), 'bad_request');
          for (const intruder of [f.clients.admin, f.clients.foreignHelper]) {
            const s = await open(intruder);
            await ask(s, { type: 'attach', sessionId: f.sessionId });
            expectErrorFrame(await ask(s, frame(f.sessionId)), 'bad_request');
          }
          expect((await settle(sharer, since)).filter(chatFrames)).toEqual([]);
        }),
    },
    ...(type === 'chat.resume'
      ? []
      : [
          {
            name: 'to an ended session → session_ended',
            run: () =>
              withSockets(async (open) => {
                const helper = await open(f.clients.helper);
                await ask(helper, { type: 'attach', sessionId: endedId }, (m) => m.type === 'attached');
                expectErrorFrame(await ask(helper, frame(endedId)), 'session_ended');
              }),
          },
        ]),
    ...more,
  ];
}

function iceServers(sessionId: string): Record<string, unknown> {
  return { type: 'ice.servers', sessionId };
}

function path(sessionId: string): Record<string, unknown> {
  return { type: 'path', sessionId, state: 'down' };
}

function signal(sessionId: string): Record<string, unknown> {
  return { type: 'signal', sessionId, payload: { kind: 'sdp', description: { type: 'offer', sdp: 'v=0' } } };
}

describe('every ClientMessage type has an entry', () => {
  it('matches the protocol union exactly', () => {
    const types = ClientMessage.options.map((o) => o.shape.type.value).sort();
    expect(Object.keys(MESSAGE_RULES).sort()).toEqual(types);
  });
});

for (const [type, rule] of Object.entries(MESSAGE_RULES)) {
  describe(`${type} (${rule.who})`, () => {
    for (const c of rule.cases) it(c.name, () => c.run());
  });
}

describe('frames that are no message at all', () => {
  it('unknown type, not JSON, binary, too large → typed error frames; the connection stays open', async () => {
    const s = await open(f.clients.helper);
    expectErrorFrame(await ask(s, { type: 'explode' }), 'validation_failed');
    const errorsSince = (since: number) => s.next((m) => m.type === 'error', 5000, since);
    let since = s.received.length;
    s.send('{"type":');
    expectErrorFrame(await errorsSince(since), 'bad_request');
    since = s.received.length;
    s.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    expectErrorFrame(await errorsSince(since), 'bad_request');
    since = s.received.length;
    s.send({ type: 'ping', id: 'x'.repeat(MAX_WS_FRAME_BYTES) });
    expectErrorFrame(await errorsSince(since), 'payload_too_large');
    expect((await ask(s, { type: 'ping' }, (m) => m.type === 'pong')).type).toBe('pong');
  });
});

/** Opens a raw socket and resolves with its close code and the frames it got. */
function upgrade(path: string, headers: Record<string, string>): Promise<{ code: number; frames: unknown[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(f.url.replace(/^http/, 'ws') + path, { headers });
    const frames: unknown[] = [];
    ws.on('message', (data) => {
      frames.push(JSON.parse(String(data)));
      // A socket that was let in says hello; close it ourselves so the case ends.
      if ((frames[0] as { type?: string }).type === 'hello') ws.close(1000);
    });
    ws.on('close', (code) => resolve({ code, frames }));
    ws.on('error', reject);
  });
}

describe('the user socket upgrade', () => {
  it('without a session → an authentication_required frame, then close 4401', async () => {
    for (const cookie of ['', 'rh_session=forged']) {
      const r = await upgrade('/api/v1/ws', cookie ? { cookie } : {});
      expect(r.code).toBe(4401);
      expect(r.frames).toMatchObject([{ type: 'error', ok: false, error: 'authentication_required' }]);
    }
  });

  it('from a foreign Origin, even with a valid session → close 4403', async () => {
    const cookie = f.clients.helper.cookieHeader;
    expect((await upgrade('/api/v1/ws', { cookie, origin: 'https://evil.example' })).code).toBe(4403);
    // Our host and port under another scheme is another origin (N1: the check used to compare hosts only).
    expect((await upgrade('/api/v1/ws', { cookie, origin: otherScheme(f.url) })).code).toBe(4403);
    // The same cookie from our own origin is let in (the case above can fail).
    expect((await upgrade('/api/v1/ws', { cookie, origin: new URL(f.url).origin })).frames[0]).toMatchObject({
      type: 'hello',
    });
  });
});

describe('the device socket upgrade (/api/v1/devices/ws)', () => {
  const path = '/api/v1/devices/ws';
  const refused = async (authorization: string | undefined, headers: Record<string, string> = {}) => {
    const r = await upgrade(path, authorization ? { ...headers, authorization } : headers);
    expect(r.code).toBe(4401);
    expect(r.frames).toMatchObject([{ type: 'error', ok: false, error: 'authentication_required' }]);
  };

  it('without a proof, or with a user session instead → 4401', async () => {
    await refused(undefined);
    await refused(undefined, { cookie: f.clients.helper.cookieHeader });
  });

  it('with a proof signed by another key, for another URL, or naming an unknown device → 4401', async () => {
    await refused(await f.proof('GET', path, { key: await forgerKey() }));
    await refused(await f.proof('GET', '/api/v1/devices/checkin'));
    await refused(await f.proof('POST', path));
    await refused(await f.proof('GET', path, { sub: 'no-such-device' }));
  });

  it('with a valid proof once → hello; the same proof again → 4401', async () => {
    const proof = await f.proof('GET', path);
    const first = await upgrade(path, { authorization: proof });
    expect(first.frames[0]).toMatchObject({ type: 'hello', deviceId: f.deviceId });
    await refused(proof);
  });
});
