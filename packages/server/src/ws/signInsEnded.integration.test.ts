/**
 * Integration: a WebSocket does not outlive the sign-in it was opened with. When someone's
 * sign-ins end (an administrator signs them out, disables them or resets their password; they
 * sign out everywhere else or change their password), their sockets opened with an ended
 * credential close with 4401, on the real server, whatever node or socket it is; the sockets of
 * the browser they kept, and everyone else's, stay open.
 */
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer, TestSocket } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';

let t: TestServer;
let admin: Client;

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};
const idOf = async (c: Client) => ((await c.json('/api/v1/me')).body.user as { id: string }).id;

/** Resolves with the close code, or 'open' if the socket is still open after `ms`. */
const closedWithin = (socket: TestSocket, ms = 2000) =>
  Promise.race([
    socket.closed.then((c) => c.code),
    new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms)),
  ]);

beforeAll(async () => {
  t = await startTestServer();
  admin = await signedIn('admin@contoso.example');
});
afterAll(async () => t?.stop());

describe('sockets of ended sign-ins', () => {
  it('an administrator signs someone out: every socket of theirs closes with 4401; others stay', async () => {
    const [first, second, bystander] = await Promise.all([
      signedIn('helper@contoso.example'),
      signedIn('helper@contoso.example'),
      signedIn('sharer@contoso.example'),
    ]);
    const sockets = await Promise.all([first.socket(), second.socket(), bystander.socket()]);
    const told = sockets[0]!.next((m: ServerMessage) => m.type === 'error');
    expect((await admin.post(`/api/v1/users/${await idOf(first)}/sign-out`)).status).toBe(204);
    expect(await closedWithin(sockets[0]!)).toBe(4401);
    expect(await closedWithin(sockets[1]!)).toBe(4401);
    expect(await told).toMatchObject({ error: 'authentication_required' });
    expect(await closedWithin(sockets[2]!, 300)).toBe('open');
    // A new socket with the ended cookie is refused, as before.
    await expect(first.socket()).rejects.toThrow();
    sockets[2]!.close();
  });

  it('signing out everywhere else keeps this browser’s socket and closes the others', async () => {
    const [here, there] = await Promise.all([signedIn('helper@contoso.example'), signedIn('helper@contoso.example')]);
    const [kept, ended] = await Promise.all([here.socket(), there.socket()]);
    expect((await here.post('/api/v1/me/sign-out-everywhere', {})).status).toBe(204);
    expect(await closedWithin(ended)).toBe(4401);
    expect(await closedWithin(kept, 300)).toBe('open');
    kept.close();
  });

  it('disabling someone, or resetting their password, closes their sockets, the agent’s bearer socket too', async () => {
    const helper = await signedIn('helper@contoso.example');
    const helperId = await idOf(helper);
    const browser = await helper.socket();
    const tokens = await agentSignIn(t.url, 'helper@contoso.example');
    const agent = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/v1/ws`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    await new Promise((resolve) => agent.once('message', resolve));
    const agentClosed = new Promise<number>((resolve) => agent.on('close', (code) => resolve(code)));
    expect((await admin.post(`/api/v1/users/${helperId}/password`, { password: DEMO_PASSWORD })).status).toBe(200);
    expect(await closedWithin(browser)).toBe(4401);
    expect(await agentClosed).toBe(4401);

    const again = await signedIn('helper@contoso.example');
    const socket = await again.socket();
    expect((await admin.json(`/api/v1/users/${helperId}`, 'PATCH', { disabled: true })).status).toBe(200);
    expect(await closedWithin(socket)).toBe(4401);
    expect((await admin.json(`/api/v1/users/${helperId}`, 'PATCH', { disabled: false })).status).toBe(200);
  });
});
