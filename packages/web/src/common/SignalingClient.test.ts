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
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closedWith: number | undefined;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
    this.onclose?.();
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
    expect(last().sent).toEqual([{ type: 'attach', sessionId: 's1' }]);
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
    last().receive({ type: 'session', session: { id: 's1', state: 'flying' } });
    expect(sessions).toHaveLength(0);
    last().receive({ type: 'session', session: session({ state: 'joined' }) });
    expect(sessions.map((s) => s.state)).toEqual(['joined']);
  });

  it('sends an app-level ping every 10 seconds', () => {
    const { client, last } = setup();
    client.connect();
    last().open();
    vi.advanceTimersByTime(10_000);
    vi.advanceTimersByTime(10_000);
    expect(last().sent).toEqual([{ type: 'ping' }, { type: 'ping' }]);
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
    expect(last().sent).toEqual([
      { type: 'attach', sessionId: 's1' },
      { type: 'signal', sessionId: 's1', payload: { kind: 'restart' } },
    ]);
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('treats a silent socket as dead once the server has answered a ping', () => {
    const { client, sockets, last } = setup();
    client.connect();
    last().open();
    vi.advanceTimersByTime(10_000);
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
});
