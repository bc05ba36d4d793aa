/**
 * Restart (issue 7, finding 9): the server stops and starts again on the same SQLite
 * file and port. Stopping closes every socket with 1001 and a reason and ends no
 * session; after the start, a session whose people reattach within the grace continues,
 * and one whose people do not return ends with `connection_lost`. The last test sends
 * a real SIGTERM to `main.ts` in a child process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionView } from '@remote-help/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RemoteHelpServer } from '../app.js';
import { createServer } from '../app.js';
import { loadConfig } from '../config.js';
import type { TestDatabase } from '../test/database.js';
import { testDatabase } from '../test/database.js';
import type { TestSocket } from '../test/harness.js';
import { Client, DEMO_PASSWORD, sessionIn } from '../test/harness.js';
import { MAIN_START_TIMEOUT_MS, startMain } from '../test/mainProcess.js';
import { SHUTDOWN_REASON } from '../ws/gateway.js';
import { freePort } from '../test/nodes.js';

const RESTART_GRACE_MS = 1500;
let dir: string;
let database: TestDatabase;
let port: number;
let server: RemoteHelpServer | undefined;

const env = () => ({
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  DATABASE_URL: database.url,
  DEMO_PASSWORD,
  WEB_DIST: join(dir, 'no-web'),
});

async function boot(): Promise<string> {
  server = await createServer(loadConfig(env()), {
    logger: false,
    presence: { heartbeatMs: 200, deadAfterMs: 600, graceMs: 300, restartGraceMs: RESTART_GRACE_MS },
  });
  return server.listen();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rh-restart-'));
  database = testDatabase(dir);
  port = await freePort();
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const closeOf = (s: TestSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    s.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );

/** A helper and a sharer of `domain` in an active session, both attached. */
async function activeSession(url: string, domain: string) {
  const helper = new Client(url);
  await helper.signIn(`helper@${domain}`);
  const sharer = new Client(url);
  await sharer.signIn(`sharer@${domain}`);
  const { code, session } = (await helper.post('/api/v1/sessions')).body as { code: string; session: { id: string } };
  const hws = await helper.socket();
  hws.send({ type: 'attach', sessionId: session.id });
  expect((await sharer.post('/api/v1/sessions/redeem', { code })).status).toBe(200);
  const sws = await sharer.socket();
  sws.send({ type: 'attach', sessionId: session.id });
  await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' });
  expect((await sharer.post(`/api/v1/sessions/${session.id}/respond`, { allow: true })).status).toBe(200);
  await hws.next(sessionIn('active'));
  await sws.next(sessionIn('active'));
  return { id: session.id, helper, sharer, sockets: [hws, sws] };
}

/** The session as `client` sees it (once more if the first try hit a keep-alive socket of the stopped server). */
const stateOf = async (client: Client, id: string): Promise<SessionView> => {
  const get = async () => (await client.json(`/api/v1/sessions/${id}`)).body.session as SessionView;
  return get().catch(get);
};

it('closes with 1001 on stop, then ends only the sessions whose people do not come back', async () => {
  const url = await boot();
  const back = await activeSession(url, 'contoso.example');
  const gone = await activeSession(url, 'fabrikam.example');
  const closes = [...back.sockets, ...gone.sockets].map(closeOf);

  await server!.close();
  server = undefined;
  for (const close of await Promise.all(closes)) expect(close).toEqual({ code: 1001, reason: SHUTDOWN_REASON });

  const started = Date.now();
  await boot();
  // Stopping ended nothing: both sessions are still active, with nobody online yet.
  expect(await stateOf(gone.helper, gone.id)).toMatchObject({ state: 'active', peerOnline: false });
  expect(await stateOf(back.helper, back.id)).toMatchObject({ state: 'active' });

  // The Contoso pair reconnects (as clients do on 1001) and reattaches; the Fabrikam pair does not.
  const hws = await back.helper.socket();
  const sws = await back.sharer.socket();
  hws.send({ type: 'attach', sessionId: back.id });
  sws.send({ type: 'attach', sessionId: back.id });
  await hws.next((m) => m.type === 'session' && m.session.state === 'active' && m.session.peerOnline);

  let ended: SessionView | undefined;
  while (Date.now() - started < RESTART_GRACE_MS + 5000) {
    const view = await stateOf(gone.helper, gone.id);
    if (view.state === 'ended') {
      ended = view;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(ended).toMatchObject({ state: 'ended', endReason: 'connection_lost' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(RESTART_GRACE_MS);

  // Past the grace (and then some), the session whose people came back goes on.
  await new Promise((r) => setTimeout(r, Math.max(0, started + RESTART_GRACE_MS + 500 - Date.now())));
  expect(await stateOf(back.helper, back.id)).toMatchObject({ state: 'active', peerOnline: true });
  expect([...hws.received, ...sws.received].some((m) => m.type === 'session' && m.session.state === 'ended')).toBe(
    false,
  );
  hws.close();
  sws.close();
  await server!.close();
  server = undefined;
}, 60_000);

it(
  'on SIGTERM, main closes every socket with 1001 and a reason, exits 0 and ends no session',
  async () => {
    await server?.close();
    server = undefined;
    const { child, exited } = await startMain(env());
    const url = `http://127.0.0.1:${port}`;
    const { id, helper, sockets } = await activeSession(url, 'contoso.example');
    const closes = sockets.map(closeOf);

    child.kill('SIGTERM');
    for (const close of await Promise.all(closes)) expect(close).toEqual({ code: 1001, reason: SHUTDOWN_REASON });
    expect(await exited).toBe(0);

    await boot();
    expect(await stateOf(helper, id)).toMatchObject({ state: 'active' });
  },
  60_000 + MAIN_START_TIMEOUT_MS,
);
