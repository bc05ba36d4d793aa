import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AccessTokenProvider } from '../auth/credentials.js';
import { AgentError } from '../errors.js';
import { sessionView } from '../testing/fakeSession.js';
import { SignalingClient } from './signalingClient.js';

interface Connection {
  ws: WebSocket;
  authorization: string | undefined;
  received: Record<string, unknown>[];
}

describe('SignalingClient (against a local WebSocket server)', () => {
  let wss: WebSocketServer;
  let server: string;
  let connections: Connection[];
  let onConnect: (conn: Connection) => void;
  let client: SignalingClient | null;
  const asked: boolean[] = [];
  let tokenError: AgentError | null;
  let holdAttached = false;
  const tokens: AccessTokenProvider = {
    async accessToken(options) {
      asked.push(options?.forceRefresh ?? false);
      if (tokenError) throw tokenError;
      return options?.forceRefresh ? 'fresh' : 'stale';
    },
  };
  const hello = (conn: Connection) =>
    conn.ws.send(JSON.stringify({ type: 'hello', userId: 'u1', iceServers: [{ urls: 'stun:x' }], heartbeatMs: 1000 }));

  beforeEach(async () => {
    connections = [];
    asked.length = 0;
    tokenError = null;
    holdAttached = false;
    onConnect = hello;
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/ws' });
    wss.on('connection', (ws, request) => {
      const conn: Connection = { ws, authorization: request.headers.authorization, received: [] };
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        conn.received.push(message);
        // Like the server: every attach is confirmed (signals behind it wait for that).
        if (message.type === 'attach' && !holdAttached)
          ws.send(JSON.stringify({ type: 'attached', sessionId: message.sessionId }));
      });
      connections.push(conn);
      onConnect(conn);
    });
    await new Promise((r) => wss.once('listening', r));
    server = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    client = null;
  });

  afterEach(async () => {
    client?.close();
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  });

  const start = (staleAfterMs?: number) => {
    client = new SignalingClient({
      server,
      tokens,
      backoffMs: { initial: 20, max: 100 },
      ...(staleAfterMs ? { staleAfterMs } : {}),
    });
    client.connect();
    return client;
  };

  it('authenticates with the bearer token, attaches after hello and emits valid frames', async () => {
    const c = start();
    c.attach('s1');
    const sessions: string[] = [];
    c.on('session', (s) => sessions.push(s.state));
    await vi.waitFor(() => expect(c.status).toBe('open'));
    expect(connections[0]?.authorization).toBe('Bearer stale');
    expect(c.iceServers).toEqual([{ urls: 'stun:x' }]);
    await vi.waitFor(() => expect(connections[0]?.received).toEqual([{ type: 'attach', sessionId: 's1' }]));
    const ws = connections[0]?.ws as WebSocket;
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'session', session: { id: 'bad' } }));
    ws.send(JSON.stringify({ type: 'session', session: sessionView('joined') }));
    await vi.waitFor(() => expect(sessions).toEqual(['joined']));
    expect(c.stats().invalidFrames).toBe(2);
    expect(c.sendSignal('s1', { kind: 'restart' })).toBe(true);
    await vi.waitFor(() => expect(connections[0]?.received.at(-1)).toMatchObject({ type: 'signal' }));
  });

  it('reconnects after the connection drops and attaches again', async () => {
    const c = start();
    c.attach('s1');
    await vi.waitFor(() => expect(connections).toHaveLength(1));
    await vi.waitFor(() => expect(connections[0]?.received).toHaveLength(1));
    connections[0]?.ws.terminate();
    await vi.waitFor(() => expect(connections).toHaveLength(2));
    await vi.waitFor(() => expect(connections[1]?.received).toEqual([{ type: 'attach', sessionId: 's1' }]));
    expect(c.stats().connects).toBe(2);
    c.detach('s1');
    await vi.waitFor(() => expect(connections[1]?.received.at(-1)).toEqual({ type: 'detach', sessionId: 's1' }));
  });

  it('reconnects when the server restarts (close 1001) and attaches again', async () => {
    const c = start();
    c.attach('s1');
    await vi.waitFor(() => expect(connections[0]?.received).toHaveLength(1));
    connections[0]?.ws.close(1001, 'server restarting: reconnect');
    await vi.waitFor(() => expect(connections).toHaveLength(2));
    await vi.waitFor(() => expect(connections[1]?.received).toEqual([{ type: 'attach', sessionId: 's1' }]));
    expect(c.status).toBe('open');
  });

  it('treats a silent connection as dead and reconnects', async () => {
    const c = start(300);
    await vi.waitFor(() => expect(c.status).toBe('open'));
    await vi.waitFor(() => expect(connections.length).toBeGreaterThanOrEqual(2), { timeout: 3000 });
  });

  it('gets a fresh token after a 4401, and gives up when the server keeps refusing', async () => {
    onConnect = (conn) => conn.ws.close(4401, 'authentication required');
    const c = start();
    const fatal = new Promise<AgentError>((resolve) => c.on('fatal', resolve));
    expect((await fatal).reason).toBe('signin_required');
    expect(asked.slice(0, 3)).toEqual([false, true, true]);
    expect(c.status).toBe('closed');
  });

  it('gives up at once when there is no sign-in', async () => {
    tokenError = new AgentError('signin_required', 'no tokens');
    const c = start();
    const fatal = await new Promise<AgentError>((resolve) => c.on('fatal', resolve));
    expect(fatal.reason).toBe('signin_required');
    expect(connections).toHaveLength(0);
  });

  it('does not send while disconnected, and stops for good on close', async () => {
    onConnect = () => undefined; // no hello
    const c = start();
    await vi.waitFor(() => expect(connections).toHaveLength(1));
    expect(c.sendSignal('s1', { kind: 'restart' })).toBe(false);
    c.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(connections).toHaveLength(1);
  });
  it('refresh moves to a new connection make-before-break: signals wait for its hello, then attach and signals go there', async () => {
    let holdHello = false;
    const held: Connection[] = [];
    onConnect = (conn) => (holdHello ? held.push(conn) : hello(conn));
    const c = start();
    c.attach('s1');
    const readies: number[] = [];
    c.on('ready', () => readies.push(Date.now()));
    await vi.waitFor(() => expect(connections[0]?.received).toEqual([{ type: 'attach', sessionId: 's1' }]));
    holdHello = true;
    c.refresh();
    await vi.waitFor(() => expect(held).toHaveLength(1));
    expect(c.sendSignal('s1', { kind: 'restart', ice: true })).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    // Nothing went to the old connection, which may lead nowhere.
    expect(connections[0]?.received).toEqual([{ type: 'attach', sessionId: 's1' }]);
    expect(c.status).toBe('open');
    hello(held[0]!);
    await vi.waitFor(() =>
      expect(held[0]?.received).toEqual([
        { type: 'attach', sessionId: 's1' },
        { type: 'signal', sessionId: 's1', payload: { kind: 'restart', ice: true } },
      ]),
    );
    expect(readies).toHaveLength(2);
    // The old connection still delivers what was on its way, then closes.
    const sessions: string[] = [];
    c.on('session', (view) => sessions.push(view.state));
    connections[0]?.ws.send(JSON.stringify({ type: 'session', session: sessionView('joined') }));
    await vi.waitFor(() => expect(sessions).toEqual(['joined']));
    await vi.waitFor(() => expect(connections[0]?.ws.readyState).toBe(3), { timeout: 3000 });
    expect(c.status).toBe('open');
    expect(c.sendSignal('s1', { kind: 'restart' })).toBe(true);
    await vi.waitFor(() => expect(held[0]?.received.at(-1)).toMatchObject({ payload: { kind: 'restart' } }));
  });

  it('an abandoned refresh (no hello within 5 s) sends what waited on the old connection', async () => {
    let holdHello = false;
    onConnect = (conn) => (holdHello ? undefined : hello(conn));
    const c = start(60_000);
    c.attach('s1');
    await vi.waitFor(() => expect(connections[0]?.received).toHaveLength(1));
    holdHello = true;
    c.refresh();
    await vi.waitFor(() => expect(connections).toHaveLength(2));
    c.sendSignal('s1', { kind: 'restart', ice: true });
    await vi.waitFor(
      () =>
        expect(connections[0]?.received.at(-1)).toEqual({
          type: 'signal',
          sessionId: 's1',
          payload: { kind: 'restart', ice: true },
        }),
      { timeout: 7000 },
    );
    await vi.waitFor(() => expect(connections[1]?.ws.readyState).toBe(3));
  });
  it('after a (re)connect, signals wait for their session’s attached (the server could take them first)', async () => {
    holdAttached = true;
    const c = start();
    c.attach('s1');
    await vi.waitFor(() => expect(connections[0]?.received).toEqual([{ type: 'attach', sessionId: 's1' }]));
    expect(c.sendSignal('s1', { kind: 'restart', ice: true })).toBe(true);
    expect(c.sendPath('s1', 'down')).toBe(true); // path reports name a session too
    await new Promise((r) => setTimeout(r, 50));
    expect(connections[0]?.received).toHaveLength(1);
    connections[0]?.ws.send(JSON.stringify({ type: 'attached', sessionId: 's1' }));
    await vi.waitFor(() =>
      expect(connections[0]?.received.slice(-2)).toEqual([
        { type: 'signal', sessionId: 's1', payload: { kind: 'restart', ice: true } },
        { type: 'path', sessionId: 's1', state: 'down' },
      ]),
    );
  });
});
