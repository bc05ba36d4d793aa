/**
 * @module testing/serverProcess
 * Starts the built remote-help server (`packages/server/dist/main.js`) as a child
 * process on a free port with a temporary SQLite database, for integration tests. The
 * agent never imports the server's code; it talks to it over HTTP like in production.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The demo accounts' password on the test server. */
export const TEST_DEMO_PASSWORD = 'agent-test-password-1';

/** A running server child process. */
export interface ServerProcess {
  url: string;
  process: ChildProcess;
  /** Everything the server wrote (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** Builds protocol + server when their output is missing. */
export function ensureServerBuilt(): void {
  if (existsSync(join(REPO_ROOT, 'packages/server/dist/main.js'))) return;
  const result = spawnSync('npx', ['tsc', '-b', 'packages/protocol', 'packages/server'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`Building the server failed:\n${result.stdout}${result.stderr}`);
}

/** Starts the server and waits for `/healthz`. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  ensureServerBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'rh-agent-server-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, [join(REPO_ROOT, 'packages/server/dist/main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      DEMO_PASSWORD: TEST_DEMO_PASSWORD,
      WEB_DIST: join(dir, 'no-web'),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
