/**
 * Integration (issue 13, item 6): the agent process itself fails. `remote-help-agent
 * share` runs as a child process (as a user runs it) under a private Xvfb against the
 * real server (child process, 30 s reconnect grace); the helper is a wrtc peer on the
 * real server WebSocket that takes a new connection whenever the agent offers one.
 *  - SIGKILL, then a new agent: the helper sees the sharer offline within a few seconds;
 *    the new agent rejoins the session it left (remembered in its state directory), offers
 *    a new connection, and continues in view until the local user allows control again.
 *  - SIGSTOP for 20 s (a sleeping machine), then SIGCONT: the helper is told within 5 s;
 *    on SIGCONT the agent reconnects and the picture comes back without a new Allow.
 * The measured times are printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, sessionPush, type TestSocket } from '../testing/browserClient.js';
import { startRemoteViewer, type RemoteViewer } from '../testing/remoteViewer.js';
import { REPO_ROOT, startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from '../testing/serverProcess.js';
import { WindowClient } from '../testing/windowClient.js';
import { openPainter } from '../testing/xpainter.js';
import { hasCommand, pointerLocation, startXvfb, waitFor, type Xvfb } from '../testing/xvfb.js';
import { SESSION_FILE } from './sessionMemory.js';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const FAKE_BROWSER = fileURLToPath(new URL('../testing/fakeBrowser.ts', import.meta.url));
const WINDOW_URL = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/;
const missing = ['Xvfb', 'xdotool'].filter((t) => !hasCommand(t));
if (missing.length > 0) console.warn(`${missing.join(', ')} not installed: skipping the agent fault tests`);

type SessionMessage = Extract<ServerMessage, { type: 'session' }>;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const peer = (online: boolean) => (m: ServerMessage) =>
  m.type === 'session' && m.session.state === 'active' && m.session.peerOnline === online;

interface Agent {
  child: ChildProcess;
  output: () => string;
  window: WindowClient;
}

describe.skipIf(missing.length > 0)(
  'agent process faults (SIGKILL + restart, SIGSTOP/SIGCONT)',
  { timeout: 120_000 },
  () => {
    let server: ServerProcess;
    let xvfb: Xvfb;
    let configDir: string;
    let helper: BrowserClient;
    let hws: TestSocket;
    let viewer: RemoteViewer;
    let sessionId = '';
    let agent: Agent;
    const children: ChildProcess[] = [];

    const cliEnv = (): NodeJS.ProcessEnv => ({
      ...process.env,
      DISPLAY: xvfb.display,
      REMOTE_HELP_CONFIG_DIR: configDir,
      REMOTE_HELP_BROWSER: `${process.execPath} --import tsx ${FAKE_BROWSER}`,
      FAKE_BROWSER_EMAIL: 'sharer@contoso.example',
      FAKE_BROWSER_PASSWORD: TEST_DEMO_PASSWORD,
    });

    /** Starts `remote-help-agent share --no-window` and opens its window. */
    const startAgent = async (): Promise<Agent> => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'share', '--no-window', '--server', server.url], {
        cwd: REPO_ROOT,
        env: cliEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(() => WINDOW_URL.test(output) || child.exitCode !== null, 30_000, 'the window address');
      if (child.exitCode !== null) throw new Error(`the agent exited:\n${output}`);
      const window = await WindowClient.open(WINDOW_URL.exec(output)?.[0] as string);
      return { child, output: () => output, window };
    };

    /** Changes the screen every 200 ms until `done`, so the tile path has something to send. */
    const paintUntil = async (done: () => boolean, timeoutMs: number): Promise<void> => {
      const painter = await openPainter(xvfb.display);
      try {
        const deadline = Date.now() + timeoutMs;
        for (let i = 0; !done(); i++) {
          if (Date.now() > deadline) throw new Error('timed out waiting for frames');
          await painter.fill(20 + (i % 20) * 30, 400, 25, 25, 0x2080ff + i * 0x10);
          await sleep(200);
        }
      } finally {
        await painter.close();
      }
    };

    beforeAll(async () => {
      [server, xvfb] = await Promise.all([
        startServerProcess({ RECONNECT_GRACE_SECONDS: '30' }),
        startXvfb('1280x720x24'),
      ]);
      configDir = mkdtempSync(join(tmpdir(), 'rh-agent-faults-'));
      const signin = spawn(process.execPath, ['--import', 'tsx', CLI, 'signin', '--server', server.url], {
        cwd: REPO_ROOT,
        env: cliEnv(),
        stdio: 'ignore',
      });
      expect(await new Promise((resolve) => signin.once('exit', resolve))).toBe(0);
      helper = new BrowserClient(server.url);
      await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
    }, 90_000);

    afterAll(async () => {
      viewer?.close();
      hws?.close();
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT');
          child.kill('SIGKILL');
        }
      }
      await Promise.all([server?.stop(), xvfb?.stop()]);
      if (configDir) rmSync(configDir, { recursive: true, force: true });
    });

    it('a session in full control, with the session remembered in the state directory', async () => {
      agent = await startAgent();
      await agent.window.waitFor((s) => s.screen === 'enterCode', 'signed in');
      const { code, session } = (await helper.post('/api/v1/sessions')).body as {
        code: string;
        session: { id: string; helper: { id: string } };
      };
      sessionId = session.id;
      hws = await helper.socket();
      hws.send({ type: 'attach', sessionId });
      viewer = startRemoteViewer(hws, sessionId);
      await agent.window.command({ type: 'redeem', code });
      await helper.post(`/api/v1/sessions/${sessionId}/request`, { mode: 'control' });
      await agent.window.waitFor((s) => s.screen === 'request', 'the request');
      await agent.window.command({ type: 'respond', allow: true, mode: 'control' });
      await hws.next(sessionPush('active', { sharerStatus: 'sharing' }), 15_000);
      await waitFor(() => viewer.frames > 0, 15_000, 'frames');
      await viewer.waitForChannels();
      viewer.sendInput({ type: 'pointerMove', x: 0.25, y: 0.25 });
      await waitFor(async () => (await pointerLocation(xvfb.display)).x === 320, 5000, 'the pointer to move');
      const remembered = JSON.parse(readFileSync(join(configDir, SESSION_FILE), 'utf8')) as {
        sessionId: string;
        allowed?: { helperId: string };
      };
      expect(remembered.sessionId).toBe(sessionId);
      // With the local user's Allow to share, for this helper: a restarted agent shares again without a new one.
      expect(remembered.allowed).toEqual({ helperId: session.helper.id });
    });

    it('SIGKILL: the helper sees the sharer offline within a few seconds; a new agent rejoins, view only until Allow', async () => {
      const mark = hws.received.length;
      const killedAt = performance.now();
      agent.child.kill('SIGKILL');
      await hws.next(peer(false), 10_000, mark);
      const offlineMs = performance.now() - killedAt;
      console.log(`agent SIGKILL → helper sees the sharer offline: ${offlineMs.toFixed(0)} ms`);
      expect(offlineMs).toBeLessThan(5000);

      const startedAt = performance.now();
      const framesBefore = viewer.frames;
      const renewalsBefore = viewer.renewals;
      agent = await startAgent();
      const back = await hws.next<SessionMessage>(peer(true), 30_000, mark);
      expect(back.session.state).toBe('active');
      // Consent does not survive a restart: the session goes back to view, and the helper sees it.
      await hws.next(sessionPush('active', { mode: 'view', peerOnline: true }), 15_000, mark);
      await waitFor(() => viewer.renewals > renewalsBefore, 15_000, 'a new offer from the new agent');
      await paintUntil(() => viewer.frames > framesBefore, 20_000);
      console.log(
        `new agent started → picture at the helper on a new connection: ${(performance.now() - startedAt).toFixed(0)} ms ` +
          `(including the agent's own start)`,
      );
      const state = await agent.window.waitFor((s) => s.screen === 'sharing' && s.rejoined, 'the rejoined window');
      expect(state).toMatchObject({ mode: 'view', controlActive: false });
      expect(hws.received.slice(mark).some((m) => m.type === 'session' && m.session.state === 'ended')).toBe(false);

      // Helper input is refused until the local user allows control again; then it works.
      await viewer.waitForChannels();
      const before = await pointerLocation(xvfb.display);
      viewer.sendInput({ type: 'pointerMove', x: 0.75, y: 0.75 });
      await sleep(300);
      expect(await pointerLocation(xvfb.display)).toEqual(before);
      await helper.post(`/api/v1/sessions/${sessionId}/request`, { mode: 'control' });
      await agent.window.waitFor((s) => s.request === 'control', 'the control request');
      await agent.window.command({ type: 'respond', allow: true, mode: 'control' });
      await agent.window.waitFor((s) => s.controlActive && !s.rejoined, 'full control again');
      viewer.sendInput({ type: 'pointerMove', x: 0.75, y: 0.75 });
      await waitFor(async () => (await pointerLocation(xvfb.display)).x === 960, 5000, 'the pointer to move');
    });

    it('SIGSTOP for 20 s then SIGCONT: the helper is told within 5 s; the picture comes back without a new Allow', async () => {
      const mark = hws.received.length;
      const stoppedAt = performance.now();
      agent.child.kill('SIGSTOP');
      await hws.next(peer(false), 10_000, mark);
      const toldMs = performance.now() - stoppedAt;
      console.log(`agent SIGSTOP → helper sees the sharer offline: ${toldMs.toFixed(0)} ms`);
      expect(toldMs).toBeLessThan(5000);
      await sleep(20_000 - (performance.now() - stoppedAt));

      const framesBefore = viewer.frames;
      const renewalsBefore = viewer.renewals;
      const contAt = performance.now();
      agent.child.kill('SIGCONT');
      const back = await hws.next<SessionMessage>(peer(true), 20_000, mark);
      const onlineMs = performance.now() - contAt;
      expect(back.session.state).toBe('active');
      await paintUntil(() => viewer.frames > framesBefore, 20_000);
      const pictureMs = performance.now() - contAt;
      console.log(
        `SIGCONT after 20 s → sharer online again ${onlineMs.toFixed(0)} ms → picture at the helper ${pictureMs.toFixed(0)} ms ` +
          `(new peer connections: ${viewer.renewals - renewalsBefore})`,
      );
      expect(hws.received.slice(mark).some((m) => m.type === 'session' && m.session.state === 'ended')).toBe(false);
      // No new Allow for view (nor for the control allowed before the stop).
      const state = await agent.window.state();
      expect(state).toMatchObject({ screen: 'sharing', mode: 'control', controlActive: true });
      await viewer.waitForChannels();
      viewer.sendInput({ type: 'pointerMove', x: 0.5, y: 0.5 });
      await waitFor(async () => (await pointerLocation(xvfb.display)).x === 640, 10_000, 'the pointer to move');
      expect(existsSync(join(configDir, SESSION_FILE))).toBe(true);
    });

    it('Leave forgets the remembered session', async () => {
      await agent.window.command({ type: 'leave' });
      await hws.next(sessionPush('ended'));
      await waitFor(() => !existsSync(join(configDir, SESSION_FILE)), 5000, 'the session file to go');
    });
  },
);
