/**
 * Integration: coturn (`turnserver`, Debian package `coturn`) started by the test with
 * `use-auth-secret` on 127.0.0.1. The credential the real server puts in a hello makes an
 * allocation and relays data (`turnutils_uclient`); a wrong password and an expired
 * username are refused. So does a session's credential (`ice.servers`), whose username
 * carries three fields: coturn reads the expiry before the first `:`.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { mintTurnCredential, turnPassword } from './credentials.js';
import { freePort } from '../test/nodes.js';

const SECRET = 'coturn-static-auth-secret-0123456789';
const REALM = 'remote-help.test';
const dir = mkdtempSync(join(tmpdir(), 'rh-coturn-'));
let turnPort = 0;
let coturn: ChildProcess | undefined;
let t: TestServer | undefined;

beforeAll(async () => {
  turnPort = await freePort();
  const relayBase = 50_000 + Math.floor(Math.random() * 200) * 40;
  coturn = spawn(
    'turnserver',
    [
      '-n',
      `--listening-ip=127.0.0.1`,
      `--relay-ip=127.0.0.1`,
      `--listening-port=${turnPort}`,
      `--min-port=${relayBase}`,
      `--max-port=${relayBase + 39}`,
      '--use-auth-secret',
      `--static-auth-secret=${SECRET}`,
      `--realm=${REALM}`,
      `--userdb=${join(dir, 'turndb')}`,
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--allow-loopback-peers',
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start: ${log}`)), 15_000);
    coturn!.on('error', (error) => reject(error));
    coturn!.stdout!.on('data', (chunk: Buffer) => {
      log += String(chunk);
      if (log.includes('Total General servers')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  t = await startTestServer({ TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp`, TURN_SECRET: SECRET });
}, 60_000);

afterAll(async () => {
  coturn?.kill('SIGTERM');
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One TURN client run against our coturn: allocate, send a few messages through the relay. */
function allocate(username: string, password: string): { ok: boolean; output: string } {
  const run = spawnSync(
    'turnutils_uclient',
    [
      '-p',
      String(turnPort),
      '-u',
      username,
      '-w',
      password,
      '-r',
      REALM,
      '-y',
      '-n',
      '2',
      '-m',
      '1',
      '-l',
      '100',
      '127.0.0.1',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  const output = `${run.stdout}${run.stderr}`;
  return { ok: run.status === 0 && /Total lost packets 0 /.test(output), output };
}

it('allocates with the credential from the hello, and refuses a wrong or expired one', async () => {
  const helper = new Client(t!.url);
  await helper.signIn('helper@contoso.example');
  const socket = await helper.socket();
  const hello = socket.received.find((m) => m.type === 'hello') as Extract<ServerMessage, { type: 'hello' }>;
  socket.close();
  const turn = hello.iceServers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn:')))!;
  expect(turn.username).toMatch(/^\d+:/);

  // The listener may need a moment after the log line: a few tries, each a full allocation.
  let granted = allocate(turn.username!, turn.credential!);
  for (let i = 0; i < 4 && !granted.ok; i++) {
    await new Promise((r) => setTimeout(r, 500));
    granted = allocate(turn.username!, turn.credential!);
  }
  expect(granted.ok, granted.output).toBe(true);

  const wrong = allocate(turn.username!, turnPassword('not-the-coturn-secret-0123456789', turn.username!));
  expect(wrong.ok).toBe(false);
  expect(wrong.output).toMatch(/Cannot complete Allocation/);

  const settings = { urls: [], secret: SECRET, ttlSeconds: 60 };
  const expired = mintTurnCredential(settings, hello.userId, Date.now() - 120_000);
  const late = allocate(expired.username, expired.credential);
  expect(late.ok).toBe(false);
  expect(late.output).toMatch(/Cannot complete Allocation/);
}, 120_000);

it("allocates with a session's credential (<expiry>:<session>:<user>), and refuses it expired", async () => {
  const helper = new Client(t!.url);
  await helper.signIn('helper@contoso.example');
  const created = await helper.post('/api/v1/sessions', {});
  const sessionId = (created.body.session as { id: string }).id;
  const socket = await helper.socket();
  socket.send({ type: 'attach', sessionId });
  await socket.next((m) => m.type === 'attached');
  socket.send({ type: 'ice.servers', sessionId });
  const answer = await socket.next<Extract<ServerMessage, { type: 'ice.servers' }>>((m) => m.type === 'ice.servers');
  socket.close();
  const turn = answer.iceServers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn:')))!;
  expect(turn.username).toMatch(new RegExp(`^\\d+:${sessionId}:[A-Za-z0-9_-]+$`));

  let granted = allocate(turn.username!, turn.credential!);
  for (let i = 0; i < 4 && !granted.ok; i++) {
    await new Promise((r) => setTimeout(r, 500));
    granted = allocate(turn.username!, turn.credential!);
  }
  expect(granted.ok, granted.output).toBe(true);

  const [, , userId] = turn.username!.split(':');
  const settings = { urls: [], secret: SECRET, ttlSeconds: 60 };
  const expired = mintTurnCredential(settings, [sessionId, userId!], Date.now() - 120_000);
  const late = allocate(expired.username, expired.credential);
  expect(late.ok).toBe(false);
  expect(late.output).toMatch(/Cannot complete Allocation/);
}, 120_000);
