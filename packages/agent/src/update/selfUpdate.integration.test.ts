/**
 * Integration (issue 11, item 3): the agent's signed self-update end to end on Linux, with real
 * processes. One agent tree is built the way `npm run package` builds the `.deb`'s
 * (`packaging/agentTree.mjs`: esbuild bundle, the npm registry's Node, native modules) with a test
 * release key compiled in (the build-time constant, ADR 0022). v1 is that tree installed in a
 * temporary root in the `.deb`'s layout (`usr/lib/remote-help-agent` + the real launcher
 * `usr/bin/remote-help-agent`), deployed with `agent.json` so `run` enrolls itself. Releases are
 * signed with `packaging/release.mjs` (what `npm run release:sign` runs) into the test server's
 * `AGENT_RELEASES_DIR`. Every request goes through a byte-level TCP proxy (the server's public
 * URL), which can cut a package download short.
 *
 * Each refused case starts v1 again (a check runs on start), waits for the logged reason, and
 * checks that v1 still runs, is online and reported 1.0.0. The last case publishes v2: v1
 * downloads, verifies, switches `current`, starts v2 through the launcher, v2 checks in, and the
 * server sees 2.0.0 on the device.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient } from '../testing/browserClient.js';
import { REPO_ROOT, startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from '../testing/serverProcess.js';
import { hasCommand, startXvfb, waitFor, type Xvfb } from '../testing/xvfb.js';

const note = (line: string): void => void process.stderr.write(`[self-update] ${line}\n`);
const missing = ['Xvfb', 'tar'].filter((t) => !hasCommand(t));

interface Packaging {
  buildAgentTree(dir: string, target: unknown, log: (m: string) => void, o: object): Promise<string[]>;
}
interface Releases {
  signRelease(o: { tree: string; platform: string; channel?: string; privateKeyPem: string; outDir: string }): {
    path: string;
    manifestPath: string;
    manifest: { size: number; version: string };
  };
}

/** A TCP proxy to the server; `cutAfter` bytes of a package download's body, then the connection drops. */
class CuttingProxy {
  readonly server: Server;
  target = 0;
  cutAfter: number | null = null;
  cuts = 0;
  readonly #sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      this.#sockets.add(client).add(upstream);
      client.on('close', () => this.#sockets.delete(client));
      upstream.on('close', () => this.#sockets.delete(upstream));
      client.pipe(upstream);
      let head = '';
      let body: number | null = null;
      upstream.on('data', (chunk: Buffer) => {
        if (this.cutAfter !== null && body === null) {
          head += chunk.toString('latin1');
          const at = head.indexOf('\r\n\r\n');
          if (/content-type: application\/gzip/i.test(head) && at >= 0) body = head.length - at - 4 - chunk.length;
          else if (at >= 0) head = '';
        }
        if (body !== null && this.cutAfter !== null) {
          body += chunk.length;
          if (body > this.cutAfter) {
            this.cuts++;
            client.write(chunk.subarray(0, Math.max(0, chunk.length - (body - this.cutAfter))));
            client.destroy();
            upstream.destroy();
            return;
          }
        }
        client.write(chunk);
      });
      upstream.on('end', () => client.end());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe.skipIf(missing.length > 0)('signed self-update, end to end', { timeout: 180_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'rh-selfupdate-'));
  const root = join(work, 'root');
  const lib = join(root, 'usr/lib/remote-help-agent');
  const launcher = join(root, 'usr/bin/remote-help-agent');
  const releases = join(work, 'releases');
  const home = join(work, 'home');
  const updates = join(home, '.local/share/remote-help/agent');
  const config = join(home, 'config');
  const keys = generateKeyPairSync('ed25519');
  const privateKeyPem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicKeyPem = keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const wrongKeyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const proxy = new CuttingProxy();
  const children: ChildProcess[] = [];
  const strays: number[] = [];
  let server: ServerProcess;
  let xvfb: Xvfb;
  let url: string;
  let admin: BrowserClient;
  let deviceId: string;
  let release: Releases;
  let tree: string;

  const publish = (dir: string, o: { key?: string } = {}) => {
    rmSync(releases, { recursive: true, force: true });
    return release.signRelease({
      tree: dir,
      platform: 'linux-x64',
      privateKeyPem: o.key ?? privateKeyPem,
      outDir: releases,
    });
  };
  /** A small tree of `version` (refused before it would ever run), with 2 MB of noise so a download can be cut. */
  const smallTree = (version: string): string => {
    const dir = join(work, `small-${version}`);
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'remote-help-agent', version }, null, 2));
    writeFileSync(join(dir, 'padding'), randomBytes(2 * 1024 * 1024));
    return dir;
  };

  const startAgent = (trialSeconds = 60) => {
    const child = spawn(launcher, ['run', '--no-window'], {
      cwd: home,
      env: {
        PATH: '/usr/bin:/bin',
        HOME: home,
        DISPLAY: xvfb.display,
        REMOTE_HELP_CONFIG_DIR: config,
        REMOTE_HELP_INSTALL_CONFIG: join(root, 'etc/remote-help/agent.json'),
        REMOTE_HELP_UPDATE_TRIAL_SECONDS: String(trialSeconds),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | string | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal)),
    );
    return { child, output: () => output, exit };
  };

  const device = async () =>
    (await admin.json(`/api/v1/devices/${deviceId}`)).body as {
      online: boolean;
      lastCheckInAt: string | null;
      inventory: { agentVersion: string };
    };

  /** Starts v1 with `published` on the server and waits for `reason` in its log; v1 must still run. */
  const refused = async (reason: RegExp) => {
    const agent = startAgent();
    try {
      await waitFor(() => reason.test(agent.output()), 60_000, `the refusal ${reason}`).catch((error: unknown) => {
        throw new Error(`${String(error)}; the agent said:\n${agent.output()}`);
      });
      expect(agent.output()).toContain('This version keeps running');
      await waitFor(async () => (await device()).online, 15_000, 'the device online');
      expect(agent.child.exitCode).toBeNull();
      expect((await device()).inventory.agentVersion).toBe('1.0.0');
      expect(existsSync(join(updates, 'current'))).toBe(false);
      return agent.output();
    } finally {
      agent.child.kill('SIGKILL');
      await agent.exit;
    }
  };

  beforeAll(async () => {
    const packaging = (await import(join(REPO_ROOT, 'packaging/agentTree.mjs'))) as Packaging;
    const targets = (await import(join(REPO_ROOT, 'packaging/targets.mjs'))) as { TARGETS: Record<string, unknown> };
    release = (await import(join(REPO_ROOT, 'packaging/release.mjs'))) as Releases;
    let started = performance.now();
    tree = join(work, 'build');
    await packaging.buildAgentTree(tree, targets.TARGETS['linux-x64'], note, {
      version: '1.0.0',
      releasePublicKey: publicKeyPem,
    });
    note(`agent tree (test release key) built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    cpSync(tree, lib, { recursive: true });
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    copyFileSync(join(REPO_ROOT, 'packaging/linux/remote-help-agent'), launcher);
    chmodSync(launcher, 0o755);
    note(`v1 installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const proxyPort = await proxy.listen();
    url = `http://127.0.0.1:${proxyPort}`;
    [server, xvfb] = await Promise.all([
      startServerProcess({ PUBLIC_URL: url, AGENT_RELEASES_DIR: releases }),
      startXvfb('640x480x24'),
    ]);
    proxy.target = Number(new URL(server.url).port);
    admin = new BrowserClient(url);
    await admin.signIn('admin@contoso.example', TEST_DEMO_PASSWORD);
    const token = (await admin.json('/api/v1/enrollment-tokens', 'POST', { maxUses: 5 })).body.token as string;
    mkdirSync(join(root, 'etc/remote-help'), { recursive: true });
    writeFileSync(join(root, 'etc/remote-help/agent.json'), JSON.stringify({ server: url, enrollmentToken: token }));
    mkdirSync(home, { recursive: true });
  }, 900_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const pid of strays) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await Promise.all([server?.stop(), xvfb?.stop(), proxy.close()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('v1 enrolls and checks in; nothing published: nothing happens', async () => {
    const agent = startAgent();
    await waitFor(() => existsSync(join(config, 'device.json')), 60_000, 'the enrollment');
    deviceId = (JSON.parse(readFileSync(join(config, 'device.json'), 'utf8')) as { deviceId: string }).deviceId;
    await waitFor(async () => (await device()).online, 30_000, 'the device online').catch((error: unknown) => {
      throw new Error(`${String(error)}; the agent said:\n${agent.output()}`);
    });
    expect((await device()).inventory.agentVersion).toBe('1.0.0');
    agent.child.kill('SIGKILL');
    await agent.exit;
  });

  it('a manifest signed with another key is refused before anything is downloaded', async () => {
    publish(smallTree('3.0.0'), { key: wrongKeyPem });
    const log = await refused(/Update refused \(bad_signature\)/);
    expect(log).not.toContain('Downloading');
  });

  it('a downgrade is refused, even signed with the release key', async () => {
    publish(smallTree('0.9.0'));
    await refused(/Update refused \(downgrade\): 0\.9\.0 is older than the running 1\.0\.0/);
  });

  it('a tampered package (same size, one byte changed) is refused by its SHA-256', async () => {
    const { path } = publish(smallTree('2.5.0'));
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0xff;
    writeFileSync(path, bytes);
    await refused(/Update refused \(hash_mismatch\)/);
    expect(existsSync(join(updates, 'versions')) ? readdirSync(join(updates, 'versions')) : []).toEqual([]);
  });

  it('an interrupted download is refused as truncated', async () => {
    const { manifest } = publish(smallTree('2.6.0'));
    proxy.cutAfter = 100_000;
    try {
      await refused(
        new RegExp(
          `Update refused \\(truncated\\): the download (was interrupted|is incomplete).*of ${manifest.size} bytes`,
        ),
      );
    } finally {
      proxy.cutAfter = null;
    }
    expect(proxy.cuts).toBeGreaterThan(0);
    expect(readdirSync(join(updates, 'downloads'))).toEqual([]);
  });

  /** A signed tree whose `node` is a shell script: it runs, as far as the launcher can tell, then `script`. */
  const brokenTree = (version: string, script: string): string => {
    const dir = smallTree(version);
    writeFileSync(join(dir, 'dist/cli.mjs'), '// never reached\n');
    writeFileSync(join(dir, 'node'), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, 'node'), 0o755);
    return dir;
  };

  it('a new version that fails to start, or to check in in time, is rolled back and not tried again', async () => {
    publish(brokenTree('1.5.0', 'echo "1.5.0 cannot start" >&2; exit 3'));
    let agent = startAgent();
    try {
      await waitFor(
        () => /Update to 1\.5\.0 rolled back: it exited with 3/.test(agent.output()),
        60_000,
        'the rollback',
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; the agent said:\n${agent.output()}`);
      });
      expect(agent.output()).toContain('1.5.0 cannot start');
      expect(existsSync(join(updates, 'current'))).toBe(false);
      expect(existsSync(join(updates, 'versions/1.5.0'))).toBe(false);
      // v1 listens again and is online.
      await waitFor(async () => (await device()).online, 30_000, 'v1 online again');
      expect(agent.child.exitCode).toBeNull();
    } finally {
      agent.child.kill('SIGKILL');
      await agent.exit;
    }
    // Started again, v1 does not retry the version that failed.
    agent = startAgent();
    try {
      await waitFor(() => /Update refused \(failed_before\)/.test(agent.output()), 60_000, 'no second try');
    } finally {
      agent.child.kill('SIGKILL');
      await agent.exit;
    }

    publish(brokenTree('1.6.0', 'exec sleep 600'));
    agent = startAgent(3);
    try {
      await waitFor(
        () => /Update to 1\.6\.0 rolled back: it did not check in within 3 s/.test(agent.output()),
        60_000,
        'the rollback after the trial',
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; the agent said:\n${agent.output()}`);
      });
      expect(existsSync(join(updates, 'current'))).toBe(false);
      await waitFor(async () => (await device()).online, 30_000, 'v1 online again');
      expect((await device()).inventory.agentVersion).toBe('1.0.0');
    } finally {
      agent.child.kill('SIGKILL');
      await agent.exit;
    }
  });

  it('v2 published: v1 updates, restarts through the launcher, and v2 checks in as 2.0.0', async () => {
    const v2 = join(work, 'v2');
    cpSync(tree, v2, { recursive: true });
    writeFileSync(
      join(v2, 'package.json'),
      JSON.stringify({ name: 'remote-help-agent', version: '2.0.0', private: true, type: 'module' }, null, 2),
    );
    publish(v2);
    const before = Date.now();
    const agent = startAgent();
    await waitFor(() => /started and checked in/.test(agent.output()), 120_000, 'the handover').catch(
      (error: unknown) => {
        throw new Error(`${String(error)}; the agent said:\n${agent.output()}`);
      },
    );
    const pid = /\(pid (\d+)\)/.exec(agent.output())?.[1];
    if (pid) strays.push(Number(pid));
    expect(await agent.exit).toBe(0);
    expect(agent.output()).toMatch(/Downloading Remote Help 2\.0\.0: (25|50|75) %/);
    expect(agent.output()).toContain('verified (Ed25519 signature, size, SHA-256)');
    expect(readlinkSync(join(updates, 'current'))).toBe(join(updates, 'versions/2.0.0'));
    expect(readFileSync(join(updates, 'installed-over'), 'utf8').trim()).toBe('1.0.0');
    const seen = await device();
    expect(seen.inventory.agentVersion).toBe('2.0.0');
    expect(Date.parse(seen.lastCheckInAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
    await waitFor(async () => (await device()).online, 30_000, 'v2 online');
    expect(pid).toBeDefined();
    expect(() => process.kill(Number(pid), 0)).not.toThrow();
  });
});
