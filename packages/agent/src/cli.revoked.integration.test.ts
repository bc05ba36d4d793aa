/**
 * Integration: `remote-help-agent status` and `run` on a device whose enrollment an administrator
 * revoked, against the real server (child process). `status` shows the enrollment the server
 * confirms; once revoked, it says so on one line, forgets the enrollment and exits with 3, and
 * says it again (from the record) the next time. `run` then exits with 3 without enrolling again
 * with the install configuration's token; `enroll` with a new token clears the record.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_FILE, loadDevice } from './devices/identity.js';
import { REVOCATION_FILE } from './devices/revocation.js';
import { BrowserClient } from './testing/browserClient.js';
import { REPO_ROOT, startServerProcess, TEST_DEMO_PASSWORD, type ServerProcess } from './testing/serverProcess.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('remote-help-agent on a revoked device (CLI)', { timeout: 90_000 }, () => {
  let server: ServerProcess;
  let admin: BrowserClient;
  let configDir: string;
  let installConfig: string;

  /** Runs the CLI to its end, in English, with no display (nothing here needs one). */
  const cli = (args: string[]): Promise<Ran> =>
    new Promise((resolve) => {
      const env: Record<string, string | undefined> = {
        ...process.env,
        REMOTE_HELP_CONFIG_DIR: configDir,
        REMOTE_HELP_INSTALL_CONFIG: installConfig,
        REMOTE_HELP_LANGUAGE: 'en',
      };
      delete env['DISPLAY'];
      delete env['WAYLAND_DISPLAY'];
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
        cwd: REPO_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  const token = async (): Promise<string> =>
    (await admin.json('/api/v1/enrollment-tokens', 'POST', { maxUses: 10 })).body.token as string;

  beforeAll(async () => {
    server = await startServerProcess();
    admin = new BrowserClient(server.url);
    await admin.signIn('admin@contoso.example', TEST_DEMO_PASSWORD);
    configDir = mkdtempSync(join(tmpdir(), 'rh-cli-revoked-'));
    installConfig = join(configDir, 'agent.json');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('status confirms the enrollment, then reports the revocation with exit code 3; run does not enroll again', async () => {
    const deployToken = await token();
    const enrolled = await cli(['enroll', '--server', server.url, '--token', deployToken]);
    expect(enrolled.code).toBe(0);
    const device = await loadDevice(configDir);
    expect(device).not.toBeNull();

    const before = await cli(['status']);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain(`This device is enrolled in ${device?.file.tenantName} on ${server.url} since `);
    expect(before.stdout).toContain('The server confirmed the enrollment just now.');
    expect(before.stdout).toContain('You are not signed in to any server.');

    const revoked = await admin.json(`/api/v1/devices/${device?.id}/revoke`, 'POST', {});
    expect(revoked.body).toMatchObject({ enrollmentStatus: 'revoked' });

    const line =
      `remote-help-agent: An administrator removed this device from ${device?.file.tenantName} (${server.url}), ` +
      'so a helper can no longer start a session on it.';
    const after = await cli(['status']);
    expect(after.code).toBe(3);
    expect(after.stdout).not.toContain('This device is enrolled');
    const said = after.stderr.split('\n').filter((l) => l.startsWith('remote-help-agent:'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(line);
    expect(said[0]).toContain('(remote-help-agent share)');
    expect(existsSync(join(configDir, DEVICE_FILE))).toBe(false);
    expect(existsSync(join(configDir, REVOCATION_FILE))).toBe(true);

    // Said again from the record, with no server needed.
    const again = await cli(['status']);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(line);

    // The deployment's token is still valid, yet run does not undo the administrator's decision with it.
    writeFileSync(installConfig, JSON.stringify({ server: server.url, enrollmentToken: deployToken }));
    const run = await cli(['run', '--no-window']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(line);
    expect(run.stdout).not.toContain('Enrolling this device');
    expect(existsSync(join(configDir, DEVICE_FILE))).toBe(false);

    // A new enrollment clears the record.
    const again2 = await cli(['enroll', '--server', server.url, '--token', await token()]);
    expect(again2.code).toBe(0);
    expect(existsSync(join(configDir, REVOCATION_FILE))).toBe(false);
    const after2 = await cli(['status']);
    expect(after2.code).toBe(0);
    expect(after2.stdout).toContain('The server confirmed the enrollment just now.');
  });
});
