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
    onConnect = hello;
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/ws' });
    wss.on('connection', (ws, request) => {
      const conn: Connection = { ws, authorization: request.headers.authorization, received: [] };
      ws.on('message', (data) => conn.received.push(JSON.parse(String(data)) as Record<string, unknown>));
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
});
