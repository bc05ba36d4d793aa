/**
 * Integration: the `remote-help-agent` command as a user runs it, against the real
 * server (child process) under Xvfb. The system browser is `testing/fakeBrowser.ts`
 * through `REMOTE_HELP_BROWSER`. Ctrl+C (SIGINT) during a session leaves it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerMessage } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentOidcClient } from './auth/oidc.js';
import { TOKEN_FILE, TokenStore, type StoredTokens } from './auth/tokenStore.js';
import { BrowserClient, sessionPush } from './testing/browserClient.js';
import { REPO_ROOT, startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from './testing/serverProcess.js';
import { WindowClient } from './testing/windowClient.js';
import { hasCommand, startXvfb, waitFor, type Xvfb } from './testing/xvfb.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const FAKE_BROWSER = fileURLToPath(new URL('./testing/fakeBrowser.ts', import.meta.url));
const missing = ['Xvfb'].filter((t) => !hasCommand(t));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

describe.skipIf(missing.length > 0)('remote-help-agent (CLI)', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let xvfb: Xvfb;
  let configDir: string;
  const children: ChildProcess[] = [];

  const run = (args: string[], env: Record<string, string> = {}): Run => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DISPLAY: xvfb.display,
        REMOTE_HELP_CONFIG_DIR: configDir,
        REMOTE_HELP_BROWSER: `${process.execPath} --import tsx ${FAKE_BROWSER}`,
        FAKE_BROWSER_EMAIL: 'sharer@contoso.example',
        FAKE_BROWSER_PASSWORD: TEST_DEMO_PASSWORD,
        // The messages below are matched in English, whatever the machine's locale.
        REMOTE_HELP_LANGUAGE: 'en',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, stdout: () => stdout, stderr: () => stderr, exit };
  };

  beforeAll(async () => {
    [server, xvfb] = await Promise.all([startServerProcess(), startXvfb('1024x768x24')]);
    configDir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([server?.stop(), xvfb?.stop()]);
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('exits with 2 and a clear message for bad flags and URLs', async () => {
    const bad = run(['share', '--server', 'ftp://x.example']);
    const unknown = run(['share', '--frobnicate']);
    const noServer = run(['signin']);
    const pacing = run(['share', '--server', 'https://help.example.com'], { REMOTE_HELP_BULK_KBIT: 'fast' });
    const warm = run(['share', '--server', 'https://help.example.com'], { REMOTE_HELP_WARM_KB: '4096' });
    expect(await Promise.all([bad.exit, unknown.exit, noServer.exit, pacing.exit, warm.exit])).toEqual([2, 2, 2, 2, 2]);
    expect(pacing.stderr()).toMatch(/REMOTE_HELP_BULK_KBIT must be a whole number of kbit\/s .*"fast"/);
    expect(warm.stderr()).toMatch(/REMOTE_HELP_WARM_KB must be a whole number of KiB from 0 .* to 1024, not "4096"/);
    expect(bad.stderr()).toMatch(/must start with https/);
    expect(unknown.stderr()).toMatch(/share does not take --frobnicate/);
    expect(noServer.stderr()).toMatch(/--server/);
  });

  it('run: exits with 2 naming REMOTE_HELP_UPDATE_TRIAL_SECONDS unless it is 1 to 3600 seconds', async () => {
    const trial = (value: string) => run(['run', '--no-window'], { REMOTE_HELP_UPDATE_TRIAL_SECONDS: value });
    const refused = ['abc', '', '0', '86400'].map((value) => ({ value, run: trial(value) }));
    const valid = trial('90');
    expect(await Promise.all(refused.map((r) => r.run.exit))).toEqual([2, 2, 2, 2]);
    for (const { value, run: r } of refused)
      expect(r.stderr()).toContain(
        `REMOTE_HELP_UPDATE_TRIAL_SECONDS must be a whole number of seconds from 1 to 3600 (unset: 120), not "${value}"`,
      );
    // A valid bound is taken: `run` goes on, and finds this device not enrolled.
    expect(await valid.exit).toBe(2);
    expect(valid.stderr()).toContain('This device is not enrolled.');
    expect(valid.stderr()).not.toContain('REMOTE_HELP_UPDATE_TRIAL_SECONDS');
  });

  it('signin: signs in through the browser and the loopback redirect', async () => {
    const signin = run(['signin', '--server', server.url]);
    expect(await signin.exit).toBe(0);
    expect(signin.stdout()).toContain(`Signed in to ${server.url} as Lena Fischer.`);
    expect(existsSync(join(configDir, TOKEN_FILE))).toBe(true);
    // Standard output is a pipe here, as the journal is under systemd: the sign-in address stays off it.
    expect(signin.stdout()).not.toContain('/oidc/auth');
  });

  it('share with a window that cannot open: the one-time address is not written to a log', async () => {
    const share = run(['share'], { REMOTE_HELP_BROWSER: '/nonexistent/remote-help-test-browser' });
    await waitFor(() => /only on a terminal/.test(share.stderr()), 20_000, 'the window failure');
    expect(share.stderr()).toContain('--no-window');
    expect(share.stdout() + share.stderr()).not.toMatch(/\?t=/);
    share.child.kill('SIGINT');
    expect(await share.exit).toBe(130);
  });

  it('share --no-window: prints the window address; Ctrl+C leaves the session', async () => {
    const share = run(['share', '--no-window']); // the one stored server
    await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/.test(share.stdout()), 20_000, 'the window address');
    const launch = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/.exec(share.stdout())?.[0] as string;
    const window = await WindowClient.open(launch);
    expect((await window.waitFor((s) => s.screen === 'enterCode', 'signed in')).account?.name).toBe('Lena Fischer');

    const helper = new BrowserClient(server.url);
    await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
    const { code, session } = (await helper.post('/api/v1/sessions')).body as { code: string; session: { id: string } };
    const hws = await helper.socket();
    hws.send({ type: 'attach', sessionId: session.id });
    await window.command({ type: 'redeem', code });
    await hws.next(sessionPush('joined'));
    await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' });
    await window.waitFor((s) => s.screen === 'request', 'the request');
    await window.command({ type: 'respond', allow: true, mode: 'view' });
    await hws.next(sessionPush('active'));

    share.child.kill('SIGINT');
    const ended = await hws.next<Extract<ServerMessage, { type: 'session' }>>(sessionPush('ended'));
    expect(ended.session.endReason).toBe('sharer_left');
    expect(await share.exit).toBe(130);
    expect(share.stdout()).toContain('Stopping');
    hws.close();
  });

  it('signout: forgets the stored sign-in and revokes it at the server', async () => {
    const stored = (await new TokenStore(configDir).get(server.url)) as StoredTokens;
    const signout = run(['signout']);
    expect(await signout.exit).toBe(0);
    const idp = await AgentOidcClient.discover(server.url);
    await expect(idp.refresh(stored.refreshToken as string, stored)).rejects.toMatchObject({
      reason: 'signin_required',
    });
    expect(signout.stdout()).toContain(`Signed out of ${server.url}.`);
    expect(existsSync(join(configDir, TOKEN_FILE))).toBe(false);
    const again = run(['signout']);
    expect(await again.exit).toBe(0);
    expect(again.stdout()).toContain('You were not signed in.');
  });
});
