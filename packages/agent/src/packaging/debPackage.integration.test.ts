/**
 * Integration: the agent as a Debian user gets it. The `.deb` from `npm run package` (reused when
 * fresh, else built) is installed into an empty root with `dpkg --root` (the package has no
 * maintainer scripts, so nothing needs a chroot), and the installed launcher, with the installed
 * Node runtime and native modules, signs in and shares the screen of an Xvfb display with a helper
 * on the test server. Slow (a package build takes minutes when the sources changed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, sessionPush } from '../testing/browserClient.js';
import { startRemoteViewer } from '../testing/remoteViewer.js';
import { REPO_ROOT, startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from '../testing/serverProcess.js';
import { WindowClient } from '../testing/windowClient.js';
import { hasCommand, startXvfb, waitFor, type Xvfb } from '../testing/xvfb.js';
import { agentVersion, freshPackage } from '../testing/packageBuild.js';

const FAKE_BROWSER = fileURLToPath(new URL('../testing/fakeBrowser.ts', import.meta.url));
const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const missing = ['Xvfb', 'dpkg', 'dpkg-deb'].filter((t) => !hasCommand(t));
const note = (line: string): void => void process.stderr.write(`[deb package] ${line}\n`);

describe.skipIf(missing.length > 0)('the agent .deb, installed', { timeout: 120_000 }, () => {
  let deb: string;
  let root: string;
  let server: ServerProcess;
  let xvfb: Xvfb;
  let home: string;
  const children: ChildProcess[] = [];
  let removePackage = (): void => undefined;
  const launcher = (): string => join(root, 'usr/bin/remote-help-agent');

  /** Runs the installed launcher from an unrelated folder with a minimal PATH (no Node on it). */
  const installed = (args: string[], env: Record<string, string> = {}) => {
    const child = spawn(launcher(), args, {
      cwd: home,
      env: {
        PATH: '/usr/bin:/bin',
        HOME: home,
        DISPLAY: xvfb.display,
        REMOTE_HELP_CONFIG_DIR: join(home, 'config'),
        REMOTE_HELP_INSTALL_CONFIG: join(root, 'etc/remote-help/agent.json'),
        REMOTE_HELP_BROWSER: `${process.execPath} --import ${TSX} ${FAKE_BROWSER}`,
        FAKE_BROWSER_EMAIL: 'sharer@contoso.example',
        FAKE_BROWSER_PASSWORD: TEST_DEMO_PASSWORD,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | string | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal)),
    );
    return { child, output: () => output, exit };
  };

  beforeAll(async () => {
    const file = `remote-help-agent_${agentVersion()}_amd64.deb`;
    let started = performance.now();
    const built = await freshPackage('linux-x64', file);
    deb = built.path;
    removePackage = built.remove;
    note(`${built.built ? 'built' : 'reused'} ${deb} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    root = mkdtempSync(join(tmpdir(), 'rh-deb-root-'));
    started = performance.now();
    const dpkg = spawnSync('dpkg', [`--root=${root}`, '--force-not-root', '--force-depends', '-i', deb], {
      encoding: 'utf8',
    });
    if (dpkg.status !== 0) throw new Error(`dpkg -i failed:\n${dpkg.stdout}${dpkg.stderr}`);
    note(`installed with dpkg --root in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    home = mkdtempSync(join(tmpdir(), 'rh-deb-home-'));
    [server, xvfb] = await Promise.all([startServerProcess(), startXvfb('1024x768x24')]);
  }, 600_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([server?.stop(), xvfb?.stop()]);
    for (const dir of [root, home]) if (dir) rmSync(dir, { recursive: true, force: true });
    removePackage();
  });

  it('declares what it needs and installs the launcher, desktop entry, user unit and icon', () => {
    const field = (name: string): string =>
      spawnSync('dpkg-deb', ['-f', deb, name], { encoding: 'utf8' }).stdout.trim();
    expect(field('Package')).toBe('remote-help-agent');
    expect(field('Version')).toBe(agentVersion());
    expect(field('Architecture')).toBe('amd64');
    expect(field('Maintainer')).toMatch(/<.+@.+>/);
    // The runtime's and wrtc's libraries only: X is spoken by the pure-JavaScript client, no Xlib.
    expect(field('Depends')).toBe('libc6 (>= 2.28), libgcc-s1, libstdc++6');
    expect(Number(field('Installed-Size'))).toBeGreaterThan(50_000);

    // The package database in the root knows every file (so apt can remove them).
    const listed = spawnSync('dpkg-query', [`--admindir=${join(root, 'var/lib/dpkg')}`, '-L', 'remote-help-agent'], {
      encoding: 'utf8',
    }).stdout;
    for (const path of [
      '/usr/bin/remote-help-agent',
      '/usr/lib/remote-help-agent/node',
      '/usr/lib/remote-help-agent/dist/cli.mjs',
      '/usr/share/applications/remote-help-agent.desktop',
      '/usr/lib/systemd/user/remote-help-agent.service',
      '/usr/share/icons/hicolor/scalable/apps/remote-help-agent.svg',
      '/usr/share/doc/remote-help-agent/copyright',
    ]) {
      expect(listed).toContain(path);
      expect(existsSync(join(root, path))).toBe(true);
    }
    expect(statSync(launcher()).mode & 0o111).toBe(0o111);
    const desktop = readFileSync(join(root, 'usr/share/applications/remote-help-agent.desktop'), 'utf8');
    expect(desktop).toMatch(/^Exec=remote-help-agent share$/m);
    expect(desktop).toMatch(/^Icon=remote-help-agent$/m);
    const unit = readFileSync(join(root, 'usr/lib/systemd/user/remote-help-agent.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/remote-help-agent run$/m);
    // Not enrolled or misconfigured (2), enrollment revoked (3): restarting would only loop.
    expect(unit).toMatch(/^RestartPreventExitStatus=2 3$/m);
    const wants = join(root, 'usr/lib/systemd/user/graphical-session.target.wants/remote-help-agent.service');
    expect(lstatSync(wants).isSymbolicLink()).toBe(true);
    expect(readlinkSync(wants)).toBe('../remote-help-agent.service');
  });

  it('remote-help-agent --version runs the installed Node and bundle', async () => {
    const run = installed(['--version']);
    expect(await run.exit).toBe(0);
    expect(run.output().trim()).toBe(agentVersion());
  });

  it('deployed with /etc/remote-help/agent.json: run enrolls the device by itself and checks in', async () => {
    const admin = new BrowserClient(server.url);
    await admin.signIn('admin@contoso.example', TEST_DEMO_PASSWORD);
    const token = (await admin.json('/api/v1/enrollment-tokens', 'POST', { maxUses: 50 })).body.token as string;
    // What Intune, Jamf or a Debian configuration tool drops next to the installed package.
    const file = join(root, 'etc/remote-help/agent.json');
    mkdirSync(join(root, 'etc/remote-help'), { recursive: true });
    writeFileSync(file, JSON.stringify({ server: server.url, enrollmentToken: token }));
    const config = join(home, 'deployed');
    const env = { REMOTE_HELP_INSTALL_CONFIG: file, REMOTE_HELP_CONFIG_DIR: config };

    const agent = installed(['run', '--no-window'], env);
    await waitFor(() => existsSync(join(config, 'device.json')), 30_000, 'the enrollment');
    expect(agent.output()).toContain(`Enrolling this device with ${server.url} (set in ${file})`);
    const { id } = JSON.parse(readFileSync(join(config, 'device.json'), 'utf8')) as { id: string };
    await waitFor(
      async () => (await admin.json(`/api/v1/devices/${id}`)).body.lastCheckInAt !== null,
      20_000,
      'the check-in at the server',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; the agent said:\n${agent.output()}`);
    });
    await waitFor(() => agent.output().includes('Ctrl+C'), 20_000, 'the agent ready for remote launch');
    // Stopped outright: how `run` ends on Ctrl+C is the CLI test's matter (a SIGINT right after "ready"
    // sometimes ends it by the signal, without "Stopping"; seen here, not fixed in this change).
    agent.child.kill('SIGKILL');
    await agent.exit;

    // A broken file is named with its problems, and the agent stops with code 2.
    writeFileSync(file, JSON.stringify({ server: 'http://help.example.com', enrolmentToken: token }));
    const broken = installed(['run', '--no-window'], env);
    expect(await broken.exit).toBe(2);
    expect(broken.output()).toContain(`The configuration ${file} set by your administrator cannot be used`);
    expect(broken.output()).toContain('unknown setting "enrolmentToken"');
    rmSync(file);
  });

  it('shares the screen: sign in, code, allow, and the helper gets the picture', async () => {
    const started = performance.now();
    const signin = installed(['signin', '--server', server.url]);
    expect(await signin.exit, signin.output()).toBe(0);

    const share = installed(['share', '--no-window']);
    await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/.test(share.output()), 20_000, 'the window address');
    const launch = /http:\/\/127\.0\.0\.1:\d+\/\?t=\S+/.exec(share.output())?.[0] as string;
    const window = await WindowClient.open(launch);
    await window.waitFor((s) => s.screen === 'enterCode', 'signed in');

    const helper = new BrowserClient(server.url);
    await helper.signIn('helper@contoso.example', TEST_DEMO_PASSWORD);
    const { code, session } = (await helper.post('/api/v1/sessions')).body as { code: string; session: { id: string } };
    const hws = await helper.socket();
    hws.send({ type: 'attach', sessionId: session.id });
    await window.command({ type: 'redeem', code });
    await hws.next(sessionPush('joined', { sharerClient: 'agent' }));
    const viewer = startRemoteViewer(hws, session.id);
    await helper.post(`/api/v1/sessions/${session.id}/request`, { mode: 'view' });
    await window.waitFor((s) => s.screen === 'request', 'the request');
    await window.command({ type: 'respond', allow: true, mode: 'view' });
    await hws.next(sessionPush('active'));
    await waitFor(() => viewer.firstFrameAt !== null, 20_000, 'the first frame at the helper');
    expect(viewer.lastSize).toEqual({ width: 1024, height: 768 });

    share.child.kill('SIGINT');
    await hws.next(sessionPush('ended'));
    expect(await share.exit).toBe(130);
    viewer.close();
    hws.close();
    note(`share session with the installed agent: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
