import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '@remote-help/protocol';
import { session } from '../test/fixtures';
import { SignalingClient } from './SignalingClient';
import type { SessionView } from '@remote-help/protocol';

/** A stand-in for the browser's WebSocket that the test drives by hand. */
class FakeSocket {
  readyState = 0;
  readonly sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  closedWith: number | undefined;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
    this.onclose?.({ code: code ?? 1005 });
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: ServerMessage | Record<string, unknown> | string): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
}

const hello: ServerMessage = {
  type: 'hello',
  userId: 'u_alice',
  iceServers: [{ urls: 'stun:example.org' }],
  heartbeatMs: 30_000,
};

function setup() {
  const sockets: FakeSocket[] = [];
  const client = new SignalingClient({
    url: 'ws://test/api/v1/ws',
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
  });
  const last = (): FakeSocket => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket yet');
    return socket;
  };
  return { client, sockets, last };
}

describe('SignalingClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('attaches on open and emits hello with the ICE servers', () => {
    const { client, last } = setup();
    const hellos: unknown[] = [];
    client.on('hello', (message) => hellos.push(message));
    client.attach('s1');
    client.connect();
    expect(client.status).toBe('connecting');
    last().open();
    expect(client.status).toBe('open');
    expect(last().sent).toEqual([{ type: 'attach', sessionId: 's1', id: 'm1' }]);
    last().receive(hello);
    expect(hellos).toHaveLength(1);
    expect(client.iceServers).toEqual([{ urls: 'stun:example.org' }]);
  });

  it('ignores frames that are not valid server messages', () => {
    const { client, last } = setup();
    const sessions: SessionView[] = [];
    client.on('session', (pushed) => sessions.push(pushed));
    client.connect();
    last().open();
    last().receive('not json');
    last().receive({ type: 'bogus' });
    const unknownState: Record<string, unknown> = { type: 'session', session: { id: 's1', state: 'flying' } };
    last().receive(unknownState);
    expect(sessions).toHaveLength(0);
    last().receive({ type: 'session', session: session({ state: 'joined' }) });
    expect(sessions.map((s) => s.state)).toEqual(['joined']);
  });

  it('sends an app-level ping every second', () => {
    const { client, last } = setup();
    client.connect();
    last().open();
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(1000);
    expect(last().sent).toEqual([{ type: 'ping' }, { type: 'ping' }]);
  });

  it('pings at the beat the server announces in its hello, within bounds', () => {
    const { client, last } = setup();
    client.connect();
    last().open();
    last().receive({ ...hello, heartbeatMs: 2000 });
    vi.advanceTimersByTime(1999);
    expect(last().sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(last().sent).toEqual([{ type: 'ping' }]);
    vi.advanceTimersByTime(2000);
    expect(last().sent).toHaveLength(2);
    // A beat out of bounds is clamped: never a ping flood.
    last().receive({ ...hello, heartbeatMs: 1 });
    last().sent.length = 0;
    vi.advanceTimersByTime(1000);
    expect(last().sent).toHaveLength(4);
  });

  it('treats a socket silent for 3 s as dead (a network change), not one that answers', () => {
    const { client, sockets, last } = setup();
    client.connect();
    last().open();
    last().receive({ ...hello, heartbeatMs: 1000 });
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(1000);
      last().receive({ type: 'pong' });
    }
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(3000);
    expect(sockets[0]?.closedWith).toBe(4000);
    expect(client.status).toBe('reconnecting');
  });

  it('does not call a socket dead on the first tick after this page stalled: the pong may still be queued', () => {
    const { client, sockets, last } = setup();
    client.connect();
    last().open();
    last().receive({ ...hello, heartbeatMs: 1000 });
    vi.advanceTimersByTime(1000);
    last().receive({ type: 'pong' });
    // The main thread was busy for 5 s: no timer ran, and the frames of that time wait behind this tick.
    vi.setSystemTime(Date.now() + 5000);
    vi.advanceTimersByTime(1000);
    expect(sockets[0]?.closedWith).toBeUndefined();
    last().receive({ type: 'pong' });
    vi.advanceTimersByTime(1000);
    expect(sockets).toHaveLength(1);
    expect(client.status).toBe('open');
    // A socket still silent on the next regular ticks is dead all the same.
    vi.advanceTimersByTime(3000);
    expect(sockets[0]?.closedWith).toBe(4000);
  });

  it('refresh moves to a new socket make-before-break: queued until it opens, then attach and queue', () => {
    const { client, sockets, last } = setup();
    client.connect();
    client.attach('s1');
    last().open();
    last().receive(hello);
    const old = last();
    const seen: string[] = [];
    client.on('session', (view) => seen.push(view.id));
    vi.advanceTimersByTime(0);
    client.refresh();
    expect(sockets).toHaveLength(2);
    client.sendSignal('s1', { kind: 'restart', ice: true });
    expect(old.sent).toEqual([{ type: 'attach', sessionId: 's1', id: 'm1' }]);
    last().open();
    last().receive({ type: 'attached', sessionId: 's1' });
    expect(last().sent).toEqual([
      { type: 'attach', sessionId: 's1', id: expect.any(String) },
      { type: 'signal', sessionId: 's1', payload: { kind: 'restart', ice: true }, id: expect.any(String) },
    ]);
    // A frame already on its way to the old socket still counts, then the old socket closes.
    old.receive({ type: 'session', session: { ...session(), id: 's1' } });
    expect(seen).toEqual(['s1']);
    expect(old.closedWith).toBeUndefined();
    vi.advanceTimersByTime(2000);
    expect(old.closedWith).toBe(1000);
    expect(client.status).toBe('open');
  });

  it('signals wait for their session’s attached after a (re)connect, at most 2 s', () => {
    const { client, last } = setup();
    client.attach('s1');
    client.attach('s2');
    client.connect();
    last().open();
    client.sendSignal('s1', { kind: 'restart' });
    client.sendSignal('s2', { kind: 'restart', ice: true });
    last().receive({ type: 'attached', sessionId: 's2' });
    expect(last().sent.map((m) => (m as { type: string; sessionId: string }).type)).toEqual([
      'attach',
      'attach',
      'signal',
    ]);
    vi.advanceTimersByTime(2000);
    expect(
      last()
        .sent.filter((m) => (m as { type: string }).type !== 'ping')
        .at(-1),
    ).toMatchObject({
      type: 'signal',
      sessionId: 's1',
      payload: { kind: 'restart' },
    });
  });

  it('path reports wait for their session’s attached like signals (the server refuses them before)', () => {
    const { client, last } = setup();
    client.attach('s1');
    client.connect();
    last().open();
    client.send({ type: 'path', sessionId: 's1', state: 'down' });
    expect(last().sent.map((m) => (m as { type: string }).type)).toEqual(['attach']);
    last().receive({ type: 'attached', sessionId: 's1' });
    expect(last().sent.at(-1)).toMatchObject({ type: 'path', sessionId: 's1', state: 'down' });
  });

  it('an abandoned refresh sends what waited on the old socket', () => {
    const { client, sockets, last } = setup();
    client.connect();
    client.attach('s1');
    last().open();
    const old = last();
    client.refresh();
    client.sendSignal('s1', { kind: 'restart', ice: true });
    vi.advanceTimersByTime(5000);
    expect(sockets[1]?.readyState).toBe(3);
    expect(old.sent).toContainEqual({
      type: 'signal',
      sessionId: 's1',
      payload: { kind: 'restart', ice: true },
      id: expect.any(String),
    });
  });

  it('reconnects with back-off, re-attaches, then flushes queued signals', () => {
    const { client, sockets, last } = setup();
    const statuses: string[] = [];
    client.on('status', (status) => statuses.push(status));
    client.connect();
    last().open();
    last().receive(hello);
    client.attach('s1');
    last().close(1006);
    expect(client.status).toBe('reconnecting');
    client.sendSignal('s1', { kind: 'restart' });
    vi.advanceTimersByTime(15_000);
    expect(sockets).toHaveLength(2);
    last().open();
    // The signal waits for the attach to be confirmed: the server could take it first and refuse it.
    expect(last().sent).toEqual([{ type: 'attach', sessionId: 's1', id: expect.any(String) }]);
    last().receive({ type: 'attached', sessionId: 's1' });
    expect(last().sent).toEqual([
      { type: 'attach', sessionId: 's1', id: expect.any(String) },
      { type: 'signal', sessionId: 's1', payload: { kind: 'restart' }, id: expect.any(String) },
    ]);
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('reconnects and re-attaches when the server restarts (close 1001)', () => {
    const { client, sockets, last } = setup();
    client.connect();
    last().open();
    last().receive(hello);
    client.attach('s1');
    last().close(1001);
    expect(client.status).toBe('reconnecting');
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent).toEqual([{ type: 'attach', sessionId: 's1', id: expect.any(String) }]);
    expect(client.status).toBe('open');
  });

  it('stops when the server says the sign-in ended (close 4401): no reconnect loop', () => {
    const { client, sockets, last } = setup();
    client.connect();
    last().open();
    last().receive(hello);
    last().close(4401);
    expect(client.status).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('treats a silent socket as dead once the server has answered a ping', () => {
    const { client, sockets, last } = setup();
    client.connect();
    last().open();
    vi.advanceTimersByTime(1000);
    last().receive({ type: 'pong' });
    vi.advanceTimersByTime(40_000);
    expect(sockets[0]?.closedWith).toBe(4000);
    expect(client.status).toBe('reconnecting');
  });

  it('stops for good on close and forwards error frames', () => {
    const { client, sockets, last } = setup();
    const errors: string[] = [];
    client.on('error', (frame) => errors.push(frame.error));
    client.connect();
    last().open();
    last().receive({ type: 'error', ok: false, error: 'not_participant', message: 'no' });
    expect(errors).toEqual(['not_participant']);
    client.close();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(client.status).toBe('closed');
  });

  it('ties an error frame to the session of the message it answers, and no session otherwise', () => {
    const { client, last } = setup();
    const errors: { error: string; sessionId: string | null }[] = [];
    client.on('error', (frame) => errors.push({ error: frame.error, sessionId: frame.sessionId }));
    client.connect();
    last().open();
    last().receive(hello);
    client.sendSignal('s7', { kind: 'restart' });
    const sent = last().sent.at(-1) as { id: string };
    last().receive({ type: 'error', ok: false, error: 'session_ended', message: 'ended', replyTo: sent.id });
    last().receive({ type: 'error', ok: false, error: 'rate_limited', message: 'slow down' });
    last().receive({ type: 'error', ok: false, error: 'bad_request', message: 'x', replyTo: 'unknown' });
    expect(errors).toEqual([
      { error: 'session_ended', sessionId: 's7' },
      { error: 'rate_limited', sessionId: null },
      { error: 'bad_request', sessionId: null },
    ]);
  });
});
