/**
 * Integration: `/download` over real HTTP with a fake packages folder (`AGENT_PACKAGES_DIR`): the
 * page and the JSON list show version, size and SHA-256 of exactly the package files; a package
 * downloads with its content type and as an attachment; nothing else in or outside the folder can
 * be reached, whatever the request target says.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness.js';
import { agentPackagesDir } from './packages.js';

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Sends the request target byte for byte (an HTTP client would normalize `..` first). */
function raw(port: number, target: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const split = data.indexOf('\r\n\r\n');
      const head = data.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: data.slice(split + 4) });
    });
  });
}

describe('GET /download', () => {
  const root = mkdtempSync(join(tmpdir(), 'rh-downloads-'));
  const dir = join(root, 'packages');
  const deb = Buffer.from('!<arch>\ndebian-binary fake package bytes');
  const zip = Buffer.from('PK\u0003\u0004 fake app bundle');
  const SECRET = 'top secret outside the packages folder';
  let server: TestServer;
  let port: number;
  const previous = process.env['AGENT_PACKAGES_DIR'];

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'remote-help-agent_0.2.0_amd64.deb'), deb);
    writeFileSync(join(dir, 'remote-help-agent_0.2.0_macos-arm64.zip'), zip);
    writeFileSync(join(dir, 'remote-help-agent_0.1.0_amd64.deb'), 'older');
    writeFileSync(join(dir, 'notes.txt'), 'not a package');
    writeFileSync(join(dir, '.remote-help-agent_0.3.0_amd64.deb'), 'hidden');
    writeFileSync(join(root, 'secret.txt'), SECRET);
    symlinkSync(join(root, 'secret.txt'), join(dir, 'remote-help-agent_9.9.9_amd64.deb'));
    mkdirSync(join(dir, 'remote-help-agent_0.4.0_amd64.deb'));
    process.env['AGENT_PACKAGES_DIR'] = dir;
    server = await startTestServer();
    port = Number(new URL(server.url).port);
  });

  afterAll(async () => {
    await server?.stop();
    if (previous === undefined) delete process.env['AGENT_PACKAGES_DIR'];
    else process.env['AGENT_PACKAGES_DIR'] = previous;
    rmSync(root, { recursive: true, force: true });
  });

  it('lists exactly the package files, newest version first, with size and SHA-256', async () => {
    const list = (await (await fetch(`${server.url}/download/packages.json`)).json()) as {
      packages: { file: string; version: string; platform: string; size: number; sha256: string }[];
    };
    expect(list.packages.map((p) => p.file)).toEqual([
      'remote-help-agent_0.2.0_amd64.deb',
      'remote-help-agent_0.2.0_macos-arm64.zip',
      'remote-help-agent_0.1.0_amd64.deb',
    ]);
    expect(list.packages[0]).toMatchObject({
      version: '0.2.0',
      platform: 'Linux x64 (Debian, Ubuntu)',
      size: deb.length,
      sha256: sha(deb),
    });
    expect(list.packages[1]).toMatchObject({ platform: 'macOS (Apple silicon)', sha256: sha(zip) });

    const page = await fetch(`${server.url}/download`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await page.text();
    expect(html).toContain('href="/download/remote-help-agent_0.2.0_amd64.deb"');
    expect(html).toContain(sha(deb));
    expect(html).toContain(sha(zip));
    expect(html).not.toContain('notes.txt');
    expect(html).not.toContain('9.9.9');
  });

  it('serves a package as an attachment with its content type', async () => {
    const reply = await fetch(`${server.url}/download/remote-help-agent_0.2.0_amd64.deb`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/vnd.debian.binary-package');
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="remote-help-agent_0.2.0_amd64.deb"');
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await reply.arrayBuffer())).toEqual(deb);

    const app = await fetch(`${server.url}/download/remote-help-agent_0.2.0_macos-arm64.zip`);
    expect(app.headers.get('content-type')).toBe('application/zip');
    expect(Buffer.from(await app.arrayBuffer())).toEqual(zip);
  });

  it('cannot reach anything else: other files, links, folders or paths out of the folder', async () => {
    for (const target of [
      '/download/notes.txt',
      '/download/.remote-help-agent_0.3.0_amd64.deb',
      '/download/remote-help-agent_9.9.9_amd64.deb', // a symbolic link to a file outside
      '/download/remote-help-agent_0.4.0_amd64.deb', // a folder
      '/download/../secret.txt',
      '/download/..%2fsecret.txt',
      '/download/..%2F..%2Fpackages%2Fremote-help-agent_0.2.0_amd64.deb',
      '/download/%2e%2e%2fsecret.txt',
      '/download/..%5csecret.txt',
      '/download/remote-help-agent_0.2.0_amd64.deb%00.txt',
      '/download/remote-help-agent_0.2.0_amd64.deb%2f..%2f..%2fsecret.txt',
      '/download//etc/passwd',
      '/download/%2fetc%2fpasswd',
    ]) {
      const reply = await raw(port, target);
      expect(reply.status, target).not.toBe(200);
      expect(reply.body, target).not.toContain(SECRET);
      expect(reply.body, target).not.toContain('root:');
      expect(reply.head, target).not.toMatch(/content-disposition/i);
    }
  });

  it('shows an empty folder, or none, as no packages yet', async () => {
    expect(agentPackagesDir({ AGENT_PACKAGES_DIR: 'relative/packages' })).toBe(
      join(process.cwd(), 'relative/packages'),
    );
    expect(agentPackagesDir({})).toMatch(/dist\/packages\/?$/);
    process.env['AGENT_PACKAGES_DIR'] = join(root, 'missing');
    const empty = await startTestServer();
    try {
      const html = await (await fetch(`${empty.url}/download`)).text();
      expect(html).toContain('No packages are published on this server yet.');
    } finally {
      await empty.stop();
      process.env['AGENT_PACKAGES_DIR'] = dir;
    }
  });
});
